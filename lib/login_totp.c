/* login_totp.c: gatekeep-login's code step: after the password (or for a password-only session on a path that needs more), a TOTP or recovery code, then a session marked with the second factor. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "form.h"
#include "login_enrol.h"
#include "login_totp.h"
#include "totp_store.h"
#include "validate.h"

#define CODE_ERROR    "Incorrect code."
#define PENDING_ERROR "This sign-in has expired. Please sign in again."

/* The pending state: a token of its own issuer, good for LOGIN_PENDING_TTL seconds. */
static int
pending_issue(struct rq *q, const struct gk_user *u, char *out, size_t outsz)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_claims c;
	struct gk_err err = { "" };
	int64_t now = ctx->now();
	int rc;

	memset(&c, 0, sizeof(c));
	gk_strcpy(c.sub, sizeof(c.sub), u->name);
	gk_strcpy(c.iss, sizeof(c.iss), LOGIN_PENDING_ISSUER);
	c.iat = now;
	c.exp = now + LOGIN_PENDING_TTL;
	c.gen = u->generation;
	c.amr = GK_AMR_PWD;
	rc = gk_token_issue(ctx->secret.key, ctx->secret.len, &c, out, outsz, &err);
	if (rc != GK_OK)
		gk_log(&ctx->log, LOG_ERR, "cannot issue a pending sign-in: %s", err.msg);
	return rc;
}

/* The user a pending state names, still enabled and of the same generation; false (logged) if not. */
static bool
pending_user(struct rq *q, const char *pending, struct gk_user *u)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_claims c;
	struct gk_err err = { "" };
	int rc;

	memset(u, 0, sizeof(*u));
	rc = gk_token_verify(&ctx->secret, pending, LOGIN_PENDING_ISSUER, ctx->now(), 0,
	    LOGIN_PENDING_TTL, &c, &err);
	if (rc != GK_OK) {
		login_deny_log(q, NULL, rc == GK_TOKEN_EXPIRED ? "pending-expired" : "pending-invalid");
		gk_wipe(&c, sizeof(c));
		return false;
	}
	rc = login_db_lookup(ctx, c.sub, u);
	/*
	 * Generations restart at 1 when a user is deleted and created again under the same
	 * name: a pending state issued before the record was created is its namesake's.
	 */
	if (rc != GK_OK || (u->flags & GK_USER_DISABLED) || u->generation != c.gen ||
	    gk_auth_issued_before_user(c.iat, u)) {
		login_deny_log(q, c.sub, rc != GK_OK ? "unknown-user" : (u->flags & GK_USER_DISABLED) ?
		    "disabled" : "pending-revoked");
		gk_wipe(u, sizeof(*u));
		gk_wipe(&c, sizeof(c));
		return false;
	}
	gk_wipe(&c, sizeof(c));
	return true;
}

static void
code_page(struct rq *q, int status, const char *error, const char *user, const char *pending,
    const char *rd)
{
	struct login_vars v = { .code = true, .title = "Two-step verification", .error = error,
		.user = user, .pending = pending, .rd = rd };

	login_show_form(q, status, &v);
}

/* Enrolled? GK_OK with *on, or an error (logged). */
static int
enrolled(struct rq *q, const char *user, bool *on)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_err err = { "" };
	size_t n;
	int rc = GK_EIO;

	*on = false;
	if (ctx->cfg.user_backend != GK_USERBACKEND_GDBM)
		return GK_OK;     /* directory users have no credentials store: not enrolled */
	if (login_userdb(ctx) != NULL)
		rc = gk_totp_store_status(login_userdb(ctx), user, on, &n, &err);
	else
		gk_strcpy(err.msg, sizeof(err.msg), "the user database cannot be opened");
	if (rc != GK_OK)
		gk_log(&ctx->log, LOG_ERR, "second factor of user %s: %s", user, err.msg);
	return rc;
}

bool
login_totp_after_password(struct rq *q, const struct gk_user *u, const char *rd)
{
	char pending[GK_TOKEN_MAX + 1];
	bool on;

	if (enrolled(q, u->name, &on) != GK_OK) {
		login_message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		return true;
	}
	if (!on)
		return false;
	if (pending_issue(q, u, pending, sizeof(pending)) != GK_OK) {
		login_message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		return true;
	}
	gk_log(&q->ctx->log, LOG_NOTICE, "password accepted, code asked user=%s from=%s", u->name,
	    q->addr ? q->addr : "-");
	code_page(q, 200, NULL, u->name, pending, rd);
	gk_wipe(pending, sizeof(pending));
	return true;
}

bool
login_totp_get(struct rq *q)
{
	const char *qs = login_param(q, "QUERY_STRING");
	char flag[4], rd[GK_REDIRECT_MAX + 1], pending[GK_TOKEN_MAX + 1], acct[SELF_MAX + 16];
	struct gk_user u;
	struct gk_claims c;
	bool on;

	if (qs == NULL || gk_form_get(qs, strlen(qs), "2fa", flag, sizeof(flag)) != GK_OK ||
	    strcmp(flag, "1") != 0)
		return false;
	if (!login_session_user(q, &u, &c))
		return false;           /* not signed in: the password first */
	login_query_rd(q, rd, sizeof(rd));
	if (c.amr & GK_AMR_SECOND_FACTOR) {
		/* Already verified: what sent us here was not about the code. */
		login_redirect_after(q, rd, u.name);
	} else if (enrolled(q, u.name, &on) != GK_OK) {
		login_message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
	} else if (!on && login_enrol_self_refused(q, &u)) {
		;       /* second_factor_enrol = admin: the administrator enrols, not this page */
	} else if (!on) {
		/* The page needs a second factor this user has not set up: the account page enrols. */
		login_sibling(q, "account", acct, sizeof(acct));
		login_see_other(q, acct);
	} else if (pending_issue(q, &u, pending, sizeof(pending)) != GK_OK) {
		login_message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
	} else {
		code_page(q, 200, NULL, u.name, pending, rd);
	}
	gk_wipe(pending, sizeof(pending));
	gk_wipe(&u, sizeof(u));
	gk_wipe(&c, sizeof(c));
	return true;
}

/* Does the password form ask user for a passkey after the password? GK_OK with *on, or an error (logged). */
static int
passkey_second(struct rq *q, const char *user, bool *on)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_err err = { "" };
	struct gk_creds *c;
	int rc = GK_EIO;

	*on = false;
	if (!ctx->cfg.passkeys || !ctx->cfg.passkey_second_factor ||
	    ctx->cfg.user_backend != GK_USERBACKEND_GDBM)
		return GK_OK;
	if ((c = calloc(1, sizeof(*c))) != NULL && login_userdb(ctx) != NULL)
		rc = gk_userdb_creds(login_userdb(ctx), user, c, &err);
	if (rc == GK_OK)
		*on = gk_creds_count(c, GK_CRED_PASSKEY) > 0;
	else
		gk_log(&ctx->log, LOG_ERR, "passkeys of user=%s unreadable: %s", user, err.msg);
	if (c != NULL)
		gk_wipe(c, sizeof(*c));
	free(c);
	return rc;
}

bool
login_totp_code_first(struct rq *q, const char *user, uint32_t amr)
{
	char next[4 * SELF_MAX + 64], enc[3 * SELF_MAX + 1];
	bool on, pk = false;

	if (amr & GK_AMR_SECOND_FACTOR)
		return false;
	if (enrolled(q, user, &on) != GK_OK || (!on && passkey_second(q, user, &pk) != GK_OK)) {
		login_message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		return true;
	}
	if (!on && !pk)
		return false;
	/*
	 * Else a password-only session would add a method that passes for a second factor
	 * (a passkey, an app token, TOTP): the code step, or for a passkey user the sign-in
	 * form (password, then the passkey).
	 */
	login_sibling(q, "login", next, sizeof(next));
	if (gk_form_encode(q->self, enc, sizeof(enc)) == GK_OK)
		snprintf(next + strlen(next), sizeof(next) - strlen(next), "?%srd=%s", on ? "2fa=1&" : "", enc);
	q->r.status = 303;
	login_add_header(q, "Location", next);
	q->r.ctype = "text/plain; charset=utf-8";
	login_buf_puts(&q->r.body, "See Other\n");
	return true;
}

struct code_post {
	char csrf[64];
	char rd[GK_REDIRECT_MAX + 1];
	char pending[GK_TOKEN_MAX + 1];
	char code[64];
	struct gk_user u;       /* the user signing in: wiped with the form */
};

bool
login_totp_post(struct rq *q, const char *body, size_t len)
{
	struct login_ctx *ctx = q->ctx;
	struct code_post *f;
	enum gk_auth_status st;
	const char *why = NULL;
	int verdict = GK_TOTP_ERROR, rc;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		login_message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		return true;
	}
	/* Not the code step's form (no pending field, or a body the password form refuses): not ours. */
	rc = gk_form_get(body, len, "pending", f->pending, sizeof(f->pending));
	if (rc == GK_NOTFOUND || rc == GK_EINVAL) {
		gk_freezero(f, sizeof(*f));
		return false;
	}
	const struct login_field fields[] = { LOGIN_FIELD("csrf", f->csrf, true), LOGIN_FIELD("rd", f->rd, false),
		LOGIN_FIELD("pending", f->pending, true), LOGIN_FIELD("code", f->code, true) };

	if (!login_signin_form_read(q, body, len, fields, sizeof(fields) / sizeof(fields[0]), PENDING_ERROR))
		goto out;
	if (!login_csrf_valid(q, f->csrf) || !login_origin_check(q, &why)) {
		login_deny_log(q, NULL, why != NULL ? why : "csrf");
		q->csrf_cookie[0] = '\0';
		login_form_page(q, 403, PENDING_ERROR, "", f->rd);
		goto out;
	}
	if (!pending_user(q, f->pending, &f->u)) {
		login_form_page(q, 401, PENDING_ERROR, "", f->rd);
		goto out;
	}
	st = gk_auth_code(&ctx->auth, ctx->cfg.database, f->u.name, f->code, q->addr, ctx->now(),
	    &verdict);
	if (st == GK_AUTH_DB_ERROR || st == GK_AUTH_LOCKOUT_ERROR) {
		login_message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		goto out;
	}
	if (st != GK_AUTH_OK) {
		login_deny_log(q, f->u.name, st == GK_AUTH_BAD_PASSWORD ?
		    gk_totp_verdict_name((enum gk_totp_verdict)verdict) :
		    st == GK_AUTH_BANNED ? "locked" : gk_auth_reason(st));
		code_page(q, 401, CODE_ERROR, f->u.name, f->pending, f->rd);
		goto out;
	}
	if (verdict == GK_TOTP_RECOVERY)
		gk_log(&ctx->log, LOG_NOTICE, "recovery code used user=%s from=%s", f->u.name,
		    q->addr ? q->addr : "-");
	q->amr = GK_AMR_PWD | GK_AMR_OTP;
	login_start_session(q, &f->u, f->rd, verdict == GK_TOTP_RECOVERY ? "form+recovery" : "form+totp");
out:
	gk_freezero(f, sizeof(*f));
	return true;
}
