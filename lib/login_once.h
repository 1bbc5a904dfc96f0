/* login_once.h: one sign-in request as a CGI program (stdin, stdout), for gatekeep-login and login.cgi. */
#ifndef GK_LOGIN_ONCE_H
#define GK_LOGIN_ONCE_H

#include <stdbool.h>

#include "login.h"

/*
 * Answers the one CGI request in the environment: reads the body (CONTENT_LENGTH, at most
 * LOGIN_BODY_MAX) from stdin and writes login_handle()'s response to stdout.  When the
 * context could not be loaded (!ctx_ok), logs ctx_err to stderr and answers 500 without
 * details.  Returns the exit status.
 */
int login_cgi_once(struct login_ctx *ctx, bool ctx_ok, const char *ctx_err);

#endif
