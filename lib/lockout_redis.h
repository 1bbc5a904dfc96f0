/* lockout_redis.h: the lockout of lockout.h kept in the shared state store (internal to lockout.c). */
#ifndef GK_LOCKOUT_REDIS_H
#define GK_LOCKOUT_REDIS_H

#include "lockout.h"
#include "statestore.h"

/*
 * The same semantics as the table (lockout.h), one Lua script per call so
 * each call is atomic on the server: no worker on any machine counts between
 * another's check and count. Keys (lib/statestore.h): prefix + "a:" (an
 * address), "p:" (a pair), "u:" (a user), "k:" (a known pair) + a keyed hash.
 * Hashes with fields c (count), w (window start), l (last failure), b (banned
 * until; -1: locked until an admin clears it) and a (a user's last unban);
 * an address or pair expires when its window and ban are over, a user's
 * count after max(30 days, ban_time + find_time) without a failure, a lock
 * never (the table keeps a user's count until the slot is evicted).
 * No table, so no corrupt slots and no eviction: the store's memory is the
 * admin's to size (maxmemory-policy noeviction or volatile-*).
 *
 * Each function returns what its lockout.h twin(s) return, or LK_STORE_FALLBACK
 * when the store failed and state_store_down = local: the caller then asks
 * the local table (and a notice says so once per outage).
 */
#define LK_STORE_FALLBACK 1000

struct gk_lockout;

/* The lockout.h calls but peek, each one store operation. */
enum lk_op {
	LK_CHECK, LK_FAIL, LK_RESERVE,          /* answer a gk_lockout_verdict */
	LK_REFUND, LK_SUCCESS, LK_CLEAR         /* answer GK_OK */
};

/* until (optional) receives when the verdict of LK_CHECK ends. */
int lk_redis_op(struct gk_lockout *lk, enum lk_op op, const char *user, const char *addr,
    int64_t now, int64_t *until, struct gk_err *err);
int lk_redis_peek(struct gk_lockout *lk, const char *user, const char *addr, int64_t now,
    long *failures, int64_t *banned_until, struct gk_err *err);

#endif
