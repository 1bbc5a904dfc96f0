/* t_password.c: hashing, verification, locked/unusable hashes, htpasswd interop and dummy timing. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "password.h"
#include "tap.h"

#define PW "correct horse"

/* Made with Debian 12's htpasswd (apache2-utils 2.4) for PW; also regenerated at run time below. */
static const char *const htpasswd_fixed[] = {
	"$2y$05$UySHYirQf5urEHaBbTw6PeQIDbOKsB5NEj9UooumIlF5cvLnLUjba",          /* -B */
	"$2y$10$K9MSayx/FKFmE8vtHGDUJO4PsNVILdJFPDLdQWQ92NSoEy9HDNSAO",          /* -B -C 10 */
	"$apr1$nKGn3bjd$P77MP1G2uf4RkI3HC22tK0",                                 /* -m */
	"{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=",                                     /* -s */
	"$5$pDa4IIJXWPfuK3AP$AG5YRpOU1W1nxv6yEDAlMFCc6SM9h8O5t8TCcHOb94B",       /* -2 */
	"$6$Ib88mLRIN8U3qcte$K0nlqfKVuPEkGbHV61AGwqdVjkmVe2EDP3eqSO6fts/hXTVTtIYzl6rKTERhKcYb88MSavQg6N68Tnb8k8Ywv/", /* -5 */
	"abhfCpXqd4GrI",                                                         /* DES (perl crypt) */
	"$1$saltsalt$NuzA7WTAelpl95xgBGWN60",                                    /* md5crypt */
};

/*
 * CPU time of this process, not wall time: the hashes are CPU-bound, and the
 * timing comparisons below must not depend on what else the machine runs.
 */
static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Runs `htpasswd -nb<opts> u <pw>` and returns the hash part in out. */
static bool
htpasswd(const char *opts, const char *pw, char *out, size_t outsz)
{
	char cmd[512], line[512];
	FILE *fp;
	char *colon;
	bool got = false;

	snprintf(cmd, sizeof(cmd), "htpasswd -nb%s u '%s' 2>/dev/null", opts, pw);
	fp = popen(cmd, "r");
	if (fp == NULL)
		return false;
	if (fgets(line, sizeof(line), fp) != NULL && (colon = strchr(line, ':')) != NULL) {
		colon[1 + strcspn(colon + 1, "\r\n")] = '\0';
		got = strlen(colon + 1) < outsz;
		if (got)
			strcpy(out, colon + 1);
	}
	return pclose(fp) == 0 && got;
}

static void
test_hash_roundtrip(struct gk_pw_ctx *ctx)
{
	static const struct {
		enum gk_pw_method m;
		unsigned long cost;
		const char *prefix;
	} cases[] = {
		{ GK_PW_PREFERRED, 0, "$y$" },
		{ GK_PW_YESCRYPT, 0, "$y$j9T$" },
		{ GK_PW_BCRYPT, 10, "$2b$10$" },
		{ GK_PW_SHA512, 0, "$6$" },
		{ GK_PW_SHA512, 1000, "$6$rounds=1000$" },
		{ GK_PW_SHA256, 0, "$5$" },
	};
	char h[GK_HASH_MAX], h2[GK_HASH_MAX];
	struct gk_err err = { "" };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = gk_pw_hash(ctx, cases[i].m, cases[i].cost, PW, h, sizeof(h), &err);
		is_int(rc, GK_OK, "hash method %d cost %lu", (int)cases[i].m, cases[i].cost);
		ok(strncmp(h, cases[i].prefix, strlen(cases[i].prefix)) == 0,
		    "hash %s starts with %s", h, cases[i].prefix);
		is_int(gk_pw_verify(ctx, PW, h), GK_PW_MATCH, "own %s hash verifies", cases[i].prefix);
		is_int(gk_pw_verify(ctx, PW "!", h), GK_PW_MISMATCH, "wrong password refused");
		is_int(gk_pw_verify(ctx, "correct hors", h), GK_PW_MISMATCH, "prefix of password refused");
		ok(gk_pw_hash_supported(h), "own hash is supported");
	}

	/* Salts come from OS entropy: two hashes of the same password differ. */
	gk_pw_hash(ctx, GK_PW_SHA512, 0, PW, h, sizeof(h), &err);
	gk_pw_hash(ctx, GK_PW_SHA512, 0, PW, h2, sizeof(h2), &err);
	ok(strcmp(h, h2) != 0, "two hashes of one password have different salts");

	/* Bad costs and buffers. */
	is_int(gk_pw_hash(ctx, GK_PW_BCRYPT, 4, PW, h, sizeof(h), &err), GK_EINVAL,
	    "bcrypt cost 4 refused");
	is_str(h, "", "output cleared on refusal");
	is_int(gk_pw_hash(ctx, GK_PW_BCRYPT, 9, PW, h, sizeof(h), &err), GK_EINVAL,
	    "bcrypt cost 9 refused");
	is_int(gk_pw_hash(ctx, GK_PW_BCRYPT, 32, PW, h, sizeof(h), &err), GK_EINVAL,
	    "bcrypt cost 32 refused by libxcrypt");
	is_int(gk_pw_hash(ctx, GK_PW_YESCRYPT, 99, PW, h, sizeof(h), &err), GK_EINVAL,
	    "yescrypt cost 99 refused by libxcrypt");
	diag("error: %s", err.msg);
	is_int(gk_pw_hash(ctx, (enum gk_pw_method)42, 0, PW, h, sizeof(h), &err), GK_EINVAL,
	    "unknown method refused (never the DES of prefix \"\")");
	is_int(gk_pw_hash(ctx, GK_PW_SHA512, 0, PW, h, 20, &err), GK_ETOOLONG,
	    "small output buffer refused");
	is_str(h, "", "small output buffer wiped");
	is_int(gk_pw_hash(NULL, GK_PW_SHA512, 0, PW, h, sizeof(h), &err), GK_ERR, "NULL ctx refused");
}

static void
test_policy(struct gk_pw_ctx *ctx)
{
	char pw[GK_PASSWORD_MAX + 2], h[GK_HASH_MAX];
	struct gk_err err = { "" };

	memset(pw, 'p', sizeof(pw));
	pw[GK_PASSWORD_MAX + 1] = '\0';
	is_int(gk_pw_policy_check(GK_PW_SHA512, "x", &err), GK_OK, "1-byte password allowed");
	is_int(gk_pw_policy_check(GK_PW_SHA512, "", &err), GK_EINVAL, "empty password refused");
	is_int(gk_pw_policy_check(GK_PW_SHA512, NULL, &err), GK_EINVAL, "NULL password refused");
	is_int(gk_pw_policy_check(GK_PW_SHA512, pw, &err), GK_ETOOLONG, "257-byte password refused");
	pw[GK_PASSWORD_MAX] = '\0';
	is_int(gk_pw_policy_check(GK_PW_SHA512, pw, &err), GK_OK, "256-byte password allowed");
	is_int(gk_pw_policy_check(GK_PW_BCRYPT, pw, &err), GK_ETOOLONG, "256 bytes refused for bcrypt");
	pw[72] = '\0';
	is_int(gk_pw_policy_check(GK_PW_BCRYPT, pw, &err), GK_OK, "72 bytes allowed for bcrypt");
	pw[72] = 'p';
	pw[73] = '\0';
	is_int(gk_pw_policy_check(GK_PW_BCRYPT, pw, &err), GK_ETOOLONG, "73 bytes refused for bcrypt");
	diag("error: %s", err.msg);
	is_int(gk_pw_hash(ctx, GK_PW_BCRYPT, 10, pw, h, sizeof(h), &err), GK_ETOOLONG,
	    "gk_pw_hash refuses a 73-byte bcrypt password");
	is_int(gk_pw_hash(ctx, GK_PW_SHA512, 0, "", h, sizeof(h), &err), GK_EINVAL,
	    "gk_pw_hash refuses an empty password");

	/* Overlong passwords are never truncated into a match. */
	memset(pw, 'q', sizeof(pw));
	pw[GK_PASSWORD_MAX] = '\0';
	is_int(gk_pw_hash(ctx, GK_PW_SHA512, 0, pw, h, sizeof(h), &err), GK_OK, "hash 256-byte password");
	is_int(gk_pw_verify(ctx, pw, h), GK_PW_MATCH, "256-byte password verifies");
	pw[GK_PASSWORD_MAX] = 'q';
	pw[GK_PASSWORD_MAX + 1] = '\0';
	is_int(gk_pw_verify(ctx, pw, h), GK_PW_MISMATCH, "257-byte password with the same prefix refused");
}

static void
test_stored_forms(struct gk_pw_ctx *ctx)
{
	char h[GK_HASH_MAX], bad[GK_HASH_MAX + 64], pw80[81], bc[GK_HASH_MAX];
	struct gk_err err = { "" };
	size_t i;

	for (i = 0; i < sizeof(htpasswd_fixed) / sizeof(htpasswd_fixed[0]); i++) {
		is_int(gk_pw_verify(ctx, PW, htpasswd_fixed[i]), GK_PW_MATCH,
		    "fixed %s verifies", htpasswd_fixed[i]);
		is_int(gk_pw_verify(ctx, "Correct horse", htpasswd_fixed[i]), GK_PW_MISMATCH,
		    "fixed %.6s refuses a wrong password", htpasswd_fixed[i]);
		ok(gk_pw_hash_supported(htpasswd_fixed[i]), "fixed %.6s supported", htpasswd_fixed[i]);
	}
	/* $2a$ spelling of the same bcrypt hash (identical for ASCII passwords). */
	snprintf(bc, sizeof(bc), "$2a$%s", htpasswd_fixed[0] + 4);
	is_int(gk_pw_verify(ctx, PW, bc), GK_PW_MATCH, "$2a$ bcrypt verifies");
	snprintf(bc, sizeof(bc), "$2b$%s", htpasswd_fixed[0] + 4);
	is_int(gk_pw_verify(ctx, PW, bc), GK_PW_MATCH, "$2b$ bcrypt verifies");

	/* Upgrade flags. */
	ok(gk_pw_needs_upgrade(htpasswd_fixed[0]), "bcrypt cost 5 needs upgrade");
	ok(!gk_pw_needs_upgrade(htpasswd_fixed[1]), "bcrypt cost 10 does not");
	ok(gk_pw_needs_upgrade(htpasswd_fixed[2]), "$apr1$ needs upgrade");
	ok(gk_pw_needs_upgrade(htpasswd_fixed[3]), "{SHA} needs upgrade");
	ok(gk_pw_needs_upgrade(htpasswd_fixed[4]), "sha256crypt (LEGACY) needs upgrade");
	ok(!gk_pw_needs_upgrade(htpasswd_fixed[5]), "sha512crypt does not");
	ok(gk_pw_needs_upgrade(htpasswd_fixed[6]), "DES needs upgrade");
	ok(gk_pw_needs_upgrade(htpasswd_fixed[7]), "md5crypt needs upgrade");
	gk_pw_hash(ctx, GK_PW_PREFERRED, 0, PW, h, sizeof(h), &err);
	ok(!gk_pw_needs_upgrade(h), "preferred hash does not need upgrade");
	ok(!gk_pw_needs_upgrade("") && !gk_pw_needs_upgrade(NULL) && !gk_pw_needs_upgrade("!x"),
	    "empty/locked never flagged for upgrade");

	/* Locked, empty and broken stored values never match, even with the right password. */
	snprintf(bad, sizeof(bad), "!%s", h);
	is_int(gk_pw_verify(ctx, PW, bad), GK_PW_MISMATCH, "'!'-locked hash refused");
	ok(!gk_pw_hash_supported(bad), "'!'-locked hash not supported");
	snprintf(bad, sizeof(bad), "*%s", h);
	is_int(gk_pw_verify(ctx, PW, bad), GK_PW_MISMATCH, "'*'-locked hash refused");
	is_int(gk_pw_verify(ctx, PW, "*"), GK_PW_MISMATCH, "'*' refused");
	is_int(gk_pw_verify(ctx, PW, "*LK*"), GK_PW_MISMATCH, "'*LK*' refused");
	is_int(gk_pw_verify(ctx, PW, "!!"), GK_PW_MISMATCH, "'!!' refused");
	is_int(gk_pw_verify(ctx, PW, ""), GK_PW_MISMATCH, "empty stored hash refused");
	is_int(gk_pw_verify(ctx, "", ""), GK_PW_MISMATCH, "empty password vs empty hash refused");
	is_int(gk_pw_verify(ctx, NULL, h), GK_PW_MISMATCH, "NULL password refused");
	is_int(gk_pw_verify(ctx, PW, NULL), GK_PW_MISMATCH, "NULL stored hash refused");
	is_int(gk_pw_verify(NULL, PW, h), GK_PW_FAIL, "NULL ctx is an internal error");
	ok(!gk_pw_hash_supported(""), "empty hash not supported");
	ok(!gk_pw_hash_supported("plaintext!"), "plaintext not supported");
	is_int(gk_pw_verify(ctx, "plaintext", "plaintext"), GK_PW_MISMATCH, "plaintext stored value refused");
	/* DES of the empty password: a classic "no password" account. */
	is_int(gk_pw_verify(ctx, "", "abV3Yzwg3JgTA"), GK_PW_MISMATCH, "empty password never verifies");
	/* Truncated or tampered hashes. */
	snprintf(bad, sizeof(bad), "%.*s", (int)strlen(h) - 1, h);
	is_int(gk_pw_verify(ctx, PW, bad), GK_PW_MISMATCH, "truncated hash refused");
	snprintf(bad, sizeof(bad), "%sA", h);
	is_int(gk_pw_verify(ctx, PW, bad), GK_PW_MISMATCH, "hash with a trailing byte refused");
	snprintf(bad, sizeof(bad), "%s\n", h);
	is_int(gk_pw_verify(ctx, PW, bad), GK_PW_MISMATCH, "hash with a trailing newline refused");
	snprintf(bad, sizeof(bad), "%s", h);
	bad[strlen(bad) - 3] ^= 1;
	is_int(gk_pw_verify(ctx, PW, bad), GK_PW_MISMATCH, "hash with a flipped byte refused");
	is_int(gk_pw_verify(ctx, PW, "$6$Ib88mLRIN8U3qcte"), GK_PW_MISMATCH, "setting without hash refused");
	is_int(gk_pw_verify(ctx, PW, "$y$"), GK_PW_MISMATCH, "bare '$y$' refused");
	is_int(gk_pw_verify(ctx, PW, "$apr1$nKGn3bjd$"), GK_PW_MISMATCH, "$apr1$ without hash refused");
	is_int(gk_pw_verify(ctx, PW, "{SHA}"), GK_PW_MISMATCH, "{SHA} without hash refused");
	is_int(gk_pw_verify(ctx, PW, "{SHA}L55TUjtiq8FBorTWAZ0jy6g129A"), GK_PW_MISMATCH,
	    "{SHA} without padding refused");
	is_int(gk_pw_verify(ctx, PW, "{sha}L55TUjtiq8FBorTWAZ0jy6g129A="), GK_PW_MISMATCH,
	    "lower-case {sha} refused");
	is_int(gk_pw_verify(ctx, PW, "$2y$05$UySHYirQf5urEHaBbTw6Pe"), GK_PW_MISMATCH,
	    "bcrypt salt only refused");
	memset(bad, 'a', sizeof(bad) - 1);
	bad[sizeof(bad) - 1] = '\0';
	is_int(gk_pw_verify(ctx, PW, bad), GK_PW_MISMATCH, "over-long stored value refused");
	ok(!gk_pw_hash_supported(bad), "over-long stored value not supported");

	/* bcrypt's 72-byte truncation: a longer password sharing the first 72 bytes must not match. */
	memset(pw80, 'z', sizeof(pw80));
	pw80[72] = '\0';
	is_int(gk_pw_hash(ctx, GK_PW_BCRYPT, 10, pw80, h, sizeof(h), &err), GK_OK, "bcrypt of 72 bytes");
	is_int(gk_pw_verify(ctx, pw80, h), GK_PW_MATCH, "72-byte password verifies against bcrypt");
	pw80[72] = 'X';
	pw80[80] = '\0';
	is_int(gk_pw_verify(ctx, pw80, h), GK_PW_MISMATCH,
	    "80-byte password with the same 72-byte prefix refused against bcrypt");
}

static void
test_htpasswd_live(struct gk_pw_ctx *ctx)
{
	static const struct {
		const char *opts;
		bool upgrade;
	} cases[] = {
		{ "B", true }, { "B -C 10", false }, { "m", true }, { "s", true },
		{ "2", true }, { "5", false },
	};
	char h[GK_HASH_MAX], pw73[74];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!ok(htpasswd(cases[i].opts, PW, h, sizeof(h)), "htpasswd -nb%s runs", cases[i].opts)) {
			diag("htpasswd from apache2-utils is required (scripts/install-deps test)");
			continue;
		}
		is_int(gk_pw_verify(ctx, PW, h), GK_PW_MATCH, "htpasswd -%s hash %s verifies", cases[i].opts, h);
		is_int(gk_pw_verify(ctx, "Correct horse", h), GK_PW_MISMATCH, "and a wrong password does not");
		is_int(gk_pw_needs_upgrade(h), cases[i].upgrade, "upgrade flag for -%s", cases[i].opts);
	}
	/* htpasswd -B silently truncates at 72 bytes; we refuse the 73-byte password. */
	memset(pw73, 'w', sizeof(pw73));
	pw73[73] = '\0';
	if (ok(htpasswd("B", pw73, h, sizeof(h)), "htpasswd -B with a 73-byte password")) {
		is_int(gk_pw_verify(ctx, pw73, h), GK_PW_MISMATCH, "73-byte password refused against bcrypt");
		pw73[72] = '\0';
		is_int(gk_pw_verify(ctx, pw73, h), GK_PW_MATCH, "its 72-byte prefix is what htpasswd stored");
	}
}

/* Fastest of n calls to verify(pw, stored), in ms: the minimum is the least noisy on a busy machine. */
static double
time_verify(struct gk_pw_ctx *ctx, const char *stored, int n)
{
	double best = 1e12, t0, t;
	int i;

	for (i = 0; i < n; i++) {
		t0 = now_ms();
		if (stored)
			gk_pw_verify(ctx, "wrong password", stored);
		else
			gk_pw_verify_dummy(ctx, "wrong password");
		t = now_ms() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

static void
test_timing(struct gk_pw_ctx *ctx)
{
	char h[GK_HASH_MAX], locked[GK_HASH_MAX + 1];
	struct gk_err err = { "" };
	double real, t;

	is_int(gk_pw_hash(ctx, GK_PW_PREFERRED, 0, PW, h, sizeof(h), &err), GK_OK, "preferred hash");
	snprintf(locked, sizeof(locked), "!%s", h);
	real = time_verify(ctx, h, 3);
	diag("real yescrypt verify: %.2f ms", real);
	t = time_verify(ctx, NULL, 3);
	ok(t >= real * 0.5, "dummy verify %.2f ms >= 50%% of real %.2f ms", t, real);
	t = time_verify(ctx, locked, 3);
	ok(t >= real * 0.5, "locked hash %.2f ms >= 50%% of real %.2f ms", t, real);
	t = time_verify(ctx, "", 3);
	ok(t >= real * 0.5, "empty hash %.2f ms >= 50%% of real %.2f ms", t, real);
	t = time_verify(ctx, "$zz$garbage", 3);
	ok(t >= real * 0.5, "unparsable hash %.2f ms >= 50%% of real %.2f ms", t, real);
	is_int(gk_pw_verify_dummy(ctx, PW), GK_PW_MISMATCH, "dummy never matches, even its own password");
	is_int(gk_pw_verify_dummy(ctx, "gatekeep-dummy-password"), GK_PW_MISMATCH,
	    "dummy never matches the dummy password");
	is_int(gk_pw_verify_dummy(NULL, PW), GK_PW_FAIL, "dummy without ctx is an internal error");

	/* A program configured for bcrypt can make its dummy cost like its real hashes. */
	is_int(gk_pw_ctx_set_dummy(ctx, GK_PW_BCRYPT, 10, &err), GK_OK, "dummy set to bcrypt 10");
	is_int(gk_pw_hash(ctx, GK_PW_BCRYPT, 10, PW, h, sizeof(h), &err), GK_OK, "bcrypt 10 hash");
	real = time_verify(ctx, h, 2);
	t = time_verify(ctx, NULL, 2);
	ok(t >= real * 0.5, "bcrypt dummy %.2f ms >= 50%% of real %.2f ms", t, real);
	is_int(gk_pw_ctx_set_dummy(ctx, GK_PW_BCRYPT, 3, &err), GK_EINVAL, "dummy with bad cost refused");
}

int
main(void)
{
	struct gk_err err = { "" };
	struct gk_pw_ctx *ctx;

	ctx = gk_pw_ctx_new(&err);
	if (!ok(ctx != NULL, "context created (%s)", err.msg))
		return done_testing();
	test_hash_roundtrip(ctx);
	test_policy(ctx);
	test_stored_forms(ctx);
	test_htpasswd_live(ctx);
	test_timing(ctx);
	gk_pw_ctx_free(ctx);
	gk_pw_ctx_free(NULL);
	return done_testing();
}
