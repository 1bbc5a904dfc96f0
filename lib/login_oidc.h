/* login_oidc.h: OpenID Connect / OAuth2 sign-in for gatekeep-login: provider settings, HTTP, ID token checks. */
#ifndef GK_LOGIN_OIDC_H
#define GK_LOGIN_OIDC_H

#include <stdint.h>

#include "redirect.h"       /* and through it lib/conf.h */
#include "log.h"

#define LOGIN_OIDC_URL_MAX   4096   /* an authorization URL we build */
#define LOGIN_OIDC_SUB_MAX   255    /* the provider's subject identifier */

/* Who the provider says signed in, after every check (verified e-mail, allow-lists). */
struct login_oidc_id {
	char user[GK_USER_MAX + 1];       /* our user name (the e-mail or preferred_username) */
	char email[GK_EMAIL_MAX + 1];     /* verified, lower-cased */
	char display[GK_DISPLAY_MAX + 1]; /* "" when the provider gave none (or an unusable one) */
	char groups[GK_GROUPS_MAX + 1];   /* mapped from oidc_groups_claim, invalid entries dropped */
	bool groups_mapped;               /* oidc_groups_claim is set: groups replace the stored ones */
	char sub[LOGIN_OIDC_SUB_MAX + 1];
	uint32_t amr;                     /* GK_AMR_* from the ID token's own "amr" (login_oidc_amr) */
};

struct login_oidc;

/*
 * Checks the oidc_* settings (no network yet) and builds the provider
 * object. client_secret is the secret (from GATEKEEP_OIDC_CLIENT_SECRET or
 * oidc_client_secret_file, read by the caller; NULL or "" = a public client).
 * GK_NOTFOUND (and *out = NULL) when oidc_provider = none.
 */
int login_oidc_new(const struct gk_config *cfg, const char *client_secret, const struct gk_log *log,
    struct login_oidc **out, struct gk_err *err);
void login_oidc_free(struct login_oidc *o);

/* Reads the client secret: $GATEKEEP_OIDC_CLIENT_SECRET, else oidc_client_secret_file; malloc'ed. */
int login_oidc_read_secret(const struct gk_config *cfg, char *const *envp, char **out,
    struct gk_err *err);

/* The label of the sign-in button ("Sign in with Google", or oidc_button_label). */
const char *login_oidc_label(const struct login_oidc *o);

/*
 * The provider's authorization URL for one sign-in (fetches the discovery
 * document when needed). state, nonce and the S256 challenge are the
 * caller's. On failure *reason is a short loggable word and err the detail.
 */
int login_oidc_auth_url(struct login_oidc *o, int64_t now, const char *state, const char *nonce,
    const char *challenge, char *out, size_t outsz, const char **reason, struct gk_err *err);

/*
 * Redeems code (with the PKCE verifier) at the token endpoint, checks the ID
 * token (signature from the provider's JWKS, RS256/ES256 only, iss, aud,
 * azp, exp, iat, nonce) or, for GitHub, reads the user and its verified
 * primary e-mail, then applies email_verified and the allow-lists. GK_OK
 * fills id; otherwise *reason says why (loggable) and err the detail.
 */
int login_oidc_finish(struct login_oidc *o, int64_t now, const char *code, const char *verifier,
    const char *nonce, struct login_oidc_id *id, const char **reason, struct gk_err *err);

#endif
