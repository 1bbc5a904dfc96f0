/* login_main.c: gatekeep-login: the command line, then --check-config, one CGI request (login_once.c) or the FastCGI server (login_serve.c). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "deploycheck.h"
#include "login_check.h"
#include "login_ctx.h"
#include "login_once.h"
#include "login_page.h"
#include "login_serve.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gatekeep-login [-c FILE] [--listen unix:PATH|tcp:127.0.0.1:PORT] [--socket-mode MODE]\n"
	    "       [--socket-owner USER[:GROUP]] [--workers N] [-d|--debug]\n"
	    "       gatekeep-login [-c FILE] --check-config\n"
	    "       gatekeep-login --print-template\n"
	    "Runs as a CGI program when started by a web server's CGI module, as a FastCGI\n"
	    "responder when fd 0 is a listening socket (spawn-fcgi, mod_fcgid, systemd) or with --listen.\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		GK_SERVER_LONGOPTS,
		{ "print-template", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	struct login_ctx ctx;
	struct gk_server_opts o;
	struct gk_err err = { "" };
	bool check = false, ok;
	int c, rc;

	gk_server_opts_init(&o);
	/*
	 * Run as a CGI program, argv is the query string (Apache splits one without '=' on
	 * '+'): "?-c+/some/file" would pick the configuration. The environment says how.
	 */
	if (getenv("GATEWAY_INTERFACE") != NULL && argc > 1) {
		fprintf(stderr, "gatekeep-login: CGI request: command-line arguments ignored\n");
		argc = 1;
	}
	while ((c = getopt_long(argc, argv, "c:dhV", opts, NULL)) != -1) {
		if ((rc = gk_server_option(&o, "gatekeep-login", LOGIN_WORKERS_MAX, c, optarg)) != 0) {
			if (rc < 0)
				return 2;
			continue;
		}
		switch (c) {
		case 'C': check = true; break;
		case 'T': fputs(login_template_default(), stdout); return 0;
		case 'h': usage(stdout); return 0;
		case 'V': puts("gatekeep-login " PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!check && o.listen == NULL && FCGX_IsCGI()) {
		ok = login_ctx_init(&ctx, o.config, &err) == GK_OK;
		rc = login_cgi_once(&ctx, ok, err.msg);
		login_ctx_free(&ctx);
		return rc;
	}
	if (!check)
		return login_serve(&o);
	/* As run_user, never as root: lib/login_check (and the socket's directory: lib/deploycheck) */
	ok = login_check_config(o.config, stderr) == 0;
	if (gk_deploy_check_listen(o.listen, "gatekeep-login", stderr) != 0)
		ok = false;
	if (ok)
		printf("gatekeep-login: configuration OK\n");
	return ok ? 0 : 1;
}
