/* login_oidc_int.h: the provider object shared by lib/login_oidc*.c (settings, provider HTTP, JWT); callers use login_oidc.h. */
#ifndef GK_LOGIN_OIDC_INT_H
#define GK_LOGIN_OIDC_INT_H

#include <cjose/cjose.h>
#include <jansson.h>

#include "login_oidc.h"

#define CACHE_TTL          3600          /* discovery document and JWKS, seconds */
#define JWKS_KEYS_MAX      32

struct jwk {
	cjose_jwk_t *k;
	char kid[256];
	char alg[16];       /* "" = not stated */
	bool rsa, p256;
};

struct login_oidc {
	enum gk_oidc_provider provider;
	const struct gk_log *log;
	char *client_id, *secret, *redirect_uri, *scopes, *label;
	char *issuer;                       /* "" for github */
	/* configured endpoints (may be "") and the ones in use (configured, else discovered) */
	char *cfg_auth, *cfg_token, *cfg_userinfo, *cfg_jwks;
	char *auth, *token, *userinfo, *jwks_uri;
	bool auth_basic;                    /* client_secret_basic (else client_secret_post) */
	int64_t disc_time;                  /* 0 = not fetched */
	struct jwk keys[JWKS_KEYS_MAX];
	size_t nkeys;
	int64_t jwks_time;
	struct gk_strlist domains, users;
	bool any_domain;
	bool username_email;
	char *groups_claim;
};

/* login_oidc_util.c: small helpers. */
void login_oidc_lower(char *s);
/* Printable, no spaces, 1..max bytes. */
bool login_oidc_word_ok(const char *s, size_t max);
/* A string member of a JSON object, or NULL. */
const char *login_oidc_jstr(const json_t *o, const char *k);
void login_oidc_keys_free(struct login_oidc *o);

/*
 * login_oidc_provider.c: the provider over HTTP. Each sets *reason to a short
 * loggable word on failure and err to the detail.
 */
/* The discovery document (cached CACHE_TTL; not needed for GitHub or hand-set endpoints). */
int login_oidc_discover(struct login_oidc *o, int64_t now, const char **reason, struct gk_err *err);
/* The provider's RS256/ES256 signing keys (JWKS). */
int login_oidc_jwks_fetch(struct login_oidc *o, int64_t now, struct gk_err *err);
/* Redeems code with the PKCE verifier; on GK_OK *resp holds access_token (caller decrefs). */
int login_oidc_token_request(struct login_oidc *o, const char *code, const char *verifier,
    json_t **resp, const char **reason, struct gk_err *err);
/* Fills claims the ID token left out from the userinfo endpoint (same sub only). */
int login_oidc_merge_userinfo(struct login_oidc *o, json_t *claims, const char *access_token,
    const char **reason, struct gk_err *err);
/* GitHub: /user and /user/emails as claims {sub, email, email_verified, preferred_username, name}. */
int login_oidc_github_claims(struct login_oidc *o, const char *token, json_t **claims,
    const char **reason, struct gk_err *err);

/* login_oidc_jwt.c: the ID token and the identity. */
/* Verifies the ID token; on GK_OK *claims is its payload (caller decrefs). */
int login_oidc_id_token_check(struct login_oidc *o, int64_t now, const char *tok, const char *nonce,
    json_t **claims, const char **reason, struct gk_err *err);
/* Claims to our user: verified e-mail, allow-lists, user name, display name, groups. */
/*
 * The session's GK_AMR_* from a signed ID token's "amr" (RFC 8176): two
 * factors only when the provider says so: "mfa" (GK_AMR_PWD plus the "otp"/
 * "swk" -> GK_AMR_OTP or "hwk" -> GK_AMR_HWK it names, GK_AMR_OTP if none), or
 * "pwd"/"pin" with one of those; anything else (a lone "hwk", a string, no
 * claim) is 0, password level. Read before userinfo is merged: never from an
 * unsigned answer.
 */
uint32_t login_oidc_amr(const json_t *id_token_claims);
int login_oidc_identity(struct login_oidc *o, const json_t *c, struct login_oidc_id *id,
    const char **reason, struct gk_err *err);

#endif
