/* sesscache.h: per-worker cache of verified session tokens, so a known cookie skips the HMAC and the JSON (keyed tags, never the tokens). */
#ifndef GK_SESSCACHE_H
#define GK_SESSCACHE_H

#include "common.h"
#include "secret.h"
#include "token.h"

/*
 * gk_sesscache_verify() answers exactly what gk_token_verify() answers, and remembers the
 * tokens that verified, so that the next request with the same cookie costs one keyed hash
 * instead of base64, HMAC-SHA256 and two JSON parses.
 *
 * An entry means: "these token bytes verified under this key, for this issuer, leeway and
 * TTL, at time `stored`, and carried these claims". What a token says is a function of its
 * bytes alone; everything else is part of the entry or rechecked on every hit:
 *  - the key: an entry is found by a 128-bit SipHash-2-4 (crypto_shorthash_siphashx24) under
 *    a random per-cache key of the verifying key's length and bytes and the token, so a token
 *    never hits under another key; an entry of the previous key hits only while gk_secret_prev_usable() (the
 *    rotation window, as the verification checks it); any re-read of the secret file (a new
 *    s->epoch: a rotation, a leaked key's removal, a broken file) empties the whole cache first;
 *  - issuer, leeway and TTL: kept in the entry; a different one is a miss;
 *  - time: now >= exp + leeway answers GK_TOKEN_EXPIRED (the entry dropped), as the
 *    verification would; a clock earlier than `stored` is a miss (iat and nbf were checked
 *    against `stored` only), so the full verification decides;
 *  - the user -- exists, enabled, generation equal to the token's, the shared store's
 *    revocations -- is NOT cached here: lib/auth checks it after every hit exactly as after
 *    every verification, so a revocation or a disabled user takes effect at the next request,
 *    as without the cache.
 * Only tokens that verified are entered; a refusal is never cached (a forged cookie costs the
 * full verification every time). Tags are compared in constant time; the tokens
 * themselves (bearer credentials) are never stored.
 *
 * A fixed table, allocated by gk_sesscache_new, of sets of GK_SESSCACHE_WAYS entries; the set
 * is chosen by the tag (keyed: nobody outside can aim at one). A full set replaces its
 * entry stored longest ago. An entry is wiped when replaced, dropped or freed. No allocation
 * after gk_sesscache_new. One per worker process; not thread-safe.
 */
struct gk_sesscache;

#define GK_SESSCACHE_DEFAULT_SIZE 256   /* entries (about 1.8 KB each) */
#define GK_SESSCACHE_WAYS 4

/* A new empty cache of at least `entries` (>= 1) entries; NULL with err set. */
struct gk_sesscache *gk_sesscache_new(size_t entries, struct gk_err *err);
void gk_sesscache_free(struct gk_sesscache *sc);

/*
 * gk_token_verify(s, token, expected_iss, now, leeway, ttl, c, err) through the cache
 * (sc NULL: no cache). *hit (may be NULL) says whether the answer came from the cache.
 */
int gk_sesscache_verify(struct gk_sesscache *sc, const struct gk_secret *s, const char *token,
    const char *expected_iss, int64_t now, int64_t leeway, int64_t ttl, struct gk_claims *c,
    bool *hit, struct gk_err *err);

/* Number of entries in use (for tests). */
size_t gk_sesscache_count(const struct gk_sesscache *sc);

#endif
