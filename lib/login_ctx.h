/* login_ctx.h: gatekeep-login's process state: loaded once per process (per request as a CGI program). */
#ifndef GK_LOGIN_CTX_H
#define GK_LOGIN_CTX_H

#include "login.h"

/*
 * Loads everything a request needs (configuration, secret, template, lockout table, OIDC)
 * into ctx; everything that can be wrong with the set-up is found here, before the first
 * request.  GK_OK, or GK_ERR with err set; login_ctx_free(ctx) either way.
 */
int login_ctx_init(struct login_ctx *ctx, const char *cfgpath, struct gk_err *err);
void login_ctx_free(struct login_ctx *ctx);

#endif
