/* password.c: hashing and constant-time verification through libxcrypt, apr-util for $apr1$/{SHA}. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <crypt.h>
#ifdef HAVE_APR_UTIL
#include <apr_md5.h>
#endif

#include "apptoken.h"
#include "password.h"

/* bcrypt hashes only the first 72 bytes of a password: longer ones would silently collide. */
#define BCRYPT_MAX       72
/* libxcrypt's bcrypt default (cost 5, ~2 ms) is far too cheap; 12 is ~250 ms here. */
#define BCRYPT_DEFAULT   12
/* Below this a bcrypt hash is refused for new passwords and flagged for upgrade. */
#define BCRYPT_MIN       10

/* What we hash against when there is no real hash: the cost is what matters, not the value. */
static const char dummy_password[] = "gatekeep-dummy-password";

struct gk_pw_ctx {
	struct crypt_data *cd;          /* 32 KiB: heap, never a thread stack */
	char dummy[CRYPT_OUTPUT_SIZE];  /* preferred method at default cost, made at start */
};

static const char *
method_prefix(enum gk_pw_method method)
{
	switch (method) {
	case GK_PW_PREFERRED:
		return NULL;	/* NULL, never "": "" selects traditional DES */
	case GK_PW_YESCRYPT:
		return "$y$";
	case GK_PW_BCRYPT:
		return "$2b$";
	case GK_PW_SHA512:
		return "$6$";
	case GK_PW_SHA256:
		return "$5$";
	}
	return "";	/* caller refuses: not a method we know */
}

static bool
is_bcrypt(const char *s)
{
	return s != NULL && s[0] == '$' && s[1] == '2' &&
	    (s[2] == 'a' || s[2] == 'b' || s[2] == 'y' || s[2] == 'x') && s[3] == '$';
}

/* Does method (after resolving GK_PW_PREFERRED) produce a bcrypt hash? */
static bool
method_is_bcrypt(enum gk_pw_method method)
{
	if (method == GK_PW_BCRYPT)
		return true;
	if (method == GK_PW_PREFERRED)
		return is_bcrypt(crypt_preferred_method());
	return false;
}

static bool
is_apr(const char *s)
{
	return strncmp(s, "$apr1$", 6) == 0 || strncmp(s, "{SHA}", 5) == 0;
}

static bool
is_locked(const char *s)
{
	return s[0] == '!' || s[0] == '*';
}

static void
wipe_cd(struct gk_pw_ctx *ctx)
{
	/* Also leaves it zeroed, which is what crypt_rn wants before its next use. */
	gk_wipe(ctx->cd, sizeof(*ctx->cd));
}

/*
 * Makes a fresh hash of password with prefix/cost into out. Returns GK_OK,
 * GK_EINVAL (libxcrypt refused the method or cost), GK_ETOOLONG or GK_ERR.
 */
static int
make_hash(struct gk_pw_ctx *ctx, const char *prefix, unsigned long cost,
    const char *password, char *out, size_t outsz, struct gk_err *err)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *r;
	int rc, saved;

	/* rbytes NULL: libxcrypt reads the OS entropy source itself (getrandom). */
	if (crypt_gensalt_rn(prefix, cost, NULL, 0, salt, (int)sizeof(salt)) == NULL) {
		saved = errno;
		gk_wipe(salt, sizeof(salt));
		gk_err_set(err, "crypt_gensalt(%s, %lu): %s", prefix ? prefix : "preferred",
		    cost, strerror(saved));
		return saved == EINVAL ? GK_EINVAL : GK_ERR;
	}
	r = crypt_rn(password, salt, ctx->cd, (int)sizeof(*ctx->cd));
	if (r == NULL || r[0] == '*') {
		saved = errno;
		wipe_cd(ctx);
		gk_wipe(salt, sizeof(salt));
		gk_err_set(err, "crypt: %s", strerror(saved));
		return GK_ERR;
	}
	rc = gk_strcpy(out, outsz, r);
	wipe_cd(ctx);
	gk_wipe(salt, sizeof(salt));
	if (rc != GK_OK) {
		gk_wipe(out, outsz);
		gk_err_set(err, "hash does not fit the output buffer");
	}
	return rc;
}

struct gk_pw_ctx *
gk_pw_ctx_new(struct gk_err *err)
{
	struct gk_pw_ctx *ctx;

	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		gk_err_set(err, "out of memory");
		return NULL;
	}
	/* calloc: crypt_rn requires the whole struct zeroed before first use. */
	ctx->cd = calloc(1, sizeof(*ctx->cd));
	if (ctx->cd == NULL) {
		free(ctx);
		gk_err_set(err, "out of memory");
		return NULL;
	}
	if (gk_pw_ctx_set_dummy(ctx, GK_PW_PREFERRED, 0, err) != GK_OK) {
		gk_pw_ctx_free(ctx);
		return NULL;
	}
	/*
	 * apr_password_validate needs no apr_initialize() for $apr1$/{SHA} (no
	 * pools, no locks), and calling it would need libapr-1 on the link line.
	 */
	return ctx;
}

int
gk_pw_ctx_set_dummy(struct gk_pw_ctx *ctx, enum gk_pw_method method, unsigned long cost,
    struct gk_err *err)
{
	const char *prefix;

	if (ctx == NULL)
		return gk_err_set(err, "no password context");
	prefix = method_prefix(method);
	if (prefix != NULL && prefix[0] == '\0') {
		gk_err_set(err, "unknown password method %d", (int)method);
		return GK_EINVAL;
	}
	if (cost == 0 && method_is_bcrypt(method))
		cost = BCRYPT_DEFAULT;
	return make_hash(ctx, prefix, cost, dummy_password, ctx->dummy, sizeof(ctx->dummy), err);
}

void
gk_pw_ctx_free(struct gk_pw_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->cd != NULL) {
		wipe_cd(ctx);
		free(ctx->cd);
	}
	gk_wipe(ctx, sizeof(*ctx));
	free(ctx);
}

int
gk_pw_policy_check(enum gk_pw_method method, const char *password, struct gk_err *err)
{
	size_t len;

	if (password == NULL) {
		gk_err_set(err, "no password");
		return GK_EINVAL;
	}
	len = strnlen(password, GK_PASSWORD_MAX + 1);
	if (len == 0) {
		gk_err_set(err, "empty password");
		return GK_EINVAL;
	}
	if (len > GK_PASSWORD_MAX) {
		gk_err_set(err, "password longer than %d bytes", GK_PASSWORD_MAX);
		return GK_ETOOLONG;
	}
	/* gatekeep-authz takes such a Basic password for an app token (lib/apptoken.h): unusable. */
	if (gk_apptoken_shaped(password)) {
		gk_err_set(err, "a password cannot begin with \"" GK_APPTOKEN_PREFIX "\" (that is "
		    "how app tokens begin)");
		return GK_EINVAL;
	}
	if (method_is_bcrypt(method) && len > BCRYPT_MAX) {
		gk_err_set(err, "bcrypt uses only the first %d bytes of a password: "
		    "choose a shorter password or another method", BCRYPT_MAX);
		return GK_ETOOLONG;
	}
	return GK_OK;
}

/* The most gk_pw_hash takes as cost for the method of prefix ("$y$", ...). */
static unsigned long
new_cost_max(const char *prefix)
{
	if (prefix == NULL)
		return 0;
	if (strncmp(prefix, "$y$", 3) == 0)
		return GK_PW_YESCRYPT_COST_MAX;
	if (is_bcrypt(prefix))
		return GK_PW_BCRYPT_COST_MAX;
	return GK_PW_SHACRYPT_ROUNDS_MAX;       /* $5$, $6$ */
}

int
gk_pw_hash(struct gk_pw_ctx *ctx, enum gk_pw_method method, unsigned long cost,
    const char *password, char *out, size_t outsz, struct gk_err *err)
{
	const char *prefix;
	int rc;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if (ctx == NULL || out == NULL)
		return gk_err_set(err, "no password context or output buffer");
	rc = gk_pw_policy_check(method, password, err);
	if (rc != GK_OK)
		return rc;
	prefix = method_prefix(method);
	if (prefix != NULL && prefix[0] == '\0') {
		gk_err_set(err, "unknown password method %d", (int)method);
		return GK_EINVAL;
	}
	if (method_is_bcrypt(method)) {
		if (cost == 0)
			cost = BCRYPT_DEFAULT;
		if (cost < BCRYPT_MIN) {
			gk_err_set(err, "bcrypt cost %lu is too cheap (minimum %d)", cost, BCRYPT_MIN);
			return GK_EINVAL;
		}
	}
	if (cost > new_cost_max(prefix != NULL ? prefix : crypt_preferred_method())) {
		gk_err_set(err, "cost %lu is over the most a hash may cost here", cost);
		return GK_EINVAL;
	}
	return make_hash(ctx, prefix, cost, password, out, outsz, err);
}

/* Hashes against the dummy so a missing, locked or unusable entry costs a real verification. */
static void
spend_dummy(struct gk_pw_ctx *ctx, const char *password)
{
	size_t len;

	len = password ? strnlen(password, GK_PASSWORD_MAX + 1) : 0;
	if (len == 0 || len > GK_PASSWORD_MAX)
		password = dummy_password;
	(void)crypt_rn(password, ctx->dummy, ctx->cd, (int)sizeof(*ctx->cd));
	wipe_cd(ctx);
}

enum gk_pw_verdict
gk_pw_verify_dummy(struct gk_pw_ctx *ctx, const char *password)
{
	if (ctx == NULL)
		return GK_PW_FAIL;
	spend_dummy(ctx, password);
	return GK_PW_MISMATCH;
}

enum gk_pw_verdict
gk_pw_verify(struct gk_pw_ctx *ctx, const char *password, const char *stored)
{
	const char *r;
	size_t plen, slen;
	int cs;
	bool ok;

	if (ctx == NULL)
		return GK_PW_FAIL;
	if (password == NULL || stored == NULL)
		return gk_pw_verify_dummy(ctx, password);
	plen = strnlen(password, GK_PASSWORD_MAX + 1);
	slen = strnlen(stored, GK_HASH_MAX);
	/* Empty stored hash: never "no password" (and "" could mean DES to some crypts). */
	if (plen == 0 || plen > GK_PASSWORD_MAX || slen == 0 || slen >= GK_HASH_MAX ||
	    is_locked(stored))
		return gk_pw_verify_dummy(ctx, password);
	if (is_apr(stored)) {
#ifdef HAVE_APR_UTIL
		/* Cheap legacy formats: the user's own timing differs; they get upgraded on login. */
		return apr_password_validate(password, stored) == 0 ? GK_PW_MATCH : GK_PW_MISMATCH;
#else
		return gk_pw_verify_dummy(ctx, password);
#endif
	}
	/* bcrypt would match any password sharing the first 72 bytes: refuse longer ones. */
	if (is_bcrypt(stored) && plen > BCRYPT_MAX)
		return gk_pw_verify_dummy(ctx, password);
	cs = crypt_checksalt(stored);
	if (cs != CRYPT_SALT_OK && cs != CRYPT_SALT_METHOD_LEGACY)
		return gk_pw_verify_dummy(ctx, password);
	/* never computed: any guess would hold this thread as long as the hash runs */
	if (!gk_pw_cost_bounded(stored))
		return gk_pw_verify_dummy(ctx, password);

	r = crypt_rn(password, stored, ctx->cd, (int)sizeof(*ctx->cd));
	/* NULL or a '*' failure token is a mismatch; compare only equal lengths, in constant time. */
	ok = r != NULL && r[0] != '*' && strnlen(r, CRYPT_OUTPUT_SIZE) == slen &&
	    gk_ct_equal(r, stored, slen);
	wipe_cd(ctx);
	return ok ? GK_PW_MATCH : GK_PW_MISMATCH;
}

/* bcrypt cost from "$2b$NN$...", or -1. */
static int
bcrypt_cost(const char *s)
{
	if (!is_bcrypt(s) || s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' || s[6] != '$')
		return -1;
	return (s[4] - '0') * 10 + (s[5] - '0');
}

bool
gk_pw_needs_upgrade(const char *stored)
{
	int cost;

	if (stored == NULL || stored[0] == '\0' || is_locked(stored))
		return false;	/* nothing a login could upgrade */
	if (is_apr(stored))
		return true;
	if (crypt_checksalt(stored) == CRYPT_SALT_METHOD_LEGACY)
		return true;
	/* htpasswd -B defaults to cost 5: verifiable, but far too cheap to keep. */
	cost = bcrypt_cost(stored);
	return cost >= 0 && cost < BCRYPT_MIN;
}

bool
gk_pw_hash_supported(const char *stored)
{
	int cs;

	if (stored == NULL || stored[0] == '\0' || is_locked(stored) ||
	    strnlen(stored, GK_HASH_MAX) >= GK_HASH_MAX)
		return false;
	if (is_apr(stored)) {
#ifdef HAVE_APR_UTIL
		return true;
#else
		return false;
#endif
	}
	cs = crypt_checksalt(stored);
	return cs == CRYPT_SALT_OK || cs == CRYPT_SALT_METHOD_LEGACY;
}

bool
gk_pw_costs_like_dummy(const struct gk_pw_ctx *ctx, const char *stored)
{
	const char *p = ctx->dummy;
	size_t n;
	int dollars = 0;

	if (stored == NULL || stored[0] == '\0' || stored[0] == '!' || stored[0] == '*' ||
	    !gk_pw_hash_supported(stored) || !gk_pw_cost_bounded(stored))
		return true;
	/* "$id$params$": method and cost, up to the third '$'. */
	for (n = 0; p[n] != '\0' && dollars < 3; n++)
		if (p[n] == '$')
			dollars++;
	return dollars == 3 && strncmp(stored, p, n) == 0;
}

/* A character's value in crypt's base-64 alphabet "./0-9A-Za-z", -1 for one outside it (NUL too). */
static int
a64(char c)
{
	static const char itoa64[] =
	    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const char *p;

	return c != '\0' && (p = strchr(itoa64, c)) != NULL ? (int)(p - itoa64) : -1;
}

/*
 * yescrypt's parameters after "$y$" or "$gy$" (p), within the bound: crypt_gensalt's flavor
 * 'j', then N and r one character each (value = index + 1 in libxcrypt's "./0-9A-Za-z":
 * "j9T" is N = 2^12, r = 32), then the salt's '$': no p, t or g, which gatekeep-passwd
 * never writes. A check takes 128 * r * N bytes, and time along with them.
 */
static bool
yescrypt_bounded(const char *p)
{
	int n, r;
	unsigned long nlog2, rv;

	if (p[0] != 'j' || (n = a64(p[1])) < 0 || (r = a64(p[2])) < 0 || p[3] != '$')
		return false;
	nlog2 = (unsigned long)n + 1;
	rv = (unsigned long)r + 1;
	/* GK_PW_YESCRYPT_COST_MAX is N = 2^18, r = 32: r * N at most 2^23 */
	return nlog2 <= 23 && rv <= 32 && (rv << nlog2) <= (32UL << 18);
}

/* sha-crypt's "rounds=N$" after "$5$" or "$6$" (p), or the default 5000 without it. */
static bool
shacrypt_bounded(const char *p)
{
	unsigned long rounds = 0;

	if (strncmp(p, "rounds=", 7) != 0)
		return true;
	p += 7;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((rounds = rounds * 10 + (unsigned long)(*p - '0')) > GK_PW_SHACRYPT_ROUNDS_MAX)
			return false;
	return *p == '$';
}

/*
 * bsdicrypt's count after its '_' (p): four characters of "./0-9A-Za-z", six bits each, the
 * first the lowest; each count is a run of DES, so the 24 bits reach seconds a check.
 */
static bool
bsdicrypt_bounded(const char *p)
{
	unsigned long count = 0;
	int i, v;

	for (i = 0; i < 4; i++) {
		if ((v = a64(p[i])) < 0)
			return false;
		count |= (unsigned long)v << (6 * i);
	}
	return count <= GK_PW_BSDICRYPT_COUNT_MAX;
}

bool
gk_pw_cost_bounded(const char *stored)
{
	int cost;

	if (stored == NULL)
		return false;
	if (strncmp(stored, "$y$", 3) == 0)
		return yescrypt_bounded(stored + 3);
	if (strncmp(stored, "$gy$", 4) == 0)
		return yescrypt_bounded(stored + 4);
	if (is_bcrypt(stored))
		return (cost = bcrypt_cost(stored)) >= 0 && cost <= GK_PW_BCRYPT_COST_MAX;
	if (strncmp(stored, "$5$", 3) == 0 || strncmp(stored, "$6$", 3) == 0)
		return shacrypt_bounded(stored + 3);
	if (stored[0] == '_')
		return bsdicrypt_bounded(stored + 1);
	/* fixed costs: md5crypt, NT, apr-util's */
	if (strncmp(stored, "$1$", 3) == 0 || strncmp(stored, "$3$", 3) == 0 || is_apr(stored))
		return true;
	/* DES and bigcrypt have no '$'; every other '$' method has a cost we do not bound */
	return stored[0] != '$';
}

int
gk_pw_hash_storable(struct gk_pw_ctx *ctx, const char *stored, struct gk_err *err)
{
	const char *r;
	bool ok;

	if (!gk_pw_hash_supported(stored)) {
		gk_err_set(err, "unsupported or malformed password hash");
		return GK_EINVAL;
	}
	if (!gk_pw_cost_bounded(stored)) {
		gk_err_set(err, "password hash of a cost over the limit (at most yescrypt cost %d, "
		    "bcrypt cost %d, sha-crypt rounds=%lu)", GK_PW_YESCRYPT_COST_MAX,
		    GK_PW_BCRYPT_COST_MAX, GK_PW_SHACRYPT_ROUNDS_MAX);
		return GK_EINVAL;
	}
	if (is_apr(stored))
		return GK_OK;   /* apr-util's, checked by gk_pw_hash_supported */
	/* gk_pw_verify matches only a result of the stored hash's length: "nonsense$" is DES to crypt */
	r = crypt_rn(dummy_password, stored, ctx->cd, (int)sizeof(*ctx->cd));
	ok = r != NULL && r[0] != '*' && strnlen(r, CRYPT_OUTPUT_SIZE) == strlen(stored);
	wipe_cd(ctx);
	if (!ok) {
		gk_err_set(err, "a password hash libxcrypt cannot compute or no password can match");
		return GK_EINVAL;
	}
	return GK_OK;
}
