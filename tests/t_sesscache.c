/* t_sesscache.c: the session token cache answers what gk_token_verify answers: hits, expiry, rotation, collisions, a full table. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sesscache.h"
#include "tap.h"

#define T0 INT64_C(1700000000)
#define TTL 3600
#define LEEWAY 60

static struct gk_secret secret;

/* A token for sub issued at iat (lifetime TTL) under key. */
static void
issue(const unsigned char *key, size_t keylen, const char *sub, int64_t iat, char *out)
{
	struct gk_claims c = { .iss = GK_TOKEN_ISSUER, .iat = iat, .exp = iat + TTL, .gen = 3 };
	struct gk_err err = { "" };

	if (gk_strcpy(c.sub, sizeof(c.sub), sub) != GK_OK ||
	    gk_token_issue(key, keylen, &c, out, GK_TOKEN_MAX + 1, &err) != GK_OK) {
		diag("issue for %s: %s", sub, err.msg);
		exit(1);
	}
}

/* What gk_secret_load does to s when the file changed: new key, new epoch. */
static void
rotate(bool keep_prev, int64_t when)
{
	if (keep_prev) {
		memcpy(secret.prev, secret.key, secret.len);
		secret.prev_len = secret.len;
		secret.prev_since = when;
	} else {
		gk_wipe(secret.prev, sizeof(secret.prev));
		secret.prev_len = 0;
	}
	randombytes_buf(secret.key, secret.len);
	secret.epoch++;
}

struct step {
	int line;
	int token;              /* index into toks[] */
	int64_t now;            /* after T0 */
	const char *iss;        /* expected issuer; NULL: GK_TOKEN_ISSUER */
	int want_rc;
	int want_hit;           /* 1 hit, 0 miss */
};

/* Runs steps against a cache and, for each, checks the answer against gk_token_verify. */
static void
run(struct gk_sesscache *sc, const struct step *s, size_t n, char toks[][GK_TOKEN_MAX + 1])
{
	struct gk_claims got, want;
	struct gk_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *iss = s[i].iss != NULL ? s[i].iss : GK_TOKEN_ISSUER;
		bool hit;
		int rc, plain;

		plain = gk_token_verify(&secret, toks[s[i].token], iss, T0 + s[i].now, LEEWAY, TTL,
		    &want, &err);
		rc = gk_sesscache_verify(sc, &secret, toks[s[i].token], iss, T0 + s[i].now, LEEWAY,
		    TTL, &got, &hit, &err);
		is_int(rc, s[i].want_rc, "line %d: answer %s", s[i].line, gk_token_reason(s[i].want_rc));
		is_int(rc, plain, "line %d: as gk_token_verify answers", s[i].line);
		is_int(hit, s[i].want_hit, "line %d: %s", s[i].line, s[i].want_hit ? "hit" : "miss");
		ok(memcmp(&got, &want, sizeof(got)) == 0, "line %d: the same claims", s[i].line);
	}
}

int
main(void)
{
	static char toks[8][GK_TOKEN_MAX + 1];
	struct gk_err err = { "" };
	struct gk_sesscache *sc, *one;
	int i;

	if (sodium_init() < 0)
		return 1;
	secret.len = 43;
	randombytes_buf(secret.key, secret.len);
	secret.epoch = 1;
	ok(gk_sesscache_new(0, &err) == NULL, "size 0 refused");
	sc = gk_sesscache_new(64, &err);
	one = gk_sesscache_new(1, &err);        /* one set: every token shares it */
	ok(sc != NULL && one != NULL, "new caches");

	issue(secret.key, secret.len, "alice", T0, toks[0]);
	issue(secret.key, secret.len, "bob", T0, toks[1]);
	memcpy(toks[2], toks[0], sizeof(toks[0]));
	/* a tampered signature of alice's token: one base64url character inside it, another */
	toks[2][strlen(toks[2]) - 10] = toks[2][strlen(toks[2]) - 10] == 'A' ? 'B' : 'A';
	{
		const struct step steps[] = {
			{ __LINE__, 0, 10, NULL, GK_OK, 0 },
			{ __LINE__, 0, 11, NULL, GK_OK, 1 },
			{ __LINE__, 1, 12, NULL, GK_OK, 0 },
			{ __LINE__, 2, 13, NULL, GK_TOKEN_BADSIG, 0 },  /* never cached */
			{ __LINE__, 2, 14, NULL, GK_TOKEN_BADSIG, 0 },
			{ __LINE__, 0, 15, "other", GK_TOKEN_WRONGISS, 0 },   /* other rules: dropped */
			{ __LINE__, 0, 16, NULL, GK_OK, 0 },
			{ __LINE__, 0, 5, NULL, GK_OK, 0 },     /* clock went back: verified again */
			{ __LINE__, 0, TTL + LEEWAY - 1, NULL, GK_OK, 1 },
			{ __LINE__, 0, TTL + LEEWAY, NULL, GK_TOKEN_EXPIRED, 1 },  /* expired while cached */
			{ __LINE__, 0, TTL + LEEWAY + 1, NULL, GK_TOKEN_EXPIRED, 0 },  /* and dropped */
		};

		run(sc, steps, sizeof(steps) / sizeof(steps[0]), toks);
	}
	ok(gk_sesscache_count(sc) == 1, "bob's entry alone is left");
	{
		/* Four ways in one set: a tampered token never replaces, a fifth token does. */
		const struct step steps[] = {
			{ __LINE__, 0, 20, NULL, GK_OK, 0 },
			{ __LINE__, 2, 21, NULL, GK_TOKEN_BADSIG, 0 },
			{ __LINE__, 0, 22, NULL, GK_OK, 1 },
			{ __LINE__, 3, 23, NULL, GK_OK, 0 },
			{ __LINE__, 4, 24, NULL, GK_OK, 0 },
			{ __LINE__, 5, 25, NULL, GK_OK, 0 },
			{ __LINE__, 0, 26, NULL, GK_OK, 1 },
			{ __LINE__, 6, 27, NULL, GK_OK, 0 },    /* full: the oldest (0) goes */
			{ __LINE__, 3, 28, NULL, GK_OK, 1 },
			{ __LINE__, 0, 29, NULL, GK_OK, 0 },
		};

		for (i = 3; i <= 6; i++) {
			char sub[16];

			snprintf(sub, sizeof(sub), "user%d", i);
			issue(secret.key, secret.len, sub, T0, toks[i]);
		}
		run(one, steps, sizeof(steps) / sizeof(steps[0]), toks);
		is_int(gk_sesscache_count(one), GK_SESSCACHE_WAYS, "a full set stays full");
	}
	{
		/* Rotation: the old key's tokens within the window only; a leak: none at all. */
		const struct step keep[] = {
			{ __LINE__, 0, 100, NULL, GK_OK, 0 },   /* new epoch: emptied, by the old key */
			{ __LINE__, 0, 101, NULL, GK_OK, 1 },
			{ __LINE__, 7, 102, NULL, GK_OK, 0 },   /* by the new key */
			{ __LINE__, 7, 103, NULL, GK_OK, 1 },
			{ __LINE__, 0, 100 + TTL, NULL, GK_TOKEN_BADSIG, 0 },  /* window over */
			{ __LINE__, 7, 104, NULL, GK_OK, 1 },
		};
		const struct step leak[] = {
			{ __LINE__, 7, 105, NULL, GK_TOKEN_BADSIG, 0 },
		};

		issue(secret.key, secret.len, "alice", T0 + 50, toks[0]);
		ok(gk_sesscache_verify(sc, &secret, toks[0], GK_TOKEN_ISSUER, T0 + 60, LEEWAY, TTL,
		    &(struct gk_claims){ 0 }, NULL, &err) == GK_OK, "cached before the rotation");
		rotate(true, T0 + 100);
		issue(secret.key, secret.len, "alice", T0 + 100, toks[7]);
		run(sc, keep, sizeof(keep) / sizeof(keep[0]), toks);
		rotate(false, 0);
		run(sc, leak, 1, toks);
		is_int(gk_sesscache_count(sc), 0, "a new key empties the cache");
		{
			/* A key changed without a new epoch (not what gk_secret_load does) still never hits. */
			const struct step same_epoch[] = {
				{ __LINE__, 7, 106, NULL, GK_OK, 0 },
				{ __LINE__, 7, 107, NULL, GK_OK, 1 },
			};

			issue(secret.key, secret.len, "alice", T0 + 100, toks[7]);
			run(sc, same_epoch, 2, toks);
			rotate(false, 0);
			secret.epoch--;
			run(sc, (const struct step[]){ { __LINE__, 7, 108, NULL, GK_TOKEN_BADSIG, 0 } }, 1,
			    toks);
		}
	}
	issue(secret.key, secret.len, "alice", T0 + 100, toks[0]);
	ok(gk_sesscache_verify(NULL, &secret, toks[0], GK_TOKEN_ISSUER, T0 + 110, LEEWAY, TTL,
	    &(struct gk_claims){ 0 }, NULL, &err) == GK_OK, "no cache: the verification alone");
	gk_sesscache_free(sc);
	gk_sesscache_free(one);
	gk_secret_wipe(&secret);
	return done_testing();
}
