/* login_ctx.c: gatekeep-login's process state: configuration, secret, template, lockout table, OIDC. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "login_ctx.h"
#include "login_page.h"
#include "login_passkey.h"
#include "secret_follow.h"
#include "session_cookie.h"

extern char **environ;

static int64_t
wall_clock(void)
{
	return (int64_t)time(NULL);
}

int
login_ctx_init(struct login_ctx *ctx, const char *cfgpath, struct gk_err *err)
{
	struct gk_lockout_conf lc;
	char msg[sizeof(err->msg)];

	memset(ctx, 0, sizeof(*ctx));
	ctx->now = wall_clock;
	gk_log_init(&ctx->log, "gatekeep-login", GK_LOG_STDERR, LOG_NOTICE);
	if (sodium_init() < 0)
		return gk_err_set(err, "libsodium initialisation failed");
	if (gk_config_load(&ctx->cfg, cfgpath, environ, err) != GK_OK)
		return GK_ERR;
	gk_log_init(&ctx->log, "gatekeep-login", (enum gk_log_target)ctx->cfg.log_target,
	    ctx->cfg.log_level);
	gk_log_set_format(&ctx->log, (enum gk_log_format)ctx->cfg.log_format);
	if (gk_cookie_domain_check(ctx->cfg.cookie_domain, err) != GK_OK)
		return GK_ERR;
	if (ctx->cfg.login_template != NULL && ctx->cfg.login_template[0] != '\0' &&
	    login_template_load(ctx->cfg.login_template, &ctx->template, err) != GK_OK)
		return GK_ERR;
	if (gk_secret_load(ctx->cfg.secret_file, &ctx->secret, err) != GK_OK) {
		memcpy(msg, err->msg, sizeof(msg));
		return gk_err_set(err, "secret_file %s: %s", ctx->cfg.secret_file, msg);
	}
	if (gk_auth_open(&ctx->auth, &ctx->cfg, &ctx->log, false, err) != GK_OK)
		return GK_ERR;
	gk_lockout_conf_from(&lc, &ctx->cfg);
	/* No lockout table, no logins: failing open here would remove the brute-force limit. */
	if (gk_lockout_open(ctx->cfg.state_dir, &lc, &ctx->auth.lk, err) != GK_OK)
		return GK_ERR;
	ctx->auth.lockout_on = true;       /* max_failures = 0 makes the table allow everything */
	login_csp_init(ctx);
	if (login_passkey_config_check(&ctx->cfg, err) != GK_OK)
		return GK_ERR;
	{
		char *cs = NULL;
		int rc;

		if (login_oidc_read_secret(&ctx->cfg, environ, &cs, err) != GK_OK)
			return GK_ERR;
		rc = login_oidc_new(&ctx->cfg, cs, &ctx->log, &ctx->oidc, err);
		if (cs != NULL) {
			gk_wipe(cs, strlen(cs));
			free(cs);
		}
		if (rc != GK_OK && rc != GK_NOTFOUND)
			return GK_ERR;
	}
	return GK_OK;
}

int
login_secret_current(struct login_ctx *ctx)
{
	return gk_secret_follow(ctx->cfg.secret_file, &ctx->secret, &ctx->log) != NULL ? GK_OK :
	    GK_ERR;
}

void
login_ctx_free(struct login_ctx *ctx)
{
	gk_auth_close(&ctx->auth);
	login_oidc_free(ctx->oidc);
	gk_secret_wipe(&ctx->secret);
	free(ctx->template);
	gk_config_free(&ctx->cfg);
}
