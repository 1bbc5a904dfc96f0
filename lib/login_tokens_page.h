/* login_tokens_page.h: a signed-in user's app passwords at <base>/account/tokens (lib/login_tokens_page.c). */
#ifndef GK_LOGIN_TOKENS_PAGE_H
#define GK_LOGIN_TOKENS_PAGE_H

#include "login_request.h"

/* Is q->self <base>/account/tokens? Then q->route = R_TOKENS, q->base = <base>, true. */
bool login_tokens_route(struct rq *q);

/*
 * GET lists the user's tokens (never a secret); POST adds one (shown once)
 * or revokes one by name. Only a real session cookie opens it (Basic and
 * Bearer never do: a token cannot make a token); every change asks for the
 * current password (lockout counted), CSRF and Origin checked; a TOTP user's
 * password-only session is sent to the code step first.
 */
void login_tokens_page(struct rq *q, const char *body, size_t len);

#endif
