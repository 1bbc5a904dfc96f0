/* loginfix.h: the in-process gatekeep-login tests' fixture (t_login, t_passkey_login): a login_ctx over a fresh temporary directory. */
#ifndef GK_LOGINFIX_H
#define GK_LOGINFIX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "login.h"
#include "tap.h"

/* The mains define it over gk_secret_refresh; the secret here never changes on disk. */
int
login_secret_current(struct login_ctx *c)
{
	(void)c;
	return GK_OK;
}

static inline void
die(const char *what, const struct gk_err *err)
{
	diag("%s: %s", what, err->msg);
	exit(1);
}

/*
 * Makes dir (/tmp/NAME.XXXXXX, dirsz bytes) with a state directory, writes its gk.conf (the
 * keys every login test needs, then extra) and loads ctx from it: configuration, a new
 * secret, the password context, the lockout and lib/auth over the database (path in db,
 * dbsz bytes, not created here), the CSP; the clock is now.  A failure ends the test.
 */
static inline void
loginfix_ctx(struct login_ctx *ctx, const char *name, const char *extra, int64_t (*now)(void),
    char *dir, size_t dirsz, char *db, size_t dbsz)
{
	char path[128];
	struct gk_lockout_conf lc;
	struct gk_err err = { "" };
	char *env[] = { NULL };
	FILE *f;

	snprintf(dir, dirsz, "/tmp/%s.XXXXXX", name);
	if (mkdtemp(dir) == NULL || sodium_init() < 0)
		exit(1);
	snprintf(path, sizeof(path), "%s/state", dir);
	mkdir(path, 0700);
	snprintf(db, dbsz, "%s/users.db", dir);
	snprintf(path, sizeof(path), "%s/gk.conf", dir);
	f = fopen(path, "w");
	if (f == NULL)
		exit(1);
	fprintf(f, "database = %s\nsecret_file = %s/secret\nstate_dir = %s/state\n"
	    "cookie_secure = false\nredirect_domains = app.example.com\ndefault_redirect = /home\n"
	    "log_level = err\n%s", db, dir, dir, extra);
	fclose(f);
	memset(ctx, 0, sizeof(*ctx));
	ctx->now = now;
	gk_log_init(&ctx->log, name, GK_LOG_STDERR, LOG_CRIT);
	if (gk_config_load(&ctx->cfg, path, env, &err) != GK_OK)
		die("config", &err);
	if (gk_secret_create(ctx->cfg.secret_file, &err) != GK_OK ||
	    gk_secret_load(ctx->cfg.secret_file, &ctx->secret, &err) != GK_OK)
		die("secret", &err);
	if (gk_auth_open(&ctx->auth, &ctx->cfg, &ctx->log, false, &err) != GK_OK)
		die("auth", &err);
	gk_lockout_conf_from(&lc, &ctx->cfg);
	if (gk_lockout_open(ctx->cfg.state_dir, &lc, &ctx->auth.lk, &err) != GK_OK)
		die("lockout", &err);
	ctx->auth.lockout_on = true;
	login_csp_init(ctx);
}

/* Closes what loginfix_ctx (and the test) opened in ctx and removes dir. */
static inline void
loginfix_free(struct login_ctx *ctx, const char *dir)
{
	char cmd[4200];

	gk_auth_close(&ctx->auth);
	gk_secret_wipe(&ctx->secret);
	gk_config_free(&ctx->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
}

#endif
