/* tokens.c: gatekeep-passwd's app password / API token commands (--token-add, --token-list, --token-revoke) over lib/apptoken. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apptoken.h"
#include "lockout.h"
#include "options.h"
#include "passwd.h"
#include "validate.h"

enum { T_ADD = 1, T_LIST, T_REVOKE };
enum { O_ADD = 0x200, O_LIST, O_REVOKE, O_NAME, O_EXPIRES, O_SCOPE, O_CONFIG, O_HELP };

static const struct option token_options[] = {
	{ "token-add", required_argument, NULL, O_ADD },
	{ "token-list", required_argument, NULL, O_LIST },
	{ "token-revoke", required_argument, NULL, O_REVOKE },
	{ "name", required_argument, NULL, O_NAME },
	{ "expires", required_argument, NULL, O_EXPIRES },
	{ "scope", required_argument, NULL, O_SCOPE },
	{ "config", required_argument, NULL, O_CONFIG },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

bool
pw_token_command(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], "--token-", 8) == 0)
			return true;
	return false;
}

static void
token_help(void)
{
	printf("Usage: gatekeep-passwd --token-add USER [--name N] [--expires D] [--scope S] [DBFILE]\n"
	    "       gatekeep-passwd --token-list USER [DBFILE]\n"
	    "       gatekeep-passwd --token-revoke USER NAME [DBFILE]\n"
	    "\n"
	    "App passwords / API tokens: sent as the Basic password or as\n"
	    "\"Authorization: Bearer\", never accepted by the login form.\n"
	    "  --name=N      the token's name, 1-64 of [A-Za-z0-9._@+-] (default token1, token2...)\n"
	    "  --expires=D   never (default), a duration (90d, 12h, 30m, 2w) or a date YYYY-MM-DD (UTC)\n"
	    "  --scope=S     path=/prefix and/or method=GET+PROPFIND (comma-separated)\n"
	    "The token is printed once; only a keyed hash is stored. Changing the user's\n"
	    "password, --revoke-sessions and --disable revoke every token of the user.\n");
}

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
pw_token_main(int argc, char **argv)
{
	const char *user = NULL, *name = NULL, *expires_s = NULL, *scope_s = NULL;
	char scope[GK_CRED_SCOPE_MAX + 1] = "", db[GK_PATH_MAX], token[GK_APPTOKEN_MAX + 1];
	char dir[GK_PATH_MAX];
	struct gk_lockout_conf lc;
	uint32_t gen = 0;
	struct gk_err err = { "" };
	struct pw_opts o;
	int64_t now = (int64_t)time(NULL), expires = 0;
	int c, mode = 0, rc, npos;
	char **pos;

	memset(&o, 0, sizeof(o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:", token_options, NULL)) != -1) {
		switch (c) {
		case O_ADD:
		case O_LIST:
		case O_REVOKE:
			if (mode != 0)
				return pw_usage_error("one --token-* command at a time");
			mode = c == O_ADD ? T_ADD : c == O_LIST ? T_LIST : T_REVOKE;
			user = optarg;
			break;
		case O_NAME: name = optarg; break;
		case O_EXPIRES: expires_s = optarg; break;
		case O_SCOPE: scope_s = optarg; break;
		case O_CONFIG: o.config_path = optarg; break;
		case O_HELP:
			token_help();
			return fflush(stdout) == 0 ? EX_PW_OK : EX_PW_FILE;
		case ':':
			return pw_usage_error("option %s needs an argument", argv[optind - 1]);
		default:
			return pw_usage_error("%s cannot be used with --token-* commands",
			    argv[optind - 1]);
		}
	}
	pos = argv + optind;
	npos = argc - optind;
	if (mode == 0)
		return pw_usage_error("no --token-* command");
	if (!gk_valid_user(user, strlen(user))) {
		pw_warnx("invalid user name");
		return EX_PW_BADUSER;
	}
	if (mode != T_ADD && (name != NULL || expires_s != NULL || scope_s != NULL))
		return pw_usage_error("--name, --expires and --scope are only for --token-add");
	if (mode == T_REVOKE) {
		if (npos < 1)
			return pw_usage_error("--token-revoke USER NAME: missing NAME");
		name = pos[0];
		pos++;
		npos--;
	}
	if (npos > 1)
		return pw_usage_error("too many arguments (at most DBFILE)");
	if (expires_s != NULL && gk_apptoken_expires_parse(expires_s, now, &expires, &err) != GK_OK)
		return pw_usage_error("--expires: %s", err.msg);
	if (scope_s != NULL && gk_apptoken_scope_parse(scope_s, scope, sizeof(scope), &err) != GK_OK)
		return pw_usage_error("--scope: %s", err.msg);
	if ((rc = pw_resolve_db(&o, npos > 0 ? pos[0] : NULL, db, sizeof(db))) != EX_PW_OK)
		return rc;
	switch (mode) {
	case T_ADD:
		/* state_backend = redis: the store's generation, as a new session's (lib/auth). */
		if (pw_resolve_state_dir(&o, npos > 0 ? pos[0] : NULL, dir, sizeof(dir), &lc) ==
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
	case T_LIST:
		/* The last-use file beside the lockout table; without it, the record's times. */
		if (pw_resolve_state_dir(&o, npos > 0 ? pos[0] : NULL, dir, sizeof(dir), &lc) !=
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
