/* lockout.h: failure counting and temporary bans per user and per address, shared by all processes. */
#ifndef GK_LOCKOUT_H
#define GK_LOCKOUT_H

#include "common.h"

/*
 * State: one fixed-size table file "<state_dir>/lockout.tbl" (about 1 MiB,
 * never grows), read and written with pread/pwrite under flock(), so every
 * FastCGI worker, CGI process and the authorizer share it and it survives
 * restarts. Keys are keyed BLAKE2b hashes of "u:<user>" and "a:<address>"
 * (IPv6 addresses count per /64); the hash key is random per table, so
 * nobody can aim collisions at a slot.
 *
 * Semantics (Authelia "regulation", SECURITY.md 4.2): a key that collects
 * max_failures failures within find_time seconds of its first counted
 * failure is banned for ban_time seconds. Failures during a ban are not
 * counted (a ban ends ban_time after it began). A successful login clears
 * the user's counter, never the address's (one good account must not
 * launder guesses at others). Unknown users are counted like real ones.
 * max_failures == 0 disables the lockout.
 *
 * Failing safe: any doubt reads as "banned", never as "allowed".
 *  - a slot whose checksum fails is rewritten as a ban on whatever keys
 *    share its neighbourhood, for ban_time;
 *  - a table with a bad header or size is renamed to lockout.tbl.corrupt
 *    and replaced by a new one that bans everybody for ban_time;
 *  - a neighbourhood full of live bans (table saturated) answers banned;
 *  - I/O errors return a negative gk_status: callers deny.
 * The table must be a regular file owned by the process's effective uid and
 * not writable by group/other (refused otherwise: someone else could unban).
 * gk_lockout_notice() reports healing events so the program can log them.
 */

enum gk_lockout_verdict {
	GK_LOCKOUT_ALLOW = 0,
	GK_LOCKOUT_BANNED = 1
};

#define GK_LOCKOUT_TABLE "lockout.tbl"    /* the table's file name inside state_dir */

struct gk_lockout_conf {
	long max_failures;   /* 0 = lockout disabled */
	long find_time;      /* seconds */
	long ban_time;       /* seconds */
};

struct gk_lockout;

/* Opens (creating if needed) the table under state_dir, which must exist. */
int gk_lockout_open(const char *state_dir, const struct gk_lockout_conf *conf,
    struct gk_lockout **out, struct gk_err *err);
void gk_lockout_close(struct gk_lockout *lk);

/*
 * GK_LOCKOUT_ALLOW or GK_LOCKOUT_BANNED for the user and/or address (either
 * may be NULL; banned if either key is), or a negative gk_status (deny).
 * *until (optional) receives the end of the longest ban.
 */
int gk_lockout_check(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    int64_t *until, struct gk_err *err);

/* Counts one failure for user and/or address; returns the verdict after counting. */
int gk_lockout_fail(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err);

/* A successful login: clears the user's counter (not the address's). */
int gk_lockout_success(struct gk_lockout *lk, const char *user, int64_t now, struct gk_err *err);

/* Admin unban: clears the counters and bans of user and/or address. */
int gk_lockout_clear(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err);

/*
 * Reads one key (exactly one of user/addr non-NULL): failures counted in the
 * current window (0 if none) and the end of its ban (0 if not banned).
 */
int gk_lockout_peek(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    long *failures, int64_t *banned_until, struct gk_err *err);

/*
 * Counts an attempt BEFORE its password is hashed, so that N workers hashing
 * at once cannot each pass the check (about N-1 extra guesses otherwise):
 * under one exclusive lock, GK_LOCKOUT_BANNED (nothing counted) if the user or
 * the address is banned already, else one failure is counted on each key and
 * GK_LOCKOUT_ALLOW is returned -- even when that count starts a ban, since
 * this attempt was within the budget. Negative gk_status on error (deny).
 * A reservation whose password turns out right is taken back with
 * gk_lockout_refund(); a wrong one simply stays counted.
 */
int gk_lockout_reserve(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err);

/* Takes back one failure counted by gk_lockout_reserve() on each key, and a ban that count had started. */
int gk_lockout_refund(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    struct gk_err *err);

/* Copies the last healing event ("corrupt slot rewritten as a ban", ...) to out and clears it; false if none. */
bool gk_lockout_notice(struct gk_lockout *lk, char *out, size_t outsz);

#endif
