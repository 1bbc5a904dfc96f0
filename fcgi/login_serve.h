/* login_serve.h: gatekeep-login as a FastCGI responder over lib/server's runtime. */
#ifndef GK_LOGIN_SERVE_H
#define GK_LOGIN_SERVE_H

#include <stdbool.h>
#include <sys/types.h>

#include "login.h"
#include "server.h"

/*
 * FCGI_STDIN we let libfcgi read (lib/fcgiguard want_stdin): a form over LOGIN_BODY_MAX
 * still gets the 413 page, as in CGI mode; a body over this is no sign-in form and is
 * refused before libfcgi parses it.
 */
#define LOGIN_STDIN_MAX (4 * LOGIN_BODY_MAX)

#define LOGIN_WORKERS_MAX 256

/* Runs the FastCGI server (lib/server) until SIGTERM; returns the exit status. */
int login_serve(const struct gk_server_opts *o);

#endif
