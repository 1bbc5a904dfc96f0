/* t_hashcost.c: the cost bound of stored password hashes (lib/password): what is bounded, what verification never computes, what may be stored. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "password.h"
#include "tap.h"

#define A43 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
#define A53 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZa"
#define A86 A43 A43 "a"

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_bounded(void)
{
	static const struct {
		const char *hash;
		bool bounded;
	} cases[] = {
		{ "$y$j75$saltsalt$" A43, true },        /* gatekeep-passwd -C 1 */
		{ "$y$j9T$saltsalt$" A43, true },        /* the default, -C 5 */
		{ "$y$jFT$saltsalt$" A43, true },        /* -C 11, the most */
		{ "$y$jGT$saltsalt$" A43, false },       /* 2 GiB */
		{ "$y$jKT$saltsalt$" A43, false },       /* 32 GiB */
		{ "$y$jFU$saltsalt$" A43, false },       /* r = 33 at -C 11's N */
		{ "$y$j9TE$saltsalt$" A43, false },      /* further parameters */
		{ "$y$i9T$saltsalt$" A43, false },       /* another flavor */
		{ "$gy$jFT$saltsalt$" A43, true },
		{ "$gy$jGT$saltsalt$" A43, false },
		{ "$2b$10$" A53, true },
		{ "$2y$15$" A53, true },
		{ "$2a$16$" A53, false },
		{ "$2y$31$" A53, false },
		{ "$6$saltsalt$" A86, true },            /* rounds 5000 */
		{ "$6$rounds=5000000$saltsalt$" A86, true },
		{ "$6$rounds=5000001$saltsalt$" A86, false },
		{ "$6$rounds=999999999$saltsalt$" A86, false },
		{ "$6$rounds=0000000000000000000000005000$saltsalt$" A86, true },
		{ "$6$rounds=99999999999999999999999999999$saltsalt$" A86, false },
		{ "$5$rounds=$saltsalt$" A43, false },
		{ "$5$rounds=5000x$saltsalt$" A43, false },
		{ "$1$saltsalt$NuzA7WTAelpl95xgBGWN60", true },
		{ "$apr1$nKGn3bjd$P77MP1G2uf4RkI3HC22tK0", true },
		{ "{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=", true },
		{ "abhfCpXqd4GrI", true },               /* DES */
		{ "$7$DU..../....2Q9obwLhin8qvQl6sisAO/$" A43, false },  /* scrypt: not bounded */
		{ "$sha1$99999999$saltsalt$" A43, false },
		{ "$md5,rounds=99999999$saltsalt$" A43, false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(gk_pw_cost_bounded(cases[i].hash), cases[i].bounded, "%.40s: %s", cases[i].hash,
		    cases[i].bounded ? "bounded" : "over the bound");
	ok(!gk_pw_cost_bounded(NULL), "NULL is not bounded");
}

/* Over the bound, verification spends the dummy and never the stored hash's cost. */
static void
test_verify(struct gk_pw_ctx *ctx)
{
	static const char *const dear[] = {
		"$2y$31$" A53,                          /* days */
		"$6$rounds=999999999$saltsalt$" A86,     /* about a minute */
		"$y$jGT$saltsalt$" A43,                  /* 2 GiB, seconds */
	};
	double t;
	size_t i;

	for (i = 0; i < sizeof(dear) / sizeof(dear[0]); i++) {
		t = cpu_s();
		is_int(gk_pw_verify(ctx, "guess", dear[i]), GK_PW_MISMATCH, "%.30s: a mismatch", dear[i]);
		t = cpu_s() - t;
		ok(t < 1.0, "... in %.3f s of CPU, the dummy's, not the hash's", t);
		ok(gk_pw_costs_like_dummy(ctx, dear[i]), "... which costs like the dummy (no second one)");
	}
}

static void
test_storable(struct gk_pw_ctx *ctx)
{
	struct gk_err err = { "" };
	char h[GK_HASH_MAX];

	ok(gk_pw_hash(ctx, GK_PW_YESCRYPT, 0, "pw", h, sizeof(h), &err) == GK_OK, "a yescrypt hash");
	is_int(gk_pw_hash_storable(ctx, h, &err), GK_OK, "gatekeep-passwd's own hash may be stored");
	is_int(gk_pw_hash_storable(ctx, "$2y$31$" A53, &err), GK_EINVAL, "bcrypt 31 may not");
	ok(strstr(err.msg, "over the limit") != NULL, "... the cost is named (%s)", err.msg);
	is_int(gk_pw_hash_storable(ctx, "$y$jKT$saltsalt$" A43, &err), GK_EINVAL, "nor yescrypt of 32 GiB");
	/* N = 2: within the bound, but libxcrypt computes no hash with it */
	err.msg[0] = '\0';
	is_int(gk_pw_hash_storable(ctx, "$y$j.T$saltsalt$" A43, &err), GK_EINVAL,
	    "nor a yescrypt setting libxcrypt cannot compute (%s)", err.msg);
	is_int(gk_pw_hash_storable(ctx, "$1$saltsalt$NuzA7WTAelpl95xgBGWN60", &err), GK_OK,
	    "md5crypt (a fixed cost) may");
	is_int(gk_pw_hash_storable(ctx, "nonsense$", &err), GK_EINVAL, "a malformed hash may not");
}

/* gk_pw_hash makes nothing over the bound either (gatekeep-passwd -C). */
static void
test_new(struct gk_pw_ctx *ctx)
{
	struct gk_err err = { "" };
	char h[GK_HASH_MAX];

	is_int(gk_pw_hash(ctx, GK_PW_BCRYPT, GK_PW_BCRYPT_COST_MAX + 1, "pw", h, sizeof(h), &err),
	    GK_EINVAL, "bcrypt cost 16 is refused (%s)", err.msg);
	is_int(gk_pw_hash(ctx, GK_PW_SHA512, GK_PW_SHACRYPT_ROUNDS_MAX + 1, "pw", h, sizeof(h), &err),
	    GK_EINVAL, "sha512-crypt rounds=5000001 is refused");
	is_int(gk_pw_hash(ctx, GK_PW_YESCRYPT, GK_PW_YESCRYPT_COST_MAX + 1, "pw", h, sizeof(h), &err),
	    GK_EINVAL, "yescrypt cost 12 is refused");
	is_int(gk_pw_hash(ctx, GK_PW_SHA256, 10000, "pw", h, sizeof(h), &err), GK_OK,
	    "sha256-crypt rounds=10000 is made");
	ok(gk_pw_cost_bounded(h), "... and bounded");
}

int
main(void)
{
	struct gk_err err = { "" };
	struct gk_pw_ctx *ctx = gk_pw_ctx_new(&err);

	if (!ok(ctx != NULL, "context created (%s)", err.msg))
		return done_testing();
	test_bounded();
	test_verify(ctx);
	test_storable(ctx);
	test_new(ctx);
	gk_pw_ctx_free(ctx);
	return done_testing();
}
