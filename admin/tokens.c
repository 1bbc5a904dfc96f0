/* tokens.c: gatekeep-passwd's app password / API token commands (--token-add, --token-list, --token-revoke) over lib/apptoken. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apptoken.h"
#include "lockout.h"
#include "options.h"
#include "passwd.h"
#include "validate.h"

static int
token_fail(int rc, const char *db, const struct gk_err *err)
{
	if (rc == GK_EIO || rc == GK_ECORRUPT)
		pw_dberr(db, err->msg);
	else
		pw_warnx("%s", err->msg);
	return pw_exit_for_status(rc);
}

int
pw_token_run(const struct pw_opts *o, char **pos, int npos)
{
	const char *user = o->token_user, *name = o->token_name;
	char scope[GK_CRED_SCOPE_MAX + 1] = "", db[GK_PATH_MAX], token[GK_APPTOKEN_MAX + 1];
	char dir[GK_PATH_MAX];
	struct gk_lockout_conf lc;
	uint32_t gen = 0;
	struct gk_err err = { "" };
	int64_t now = (int64_t)time(NULL), expires = 0;
	int rc;

	if (!gk_valid_user(user, strlen(user))) {
		pw_warnx("invalid user name");
		return EX_PW_BADUSER;
	}
	if (o->mode == M_TOKEN_REVOKE) {
		if (npos < 1)
			return pw_usage_error("--token-revoke USER NAME: missing NAME");
		name = pos[0];
		pos++;
		npos--;
	}
	if (npos > 1)
		return pw_usage_error("too many arguments (at most DBFILE)");
	if (o->token_expires != NULL &&
	    gk_apptoken_expires_parse(o->token_expires, now, &expires, &err) != GK_OK)
		return pw_usage_error("--expires: %s", err.msg);
	if (o->token_scope != NULL &&
	    gk_apptoken_scope_parse(o->token_scope, scope, sizeof(scope), &err) != GK_OK)
		return pw_usage_error("--scope: %s", err.msg);
	if ((rc = pw_resolve_db(o, npos > 0 ? pos[0] : NULL, db, sizeof(db))) != EX_PW_OK)
		return rc;
	switch (o->mode) {
	case M_TOKEN_ADD:
		/* state_backend = redis: the store's generation, as a new session's (lib/auth). */
		if (pw_resolve_state_dir(o, npos > 0 ? pos[0] : NULL, dir, sizeof(dir), &lc) ==
		    EX_PW_OK && gk_statestore_issue_once(&lc.store, user, &gen, &err) != GK_OK)
			pw_warnx("the state store cannot be read (%s): the token carries the record's "
			    "generation and is refused if another machine signed %s out everywhere",
			    err.msg, user);
		rc = gk_apptoken_add_at(db, user, name, expires, scope, gen, now, token, &err);
		if (rc != GK_OK)
			return token_fail(rc, db, &err);
		/* The token on stdout alone (scripts capture it); it is never shown again. */
		printf("%s\n", token);
		gk_wipe(token, sizeof(token));
		if (fflush(stdout) != 0)
			return EX_PW_FILE;
		fprintf(stderr, "gatekeep-passwd: token added for %s; it is shown only this once\n",
		    user);
		return EX_PW_OK;
	case M_TOKEN_LIST:
		/* The last-use file beside the lockout table; without it, the record's times. */
		if (pw_resolve_state_dir(o, npos > 0 ? pos[0] : NULL, dir, sizeof(dir), &lc) !=
		    EX_PW_OK)
			dir[0] = '\0';
		rc = gk_apptoken_list(db, dir[0] != '\0' ? dir : NULL, user, now, stdout, &err);
		if (rc != GK_OK)
			return token_fail(rc, db, &err);
		return fflush(stdout) == 0 ? EX_PW_OK : EX_PW_FILE;
	default:
		rc = gk_apptoken_revoke(db, user, name, &err);
		return rc == GK_OK ? EX_PW_OK : token_fail(rc, db, &err);
	}
}
