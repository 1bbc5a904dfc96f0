/* lockout.h: failure counting, bans, throttle and lock of logins, shared by all processes. */
#ifndef GK_LOCKOUT_H
#define GK_LOCKOUT_H

#include "common.h"
#include "statestore.h"

/*
 * State: one fixed-size table file "<state_dir>/lockout.tbl" (about 1 MiB,
 * never grows), read and written with pread/pwrite under flock(), so every
 * FastCGI worker, CGI process and the authorizer share it and it survives
 * restarts. Keys are keyed BLAKE2b hashes of the user, the address, or the
 * (user, address) pair (IPv6 addresses count per /64); the hash key is
 * random per table, so nobody can aim collisions at a slot.
 *
 * Semantics (NIST SP 800-63B 5.2.2, OWASP; SECURITY.md): failures from one
 * address must never lock the account for everybody else.
 *  - Bans, per (user, address) pair and per address: a pair that collects
 *    max_failures failures (an address: address_failures, any users)
 *    within find_time seconds of its first counted failure is banned for
 *    ban_time seconds. The victim at another address is not affected.
 *  - Per user, across addresses, consecutive failures (no window; reset
 *    only by a success or an admin): from user_throttle on, the user is
 *    THROTTLED: one attempt per interval, 2 s doubling per further failure
 *    up to throttle_max, answered without checking the password. An
 *    address from which this user signed in within GK_LOCKOUT_KNOWN_TIME
 *    is not throttled (the victim at home gets in during a distributed
 *    attack). At user_lock (never below 100) the account is LOCKED until
 *    an admin clears it (gk_lockout_clear).
 *  - Failures refused while banned, locked or throttled are not counted.
 *  - A success clears the user's and the pair's counters and marks the
 *    pair known; never the address's (one good account must not launder
 *    guesses at others). Unknown users are counted like real ones.
 *  - max_failures == 0 disables the lockout.
 *  - A full neighbourhood evicts the entry least worth keeping (counting
 *    entries, then bans, then throttled users, locked accounts last; the
 *    oldest update first), with a notice at most once a minute: a flood
 *    from many addresses must not refuse everybody.
 *
 * Failing safe: any doubt reads as "banned", never as "allowed".
 *  - a slot whose checksum fails is rewritten as a ban on whatever keys
 *    share its neighbourhood, for ban_time;
 *  - a table with a bad header or size is renamed to lockout.tbl.corrupt
 *    and replaced by a new one that bans everybody for ban_time;
 *  - I/O errors return a negative gk_status: callers deny.
 * The table must be a regular file owned by the process's effective uid and
 * not writable by group/other (refused otherwise: someone else could unban).
 * gk_lockout_notice() reports healing and eviction events so the program
 * can log them.
 */

/* Verdicts, most severe first when several apply: every one but ALLOW refuses the attempt. */
enum gk_lockout_verdict {
	GK_LOCKOUT_ALLOW = 0,
	GK_LOCKOUT_BANNED = 1,       /* the pair or the address is banned (or the table is in doubt) */
	GK_LOCKOUT_LOCKED = 2,       /* the account reached user_lock consecutive failures */
	GK_LOCKOUT_THROTTLED = 3     /* the user's next attempt is not due yet */
};

#define GK_LOCKOUT_FOREVER   INT64_MAX            /* "until" of a lock: until an admin clears it */
#define GK_LOCKOUT_KNOWN_TIME (30 * 86400)        /* a sign-in marks its address known this long */
#define GK_LOCKOUT_USER_LOCK_MIN 100              /* NIST SP 800-63B: no lock below 100 */

/* A zero in any field after ban_time picks its default (lib/conf.c has the same). */
#define GK_LOCKOUT_TABLE "lockout.tbl"    /* the table's file name inside state_dir */

struct gk_lockout_conf {
	long max_failures;      /* per (user, address) pair; 0 = lockout disabled */
	long find_time;         /* seconds */
	long ban_time;          /* seconds */
	long address_failures;  /* per address, any users; default 20 */
	long user_throttle;     /* consecutive failures of a user before throttling; default 10 */
	long user_lock;         /* consecutive failures that lock the account; default 100 */
	long throttle_max;      /* longest throttle interval, seconds; default 60 */
	long slots;             /* table size; default 16384 (tests use small tables) */
	/*
	 * state_backend = redis: the same semantics kept in the shared store
	 * (lib/lockout_redis.h) instead of the table; the table is opened only
	 * for state_store_down = local. Disabled (the default): the table.
	 */
	struct gk_statestore_conf store;
};

struct gk_config;
/* Fills conf from the configuration's lockout keys. */
void gk_lockout_conf_from(struct gk_lockout_conf *conf, const struct gk_config *cfg);

struct gk_lockout;

/* Opens (creating if needed) the table under state_dir, which must exist. */
int gk_lockout_open(const char *state_dir, const struct gk_lockout_conf *conf,
    struct gk_lockout **out, struct gk_err *err);
void gk_lockout_close(struct gk_lockout *lk);

/*
 * May this user try a password from this address now? A gk_lockout_verdict
 * for the user and/or address (either may be NULL), or a negative gk_status
 * (deny). *until (optional) receives when the answer ends (GK_LOCKOUT_FOREVER
 * for a lock). Read-only: takes the shared lock.
 */
int gk_lockout_check(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    int64_t *until, struct gk_err *err);

/* Counts one failure for user and/or address (and their pair); the verdict after counting. */
int gk_lockout_fail(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err);

/*
 * A successful login: clears the user's and the (user, address) counters and
 * marks the pair known; never the address's. addr may be NULL.
 */
int gk_lockout_success(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err);

/*
 * Admin unban: clears the counts, bans, throttle and lock of user and/or
 * address; a user's bans at every address are lifted too.
 */
int gk_lockout_clear(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err);

/*
 * Reads one key: the user's (addr NULL: consecutive failures, and the lock:
 * GK_LOCKOUT_FOREVER), the address's (user NULL) or the pair's (both): the
 * failures counted now (0 if none) and the end of its ban (0 if none).
 */
int gk_lockout_peek(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    long *failures, int64_t *banned_until, struct gk_err *err);

/*
 * Counts an attempt BEFORE its password is hashed, so that N workers hashing
 * at once cannot each pass the check (about N-1 extra guesses otherwise):
 * under one exclusive lock, the verdict gk_lockout_check() would give if it is
 * not GK_LOCKOUT_ALLOW (nothing counted), else one failure is counted on each key and
 * GK_LOCKOUT_ALLOW is returned -- even when that count starts a ban, since
 * this attempt was within the budget. Negative gk_status on error (deny).
 * A reservation whose password turns out right is taken back with
 * gk_lockout_refund(); a wrong one simply stays counted.
 */
int gk_lockout_reserve(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err);

/*
 * Takes back one failure counted by gk_lockout_reserve() on each key given (user
 * NULL: the address alone), and a ban or lock that count had started.
 */
int gk_lockout_refund(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err);

/*
 * The shared store this lockout uses (state_backend = redis), for the token
 * generations of lib/auth; NULL with the local table.
 */
struct gk_statestore *gk_lockout_store(struct gk_lockout *lk);

/* Copies the last healing event ("corrupt slot rewritten as a ban", ...) to out and clears it; false if none. */
bool gk_lockout_notice(struct gk_lockout *lk, char *out, size_t outsz);

#endif
