/* authz_opts.h: gatekeep-authz's command line. */
#ifndef GK_AUTHZ_OPTS_H
#define GK_AUTHZ_OPTS_H

#include <stdbool.h>
#include <sys/types.h>

#define AUTHZ_PROG "gatekeep-authz"
#define AUTHZ_WORKERS_MAX 256

struct authz_opts {
	const char *config;     /* -c, or NULL */
	const char *listen;     /* --listen, or NULL: systemd fd 3 or fd 0 */
	mode_t mode;            /* --socket-mode, default 0660 */
	const char *owner;      /* --socket-owner USER[:GROUP], or NULL */
	long workers;           /* --workers */
	bool workers_set;
	bool debug;             /* -d: log to stderr at debug */
	bool check;             /* --check-config */
	bool libfcgi_core;      /* --core libfcgi: one blocking connection per worker */
};

/*
 * Parses argv into o: 0, or the exit status (2, the message printed).  --help and
 * --version print and exit(0).
 */
int authz_parse_opts(int argc, char **argv, struct authz_opts *o);

#endif
