/* authz_opts.c: gatekeep-authz's command line (the options every FastCGI program takes: lib/server). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz_opts.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " AUTHZ_PROG " [-c FILE] [--listen unix:PATH|tcp:HOST:PORT] [--socket-mode MODE]\n"
	    "       [--socket-owner USER[:GROUP]] [--workers N] [--core event|libfcgi]\n"
	    "       [--http-listen unix:PATH|tcp:127.0.0.1:PORT]\n"
	    "       [-d|--debug] [--check-config] [--health]\n"
	    "       [--help] [--version]\n");
}

int
authz_parse_opts(int argc, char **argv, struct authz_opts *o)
{
	static const struct option longopts[] = {
		GK_SERVER_LONGOPTS,
		{ "core", required_argument, NULL, 'k' },
		{ "http-listen", required_argument, NULL, 'L' },
		{ "health", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc;

	memset(o, 0, sizeof(*o));
	gk_server_opts_init(&o->srv);
	while ((ch = getopt_long(argc, argv, "c:dhV", longopts, NULL)) != -1) {
		if ((rc = gk_server_option(&o->srv, AUTHZ_PROG, AUTHZ_WORKERS_MAX, ch, optarg)) != 0) {
			if (rc < 0)
				return 2;
			continue;
		}
		switch (ch) {
		case 'k':
			if (strcmp(optarg, "event") != 0 && strcmp(optarg, "libfcgi") != 0) {
				fprintf(stderr, AUTHZ_PROG ": --core %s: event or libfcgi\n", optarg);
				return 2;
			}
			o->libfcgi_core = strcmp(optarg, "libfcgi") == 0;
			break;
		case 'L':
			o->http_listen = optarg;
			break;
		case 'C':
			o->check = true;
			break;
		case 'H':
			o->health = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf(AUTHZ_PROG " " PACKAGE_VERSION "\n");
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (o->http_listen != NULL && o->libfcgi_core) {
		fprintf(stderr, AUTHZ_PROG ": --http-listen needs the event core, not --core libfcgi\n");
		return 2;
	}
	return 0;
}
