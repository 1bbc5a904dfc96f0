/* credcache.c: bounded, TTL-limited cache of verified credential digests (libsodium BLAKE2b). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "credcache.h"

#define DIGEST_LEN 32

struct entry {
	unsigned char digest[DIGEST_LEN];
	uint32_t generation;
	int64_t updated;
	int64_t stored;          /* when verified */
	bool used;
};

struct gk_credcache {
	unsigned char key[crypto_generichash_KEYBYTES];
	long ttl;
	size_t max;
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
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->e = calloc(max, sizeof(*c->e))) == NULL) {
		free(c);
		gk_err_set(err, "credential cache: out of memory");
		return NULL;
	}
	randombytes_buf(c->key, sizeof(c->key));
	c->max = max;
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

static void
digest(const struct gk_credcache *c, const char *user, const char *pw, const char *hash,
    unsigned char out[DIGEST_LEN])
{
	crypto_generichash_state st;
	static const unsigned char nul = 0;

	crypto_generichash_init(&st, c->key, sizeof(c->key), DIGEST_LEN);
	crypto_generichash_update(&st, (const unsigned char *)user, strlen(user));
	crypto_generichash_update(&st, &nul, 1);
	crypto_generichash_update(&st, (const unsigned char *)pw, strlen(pw));
	crypto_generichash_update(&st, &nul, 1);
	crypto_generichash_update(&st, (const unsigned char *)hash, strlen(hash));
	crypto_generichash_final(&st, out, DIGEST_LEN);
	gk_wipe(&st, sizeof(st));
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
	bool hit = false;
	size_t i;

	if (c == NULL || c->ttl == 0 || user == NULL || password == NULL || hash == NULL)
		return false;
	digest(c, user, password, hash, d);
	for (i = 0; i < c->max; i++) {
		struct entry *e = &c->e[i];

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
	struct entry *slot = NULL;
	size_t i;

	if (c == NULL || c->ttl == 0 || user == NULL || password == NULL || hash == NULL)
		return;
	digest(c, user, password, hash, d);
	for (i = 0; i < c->max; i++) {
		struct entry *e = &c->e[i];

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
