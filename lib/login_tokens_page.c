/* login_tokens_page.c: a signed-in user's app passwords at <base>/account/tokens: list, add (shown once), revoke by name; no JavaScript, CSRF-protected, every change re-authenticated. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apptoken.h"
#include "creds.h"
#include "form.h"
#include "login_tokens_page.h"
#include "login_totp.h"

#define UNAVAIL "The account service is unavailable. Please try again later."
#define METHODS_MAX 128

struct tok_form {
	char csrf[64], action[16], password[GK_PASSWORD_MAX + 1];
	char name[GK_CRED_NAME_MAX + 1], expires[32], path[GK_CRED_SCOPE_MAX + 1], methods[METHODS_MAX];
};

struct tok_req {
	struct gk_user u;
	struct gk_claims c;
	struct gk_creds creds;
	struct tok_form f;
	char mac[64];
	char token[GK_APPTOKEN_MAX + 1];
};

bool
login_tokens_route(struct rq *q)
{
	static const char seg[] = "/account/tokens";
	size_t n = strlen(q->self), k = sizeof(seg) - 1;

	if (n <= k || strcmp(q->self + n - k, seg) != 0)
		return false;
	q->route = R_TOKENS;
	gk_memcpy_str(q->base, sizeof(q->base), q->self, n - k);
	if (q->base[0] == '\0')
		gk_strcpy(q->base, sizeof(q->base), "/");
	return true;
}

static void
when(struct login_buf *b, int64_t t, const char *none)
{
	char s[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL || strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", &tm) == 0)
		login_buf_puts(b, none);
	else
		login_buf_puts(b, s);
}

static void
page(struct rq *q, struct tok_req *s, int status, const char *note, const char *error)
{
	struct login_ctx *ctx = q->ctx;
	struct login_buf *b = &q->r.body;
	struct gk_err err = { "" };
	char link[SELF_MAX + 16];
	size_t i, shown = 0;

	if (login_userdb(ctx) == NULL ||
	    gk_userdb_creds(login_userdb(ctx), s->u.name, &s->creds, &err) != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "app passwords of user=%s unreadable: %s", s->u.name, err.msg);
		login_message_page(q, 500, "Error", UNAVAIL);
		return;
	}
	login_csrf_ensure(q);
	login_csrf_emit_cookie(q);
	login_csrf_mac(ctx, q->csrf_cookie, s->mac, sizeof(s->mac));
	q->r.status = status;
	q->r.ctype = "text/html; charset=utf-8";
	login_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>App passwords &middot; ");
	login_buf_html(b, ctx->cfg.realm);
	login_buf_puts(b, "</title>\n<style>\n:root { color-scheme: light dark; }\n"
	    "body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }\n"
	    "section { border: 1px solid #7d8696; border-radius: 8px; padding: 0 1rem 1rem; margin: 1rem 0; }\n"
	    "label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }\n"
	    "input[type=password], input[type=text] { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; }\n"
	    "button { margin-top: 1rem; padding: .5rem 1rem; font: inherit; }\n"
	    "table { border-collapse: collapse; } th, td { text-align: left; padding: .25rem .5rem; }\n"
	    ".error { color: #b00020; } .note { color: #1b6e2a; } code { word-break: break-all; }\n"
	    "</style>\n</head>\n<body>\n<main>\n<h1>App passwords</h1>\n");
	if (error != NULL) {
		login_buf_puts(b, "<p class=\"error\" role=\"alert\" id=\"gk-error\">");
		login_buf_html(b, error);
		login_buf_puts(b, "</p>\n");
	}
	if (note != NULL) {
		login_buf_puts(b, "<p class=\"note\" role=\"status\" id=\"gk-note\">");
		login_buf_html(b, note);
		login_buf_puts(b, "</p>\n");
	}
	if (s->token[0] != '\0') {
		login_buf_puts(b, "<section id=\"gk-new-token\">\n<h2>Your new app password</h2>\n"
		    "<p>Copy it now: it is not shown again. Use it as the password of your user name "
		    "(or as <code>Authorization: Bearer</code>).</p>\n<p><code id=\"gk-token\">");
		login_buf_html(b, s->token);
		login_buf_puts(b, "</code></p>\n</section>\n");
	}
	login_buf_puts(b, "<p>Signed in as <strong id=\"gk-user\">");
	login_buf_html(b, s->u.name);
	login_buf_puts(b, "</strong>. App passwords let programs (DAV clients, phone apps, scripts) sign in "
	    "without your password; they never open the sign-in form.</p>\n"
	    "<section id=\"gk-tokens\">\n<h2>Your app passwords</h2>\n");
	for (i = 0; i < s->creds.n; i++) {
		const struct gk_cred *e = &s->creds.c[i];

		if (e->kind != GK_CRED_TOKEN)
			continue;
		if (shown++ == 0)
			login_buf_puts(b, "<table>\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Created</th>"
			    "<th scope=\"col\">Expires</th><th scope=\"col\">Last used</th><th scope=\"col\">Scope</th>"
			    "<th scope=\"col\">State</th></tr></thead>\n<tbody>\n");
		login_buf_puts(b, "<tr class=\"gk-token\"><td>");
		login_buf_html(b, e->name);
		login_buf_puts(b, "</td><td>");
		when(b, e->created, "-");
		login_buf_puts(b, "</td><td>");
		when(b, e->expires, "never");
		login_buf_puts(b, "</td><td>");
		when(b, e->last_used, "never");
		login_buf_puts(b, "</td><td>");
		login_buf_html(b, e->scope[0] != '\0' ? e->scope : "all of your rights");
		login_buf_printf(b, "</td><td>%s</td></tr>\n", e->generation != s->u.generation ? "revoked" :
		    e->expires != 0 && ctx->now() >= e->expires ? "expired" : "active");
	}
	login_buf_puts(b, shown > 0 ? "</tbody>\n</table>\n" : "<p id=\"gk-no-tokens\">None.</p>\n");
	login_buf_puts(b, "</section>\n");

	login_buf_puts(b, "<section id=\"gk-token-add\">\n<h2>Add an app password</h2>\n<form method=\"post\" action=\"");
	login_buf_html(b, q->self);
	login_buf_puts(b, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
	login_buf_html(b, s->mac);
	login_buf_puts(b, "\">\n<input type=\"hidden\" name=\"action\" value=\"add\">\n"
	    "<label for=\"gk-add-name\">Name (letters, digits and . _ @ + -; empty: token1, token2...)</label>\n"
	    "<input type=\"text\" id=\"gk-add-name\" name=\"name\" maxlength=\"64\">\n"
	    "<label for=\"gk-add-expires\">Expires (empty or never; 90d, 12h, 2w; or YYYY-MM-DD)</label>\n"
	    "<input type=\"text\" id=\"gk-add-expires\" name=\"expires\" maxlength=\"31\">\n"
	    "<label for=\"gk-add-path\">Only under this path (empty: everywhere you may go)</label>\n"
	    "<input type=\"text\" id=\"gk-add-path\" name=\"path\" maxlength=\"200\">\n"
	    "<label for=\"gk-add-methods\">Only these methods, space-separated (empty: all)</label>\n"
	    "<input type=\"text\" id=\"gk-add-methods\" name=\"methods\" maxlength=\"120\">\n"
	    "<label for=\"gk-add-pw\">Current password</label>\n<input type=\"password\" id=\"gk-add-pw\" "
	    "name=\"password\" autocomplete=\"current-password\" maxlength=\"256\" required>\n"
	    "<button type=\"submit\">Add</button>\n</form>\n</section>\n");

	if (shown > 0) {
		login_buf_puts(b, "<section id=\"gk-token-revoke\">\n<h2>Revoke an app password</h2>\n<form method=\"post\" action=\"");
		login_buf_html(b, q->self);
		login_buf_puts(b, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
		login_buf_html(b, s->mac);
		login_buf_puts(b, "\">\n<input type=\"hidden\" name=\"action\" value=\"revoke\">\n"
		    "<label for=\"gk-revoke-name\">Name</label>\n<input type=\"text\" id=\"gk-revoke-name\" "
		    "name=\"name\" maxlength=\"64\" required>\n<label for=\"gk-revoke-pw\">Current password</label>\n"
		    "<input type=\"password\" id=\"gk-revoke-pw\" name=\"password\" autocomplete=\"current-password\" "
		    "maxlength=\"256\" required>\n<button type=\"submit\">Revoke</button>\n</form>\n</section>\n");
	}
	login_sibling(q, "account", link, sizeof(link));
	login_buf_puts(b, "<p><a href=\"");
	login_buf_html(b, link);
	login_buf_puts(b, "\">Back to the account page</a></p>\n</main>\n</body>\n</html>\n");
}

/* "path=/p,method=A+B" from the two fields, for gk_apptoken_scope_parse (the CLI's one check). */
static bool
scope_of(const struct tok_form *f, char *out, size_t outsz, struct gk_err *err)
{
	char raw[GK_CRED_SCOPE_MAX + METHODS_MAX + 16] = "", m[METHODS_MAX];
	char *p;
	int n;

	out[0] = '\0';
	gk_strcpy(m, sizeof(m), f->methods);
	for (p = m; *p != '\0'; p++)
		if (*p == ' ' || *p == ',')
			*p = '+';
	while (m[0] == '+')
		memmove(m, m + 1, strlen(m));
	while ((n = (int)strlen(m)) > 0 && m[n - 1] == '+')
		m[n - 1] = '\0';
	if (f->path[0] == '\0' && m[0] == '\0')
		return true;
	snprintf(raw, sizeof(raw), "%s%s%s%s%s", f->path[0] ? "path=" : "", f->path,
	    f->path[0] && m[0] ? "," : "", m[0] ? "method=" : "", m);
	return gk_apptoken_scope_parse(raw, out, outsz, err) == GK_OK;
}

static void
do_add(struct rq *q, struct tok_req *s)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_err err = { "" };
	char scope[GK_CRED_SCOPE_MAX + 1], msg[sizeof(err.msg) + 32];
	int64_t now = ctx->now(), expires = 0;
	int rc;

	if (gk_apptoken_expires_parse(s->f.expires[0] ? s->f.expires : "never", now, &expires, &err) != GK_OK) {
		snprintf(msg, sizeof(msg), "Expires: %s", err.msg);
		page(q, s, 400, NULL, msg);
		return;
	}
	if (!scope_of(&s->f, scope, sizeof(scope), &err)) {
		snprintf(msg, sizeof(msg), "Scope: %s", err.msg);
		page(q, s, 400, NULL, msg);
		return;
	}
	rc = gk_apptoken_add(ctx->cfg.database, s->u.name, s->f.name[0] ? s->f.name : NULL, expires,
	    scope, now, s->token, &err);
	if (rc == GK_OK) {
		gk_log(&ctx->log, LOG_NOTICE, "app password added user=%s from=%s (account page)",
		    s->u.name, q->addr ? q->addr : "-");
		page(q, s, 200, "App password added.", NULL);
	} else if (rc == GK_EINVAL || rc == GK_EDUP || rc == GK_ETOOLONG) {
		page(q, s, 400, NULL, err.msg);
	} else {
		gk_log(&ctx->log, LOG_ERR, "app password of user %s not added: %s", s->u.name, err.msg);
		login_message_page(q, 500, "Error", UNAVAIL);
	}
}

static void
do_revoke(struct rq *q, struct tok_req *s)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_err err = { "" };
	int rc = gk_apptoken_revoke(ctx->cfg.database, s->u.name, s->f.name, &err);

	if (rc == GK_OK) {
		gk_log(&ctx->log, LOG_NOTICE, "app password revoked user=%s from=%s (account page)",
		    s->u.name, q->addr ? q->addr : "-");
		page(q, s, 200, "App password revoked.", NULL);
	} else if (rc == GK_NOTFOUND) {
		page(q, s, 400, NULL, "No app password has that name.");
	} else {
		gk_log(&ctx->log, LOG_ERR, "app password of user %s not revoked: %s", s->u.name, err.msg);
		login_message_page(q, 500, "Error", UNAVAIL);
	}
}

static bool
read_post(const char *body, size_t len, struct tok_form *f)
{
	return login_field(body, len, "csrf", f->csrf, sizeof(f->csrf), true) &&
	    login_field(body, len, "action", f->action, sizeof(f->action), true) &&
	    login_field(body, len, "password", f->password, sizeof(f->password), false) &&
	    login_field(body, len, "name", f->name, sizeof(f->name), false) &&
	    login_field(body, len, "expires", f->expires, sizeof(f->expires), false) &&
	    login_field(body, len, "path", f->path, sizeof(f->path), false) &&
	    login_field(body, len, "methods", f->methods, sizeof(f->methods), false);
}

static void
tokens_post(struct rq *q, struct tok_req *s, const char *body, size_t len)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_user again;
	enum gk_auth_status st;
	const char *why = NULL;

	if (!login_form_urlencoded(q) || !read_post(body, len, &s->f)) {
		login_deny_log(q, s->u.name, "bad-form");
		page(q, s, 400, NULL, "The form was incomplete. Please try again.");
		return;
	}
	if (!login_csrf_valid(q, s->f.csrf) || !login_origin_check(q, &why)) {
		login_deny_log(q, s->u.name, why != NULL ? why : "csrf");
		q->csrf_cookie[0] = '\0';
		page(q, s, 403, NULL, "This form has expired. Please try again.");
		return;
	}
	if (strcmp(s->f.action, "add") != 0 && strcmp(s->f.action, "revoke") != 0) {
		page(q, s, 400, NULL, "Unknown request.");
		return;
	}
	/* Fresh re-authentication, as on the account page. A token is never taken as the password here. */
	memset(&again, 0, sizeof(again));
	st = gk_apptoken_shaped(s->f.password) ? GK_AUTH_BAD_PASSWORD :
	    gk_auth_password(&ctx->auth, s->u.name, s->f.password, q->addr, ctx->now(), &again);
	gk_wipe(&again, sizeof(again));
	if (st == GK_AUTH_DB_ERROR || st == GK_AUTH_INTERNAL || st == GK_AUTH_LOCKOUT_ERROR) {
		login_message_page(q, 500, "Error", UNAVAIL);
		return;
	}
	if (st != GK_AUTH_OK) {
		login_deny_log(q, s->u.name, st == GK_AUTH_BANNED ? "locked" : gk_auth_reason(st));
		page(q, s, 401, NULL, "Incorrect current password.");
		return;
	}
	if (strcmp(s->f.action, "add") == 0)
		do_add(q, s);
	else
		do_revoke(q, s);
}

void
login_tokens_page(struct rq *q, const char *body, size_t len)
{
	struct tok_req *s;

	if (q->ctx->cfg.user_backend != GK_USERBACKEND_GDBM) {
		login_message_page(q, 404, "Error", "App passwords are kept in the user database, not used here.");
		return;
	}
	if (!login_page_method_ok(q, "Use the forms of this page."))
		return;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		login_message_page(q, 500, "Error", UNAVAIL);
		return;
	}
	/* The session cookie only (lib/auth, fully verified): Basic or Bearer never reaches this far. */
	if (!login_session_user(q, &s->u, &s->c))
		login_message_page(q, 401, "App passwords", "Please sign in first.");
	else if (login_totp_code_first(q, s->u.name, s->c.amr))
		;       /* a TOTP user's password-only session: the code step first */
	else if (strcmp(q->method, "POST") == 0)
		tokens_post(q, s, body, len);
	else
		page(q, s, 200, NULL, NULL);
	gk_wipe(s, sizeof(*s));
	free(s);
}
