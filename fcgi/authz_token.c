/* authz_token.c: gatekeep-authz's app tokens (lib/apptoken.h): as the Basic password or as "Authorization: Bearer", checked by lib/auth, limited to their scope. */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "apptoken.h"
#include "authz_chain.h"

int
authz_creds_lookup(void *arg, const char *name, struct gk_user *u, struct gk_creds *c)
{
	struct gk_authz *a = arg;
	struct gk_userdb *db = authz_db(a);
	struct gk_err err = { "" };
	int rc;

	/* Directory users have no credentials store: no token is theirs (a refusal, not a fault). */
	if (db == NULL)
		return a->cfg->user_backend == GK_USERBACKEND_GDBM ? GK_EIO : GK_NOTFOUND;
	rc = gk_userdb_lookup_creds(db, name, u, c, &err);
	if (rc != GK_OK && rc != GK_NOTFOUND)
		gk_log(a->log, LOG_ERR, "database %s: %s", a->cfg->database, err.msg);
	return rc;
}

enum authz_found
authz_token_check(const struct authz_call *c, const char *user, const char *token,
    struct gk_decision *d)
{
	struct gk_authz *a = c->a;
	struct gk_err err = { "" };
	char dir[GK_PATH_MAX];
	struct gk_apptoken t;
	struct gk_user u;
	struct gk_cred used;
	enum gk_auth_status st;
	int64_t now = a->now();

	st = gk_auth_token(&a->auth, user, token, d->from, now, &u, &used);
	if (st != GK_AUTH_OK) {
		/* The log names whom the token was for: the Basic name, else the token's own. */
		if (user != NULL)
			gk_strcpy(d->attempted, sizeof(d->attempted), user);
		else if (gk_apptoken_parse(token, &t) == GK_OK)
			gk_strcpy(d->attempted, sizeof(d->attempted), t.user);
		gk_wipe(&t, sizeof(t));
		return authz_fail(d, st == GK_AUTH_DB_ERROR || st == GK_AUTH_INTERNAL ? GK_OUT_ERROR :
		    GK_OUT_BADCRED, gk_auth_reason(st));
	}
	if (!gk_apptoken_scope_allows(used.scope, c->pr, &c->v->ms)) {
		gk_log(a->log, LOG_NOTICE, "app token %s of user %s used outside its scope (%s)",
		    used.name, u.name, used.scope);
		gk_strcpy(d->attempted, sizeof(d->attempted), u.name);
		gk_wipe(&u, sizeof(u));
		return authz_fail(d, GK_OUT_FORBIDDEN, "token-scope");
	}
	authz_set_user(d, &u, "token");
	/* A pwrite in state_dir, coalesced per process: never a database rewrite per use. */
	if (gk_authz_state_dir(a->cfg, dir, sizeof(dir)) != GK_OK)
		gk_err_set(&err, "state_dir path too long");
	if (err.msg[0] != '\0' || gk_apptoken_touch(dir, &used, now, &err) != GK_OK)
		gk_log(a->log, LOG_INFO, "app token %s of user %s: last use not recorded: %s",
		    used.name, u.name, err.msg);
	gk_wipe(&u, sizeof(u));
	return M_USER;
}

enum authz_found
authz_bearer(const struct authz_call *c, const char *header, struct gk_decision *d)
{
	const char *v;

	/* RFC 6750: "Bearer" (any case) 1*SP token68. */
	if (strncasecmp(header, "Bearer ", 7) != 0)
		return M_NONE;
	for (v = header + 7; *v == ' '; v++)
		;
	/* Another kind of bearer token is the app's own business: not ours to judge. */
	if (!gk_apptoken_shaped(v))
		return M_NONE;
	d->method = "token";
	return authz_token_check(c, NULL, v, d);
}
