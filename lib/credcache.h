/* credcache.h: per-process cache of verified Basic credentials (keyed hashes only, never passwords). */
#ifndef GK_CREDCACHE_H
#define GK_CREDCACHE_H

#include "common.h"

/*
 * An entry is a 128-bit SipHash-2-4 tag (crypto_shorthash_siphashx24) under
 * a random per-cache key of user NUL password NUL stored-hash, plus the
 * record's generation and updated time: a password change, disable,
 * generation bump or any record update invalidates it. Entries expire after
 * ttl seconds. The table is fixed: sets of up to 4 entries, the set chosen by
 * the tag (keyed: nobody outside can aim at one), so a lookup reads one set,
 * not the table; when a set is full, an expired entry or else its oldest one
 * is replaced. The handle is owned by
 * the caller (one per worker process; not thread-safe).
 */
struct gk_credcache;

#define GK_CREDCACHE_DEFAULT_SIZE 1024

/* A new empty cache holding at most max entries (>= 1; rounded down to sets of 4), ttl seconds (0 = never hit). */
struct gk_credcache *gk_credcache_new(size_t max, long ttl, struct gk_err *err);
void gk_credcache_free(struct gk_credcache *c);

/* True if (user, password, hash) was stored with the same generation/updated within ttl of now. */
bool gk_credcache_check(struct gk_credcache *c, const char *user, const char *password,
    const char *hash, uint32_t generation, int64_t updated, int64_t now);

/* Remembers a successful verification at time now. */
void gk_credcache_put(struct gk_credcache *c, const char *user, const char *password,
    const char *hash, uint32_t generation, int64_t updated, int64_t now);

/* Forgets everything (SIGHUP, DB replaced). */
void gk_credcache_clear(struct gk_credcache *c);

/* Number of live slots in use (for tests). */
size_t gk_credcache_count(const struct gk_credcache *c);

#endif
