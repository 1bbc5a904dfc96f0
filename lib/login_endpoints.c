/* login_endpoints.c: gatekeep-login's password endpoints: the sign-in form, logout (one or every session) and whoami. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "form.h"
#include "login_request.h"
#include "login_totp.h"
#include "login_passkey.h"
#include "validate.h"
#include "metrics.h"

#define GENERIC_ERROR    "Incorrect user name or password."
#define EXPIRED_ERROR    "This sign-in form has expired. Please try again."

/* ---- the three endpoints ---- */

struct post {
	char user[GK_USER_MAX + 1];
	char password[GK_PASSWORD_MAX + 1];
	char csrf[64];
	char rd[GK_REDIRECT_MAX + 1];
	char everywhere[8];
	struct gk_user u;       /* the user signing in: wiped with the form */
};

static void
do_login_post(struct rq *q, const char *body, size_t len)
{
	struct login_ctx *ctx = q->ctx;
	struct post *f;
	const char *why = NULL;
	enum gk_auth_status st;
	bool name_ok;

	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		login_message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		return;
	}
	const struct login_field fields[] = { LOGIN_FIELD("user", f->user, false),
		LOGIN_FIELD("password", f->password, false), LOGIN_FIELD("csrf", f->csrf, true),
		LOGIN_FIELD("rd", f->rd, false) };

	if (!login_signin_form_read(q, body, len, fields, sizeof(fields) / sizeof(fields[0]), GENERIC_ERROR))
		goto out;
	if (!login_csrf_valid(q, f->csrf)) {
		login_deny_log(q, f->user, "csrf");
		q->csrf_cookie[0] = '\0';
		login_form_page(q, 403, EXPIRED_ERROR, "", f->rd);
		goto out;
	}
	if (!login_origin_check(q, &why)) {
		login_deny_log(q, f->user, why);
		login_form_page(q, 403, EXPIRED_ERROR, "", f->rd);
		goto out;
	}
	name_ok = gk_valid_user(f->user, strlen(f->user));
	st = gk_auth_password(&ctx->auth, f->user, f->password, q->addr, ctx->now(), &f->u);
	if (st == GK_AUTH_DB_ERROR || st == GK_AUTH_INTERNAL) {
		if (st == GK_AUTH_INTERNAL)
			gk_log(&ctx->log, LOG_ERR, "password verification failed internally");
		login_message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		goto out;
	}
	if (st != GK_AUTH_OK) {
		/* The reasons gatekeep-authz logs (a ban: "banned"), which fail2ban's filter reads. */
		login_deny_log(q, f->user, gk_auth_reason(st));
		login_form_page(q, 401, GENERIC_ERROR, name_ok ? f->user : "", f->rd);
		goto out;
	}

	/* Authenticated. */
	if (gk_pw_needs_upgrade(f->u.hash))
		login_upgrade_hash(q, &f->u, f->password);
	q->amr = GK_AMR_PWD;
	if (login_totp_after_password(q, &f->u, f->rd))
		goto out;       /* the code step (lib/login_totp.c) */
	if (login_passkey_second_factor(q, &f->u, f->rd))
		goto out;       /* the passkey step (lib/login_passkey.c) */
	login_start_session(q, &f->u, f->rd, "form");
out:
	gk_freezero(f, sizeof(*f));
}

void
login_do_login(struct rq *q, const char *body, size_t len)
{
	char rd[GK_REDIRECT_MAX + 1];

	if (!login_page_method_ok(q, "This address only takes a sign-in form."))
		return;
	if (strcmp(q->method, "POST") != 0) {
		if (!login_totp_get(q))
			login_form_page(q, 200, NULL, "", login_query_rd(q, rd, sizeof(rd)));
	} else if (!login_totp_post(q, body, len))
		do_login_post(q, body, len);
}

void
login_do_logout(struct rq *q, const char *body, size_t len)
{
	struct login_ctx *ctx = q->ctx;
	struct login_vars v;
	struct gk_user u;
	struct gk_claims c;
	char rd[GK_REDIRECT_MAX + 1], csrf[64], every[8];
	const struct login_field fields[] = { LOGIN_FIELD("csrf", csrf, true), LOGIN_FIELD("rd", rd, false),
		LOGIN_FIELD("everywhere", every, false) };
	const char *why = NULL;
	bool have;

	memset(&u, 0, sizeof(u));
	memset(&c, 0, sizeof(c));
	if (strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0) {
		/* GET never signs out (an <img src=/logout> must not): it asks. */
		have = login_session_user(q, &u, &c);
		memset(&v, 0, sizeof(v));
		v.logout = true;
		v.title = "Sign out";
		v.user = have ? u.name : "";
		v.rd = login_query_rd(q, rd, sizeof(rd));
		login_show_form(q, 200, &v);
		goto out;
	}
	if (strcmp(q->method, "POST") != 0) {
		login_add_header(q, "Allow", "GET, HEAD, POST");
		login_message_page(q, 405, "Error", "Use the sign-out button.");
		goto out;
	}
	if (!login_form_post_ok(q) || !login_form_read(body, len, fields, sizeof(fields) / sizeof(fields[0]))) {
		login_message_page(q, 400, "Error", "The sign-out form was incomplete. Please try again.");
		goto out;
	}
	if (!login_csrf_valid(q, csrf) || !login_origin_check(q, &why)) {
		login_deny_log(q, NULL, why != NULL ? why : "csrf");
		login_message_page(q, 403, "Sign out", "This sign-out form has expired. Please try again.");
		goto out;
	}
	have = login_session_user(q, &u, &c);
	if (have && strcmp(every, "1") == 0) {
		if (login_bump_generation(q, u.name) != GK_OK) {
			login_message_page(q, 500, "Error", "Signing out everywhere failed. Please try again later.");
			goto out;
		}
		gk_log(&ctx->log, LOG_NOTICE, "logout-everywhere user=%s from=%s", u.name,
		    q->addr ? q->addr : "-");
		gk_metrics_signout(true);       /* lib/metrics */
	} else if (have) {
		gk_log(&ctx->log, LOG_NOTICE, "logout user=%s from=%s", u.name, q->addr ? q->addr : "-");
		gk_metrics_signout(false);      /* lib/metrics */
	}
	login_set_cookie(q, ctx->cfg.cookie_name, "", ctx->cfg.cookie_domain, "/", 0, ctx->cfg.cookie_samesite);
	login_csrf_clear_cookie(q);
	if (rd[0] != '\0') {
		login_redirect_after(q, rd, have ? u.name : NULL);
		goto out;
	}
	login_message_page(q, 200, "Signed out", "You have been signed out.");
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

void
login_do_whoami(struct rq *q)
{
	struct gk_user u;
	struct gk_claims c;
	json_t *j;

	if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0) {
		login_add_header(q, "Allow", "GET, HEAD");
		login_json_reply(q, 405, json_pack("{s:s}", "error", "method-not-allowed"));
		return;
	}
	memset(&u, 0, sizeof(u));
	if (!login_session_user(q, &u, &c)) {
		login_json_reply(q, 401, json_pack("{s:s}", "error", "unauthenticated"));
		return;
	}
	j = json_pack("{s:s, s:o, s:o, s:o}", "user", u.name, "groups", groups_array(u.groups),
	    "email", u.email[0] ? json_string(u.email) : json_null(),
	    "name", u.display[0] ? json_string(u.display) : json_null());
	login_json_reply(q, 200, j);
	gk_wipe(&u, sizeof(u));
	gk_wipe(&c, sizeof(c));
}
