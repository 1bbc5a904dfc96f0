/* login_tokens_page.c: a signed-in user's app passwords at <base>/account/tokens: list, add (shown once), revoke by name; no JavaScript, CSRF-protected, every change re-authenticated. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apptoken.h"
#include "creds.h"
#include "form.h"
#include "login_enrol.h"
#include "login_html.h"
#include "login_tokens_page.h"
#include "login_totp.h"

#define UNAVAIL "The account service is unavailable. Please try again later."
#define METHODS_MAX 128

struct tok_form {
	struct login_change head;       /* csrf, action, the current password */
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
	login_csrf_page_token(q, s->mac, sizeof(s->mac));
	login_html_start(q, status, "App passwords", note, error);
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
		login_buf_printf(b, "</td><td>%s</td></tr>\n", e->generation < s->u.generation ? "revoked" :
		    e->expires != 0 && ctx->now() >= e->expires ? "expired" : "active");
	}
	login_buf_puts(b, shown > 0 ? "</tbody>\n</table>\n" : "<p id=\"gk-no-tokens\">None.</p>\n");
	login_buf_puts(b, "</section>\n");

	login_buf_puts(b, "<section id=\"gk-token-add\">\n<h2>Add an app password</h2>\n");
	login_html_form(q, s->mac, "add");
	login_buf_puts(b, "<label for=\"gk-add-name\">Name (letters, digits and . _ @ + -; empty: token1, token2...)</label>\n"
	    "<input type=\"text\" id=\"gk-add-name\" name=\"name\" maxlength=\"64\">\n"
	    "<label for=\"gk-add-expires\">Expires (empty or never; 90d, 12h, 2w; or YYYY-MM-DD)</label>\n"
	    "<input type=\"text\" id=\"gk-add-expires\" name=\"expires\" maxlength=\"31\">\n"
	    "<label for=\"gk-add-path\">Only under this path (empty: everywhere you may go)</label>\n"
	    "<input type=\"text\" id=\"gk-add-path\" name=\"path\" maxlength=\"200\">\n"
	    "<label for=\"gk-add-methods\">Only these methods, space-separated (empty: all)</label>\n"
	    "<input type=\"text\" id=\"gk-add-methods\" name=\"methods\" maxlength=\"120\">\n");
	login_html_current_password(q, "add");
	login_buf_puts(b, "<button type=\"submit\">Add</button>\n</form>\n</section>\n");

	if (shown > 0) {
		login_buf_puts(b, "<section id=\"gk-token-revoke\">\n<h2>Revoke an app password</h2>\n");
		login_html_form(q, s->mac, "revoke");
		login_buf_puts(b, "<label for=\"gk-revoke-name\">Name</label>\n<input type=\"text\" "
		    "id=\"gk-revoke-name\" name=\"name\" maxlength=\"64\" required>\n");
		login_html_current_password(q, "revoke");
		login_buf_puts(b, "<button type=\"submit\">Revoke</button>\n</form>\n</section>\n");
	}
	login_sibling(q, "account", link, sizeof(link));
	login_buf_puts(b, "<p><a href=\"");
	login_buf_html(b, link);
	login_buf_puts(b, "\">Back to the account page</a></p>\n");
	login_html_end(q);
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
	/* The shared store's generation (state_backend = redis), as a new session's. */
	rc = gk_apptoken_add_at(ctx->cfg.database, s->u.name, s->f.name[0] ? s->f.name : NULL,
	    expires, scope, gk_auth_issue_generation(&ctx->auth, &s->u, "app token"), now, s->token, &err);
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

static void
tokens_post(struct rq *q, struct tok_req *s, const char *body, size_t len)
{
	const struct login_field fields[] = { LOGIN_FIELD("name", s->f.name, false),
		LOGIN_FIELD("expires", s->f.expires, false), LOGIN_FIELD("path", s->f.path, false),
		LOGIN_FIELD("methods", s->f.methods, false) };
	const char *msg = NULL;
	int status;

	status = login_change_form(q, s->u.name, body, len, &s->f.head, fields,
	    sizeof(fields) / sizeof(fields[0]), &msg);
	if (status != 0) {
		page(q, s, status, NULL, msg);
		return;
	}
	if (strcmp(s->f.head.action, "add") != 0 && strcmp(s->f.head.action, "revoke") != 0) {
		page(q, s, 400, NULL, "Unknown request.");
		return;
	}
	/* Fresh re-authentication, as on the account page. A token is never taken as the password here. */
	status = login_reauth(q, s->u.name, s->f.head.password, false);
	if (status == 401)
		page(q, s, 401, NULL, "Incorrect current password.");
	else if (status == 0 && strcmp(s->f.head.action, "add") == 0)
		do_add(q, s);
	else if (status == 0)
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
	else if (login_enrol_second_first(q, &s->u, s->c.amr))
		;       /* a second factor applies and this session has none: never a token from a password */
	else if (strcmp(q->method, "POST") == 0)
		tokens_post(q, s, body, len);
	else
		page(q, s, 200, NULL, NULL);
	gk_freezero(s, sizeof(*s));
}
