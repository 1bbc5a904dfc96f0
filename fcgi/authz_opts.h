/* authz_opts.h: gatekeep-authz's command line. */
#ifndef GK_AUTHZ_OPTS_H
#define GK_AUTHZ_OPTS_H

#include <stdbool.h>

#include "server.h"	/* and through it lib/conf.h */

#define AUTHZ_PROG "gatekeep-authz"
#define AUTHZ_WORKERS_MAX 256

struct authz_opts {
	struct gk_server_opts srv;  /* -c, --listen, --socket-*, --workers, -d */
	bool check;                 /* --check-config */
	bool health;                /* --health: the readiness checks, as an exit status */
	bool libfcgi_core;          /* --core libfcgi: one blocking connection per worker */
	const char *http_listen;    /* --http-listen unix:PATH|tcp:127.0.0.1:PORT: HTTP/1.1 too */
};

/*
 * Parses argv into o: 0, or the exit status (2, the message printed).  --help and
 * --version print and exit(0).
 */
int authz_parse_opts(int argc, char **argv, struct authz_opts *o);

#endif
