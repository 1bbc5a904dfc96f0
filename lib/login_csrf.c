/* login_csrf.c: gatekeep-login's CSRF defences: a random nonce in a cookie whose HMAC the form carries, and the Origin/Referer check. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cookie.h"
#include "login_request.h"
#include "origin.h"

#define CSRF_NONCE_LEN   43          /* base64url of 32 random bytes, unpadded */
#define CSRF_MAX_AGE     3600        /* a form older than an hour asks again */

/* ---- CSRF: a random nonce in a cookie, the form carries HMAC(secret, nonce) ---- */

/* The nonce cookie's name (its path returned): lib/login_request.h, login_host_cookie. */
static const char *
csrf_cookie_name(const struct rq *q, char *out, size_t outsz)
{
	return login_host_cookie(q, "_csrf", out, outsz);
}

static bool
nonce_ok(const char *s)
{
	return strlen(s) == CSRF_NONCE_LEN && strspn(s,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == CSRF_NONCE_LEN;
}

/* Reads our nonce cookie into q->csrf_cookie; false if absent, duplicated or malformed. */
static bool
csrf_read(struct rq *q)
{
	char name[128];
	const char *cookies = login_header(q, "Cookie");

	q->csrf_cookie[0] = '\0';
	if (cookies == NULL)
		return false;
	csrf_cookie_name(q, name, sizeof(name));
	if (gk_cookie_get(cookies, name, q->csrf_cookie, sizeof(q->csrf_cookie)) != GK_OK ||
	    !nonce_ok(q->csrf_cookie)) {
		q->csrf_cookie[0] = '\0';
		return false;
	}
	return true;
}

void
login_csrf_mac(const struct login_ctx *ctx, const char *nonce, char *out, size_t outsz)
{
	static const unsigned char label[] = "gatekeep-csrf-v1";
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, ctx->secret.key, ctx->secret.len);
	crypto_auth_hmacsha256_update(&st, label, sizeof(label));   /* includes the NUL separator */
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)nonce, strlen(nonce));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, outsz, mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	gk_wipe(&st, sizeof(st));
}

/* Makes sure the page we are about to show carries a nonce cookie (reusing a good one: other tabs). */
static void
csrf_ensure(struct rq *q)
{
	unsigned char raw[32];

	if (csrf_read(q))
		return;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(q->csrf_cookie, sizeof(q->csrf_cookie), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	q->csrf_new = true;
}

void
login_csrf_page_token(struct rq *q, char *out, size_t outsz)
{
	char name[128];

	csrf_ensure(q);
	if (q->csrf_new) {
		const char *path = csrf_cookie_name(q, name, sizeof(name));

		login_set_cookie(q, name, q->csrf_cookie, NULL, path, CSRF_MAX_AGE, GK_SAMESITE_STRICT);
	}
	login_csrf_mac(q->ctx, q->csrf_cookie, out, outsz);
}

void
login_csrf_clear_cookie(struct rq *q)
{
	char name[128];
	const char *path = csrf_cookie_name(q, name, sizeof(name));

	login_set_cookie(q, name, "", NULL, path, 0, GK_SAMESITE_STRICT);
}

bool
login_csrf_valid(struct rq *q, const char *field)
{
	char want[64];
	size_t n;

	if (!csrf_read(q))
		return false;
	login_csrf_mac(q->ctx, q->csrf_cookie, want, sizeof(want));
	n = strlen(want);
	return strlen(field) == n && gk_ct_equal(want, field, n);
}

/* ---- Origin / Referer (the CSRF defence that does not depend on cookies) ---- */

/*
 * The Host field as sent, not gatekeep-authz's reading of it (gk_frontend_host: the host
 * the server serves, for rules): here it is the authority the browser addressed, port
 * included, compared byte for byte with the Origin's.  That reading would close nothing.
 * The victim's browser can forge neither Host nor Origin, nor send an absolute-form
 * target to the server; an Origin is always a well-formed authority, so a malformed Host
 * matches none.  The attacker's own client may send any Host and any Origin (or none:
 * then the CSRF token decides), but has no victim's cookies to ride.  Under DNS
 * rebinding $host is the attacker's name as well.
 */
bool
login_origin_check(const struct rq *q, const char **why)
{
	return gk_origin_check(&q->req, &q->ctx->cfg.allowed_origins, login_header(q, "Host"), why);
}
