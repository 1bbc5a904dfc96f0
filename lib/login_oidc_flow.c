/* login_oidc_flow.c: gatekeep-login's OpenID Connect / OAuth2 sign-in flow: the flow cookie, the start, the callback, the external user. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "cookie.h"
#include "extuser.h"
#include "form.h"
#include "login_request.h"
#include "metrics.h"

/*
 * The flow cookie binds one sign-in to this browser: base64url(payload) "."
 * base64url(HMAC-SHA256(secret, label || payload)), payload = version byte,
 * expiry (8 bytes, big-endian), a 32-byte random seed and rd. state, nonce
 * and the PKCE verifier are HMACs of the seed, so the cookie reveals none
 * of them and nothing is stored on the server. The callback clears it.
 */
#define OIDC_SEED_LEN    32
#define OIDC_FLOW_TTL    600            /* ten minutes at the provider is plenty */
#define OIDC_RD_MAX      1536           /* keeps the cookie under 4 KiB */
#define OIDC_VALUE_LEN   43             /* base64url of 32 bytes */
#define OIDC_PAYLOAD_MAX (1 + 8 + OIDC_SEED_LEN + OIDC_RD_MAX)
#define OIDC_COOKIE_MAX  (2 * OIDC_PAYLOAD_MAX + 64)
#define OIDC_FAILED      "Sign-in with the identity provider failed. Please try again, or ask the administrator."

struct oidc_flow {
	unsigned char seed[OIDC_SEED_LEN];
	char state[OIDC_VALUE_LEN + 1], nonce[OIDC_VALUE_LEN + 1], verifier[OIDC_VALUE_LEN + 1];
	char rd[OIDC_RD_MAX + 1];
};

/* The flow cookie's name (its path returned): lib/login_request.h, login_host_cookie. */
static const char *
oidc_cookie_name(const struct rq *q, char *out, size_t outsz)
{
	return login_host_cookie(q, "_oidc", out, outsz);
}

static void
oidc_mac(const struct login_ctx *ctx, const char *label, const unsigned char *data, size_t len,
    unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, ctx->secret.key, ctx->secret.len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label) + 1);
	crypto_auth_hmacsha256_update(&st, data, len);
	crypto_auth_hmacsha256_final(&st, mac);
	gk_wipe(&st, sizeof(st));
}

static void
oidc_derive(const struct login_ctx *ctx, struct oidc_flow *f)
{
	static const char *const labels[] = {
		"gatekeep-oidc-state-v1", "gatekeep-oidc-nonce-v1", "gatekeep-oidc-pkce-v1"
	};
	char *outs[] = { f->state, f->nonce, f->verifier };
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	size_t i;

	for (i = 0; i < 3; i++) {
		oidc_mac(ctx, labels[i], f->seed, sizeof(f->seed), mac);
		sodium_bin2base64(outs[i], OIDC_VALUE_LEN + 1, mac, sizeof(mac),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	}
	gk_wipe(mac, sizeof(mac));
}

static bool
oidc_cookie_make(const struct login_ctx *ctx, const struct oidc_flow *f, int64_t exp, char *out,
    size_t outsz)
{
	unsigned char p[OIDC_PAYLOAD_MAX], mac[crypto_auth_hmacsha256_BYTES];
	size_t rdlen = strlen(f->rd), n, i;

	p[0] = 1;
	for (i = 0; i < 8; i++)
		p[1 + i] = (unsigned char)((uint64_t)exp >> (56 - 8 * i));
	memcpy(p + 9, f->seed, OIDC_SEED_LEN);
	memcpy(p + 9 + OIDC_SEED_LEN, f->rd, rdlen);
	n = 9 + OIDC_SEED_LEN + rdlen;
	oidc_mac(ctx, "gatekeep-oidc-cookie-v1", p, n, mac);
	if (sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 45 > outsz)
		return false;
	sodium_bin2base64(out, outsz, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	n = strlen(out);
	out[n++] = '.';
	sodium_bin2base64(out + n, outsz - n, mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	gk_wipe(p, sizeof(p));
	return true;
}

/* Reads and checks the flow cookie; "" reason on success. */
static const char *
oidc_cookie_read(struct rq *q, struct oidc_flow *f)
{
	struct login_ctx *ctx = q->ctx;
	const char *cookies = login_header(q, "Cookie");
	char name[128], val[OIDC_COOKIE_MAX], *dot;
	unsigned char p[OIDC_PAYLOAD_MAX], mac[crypto_auth_hmacsha256_BYTES];
	unsigned char want[crypto_auth_hmacsha256_BYTES];
	size_t plen = 0, mlen = 0, i;
	uint64_t exp = 0;

	memset(f, 0, sizeof(*f));
	oidc_cookie_name(q, name, sizeof(name));
	if (cookies == NULL || gk_cookie_get(cookies, name, val, sizeof(val)) != GK_OK)
		return "no-flow-cookie";   /* absent, duplicated, too long or malformed */
	dot = strchr(val, '.');
	if (dot == NULL)
		return "bad-flow-cookie";
	*dot = '\0';
	if (sodium_base642bin(p, sizeof(p), val, strlen(val), NULL, &plen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    sodium_base642bin(mac, sizeof(mac), dot + 1, strlen(dot + 1), NULL, &mlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    mlen != sizeof(mac) || plen < 9 + OIDC_SEED_LEN || p[0] != 1)
		return "bad-flow-cookie";
	oidc_mac(ctx, "gatekeep-oidc-cookie-v1", p, plen, want);
	if (!gk_ct_equal(want, mac, sizeof(mac)))
		return "bad-flow-cookie";
	for (i = 0; i < 8; i++)
		exp = (exp << 8) | p[1 + i];
	if ((int64_t)exp <= ctx->now())
		return "flow-expired";
	memcpy(f->seed, p + 9, OIDC_SEED_LEN);
	gk_memcpy_str(f->rd, sizeof(f->rd), (const char *)p + 9 + OIDC_SEED_LEN,
	    plen - 9 - OIDC_SEED_LEN);
	gk_wipe(p, sizeof(p));
	oidc_derive(ctx, f);
	return "";
}

/* One line per refusal: the stable deny fields, then what exactly went wrong. */
static void
oidc_deny(struct rq *q, int status, const char *user, const char *reason, const char *detail)
{
	char u[GK_USER_MAX * 4 + 8], a[200], d[1100], s[GK_PATH_MAX];

	gk_metrics_login("oidc", reason);       /* lib/metrics: as the deny line says */
	gk_log(&q->ctx->log, LOG_NOTICE, "deny user=%s method=oidc from=%s reason=%s uri=%s detail=%s",
	    gk_log_escape(user != NULL && *user ? user : "-", u, sizeof(u)),
	    gk_log_escape(q->addr != NULL ? q->addr : "-", a, sizeof(a)), reason,
	    gk_log_escape(q->self, s, sizeof(s)),
	    gk_log_escape(detail != NULL && *detail ? detail : "-", d, sizeof(d)));
	login_message_page(q, status, "Sign-in failed", OIDC_FAILED);
}

void
login_oidc_start(struct rq *q)
{
	struct login_ctx *ctx = q->ctx;
	struct oidc_flow f;
	struct gk_err err = { "" };
	char rd[GK_REDIRECT_MAX + 1], cookie[OIDC_COOKIE_MAX], name[128];
	const char *path;
	char url[LOGIN_OIDC_URL_MAX], challenge[OIDC_VALUE_LEN + 1];
	unsigned char h[crypto_hash_sha256_BYTES];
	const char *reason = "internal";
	int64_t now = ctx->now();

	if (ctx->oidc == NULL) {
		login_message_page(q, 404, "Error", "Sign-in with an identity provider is not configured.");
		return;
	}
	if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0) {
		login_add_header(q, "Allow", "GET, HEAD");
		login_message_page(q, 405, "Error", "Use the sign-in button.");
		return;
	}
	memset(&f, 0, sizeof(f));
	login_query_rd(q, rd, sizeof(rd));
	if (strlen(rd) > OIDC_RD_MAX) {
		gk_log(&ctx->log, LOG_NOTICE, "oidc: rd longer than %d bytes dropped; using "
		    "default_redirect", OIDC_RD_MAX);
		rd[0] = '\0';
	}
	gk_strcpy(f.rd, sizeof(f.rd), rd);
	randombytes_buf(f.seed, sizeof(f.seed));
	oidc_derive(ctx, &f);
	crypto_hash_sha256(h, (const unsigned char *)f.verifier, strlen(f.verifier));
	sodium_bin2base64(challenge, sizeof(challenge), h, sizeof(h),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (login_oidc_auth_url(ctx->oidc, now, f.state, f.nonce, challenge, url, sizeof(url), &reason,
	    &err) != GK_OK) {
		oidc_deny(q, strcmp(reason, "provider-unreachable") == 0 ||
		    strcmp(reason, "bad-discovery") == 0 ? 502 : 500, NULL, reason, err.msg);
		goto out;
	}
	if (!oidc_cookie_make(ctx, &f, now + OIDC_FLOW_TTL, cookie, sizeof(cookie))) {
		oidc_deny(q, 500, NULL, "internal", "flow cookie too large");
		goto out;
	}
	path = oidc_cookie_name(q, name, sizeof(name));
	/* Lax: the provider sends the browser back with a top-level GET from its own site. */
	login_set_cookie(q, name, cookie, NULL, path, OIDC_FLOW_TTL, GK_SAMESITE_LAX);
	login_see_other(q, url);
out:
	gk_wipe(&f, sizeof(f));
	gk_wipe(cookie, sizeof(cookie));
}

static int
db_lookup(struct rq *q, const char *user, struct gk_user *u)
{
	return login_db_lookup(q->ctx, user, u);
}

/*
 * Creates the external user or re-syncs its e-mail, name and (with
 * oidc_groups_claim) groups. A local password user of the same name is never
 * taken over. Reads first and writes only when something changed: a write
 * copies the whole database.
 */
static const char *
oidc_provision(struct rq *q, const struct login_oidc_id *id, struct gk_user *u, char *detail,
    size_t dsz)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_extuser_want w = { 0 };
	struct gk_extuser_result res;
	struct gk_err err = { "" };
	enum gk_extuser_status st;
	int rc;

	rc = db_lookup(q, id->user, u);
	if (rc != GK_OK && rc != GK_NOTFOUND)
		return "database";
	/* lib/extuser: the same upsert gatekeep-authz's proxy users go through. */
	w.name = id->user;
	w.email = id->email;
	w.display = id->display;
	w.groups = id->groups_mapped ? id->groups : NULL;
	w.sub = id->sub;
	w.email_is_identity = true;
	w.lock_ms = 5000;
	st = gk_extuser_upsert(ctx->cfg.database, &w, rc == GK_OK ? u : NULL, ctx->now(), u, &res,
	    &err);
	switch (st) {
	case GK_EXTUSER_OK:
		break;
	case GK_EXTUSER_LOCAL:
		gk_wipe(u, sizeof(*u));
		snprintf(detail, dsz, "a local (password) user has this name; not taken over");
		return "local-user-exists";
	case GK_EXTUSER_DISABLED:
		return "disabled";
	case GK_EXTUSER_EMAIL_MISMATCH:
		snprintf(detail, dsz, "the stored e-mail of this user differs from the verified one");
		return "identity-mismatch";
	case GK_EXTUSER_SUBJECT_MISMATCH:
		snprintf(detail, dsz, "this user is bound to another subject at the provider");
		return "identity-mismatch";
	case GK_EXTUSER_NAME_CLASH:
		snprintf(detail, dsz, "user %s exists: a new name must differ by more than case",
		    res.other);
		return "name-case-clash";
	case GK_EXTUSER_INVALID:
		snprintf(detail, dsz, "%s", err.msg);
		return "bad-identity";
	default:
		snprintf(detail, dsz, "%s", err.msg);
		return "database";
	}
	if (res.written)
		gk_log(&ctx->log, LOG_NOTICE, "oidc: %s external user %s (groups=%s)",
		    res.created ? "created" : "updated", id->email, u->groups[0] ? u->groups : "-");
	return "";
}

void
login_oidc_callback(struct rq *q)
{
	struct login_ctx *ctx = q->ctx;
	struct oidc_flow f;
	struct login_oidc_id id;
	struct gk_user u;
	struct gk_err err = { "" };
	const char *qs = login_param(q, "QUERY_STRING"), *reason, *path;
	char name[128], state[128], code[2100], perr[64], detail[300] = "";
	int rc;

	memset(&u, 0, sizeof(u));
	memset(&id, 0, sizeof(id));
	if (ctx->oidc == NULL) {
		login_message_page(q, 404, "Error", "Sign-in with an identity provider is not configured.");
		return;
	}
	if (strcmp(q->method, "GET") != 0) {
		login_add_header(q, "Allow", "GET");
		login_message_page(q, 405, "Error", "This address only takes the identity provider's answer.");
		return;
	}
	/* One use: whatever happens next, this browser's flow cookie is gone. */
	path = oidc_cookie_name(q, name, sizeof(name));
	login_set_cookie(q, name, "", NULL, path, 0, GK_SAMESITE_LAX);
	if (qs == NULL)
		qs = "";
	if (gk_form_get(qs, strlen(qs), "error", perr, sizeof(perr)) == GK_OK) {
		/* The provider said no (user cancelled, consent refused): its code word only. */
		snprintf(detail, sizeof(detail), "provider returned error=%s",
		    strspn(perr, "abcdefghijklmnopqrstuvwxyz_") == strlen(perr) ? perr : "?");
		oidc_deny(q, 401, NULL, "provider-error", detail);
		goto out;
	}
	reason = oidc_cookie_read(q, &f);
	if (*reason != '\0') {
		oidc_deny(q, 400, NULL, reason, "no valid sign-in in progress in this browser");
		goto out;
	}
	if (gk_form_get(qs, strlen(qs), "state", state, sizeof(state)) != GK_OK ||
	    strlen(state) != strlen(f.state) || !gk_ct_equal(state, f.state, strlen(f.state))) {
		oidc_deny(q, 400, NULL, "wrong-state", "state does not match this browser's sign-in");
		goto out;
	}
	if (gk_form_get(qs, strlen(qs), "code", code, sizeof(code)) != GK_OK) {
		oidc_deny(q, 400, NULL, "bad-code", "no usable code parameter");
		goto out;
	}
	rc = login_oidc_finish(ctx->oidc, ctx->now(), code, f.verifier, f.nonce, &id, &reason, &err);
	gk_wipe(code, sizeof(code));
	if (rc != GK_OK) {
		oidc_deny(q, strcmp(reason, "provider-unreachable") == 0 ||
		    strcmp(reason, "bad-discovery") == 0 || strcmp(reason, "token-response") == 0 ||
		    strcmp(reason, "token-request") == 0 || strcmp(reason, "userinfo") == 0 ? 502 : 401,
		    NULL, reason, err.msg);
		goto out;
	}
	reason = oidc_provision(q, &id, &u, detail, sizeof(detail));
	if (*reason != '\0') {
		oidc_deny(q, strcmp(reason, "database") == 0 ? 500 : 403, id.user, reason, detail);
		goto out;
	}
	q->amr = id.amr;     /* what the provider asserted in the signed ID token (0: password level) */
	login_start_session(q, &u, f.rd, "oidc");
out:
	gk_wipe(&f, sizeof(f));
	gk_wipe(&u, sizeof(u));
	gk_wipe(&id, sizeof(id));
}
