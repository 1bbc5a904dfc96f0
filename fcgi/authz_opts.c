/* authz_opts.c: gatekeep-authz's command line. */
#include <config.h>	/* autoconf's, not lib/config.h */

#include <errno.h>
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
	    "       [-d|--debug] [--check-config]\n"
	    "       [--help] [--version]\n");
}

int
authz_parse_opts(int argc, char **argv, struct authz_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "socket-owner", required_argument, NULL, 'o' },
		{ "workers", required_argument, NULL, 'w' },
		{ "core", required_argument, NULL, 'k' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	long v;
	int ch;

	memset(o, 0, sizeof(*o));
	o->mode = 0660;
	while ((ch = getopt_long(argc, argv, "c:dhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'm':
			errno = 0;
			v = strtol(optarg, &end, 8);
			if (errno || *end || end == optarg || v < 0 || v > 0777) {
				fprintf(stderr, AUTHZ_PROG ": --socket-mode %s: not an octal mode\n", optarg);
				return 2;
			}
			o->mode = (mode_t)v;
			break;
		case 'o':
			o->owner = optarg;
			break;
		case 'w':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > AUTHZ_WORKERS_MAX) {
				fprintf(stderr, AUTHZ_PROG ": --workers %s: 1..%d\n", optarg,
				    AUTHZ_WORKERS_MAX);
				return 2;
			}
			o->workers = v;
			o->workers_set = true;
			break;
		case 'k':
			if (strcmp(optarg, "event") != 0 && strcmp(optarg, "libfcgi") != 0) {
				fprintf(stderr, AUTHZ_PROG ": --core %s: event or libfcgi\n", optarg);
				return 2;
			}
			o->libfcgi_core = strcmp(optarg, "libfcgi") == 0;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'C':
			o->check = true;
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
	return 0;
}
