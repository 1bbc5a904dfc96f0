/* login_check.c: gatekeep-login --check-config: the files as the serving user, then the whole context loaded as that user. */
#include <config.h>

#include <string.h>
#include <sys/stat.h>

#include "deploycheck.h"
#include "login_check.h"
#include "login_ctx.h"

extern char **environ;

struct check {
	const char *cfgpath;
	const char *state_dir;
};

/* In lib/deploycheck's child, as run_user: what a worker loads at start. */
static int
load_context(void *arg, FILE *out)
{
	const struct check *c = arg;
	struct login_ctx ctx;
	struct gk_err err = { "" };
	struct stat st;
	int problems = 0;

	if (stat(c->state_dir, &st) != 0) {
		fprintf(out, "gatekeep-login: note: state_dir %s is made at start; the template and "
		    "OIDC are checked once it exists\n", c->state_dir);
		return 0;
	}
	if (login_ctx_init(&ctx, c->cfgpath, &err) != GK_OK) {
		fprintf(out, "gatekeep-login: %s\n", err.msg);
		problems = 1;
	}
	login_ctx_free(&ctx);
	return problems;
}

int
login_check_config(const char *cfgpath, FILE *out)
{
	struct gk_config cfg;
	struct gk_err err = { "" };
	struct check c = { cfgpath, NULL };
	int problems;

	memset(&cfg, 0, sizeof(cfg));
	if (gk_config_load(&cfg, cfgpath, environ, &err) != GK_OK) {
		fprintf(out, "gatekeep-login: %s\n", err.msg);
		gk_config_free(&cfg);
		return 1;
	}
	c.state_dir = cfg.state_dir;
	problems = gk_deploy_check_with(&cfg, true, "gatekeep-login", out, load_context, &c);
	gk_config_free(&cfg);
	return problems;
}
