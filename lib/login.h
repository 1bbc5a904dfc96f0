/* login.h: gatekeep-login's process state and its one entry point per request. */
#ifndef GK_LOGIN_H
#define GK_LOGIN_H

#include <stdint.h>

#include "redirect.h"       /* and through it lib/conf.h */
#include "auth.h"
#include "lockout.h"
#include "log.h"
#include "login_buf.h"
#include "login_oidc.h"
#include "password.h"
#include "secret.h"
#include "userbackend.h"
#include "userdb.h"

#define LOGIN_BODY_MAX 8192            /* a login form is a few hundred bytes */

/* Loaded once per process (per request in CGI mode); never holds per-request data. */
struct login_ctx {
	struct gk_config cfg;
	struct gk_log log;
	struct gk_secret secret;           /* follows secret_file: login_secret_current() */
	/* the password and session checks and what they own: the user backend (the GDBM file opens on first use), the hash context, the lockout table */
	struct gk_auth auth;
	char *template;                    /* the admin's template, or NULL for the built-in one */
	struct login_oidc *oidc;           /* OIDC/OAuth2 sign-in, NULL when oidc_provider = none */
	char form_action_csp[1024];        /* "'self' host ..." for CSP form-action */
	int64_t (*now)(void);
};

/*
 * Handles one request: envp is the CGI/FastCGI environment, body the
 * request body (already bounded by the caller; NULL when there is none or it
 * was too large: body_too_large). Writes a complete CGI response (Status,
 * headers, blank line, body) into out.
 */
void login_handle(struct login_ctx *ctx, char *const *envp, const char *body, size_t body_len,
    bool body_too_large, struct login_buf *out);

/* CONTENT_LENGTH (CGI or FastCGI) as a number of at most 9 digits: 0 when absent, -1 when malformed. */
long login_content_length(const char *s);

/*
 * Before a request uses ctx->secret: re-reads secret_file if it changed (a rotation
 * signs and verifies with the new key at once) and logs each change once. GK_OK, or
 * the key is unusable (wiped) and the request must be refused.
 */
int login_secret_current(struct login_ctx *ctx);

/* Looks a user up (arg: the login_ctx), opening the backend if it is not open yet. */
int login_db_lookup(void *arg, const char *user, struct gk_user *u);
/* The GDBM database behind ctx->auth.users (credentials live there; opened on first use), NULL for a directory or on error (logged). */
struct gk_userdb *login_userdb(struct login_ctx *ctx);

/* Fills ctx->form_action_csp from redirect_domains. */
void login_csp_init(struct login_ctx *ctx);

#endif
