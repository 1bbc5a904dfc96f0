/* login_handle.c: one request to gatekeep-login: the form, the POST, logout and whoami. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "cookie.h"
#include "extuser.h"
#include "form.h"
#include "login.h"
#include "login_page.h"
#include "origin.h"
#include "request.h"
#include "session_cookie.h"
#include "token.h"
#include "validate.h"

#define CSRF_NONCE_LEN   43          /* base64url of 32 random bytes, unpadded */
#define CSRF_MAX_AGE     3600        /* a form older than an hour asks again */
#define SELF_MAX         1024
#define GENERIC_ERROR    "Incorrect user name or password."
#define EXPIRED_ERROR    "This sign-in form has expired. Please try again."

enum route { R_LOGIN, R_LOGOUT, R_WHOAMI, R_OIDC_START, R_OIDC_CALLBACK };

struct resp {
	int status;
	const char *ctype;
	struct login_buf hdr;
	struct login_buf body;
};

/* Per-request view; everything here dies with the request (no state leaks to the next one). */
struct rq {
	struct login_ctx *ctx;
	struct gk_request req;
	const char *method;
	const char *addr;
	enum route route;
	char self[SELF_MAX + 1];      /* the path the browser used, for form actions */
	char base[SELF_MAX + 1];      /* self without the action segment: the CSRF cookie path */
	char csrf_cookie[64];         /* this request's CSRF nonce (reused or new) */
	bool csrf_new;
	struct resp r;
};

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 502: return "Bad Gateway";
	default: return "Internal Server Error";
	}
}

static void
add_header(struct rq *q, const char *name, const char *value)
{
	/* Nothing reaches a header line unchecked (CR/LF injection). */
	if (!gk_valid_header_value(value, strlen(value))) {
		q->r.hdr.failed = true;
		return;
	}
	login_buf_puts(&q->r.hdr, name);
	login_buf_puts(&q->r.hdr, ": ");
	login_buf_puts(&q->r.hdr, value);
	login_buf_puts(&q->r.hdr, "\r\n");
}

static void
finish(struct rq *q, struct login_buf *out)
{
	struct login_ctx *ctx = q->ctx;
	bool head = q->method != NULL && strcmp(q->method, "HEAD") == 0;

	if (q->r.hdr.failed || q->r.body.failed) {
		gk_log(&ctx->log, LOG_ERR, "response could not be built (out of memory or bad header)");
		login_buf_reset(&q->r.hdr);
		login_buf_reset(&q->r.body);
		q->r.status = 500;
		q->r.ctype = "text/plain; charset=utf-8";
		login_buf_puts(&q->r.body, "Internal error\n");
	}
	login_buf_printf(out, "Status: %d %s\r\n", q->r.status, reason_phrase(q->r.status));
	login_buf_printf(out, "Content-Type: %s\r\n", q->r.ctype ? q->r.ctype : "text/html; charset=utf-8");
	login_buf_puts(out, "Cache-Control: no-store\r\nPragma: no-cache\r\n"
	    "X-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: same-origin\r\n");
	login_buf_printf(out, "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
	    "form-action %s; frame-ancestors 'none'; base-uri 'none'\r\n", ctx->form_action_csp);
	if (q->r.hdr.len > 0)
		login_buf_add(out, q->r.hdr.p, q->r.hdr.len);
	login_buf_printf(out, "Content-Length: %zu\r\n\r\n", q->r.body.len);
	if (!head && q->r.body.len > 0)
		login_buf_add(out, q->r.body.p, q->r.body.len);
}

/* ---- request helpers ---- */

static const char *
param(const struct rq *q, const char *name)
{
	return gk_request_param(&q->req, name);
}

/* A header value, or NULL when absent, duplicated or malformed. */
static const char *
header(const struct rq *q, const char *name)
{
	const char *v;

	if (gk_request_header(&q->req, name, &v) != GK_OK)
		return NULL;
	return v;
}

static bool
path_char_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '\\' ||
		    s[i] == '"' || s[i] == '\'' || s[i] == '<' || s[i] == '>')
			return false;
	return true;
}

static bool
is_action(const char *seg)
{
	return strcmp(seg, "login") == 0 || strcmp(seg, "logout") == 0 || strcmp(seg, "whoami") == 0 ||
	    strcmp(seg, "oidc") == 0 || strcmp(seg, "callback") == 0;
}

/*
 * Routing and our own URL: PATH_INFO (CGI: /cgi-bin/login.cgi/logout) or the
 * last segment of the request path (nginx: /gatekeep/logout). The path goes
 * back into form actions, so it must be a clean absolute path.
 */
static void
route_init(struct rq *q)
{
	const char *pi = param(q, "PATH_INFO"), *uri = param(q, "REQUEST_URI");
	const char *sn = param(q, "SCRIPT_NAME"), *seg, *slash;
	size_t n;

	q->self[0] = '\0';
	if (uri != NULL && uri[0] == '/') {
		n = strcspn(uri, "?#");
		if (n <= SELF_MAX && path_char_ok(uri, n) && !(n > 1 && uri[1] == '/'))
			gk_memcpy_str(q->self, sizeof(q->self), uri, n);
	}
	if (q->self[0] == '\0' && sn != NULL && sn[0] == '/') {
		char tmp[2 * SELF_MAX + 2];

		snprintf(tmp, sizeof(tmp), "%s%s", sn, pi != NULL ? pi : "");
		n = strlen(tmp);
		if (n <= SELF_MAX && path_char_ok(tmp, n) && !(n > 1 && tmp[1] == '/'))
			gk_strcpy(q->self, sizeof(q->self), tmp);
	}
	if (q->self[0] == '\0')
		gk_strcpy(q->self, sizeof(q->self), q->ctx->cfg.login_url[0] == '/' ?
		    q->ctx->cfg.login_url : "/");

	seg = (pi != NULL && pi[0] != '\0') ? pi : q->self;
	slash = strrchr(seg, '/');
	seg = slash != NULL ? slash + 1 : seg;
	if (strcmp(seg, "logout") == 0)
		q->route = R_LOGOUT;
	else if (strcmp(seg, "whoami") == 0)
		q->route = R_WHOAMI;
	else if (strcmp(seg, "oidc") == 0)
		q->route = R_OIDC_START;
	else if (strcmp(seg, "callback") == 0)
		q->route = R_OIDC_CALLBACK;
	else
		q->route = R_LOGIN;

	gk_strcpy(q->base, sizeof(q->base), q->self);
	slash = strrchr(q->base, '/');
	if (slash != NULL && is_action(slash + 1)) {
		if (slash == q->base)
			q->base[1] = '\0';
		else
			q->base[slash - q->base] = '\0';
	}
}

/* ---- CSRF: a random nonce in a cookie, the form carries HMAC(secret, nonce) ---- */

static void
csrf_cookie_name(const struct login_ctx *ctx, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s_csrf", ctx->cfg.cookie_name);
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
	const char *cookies = header(q, "Cookie");

	q->csrf_cookie[0] = '\0';
	if (cookies == NULL)
		return false;
	csrf_cookie_name(q->ctx, name, sizeof(name));
	if (gk_cookie_get(cookies, name, q->csrf_cookie, sizeof(q->csrf_cookie)) != GK_OK ||
	    !nonce_ok(q->csrf_cookie)) {
		q->csrf_cookie[0] = '\0';
		return false;
	}
	return true;
}

static void
csrf_mac(const struct login_ctx *ctx, const char *nonce, char *out, size_t outsz)
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

static void
set_cookie(struct rq *q, const char *name, const char *value, const char *domain, const char *path,
    long max_age, enum gk_samesite ss)
{
	struct gk_setcookie c = { name, value, domain, path, max_age, q->ctx->cfg.cookie_secure, true, ss };
	char line[GK_SETCOOKIE_MAX];
	struct gk_err err;

	if (gk_setcookie_format(&c, line, sizeof(line), &err) != GK_OK) {
		gk_log(&q->ctx->log, LOG_ERR, "Set-Cookie %s: %s", name, err.msg);
		q->r.hdr.failed = true;
		return;
	}
	add_header(q, "Set-Cookie", line);
}

static void
csrf_emit_cookie(struct rq *q)
{
	char name[128];

	if (!q->csrf_new)
		return;
	csrf_cookie_name(q->ctx, name, sizeof(name));
	set_cookie(q, name, q->csrf_cookie, NULL, q->base, CSRF_MAX_AGE, GK_SAMESITE_STRICT);
}

static void
csrf_clear_cookie(struct rq *q)
{
	char name[128];

	csrf_cookie_name(q->ctx, name, sizeof(name));
	set_cookie(q, name, "", NULL, q->base, 0, GK_SAMESITE_STRICT);
}

static bool
csrf_valid(struct rq *q, const char *field)
{
	char want[64];
	size_t n;

	if (!csrf_read(q))
		return false;
	csrf_mac(q->ctx, q->csrf_cookie, want, sizeof(want));
	n = strlen(want);
	return strlen(field) == n && gk_ct_equal(want, field, n);
}

/* ---- Origin / Referer (the CSRF defence that does not depend on cookies) ---- */

static bool
origin_check(const struct rq *q, const char **why)
{
	return gk_origin_check(&q->req, &q->ctx->cfg.allowed_origins, header(q, "Host"), why);
}

/* ---- pages ---- */

static void
page(struct rq *q, int status, struct login_vars *v)
{
	struct login_ctx *ctx = q->ctx;

	q->r.status = status;
	q->r.ctype = "text/html; charset=utf-8";
	v->realm = ctx->cfg.realm;
	v->login_url = ctx->cfg.login_url;
	login_render(ctx->template != NULL ? ctx->template : login_template_default(), v, &q->r.body);
}

/* Our own path with the last segment replaced ("/gatekeep/login" -> "/gatekeep/oidc"). */
static void
sibling_path(const struct rq *q, const char *seg, char *out, size_t outsz)
{
	size_t n = strlen(q->base);

	snprintf(out, outsz, "%s%s%s", q->base, n > 0 && q->base[n - 1] == '/' ? "" : "/", seg);
}

static void
login_page(struct rq *q, int status, const char *error, const char *user, const char *rd)
{
	struct login_vars v;
	char mac[64], oidc_url[SELF_MAX + 3 * GK_REDIRECT_MAX + 16];

	memset(&v, 0, sizeof(v));
	csrf_ensure(q);
	csrf_emit_cookie(q);
	csrf_mac(q->ctx, q->csrf_cookie, mac, sizeof(mac));
	v.login = true;
	v.title = "Sign in";
	v.action = q->self;
	v.csrf = mac;
	v.error = error;
	v.user = user;
	v.rd = rd;
	if (q->ctx->oidc != NULL) {
		char *e = NULL;
		size_t n;

		/* The provider link carries rd along (checked again after the provider). */
		sibling_path(q, "oidc", oidc_url, sizeof(oidc_url));
		if (rd != NULL && rd[0] != '\0' && (e = curl_easy_escape(NULL, rd, 0)) != NULL) {
			n = strlen(oidc_url);
			snprintf(oidc_url + n, sizeof(oidc_url) - n, "?rd=%s", e);
		}
		curl_free(e);
		v.oidc_url = oidc_url;
		v.oidc_label = login_oidc_label(q->ctx->oidc);
	}
	page(q, status, &v);
}

static void
message_page(struct rq *q, int status, const char *title, const char *msg)
{
	struct login_vars v;

	memset(&v, 0, sizeof(v));
	v.title = title;
	v.message = msg;
	page(q, status, &v);
}

static void
json_reply(struct rq *q, int status, json_t *j)
{
	char *s;

	q->r.status = status;
	q->r.ctype = "application/json";
	s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	if (s == NULL) {
		q->r.body.failed = true;
	} else {
		login_buf_puts(&q->r.body, s);
		login_buf_puts(&q->r.body, "\n");
	}
	free(s);
	json_decref(j);
}

/* ---- the user database (opened lazily; a failure is a 500, never a login) ---- */

int
login_db_lookup(void *arg, const char *user, struct gk_user *u)
{
	struct login_ctx *ctx = arg;
	struct gk_err err = { "" };
	int rc;

	if (ctx->db == NULL && gk_userdb_open(ctx->cfg.database, &ctx->db, &err) != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "database %s: %s", ctx->cfg.database, err.msg);
		ctx->db = NULL;
		return GK_EIO;
	}
	rc = gk_userdb_lookup(ctx->db, user, u, &err);
	if (rc != GK_OK && rc != GK_NOTFOUND) {
		gk_log(&ctx->log, LOG_ERR, "database %s: %s", ctx->cfg.database, err.msg);
		gk_userdb_close(ctx->db);
		ctx->db = NULL;         /* reopen next time */
	}
	return rc;
}

static int
db_lookup(struct rq *q, const char *user, struct gk_user *u)
{
	return login_db_lookup(q->ctx, user, u);
}

/* Re-hashes a legacy hash with the preferred method. Failing here never fails the login. */
static void
upgrade_hash(struct rq *q, const struct gk_user *u, const char *password)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_userdb_txn *txn = NULL;
	struct gk_user cur;
	struct gk_err err = { "" };
	char esc[GK_USER_MAX * 4 + 8];
	int rc;

	gk_log_escape(u->name, esc, sizeof(esc));
	rc = gk_userdb_begin(ctx->cfg.database, false, 2000, &txn, &err);
	if (rc != GK_OK)
		goto fail;
	rc = gk_userdb_txn_get(txn, u->name, &cur, &err);
	/* Someone changed the password meanwhile: theirs wins. */
	if (rc != GK_OK || strcmp(cur.hash, u->hash) != 0) {
		gk_userdb_abort(txn);
		gk_wipe(&cur, sizeof(cur));
		if (rc != GK_OK)
			goto fail;
		return;
	}
	rc = gk_pw_hash(ctx->pw, GK_PW_PREFERRED, 0, password, cur.hash, sizeof(cur.hash), &err);
	if (rc == GK_OK) {
		cur.updated = ctx->now();
		rc = gk_userdb_txn_put(txn, &cur, &err);
	}
	gk_wipe(&cur, sizeof(cur));
	if (rc != GK_OK) {
		gk_userdb_abort(txn);
		goto fail;
	}
	if (gk_userdb_commit(txn, &err) != GK_OK)
		goto fail;
	gk_log(&ctx->log, LOG_NOTICE, "upgraded the password hash of user=%s to the preferred method", esc);
	return;
fail:
	gk_log(&ctx->log, LOG_WARNING, "could not upgrade the password hash of user=%s: %s", esc, err.msg);
}

/* Bumps the user's token generation: every issued session stops verifying. */
static int
bump_generation(struct rq *q, const char *user)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_userdb_txn *txn = NULL;
	struct gk_user cur;
	struct gk_err err = { "" };
	int rc;

	rc = gk_userdb_begin(ctx->cfg.database, false, 5000, &txn, &err);
	if (rc == GK_OK && gk_userdb_txn_get(txn, user, &cur, &err) == GK_OK) {
		cur.generation++;
		cur.updated = ctx->now();
		rc = gk_userdb_txn_put(txn, &cur, &err);
		gk_wipe(&cur, sizeof(cur));
		if (rc == GK_OK)
			return gk_userdb_commit(txn, &err) == GK_OK ? GK_OK :
			    (gk_log(&ctx->log, LOG_ERR, "logout everywhere: %s", err.msg), GK_ERR);
	}
	if (txn != NULL)
		gk_userdb_abort(txn);
	gk_log(&ctx->log, LOG_ERR, "logout everywhere: %s", err.msg);
	return GK_ERR;
}

static const struct gk_secret *
login_secret(void *arg)
{
	struct login_ctx *ctx = arg;

	return &ctx->secret;
}

/* The session cookie, verified all the way (lib/auth): signature, claims, user, enabled, generation. */
static bool
session_user(struct rq *q, struct gk_user *u, struct gk_claims *c)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_auth_session_conf sc;

	sc.secret = login_secret;
	sc.secret_arg = ctx;
	sc.cookie_name = ctx->cfg.cookie_name;
	sc.issuer = GK_TOKEN_ISSUER;
	sc.session_ttl = ctx->cfg.session_ttl;
	/* Absent, duplicated (cookie tossing), malformed, forged, revoked: not signed in. */
	return gk_auth_session(&ctx->auth, &sc, header(q, "Cookie"), ctx->now(), u, c) == GK_AUTH_OK;
}

/* ---- the three endpoints ---- */

struct post {
	char user[GK_USER_MAX + 1];
	char password[GK_PASSWORD_MAX + 1];
	char csrf[64];
	char rd[GK_REDIRECT_MAX + 1];
	char everywhere[8];
};

static bool
form_field(const char *body, size_t len, const char *name, char *out, size_t outsz, bool required)
{
	int rc = gk_form_get(body, len, name, out, outsz);

	if (rc == GK_NOTFOUND && !required) {
		out[0] = '\0';
		return true;
	}
	return rc == GK_OK;
}

static bool
content_type_ok(const struct rq *q)
{
	const char *ct = param(q, "CONTENT_TYPE");
	size_t n = strlen("application/x-www-form-urlencoded");

	return ct != NULL && strncasecmp(ct, "application/x-www-form-urlencoded", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static const char *
query_rd(const struct rq *q, char *out, size_t outsz)
{
	const char *qs = param(q, "QUERY_STRING");

	out[0] = '\0';
	if (qs == NULL)
		return out;
	if (gk_form_get(qs, strlen(qs), "rd", out, outsz) != GK_OK &&
	    gk_form_get(qs, strlen(qs), "redirect_uri", out, outsz) != GK_OK)
		out[0] = '\0';
	return out;
}

static void
deny_log(struct rq *q, const char *user, const char *reason)
{
	gk_log_decision(&q->ctx->log, false, user, "form", q->addr, reason, q->self);
}

static void
redirect_after(struct rq *q, const char *rd, const char *user)
{
	struct login_ctx *ctx = q->ctx;
	char loc[GK_REDIRECT_MAX + 64];
	struct gk_err err = { "" };
	char esc[GK_USER_MAX * 4 + 8];

	if (gk_redirect_pick(rd, &ctx->cfg.redirect_domains, ctx->cfg.default_redirect, loc, sizeof(loc),
	    &err) == GK_EINVAL) {
		gk_log(&ctx->log, LOG_NOTICE, "refused redirect target for user=%s from=%s: %s; using "
		    "default_redirect", gk_log_escape(user ? user : "-", esc, sizeof(esc)),
		    q->addr ? q->addr : "-", err.msg);
	}
	q->r.status = 303;
	add_header(q, "Location", loc);
	q->r.ctype = "text/plain; charset=utf-8";
	login_buf_puts(&q->r.body, "See Other\n");
}

/*
 * The one way a session starts (password form and OIDC alike): a fresh
 * token for u, the cookie, the allow line, the redirect to rd (checked).
 */
static void
start_session(struct rq *q, const struct gk_user *u, const char *rd, const char *method)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_claims c;
	struct gk_err err = { "" };
	char token[GK_TOKEN_MAX + 1];
	int64_t now = ctx->now();
	long ttl = ctx->cfg.session_ttl < GK_TOKEN_LIFETIME_MAX ? ctx->cfg.session_ttl :
	    GK_TOKEN_LIFETIME_MAX;
	int rc;

	memset(&c, 0, sizeof(c));
	gk_strcpy(c.sub, sizeof(c.sub), u->name);
	gk_strcpy(c.grp, sizeof(c.grp), u->groups);
	gk_strcpy(c.email, sizeof(c.email), u->email);
	gk_strcpy(c.name, sizeof(c.name), u->display);
	gk_strcpy(c.iss, sizeof(c.iss), GK_TOKEN_ISSUER);
	c.iat = now;
	c.exp = now + ttl;
	c.gen = u->generation;
	rc = gk_token_issue(ctx->secret.key, ctx->secret.len, &c, token, sizeof(token), &err);
	gk_wipe(&c, sizeof(c));
	if (rc != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "cannot issue a session token: %s", err.msg);
		message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		return;
	}
	/* Always a fresh token (no fixation); the pre-session CSRF cookie has done its job. */
	set_cookie(q, ctx->cfg.cookie_name, token, ctx->cfg.cookie_domain, "/", ttl,
	    ctx->cfg.cookie_samesite);
	gk_wipe(token, sizeof(token));
	csrf_clear_cookie(q);
	gk_log_decision(&ctx->log, true, u->name, method, q->addr, NULL, q->self);
	redirect_after(q, rd, u->name);
}

static void
do_login_post(struct rq *q, const char *body, size_t len)
{
	struct login_ctx *ctx = q->ctx;
	struct post *f;
	struct gk_user u;
	const char *why = NULL;
	enum gk_auth_status st;
	bool name_ok;

	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		return;
	}
	memset(&u, 0, sizeof(u));
	if (!content_type_ok(q)) {
		message_page(q, 415, "Error", "The sign-in form was sent in an unexpected format.");
		goto out;
	}
	if (!form_field(body, len, "user", f->user, sizeof(f->user), false) ||
	    !form_field(body, len, "password", f->password, sizeof(f->password), false) ||
	    !form_field(body, len, "csrf", f->csrf, sizeof(f->csrf), true) ||
	    !form_field(body, len, "rd", f->rd, sizeof(f->rd), false)) {
		deny_log(q, NULL, "bad-form");
		login_page(q, 400, GENERIC_ERROR, "", "");
		goto out;
	}
	if (!csrf_valid(q, f->csrf)) {
		deny_log(q, f->user, "csrf");
		q->csrf_cookie[0] = '\0';
		login_page(q, 403, EXPIRED_ERROR, "", f->rd);
		goto out;
	}
	if (!origin_check(q, &why)) {
		deny_log(q, f->user, why);
		login_page(q, 403, EXPIRED_ERROR, "", f->rd);
		goto out;
	}
	name_ok = gk_valid_user(f->user, strlen(f->user));
	st = gk_auth_password(&ctx->auth, f->user, f->password, q->addr, ctx->now(), &u);
	if (st == GK_AUTH_DB_ERROR || st == GK_AUTH_INTERNAL) {
		if (st == GK_AUTH_INTERNAL)
			gk_log(&ctx->log, LOG_ERR, "password verification failed internally");
		message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		goto out;
	}
	if (st != GK_AUTH_OK) {
		/* The form has always logged a ban as "locked" (fail2ban filters read it). */
		deny_log(q, f->user, st == GK_AUTH_BANNED ? "locked" : gk_auth_reason(st));
		login_page(q, 401, GENERIC_ERROR, name_ok ? f->user : "", f->rd);
		goto out;
	}

	/* Authenticated. */
	if (gk_pw_needs_upgrade(u.hash))
		upgrade_hash(q, &u, f->password);
	start_session(q, &u, f->rd, "form");
out:
	gk_wipe(&u, sizeof(u));
	gk_wipe(f, sizeof(*f));
	free(f);
}

static void
do_login(struct rq *q, const char *body, size_t len)
{
	char rd[GK_REDIRECT_MAX + 1];

	if (strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0) {
		login_page(q, 200, NULL, "", query_rd(q, rd, sizeof(rd)));
		return;
	}
	if (strcmp(q->method, "POST") == 0) {
		do_login_post(q, body, len);
		return;
	}
	add_header(q, "Allow", "GET, HEAD, POST");
	message_page(q, 405, "Error", "This address only takes a sign-in form.");
}

static void
do_logout(struct rq *q, const char *body, size_t len)
{
	struct login_ctx *ctx = q->ctx;
	struct login_vars v;
	struct gk_user u;
	struct gk_claims c;
	char rd[GK_REDIRECT_MAX + 1], csrf[64], every[8], mac[64];
	const char *why = NULL;
	bool have;

	memset(&u, 0, sizeof(u));
	memset(&c, 0, sizeof(c));
	if (strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0) {
		/* GET never signs out (an <img src=/logout> must not): it asks. */
		have = session_user(q, &u, &c);
		memset(&v, 0, sizeof(v));
		csrf_ensure(q);
		csrf_emit_cookie(q);
		csrf_mac(ctx, q->csrf_cookie, mac, sizeof(mac));
		v.logout = true;
		v.title = "Sign out";
		v.action = q->self;
		v.csrf = mac;
		v.user = have ? u.name : "";
		v.rd = query_rd(q, rd, sizeof(rd));
		page(q, 200, &v);
		goto out;
	}
	if (strcmp(q->method, "POST") != 0) {
		add_header(q, "Allow", "GET, HEAD, POST");
		message_page(q, 405, "Error", "Use the sign-out button.");
		goto out;
	}
	if (!content_type_ok(q) || !form_field(body, len, "csrf", csrf, sizeof(csrf), true) ||
	    !form_field(body, len, "rd", rd, sizeof(rd), false) ||
	    !form_field(body, len, "everywhere", every, sizeof(every), false)) {
		message_page(q, 400, "Error", "The sign-out form was incomplete. Please try again.");
		goto out;
	}
	if (!csrf_valid(q, csrf) || !origin_check(q, &why)) {
		deny_log(q, NULL, why != NULL ? why : "csrf");
		message_page(q, 403, "Sign out", "This sign-out form has expired. Please try again.");
		goto out;
	}
	have = session_user(q, &u, &c);
	if (have && strcmp(every, "1") == 0) {
		if (bump_generation(q, u.name) != GK_OK) {
			message_page(q, 500, "Error", "Signing out everywhere failed. Please try again later.");
			goto out;
		}
		gk_log(&ctx->log, LOG_NOTICE, "logout-everywhere user=%s from=%s", u.name,
		    q->addr ? q->addr : "-");
	} else if (have) {
		gk_log(&ctx->log, LOG_INFO, "logout user=%s from=%s", u.name, q->addr ? q->addr : "-");
	}
	set_cookie(q, ctx->cfg.cookie_name, "", ctx->cfg.cookie_domain, "/", 0, ctx->cfg.cookie_samesite);
	csrf_clear_cookie(q);
	if (rd[0] != '\0') {
		redirect_after(q, rd, have ? u.name : NULL);
		goto out;
	}
	message_page(q, 200, "Signed out", "You have been signed out.");
out:
	gk_wipe(&u, sizeof(u));
	gk_wipe(&c, sizeof(c));
}

static json_t *
groups_array(const char *list)
{
	json_t *a = json_array();
	const char *p = list, *comma;

	while (a != NULL && *p != '\0') {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		json_array_append_new(a, json_stringn(p, (size_t)(comma - p)));
		p = *comma ? comma + 1 : comma;
	}
	return a;
}

static void
do_whoami(struct rq *q)
{
	struct gk_user u;
	struct gk_claims c;
	json_t *j;

	if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0) {
		add_header(q, "Allow", "GET, HEAD");
		json_reply(q, 405, json_pack("{s:s}", "error", "method-not-allowed"));
		return;
	}
	memset(&u, 0, sizeof(u));
	if (!session_user(q, &u, &c)) {
		json_reply(q, 401, json_pack("{s:s}", "error", "unauthenticated"));
		return;
	}
	j = json_pack("{s:s, s:o, s:o, s:o}", "user", u.name, "groups", groups_array(u.groups),
	    "email", u.email[0] ? json_string(u.email) : json_null(),
	    "name", u.display[0] ? json_string(u.display) : json_null());
	json_reply(q, 200, j);
	gk_wipe(&u, sizeof(u));
	gk_wipe(&c, sizeof(c));
}

/* ---- OpenID Connect / OAuth2 sign-in ---- */

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

static void
oidc_cookie_name(const struct login_ctx *ctx, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s_oidc", ctx->cfg.cookie_name);
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
	const char *cookies = header(q, "Cookie");
	char name[128], val[OIDC_COOKIE_MAX], *dot;
	unsigned char p[OIDC_PAYLOAD_MAX], mac[crypto_auth_hmacsha256_BYTES];
	unsigned char want[crypto_auth_hmacsha256_BYTES];
	size_t plen = 0, mlen = 0, i;
	uint64_t exp = 0;

	memset(f, 0, sizeof(*f));
	oidc_cookie_name(ctx, name, sizeof(name));
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

	gk_log(&q->ctx->log, LOG_NOTICE, "deny user=%s method=oidc from=%s reason=%s uri=%s detail=%s",
	    gk_log_escape(user != NULL && *user ? user : "-", u, sizeof(u)),
	    gk_log_escape(q->addr != NULL ? q->addr : "-", a, sizeof(a)), reason,
	    gk_log_escape(q->self, s, sizeof(s)),
	    gk_log_escape(detail != NULL && *detail ? detail : "-", d, sizeof(d)));
	message_page(q, status, "Sign-in failed", OIDC_FAILED);
}

static void
do_oidc_start(struct rq *q)
{
	struct login_ctx *ctx = q->ctx;
	struct oidc_flow f;
	struct gk_err err = { "" };
	char rd[GK_REDIRECT_MAX + 1], cookie[OIDC_COOKIE_MAX], name[128];
	char url[LOGIN_OIDC_URL_MAX], challenge[OIDC_VALUE_LEN + 1];
	unsigned char h[crypto_hash_sha256_BYTES];
	const char *reason = "internal";
	int64_t now = ctx->now();

	if (ctx->oidc == NULL) {
		message_page(q, 404, "Error", "Sign-in with an identity provider is not configured.");
		return;
	}
	if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0) {
		add_header(q, "Allow", "GET, HEAD");
		message_page(q, 405, "Error", "Use the sign-in button.");
		return;
	}
	memset(&f, 0, sizeof(f));
	query_rd(q, rd, sizeof(rd));
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
	oidc_cookie_name(ctx, name, sizeof(name));
	/* Lax: the provider sends the browser back with a top-level GET from its own site. */
	set_cookie(q, name, cookie, NULL, q->base, OIDC_FLOW_TTL, GK_SAMESITE_LAX);
	q->r.status = 303;
	add_header(q, "Location", url);
	q->r.ctype = "text/plain; charset=utf-8";
	login_buf_puts(&q->r.body, "See Other\n");
out:
	gk_wipe(&f, sizeof(f));
	gk_wipe(cookie, sizeof(cookie));
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
	struct gk_userdb_txn *txn = NULL;
	struct gk_user cur;
	struct gk_err err = { "" };
	int rc;
	bool create;

	rc = db_lookup(q, id->user, u);
	if (rc != GK_OK && rc != GK_NOTFOUND)
		return "database";
	if (rc == GK_OK) {
		if (!(u->flags & GK_USER_EXTERNAL)) {
			snprintf(detail, dsz, "a local (password) user has this name; not taken over");
			return "local-user-exists";
		}
		if (u->flags & GK_USER_DISABLED)
			return "disabled";
		/*
		 * preferred_username is not a stable identifier (a name given up at the
		 * provider can be taken by someone else): an external user whose stored
		 * e-mail differs from the verified one is not handed to a newcomer.
		 */
		if (u->email[0] != '\0' && strcasecmp(u->email, id->email) != 0) {
			snprintf(detail, dsz, "the stored e-mail of this user differs from the verified one");
			return "identity-mismatch";
		}
		/* The e-mail can move between accounts at the provider; its subject never does. */
		if (!gk_extuser_subject_ok(u, id->sub)) {
			snprintf(detail, dsz, "this user is bound to another subject at the provider");
			return "identity-mismatch";
		}
		if (strcmp(u->email, id->email) == 0 &&
		    (id->sub[0] == '\0' || strcmp(u->sub, id->sub) == 0) &&
		    (id->display[0] == '\0' || strcmp(u->display, id->display) == 0) &&
		    (!id->groups_mapped || strcmp(u->groups, id->groups) == 0))
			return "";
	}
	rc = gk_userdb_begin(ctx->cfg.database, false, 5000, &txn, &err);
	if (rc != GK_OK) {
		snprintf(detail, dsz, "%s", err.msg);
		return "database";
	}
	memset(&cur, 0, sizeof(cur));
	rc = gk_userdb_txn_get(txn, id->user, &cur, &err);
	create = rc == GK_NOTFOUND;
	if (rc != GK_OK && !create) {
		gk_userdb_abort(txn);
		snprintf(detail, dsz, "%s", err.msg);
		return "database";
	}
	/* Checked again inside the lock: the user may have been added meanwhile. */
	if (!create && !(cur.flags & GK_USER_EXTERNAL)) {
		gk_userdb_abort(txn);
		snprintf(detail, dsz, "a local (password) user has this name; not taken over");
		return "local-user-exists";
	}
	if (!create && (cur.flags & GK_USER_DISABLED)) {
		gk_userdb_abort(txn);
		return "disabled";
	}
	if (!create && cur.email[0] != '\0' && strcasecmp(cur.email, id->email) != 0) {
		gk_userdb_abort(txn);
		snprintf(detail, dsz, "the stored e-mail of this user differs from the verified one");
		return "identity-mismatch";
	}
	if (!create && !gk_extuser_subject_ok(&cur, id->sub)) {
		gk_userdb_abort(txn);
		snprintf(detail, dsz, "this user is bound to another subject at the provider");
		return "identity-mismatch";
	}
	if (create) {
		char other[GK_USER_MAX + 1];
		bool clash;

		/* Under the writer lock: nobody adds a look-alike before we commit. */
		if (gk_extuser_name_clash(ctx->cfg.database, id->user, &clash, other, sizeof(other),
		    &err) != GK_OK) {
			gk_userdb_abort(txn);
			snprintf(detail, dsz, "%s", err.msg);
			return "database";
		}
		if (clash) {
			gk_userdb_abort(txn);
			snprintf(detail, dsz, "user %s exists: a new name must differ by more than case",
			    other);
			return "name-case-clash";
		}
		gk_user_init(&cur, id->user, ctx->now());
		cur.flags = GK_USER_EXTERNAL;
		cur.hash[0] = '\0';
	}
	gk_strcpy(cur.email, sizeof(cur.email), id->email);
	if (id->display[0] != '\0')
		gk_strcpy(cur.display, sizeof(cur.display), id->display);
	if (id->groups_mapped)
		gk_strcpy(cur.groups, sizeof(cur.groups), id->groups);
	if (id->sub[0] != '\0')
		gk_strcpy(cur.sub, sizeof(cur.sub), id->sub);  /* binds a user created before subjects */
	if (gk_user_validate(&cur, &err) != GK_OK) {
		gk_userdb_abort(txn);
		snprintf(detail, dsz, "%s", err.msg);
		return "bad-identity";
	}
	cur.updated = ctx->now();
	rc = gk_userdb_txn_put(txn, &cur, &err);
	if (rc != GK_OK) {
		gk_userdb_abort(txn);
		snprintf(detail, dsz, "%s", err.msg);
		return "database";
	}
	if (gk_userdb_commit(txn, &err) != GK_OK) {
		snprintf(detail, dsz, "%s", err.msg);
		return "database";
	}
	gk_log(&ctx->log, LOG_NOTICE, "oidc: %s external user %s (groups=%s)",
	    create ? "created" : "updated", id->email, cur.groups[0] ? cur.groups : "-");
	*u = cur;
	gk_wipe(&cur, sizeof(cur));
	return "";
}

static void
do_oidc_callback(struct rq *q)
{
	struct login_ctx *ctx = q->ctx;
	struct oidc_flow f;
	struct login_oidc_id id;
	struct gk_user u;
	struct gk_err err = { "" };
	const char *qs = param(q, "QUERY_STRING"), *reason;
	char name[128], state[128], code[2100], perr[64], detail[300] = "";
	int rc;

	memset(&u, 0, sizeof(u));
	memset(&id, 0, sizeof(id));
	if (ctx->oidc == NULL) {
		message_page(q, 404, "Error", "Sign-in with an identity provider is not configured.");
		return;
	}
	if (strcmp(q->method, "GET") != 0) {
		add_header(q, "Allow", "GET");
		message_page(q, 405, "Error", "This address only takes the identity provider's answer.");
		return;
	}
	/* One use: whatever happens next, this browser's flow cookie is gone. */
	oidc_cookie_name(ctx, name, sizeof(name));
	set_cookie(q, name, "", NULL, q->base, 0, GK_SAMESITE_LAX);
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
	start_session(q, &u, f.rd, "oidc");
out:
	gk_wipe(&f, sizeof(f));
	gk_wipe(&u, sizeof(u));
	gk_wipe(&id, sizeof(id));
}

void
login_csp_init(struct login_ctx *ctx)
{
	const struct gk_strlist *l = &ctx->cfg.redirect_domains;
	size_t i, o;
	const char *e;

	/*
	 * Chromium applies form-action to the redirect after the POST too, so
	 * the hosts we may redirect to must be listed, or the login would stall.
	 */
	o = (size_t)snprintf(ctx->form_action_csp, sizeof(ctx->form_action_csp), "'self'");
	for (i = 0; i < l->count; i++) {
		char src[300];

		e = l->items[i];
		if (e[0] == '*' && e[1] == '.')
			e++;
		if (strspn(e, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:") !=
		    strlen(e) || strlen(e) > 253)
			continue;
		if (e[0] == '.')
			snprintf(src, sizeof(src), " %s *%s", e + 1, e);
		else
			snprintf(src, sizeof(src), " %s", e);
		if (o + strlen(src) + 1 >= sizeof(ctx->form_action_csp))
			break;
		memcpy(ctx->form_action_csp + o, src, strlen(src) + 1);
		o += strlen(src);
	}
}

long
login_content_length(const char *s)
{
	char *end;
	long n;

	if (s == NULL || *s == '\0')
		return 0;
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	return errno != 0 ? -1 : n;
}

void
login_handle(struct login_ctx *ctx, char *const *envp, const char *body, size_t body_len,
    bool body_too_large, struct login_buf *out)
{
	struct rq q;

	memset(&q, 0, sizeof(q));
	q.ctx = ctx;
	login_buf_init(&q.r.hdr);
	login_buf_init(&q.r.body);
	gk_request_init(&q.req, envp);
	q.method = gk_request_method(&q.req);
	if (q.method == NULL)
		q.method = "GET";
	q.addr = gk_request_remote_addr(&q.req);
	route_init(&q);

	if (body_too_large)
		message_page(&q, 413, "Error", "The request was too large.");
	else if (gk_redirect_query_too_long(param(&q, "QUERY_STRING"))) {
		deny_log(&q, NULL, "rd-too-long");     /* refused, not dropped: say so */
		message_page(&q, 400, "Error", "The return address is too long.");
	} else if (login_secret_current(ctx) != GK_OK)
		message_page(&q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
	else if (q.route == R_WHOAMI)
		do_whoami(&q);
	else if (q.route == R_LOGOUT)
		do_logout(&q, body != NULL ? body : "", body != NULL ? body_len : 0);
	else if (q.route == R_OIDC_START)
		do_oidc_start(&q);
	else if (q.route == R_OIDC_CALLBACK)
		do_oidc_callback(&q);
	else
		do_login(&q, body != NULL ? body : "", body != NULL ? body_len : 0);
	finish(&q, out);
	login_buf_free(&q.r.hdr);
	login_buf_free(&q.r.body);
	gk_wipe(q.csrf_cookie, sizeof(q.csrf_cookie));
}
