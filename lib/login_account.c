/* login_account.c: the user behind a gatekeep-login request: the database, the hash upgrade, logout everywhere, the session cookie, a new session, the re-authentication before a change. */
#include <config.h>

#include <string.h>

#include "apptoken.h"
#include "login_request.h"
#include "session_cookie.h"
#include "token.h"
#include "metrics.h"

/* ---- the user database (opened lazily; a failure is a 500, never a login) ---- */

int
login_db_lookup(void *arg, const char *user, struct gk_user *u)
{
	struct login_ctx *ctx = arg;
	struct gk_err err = { "" };

	if (ctx->auth.users == NULL && gk_userbackend_open(&ctx->cfg, &ctx->log, &ctx->auth.users, &err) != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "user_backend: %s", err.msg);
		ctx->auth.users = NULL;
		return GK_EIO;
	}
	return gk_userbackend_lookup(ctx->auth.users, user, u);
}

struct gk_userdb *
login_userdb(struct login_ctx *ctx)
{
	struct gk_err err = { "" };

	if (ctx->auth.users == NULL && gk_userbackend_open(&ctx->cfg, &ctx->log, &ctx->auth.users, &err) != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "user_backend: %s", err.msg);
		ctx->auth.users = NULL;
		return NULL;
	}
	return gk_userbackend_gdbm(ctx->auth.users);
}

/* Re-hashes a legacy hash with the preferred method. Failing here never fails the login. */
void
login_upgrade_hash(struct rq *q, const struct gk_user *u, const char *password)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_userdb_txn *txn = NULL;
	struct gk_user cur;
	struct gk_err err = { "" };
	char esc[GK_USER_MAX * 4 + 8];
	int rc;

	if (ctx->auth.users != NULL && !gk_userbackend_writable(ctx->auth.users))
		return;         /* the directory keeps its own hashes */
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
	rc = gk_pw_hash(ctx->auth.pw, GK_PW_PREFERRED, 0, password, cur.hash, sizeof(cur.hash), &err);
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
int
login_bump_generation(struct rq *q, const char *user)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_userdb_txn *txn = NULL;
	struct gk_user cur;
	struct gk_err err = { "" };
	uint32_t cur_gen;
	int rc;

	if (ctx->auth.users != NULL && !gk_userbackend_writable(ctx->auth.users)) {
		gk_log(&ctx->log, LOG_ERR, "logout everywhere: user_backend = %s keeps no token "
		    "generation: the user's other sessions end at their expiry (session_ttl) or when "
		    "the directory drops the user", gk_userbackend_name(ctx->auth.users));
		return GK_ERR;
	}
	rc = gk_userdb_begin(ctx->cfg.database, false, 5000, &txn, &err);
	if (rc == GK_OK && gk_userdb_txn_get(txn, user, &cur, &err) == GK_OK) {
		cur.generation++;
		cur_gen = cur.generation;
		cur.updated = ctx->now();
		rc = gk_userdb_txn_put(txn, &cur, &err);
		gk_wipe(&cur, sizeof(cur));
		if (rc == GK_OK)
			return gk_userdb_commit(txn, &err) != GK_OK ?
			    (gk_log(&ctx->log, LOG_ERR, "logout everywhere: %s", err.msg), GK_ERR) :
			    gk_auth_revoke_everywhere(&ctx->auth, user, cur_gen);  /* the other machines */
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
bool
login_session_user(struct rq *q, struct gk_user *u, struct gk_claims *c)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_auth_session_conf sc;

	sc.secret = login_secret;
	sc.secret_arg = ctx;
	sc.cookie_name = ctx->cfg.cookie_name;
	sc.issuer = GK_TOKEN_ISSUER;
	sc.session_ttl = ctx->cfg.session_ttl;
	/* Absent, duplicated (cookie tossing), malformed, forged, revoked: not signed in. */
	return gk_auth_session(&ctx->auth, &sc, login_header(q, "Cookie"), ctx->now(), u, c) == GK_AUTH_OK;
}

/* ---- a new session ---- */

/*
 * The one way a session starts (password form and OIDC alike): a fresh
 * token for u, the cookie, the allow line, the redirect to rd (checked).
 */
bool
login_session_cookie(struct rq *q, const struct gk_user *u, const char *method)
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
	c.gen = gk_auth_issue_generation(&ctx->auth, u, "session");    /* with a shared store: max(record, store) */
	c.amr = q->amr;
	rc = gk_token_issue(ctx->secret.key, ctx->secret.len, &c, token, sizeof(token), &err);
	gk_wipe(&c, sizeof(c));
	if (rc != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "cannot issue a session token: %s", err.msg);
		login_message_page(q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
		return false;
	}
	/* Always a fresh token (no fixation); the pre-session CSRF cookie has done its job. */
	login_set_cookie(q, ctx->cfg.cookie_name, token, ctx->cfg.cookie_domain, "/", ttl,
	    ctx->cfg.cookie_samesite);
	gk_wipe(token, sizeof(token));
	login_csrf_clear_cookie(q);
	gk_log_signin(&ctx->log, u->name, method, q->addr, q->self);
	gk_metrics_token_issued();      /* lib/metrics */
	gk_metrics_login(method, NULL);
	return true;
}

void
login_start_session(struct rq *q, const struct gk_user *u, const char *rd, const char *method)
{
	if (login_session_cookie(q, u, method))
		login_redirect_after(q, rd, u->name);
}

int
login_reauth(struct rq *q, const char *user, const char *password, bool accept_token_shaped)
{
	struct login_ctx *ctx = q->ctx;
	struct gk_user again;
	enum gk_auth_status st;

	memset(&again, 0, sizeof(again));
	st = !accept_token_shaped && gk_apptoken_shaped(password) ? GK_AUTH_BAD_PASSWORD :
	    gk_auth_password(&ctx->auth, user, password, q->addr, ctx->now(), &again);
	gk_wipe(&again, sizeof(again));
	if (st == GK_AUTH_DB_ERROR || st == GK_AUTH_INTERNAL || st == GK_AUTH_LOCKOUT_ERROR) {
		login_message_page(q, 500, "Error", "The account service is unavailable. Please try again later.");
		return 500;
	}
	if (st != GK_AUTH_OK) {
		login_deny_log(q, user, st == GK_AUTH_BANNED ? "locked" : gk_auth_reason(st));
		return 401;
	}
	return 0;
}
