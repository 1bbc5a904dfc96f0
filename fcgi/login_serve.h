/* login_serve.h: gatekeep-login as a FastCGI responder over lib/server's runtime. */
#ifndef GK_LOGIN_SERVE_H
#define GK_LOGIN_SERVE_H

#include <stdbool.h>
#include <sys/types.h>

#include "login.h"

/*
 * FCGI_STDIN we let libfcgi read (lib/fcgiguard want_stdin): a form over LOGIN_BODY_MAX
 * still gets the 413 page, as in CGI mode; a body over this is no sign-in form and is
 * refused before libfcgi parses it.
 */
#define LOGIN_STDIN_MAX (4 * LOGIN_BODY_MAX)

#define LOGIN_WORKERS_MAX 256

struct login_opts {
	const char *config;     /* -c, or NULL */
	const char *listen;     /* --listen, or NULL: systemd fd 3 or fd 0 */
	const char *owner;      /* --socket-owner USER[:GROUP], or NULL */
	mode_t mode;            /* --socket-mode, default 0660 */
	long workers;           /* --workers */
	bool workers_set;
	bool debug;             /* -d: log to stderr at debug */
};

/* Runs the FastCGI server (lib/server) until SIGTERM; returns the exit status. */
int login_serve(const struct login_opts *o);

#endif
