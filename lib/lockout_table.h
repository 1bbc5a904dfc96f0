/* lockout_table.h: the lockout table file (layout, locking, slots, eviction); policy in lockout.c. */
#ifndef GK_LOCKOUT_TABLE_H
#define GK_LOCKOUT_TABLE_H

#include <sys/types.h>

#include "lockout.h"

#define LK_KEY_LEN 16u
#define LK_SUM_LEN 16u

/*
 * What a slot counts (stored in the slot, so eviction can rank it). Tables
 * written before the kinds existed hold LK_LEGACY (0): ranked like an address.
 */
enum lk_kind {
	LK_LEGACY = 0,
	LK_USER = 1,     /* consecutive failures of one user, from anywhere */
	LK_PAIR = 2,     /* failures of one user from one address, in find_time */
	LK_ADDR = 3,     /* failures from one address, any user, in find_time */
	LK_KNOWN = 4     /* a user signed in from this address (last_fail: when) */
};

/* On-disk header, host byte order (the table is local to one machine). */
struct lk_hdr {
	char magic[8];
	uint32_t version;
	uint32_t nslots;
	int64_t quarantine_until;    /* everybody banned until then (after a reset) */
	unsigned char hkey[32];      /* key of the slot-key hash and checksums */
	unsigned char pad[8];
	unsigned char sum[LK_SUM_LEN];
};

struct lk_slot {
	unsigned char key[LK_KEY_LEN];  /* all zero: empty; all 0xff: ban on unknown keys */
	int64_t window_start;
	int64_t last_fail;              /* the slot's last update: eviction takes the oldest */
	int64_t banned_until;
	uint32_t count;
	uint32_t kind;                  /* enum lk_kind */
	unsigned char sum[LK_SUM_LEN];
};

struct gk_lockout {
	struct gk_lockout_conf conf;    /* defaults filled in */
	char path[4096];
	char dir[4096];
	int fd;
	dev_t dev;
	ino_t ino;
	struct lk_hdr h;
	char notice[512];
	unsigned long evicted;          /* live entries evicted since the last notice */
	int64_t evict_noticed;          /* when that notice was given */
	/* state_backend = redis (lib/lockout_redis.h): the store, and the table only as its fallback */
	struct gk_statestore *store;
	bool local_table;               /* the table is open (file backend, or state_store_down = local) */
	bool store_fell_back;           /* the last store call failed over to the table */
};

/* Where one key lives in its neighbourhood, and what else is there. */
struct lk_probe {
	long found;          /* slot index, or -1 */
	long reuse;          /* a slot a new entry may take (possibly by eviction), or -1 */
	bool reuse_evicts;   /* taking reuse throws a live entry away */
	bool wild_ban;       /* an unknown-owner ban (a healed corrupt slot) covers the key */
	int64_t wild_until;
	struct lk_slot s;    /* the found slot's contents */
};

void lk_notice(struct gk_lockout *lk, const char *msg);
/* The address as the lockout counts it: IPv6 per /64, IPv4-mapped as IPv4. */
void lk_addr_norm(const char *addr, char *out, size_t outsz);
/* Opens (or reopens) the table file at lk->path; lk_table_close closes it (fd -1). */
int lk_table_open(struct gk_lockout *lk, struct gk_err *err);
void lk_table_close(struct gk_lockout *lk);
/* Locks the table (LOCK_SH or LOCK_EX) and loads a checked header; heals a damaged table. */
int lk_table_lock(struct gk_lockout *lk, int mode, int64_t now, struct gk_err *err);
void lk_table_unlock(struct gk_lockout *lk);
void lk_key(const struct gk_lockout *lk, char kind, const char *id, const char *id2,
    unsigned char key[LK_KEY_LEN]);
/* heal: rewrite corrupt slots as bans (needs LOCK_EX). */
int lk_probe(struct gk_lockout *lk, const unsigned char key[LK_KEY_LEN], int64_t now, bool heal,
    struct lk_probe *p, struct gk_err *err);
/* Writes s to slot i (an all-zero key empties it); counts and reports an eviction. */
int lk_slot_write(struct gk_lockout *lk, uint32_t i, struct lk_slot *s, bool evicts, int64_t now,
    struct gk_err *err);

#endif
