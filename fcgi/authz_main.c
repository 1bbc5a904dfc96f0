/* authz_main.c: gatekeep-authz: the command line, --check-config, then lib/server's runtime (authz_serve.c). */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "authz_opts.h"
#include "authz_serve.h"
#include "deploycheck.h"
#include "listener.h"
#include "opsanswer.h"

extern char **environ;

/* The configuration as the workers would load it; false (and why on stderr) if it does not. */
static bool
load_config(const struct authz_opts *o, struct gk_config *cfg)
{
	struct gk_err err = { "" };

	memset(cfg, 0, sizeof(*cfg));
	if (gk_config_load(cfg, o->srv.config, environ, &err) != GK_OK ||
	    gk_config_validate(cfg, &err) != GK_OK) {
		fprintf(stderr, "%s\n", err.msg);
		gk_config_free(cfg);
		return false;
	}
	return true;
}

/* A warning of --check-config: on stderr, the status stays 0 (lib/conf.h says why). */
static void
warn_config(void *arg, const char *msg)
{
	fprintf(arg, "gatekeep-authz: warning: %s\n", msg);
}

/* --check-config: the configuration as the workers would see it, or why not. */
static int
check_config(const struct authz_opts *o)
{
	struct gk_config cfg;
	int rc;

	if (!load_config(o, &cfg))
		return 1;
	gk_config_warnings(&cfg, warn_config, stderr);
	rc = gk_deploy_check(&cfg, false, "gatekeep-authz", stderr) == 0 &&
	    gk_deploy_check_listen(o->srv.listen, "gatekeep-authz", stderr) == 0 ? 0 : 1;
	gk_config_print(&cfg, stdout);
	gk_config_free(&cfg);
	return rc;
}

/* --health: the readiness checks of ready_path, as this user, as an exit status. */
static int
check_health(const struct authz_opts *o)
{
	struct gk_config cfg;
	struct gk_err err = { "" };
	int rc = 1;

	if (!load_config(o, &cfg))
		return 1;
	if (gk_ops_ready(&cfg, &err) == GK_OK) {
		puts("ready");
		rc = 0;
	} else {
		printf("not ready: %s\n", err.msg);
	}
	gk_config_free(&cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct authz_opts o;
	struct authz_state st;
	struct gk_server_spec spec;
	struct gk_err err = { "" };
	int rc;

	/* Before anything opens a file (lib/server does it again, harmlessly). */
	if (gk_listener_sanitize_fds(&err) != GK_OK)
		_exit(1);       /* silently: stderr may be the descriptor that is missing */
	if ((rc = authz_parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (o.health)
		return check_health(&o);
	if (o.check)
		return check_config(&o);
	authz_server_spec(&spec, &st, &o);
	return gk_server_run(&spec);
}
