/* credcache.c: bounded, TTL-limited cache of verified credential tags (libsodium SipHash-2-4, 128 bits) in a set-associative table. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "credcache.h"

#define DIGEST_LEN crypto_shorthash_siphashx24_BYTES
#define WAYS 4                  /* entries per set */

struct entry {
	unsigned char digest[DIGEST_LEN];
	uint32_t generation;
	int64_t updated;
	int64_t stored;          /* when verified */
	bool used;
};

struct gk_credcache {
	unsigned char key[crypto_shorthash_siphashx24_KEYBYTES];
	long ttl;
	size_t max;             /* sets * ways */
	size_t sets, ways;      /* sets: a power of two */
	struct entry *e;
};

struct gk_credcache *
gk_credcache_new(size_t max, long ttl, struct gk_err *err)
{
	struct gk_credcache *c;

	if (max == 0 || ttl < 0) {
		gk_err_set(err, "credential cache: bad size or ttl");
		return NULL;
	}
	if (sodium_init() < 0) {
		gk_err_set(err, "credential cache: libsodium init failed");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		gk_err_set(err, "credential cache: out of memory");
		return NULL;
	}
	/* At most max entries: sets of up to WAYS, the set chosen by the (keyed) tag. */
	c->ways = max < WAYS ? max : WAYS;
	for (c->sets = 1; c->sets * 2 * c->ways <= max; c->sets *= 2)
		;
	if ((c->e = calloc(c->sets * c->ways, sizeof(*c->e))) == NULL) {
		free(c);
		gk_err_set(err, "credential cache: out of memory");
		return NULL;
	}
	randombytes_buf(c->key, sizeof(c->key));
	c->max = c->sets * c->ways;
	c->ttl = ttl;
	return c;
}

void
gk_credcache_free(struct gk_credcache *c)
{
	if (c == NULL)
		return;
	gk_wipe(c->e, c->max * sizeof(*c->e));
	gk_wipe(c->key, sizeof(c->key));
	free(c->e);
	free(c);
}

/*
 * SipHash-2-4 with a 128-bit tag under the cache's random key of user NUL password NUL hash: a
 * keyed PRF (BLAKE2b cost ~1 µs of a 3.5 µs cached Basic decision here). false: too long to
 * cache (never the case for what lib/auth passes).
 */
static bool
digest(const struct gk_credcache *c, const char *user, const char *pw, const char *hash,
    unsigned char out[DIGEST_LEN])
{
	unsigned char in[GK_USER_MAX + 1 + GK_PASSWORD_MAX + 1 + GK_HASH_MAX];
	size_t ul = strlen(user), pl = strlen(pw), hl = strlen(hash), n;

	if (ul > GK_USER_MAX || pl > GK_PASSWORD_MAX || hl > GK_HASH_MAX)
		return false;
	memcpy(in, user, ul + 1);
	memcpy(in + ul + 1, pw, pl + 1);
	memcpy(in + ul + 1 + pl + 1, hash, hl);
	n = ul + 1 + pl + 1 + hl;
	crypto_shorthash_siphashx24(out, in, n, c->key);
	gk_wipe(in, n);
	return true;
}

/* The set the tag d falls in: its first entry. */
static struct entry *
set_of(const struct gk_credcache *c, const unsigned char d[DIGEST_LEN])
{
	uint64_t x;

	memcpy(&x, d, sizeof(x));       /* the tag is keyed: any 8 of its bytes are as good */
	return &c->e[(x & (c->sets - 1)) * c->ways];
}

static bool
live(const struct gk_credcache *c, const struct entry *e, int64_t now)
{
	/* A clock that went backwards also expires the entry. */
	return e->used && now >= e->stored && now - e->stored < c->ttl;
}

bool
gk_credcache_check(struct gk_credcache *c, const char *user, const char *password,
    const char *hash, uint32_t generation, int64_t updated, int64_t now)
{
	unsigned char d[DIGEST_LEN];
	struct entry *set;
	bool hit = false;
	size_t i;

	if (c == NULL || c->ttl == 0 || user == NULL || password == NULL || hash == NULL ||
	    !digest(c, user, password, hash, d))
		return false;
	set = set_of(c, d);
	for (i = 0; i < c->ways; i++) {
		struct entry *e = &set[i];

		if (!e->used || !gk_ct_equal(e->digest, d, DIGEST_LEN))
			continue;
		if (live(c, e, now) && e->generation == generation && e->updated == updated)
			hit = true;
		else
			memset(e, 0, sizeof(*e));      /* stale: drop it */
		break;
	}
	gk_wipe(d, sizeof(d));
	return hit;
}

void
gk_credcache_put(struct gk_credcache *c, const char *user, const char *password,
    const char *hash, uint32_t generation, int64_t updated, int64_t now)
{
	unsigned char d[DIGEST_LEN];
	struct entry *slot = NULL, *set;
	size_t i;

	if (c == NULL || c->ttl == 0 || user == NULL || password == NULL || hash == NULL ||
	    !digest(c, user, password, hash, d))
		return;
	set = set_of(c, d);
	for (i = 0; i < c->ways; i++) {
		struct entry *e = &set[i];

		if (e->used && gk_ct_equal(e->digest, d, DIGEST_LEN)) {
			slot = e;
			break;
		}
		if (!live(c, e, now)) {
			if (slot == NULL || slot->used)
				slot = e;       /* prefer a free or expired slot */
		} else if (slot == NULL || (slot->used && live(c, slot, now) &&
		    e->stored < slot->stored)) {
			slot = e;               /* else the oldest live one */
		}
	}
	if (slot == NULL) {             /* no slot at all (max is at least 1: cannot happen) */
		gk_wipe(d, sizeof(d));
		return;
	}
	memcpy(slot->digest, d, DIGEST_LEN);
	slot->generation = generation;
	slot->updated = updated;
	slot->stored = now;
	slot->used = true;
	gk_wipe(d, sizeof(d));
}

void
gk_credcache_clear(struct gk_credcache *c)
{
	if (c != NULL)
		gk_wipe(c->e, c->max * sizeof(*c->e));
}

size_t
gk_credcache_count(const struct gk_credcache *c)
{
	size_t i, n = 0;

	for (i = 0; c != NULL && i < c->max; i++)
		n += c->e[i].used;
	return n;
}
