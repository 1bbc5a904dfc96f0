/* login_passkey.h: gatekeep-login's passkey (WebAuthn) pages: sign-in, second factor, the account's passkeys; what their modules share. */
#ifndef GK_LOGIN_PASSKEY_H
#define GK_LOGIN_PASSKEY_H

#include "login_request.h"
#include "webauthn.h"

/*
 * Endpoints (beside the login URL, e.g. /gatekeep/login):
 *   <base>/passkey           GET: the passwordless sign-in page; POST: its assertion, or
 *                            the second factor's (mode=2fa) after a good password.
 *   <base>/account/passkeys  a signed-in user's passkeys: list, add, remove (CSRF and the
 *                            password again for add and remove: a fresh re-authentication).
 * Off (passkeys = false): both answer 404, and the password form never asks for a passkey.
 *
 * Passwordless sign-in is username-less: the page asks for a discoverable credential,
 * the authenticator answers with the user handle we gave it at registration (the user
 * name), and the credential must be one of that user's passkeys.
 *
 * Challenges are stateless and signed: 1 version byte, 1 purpose byte, the issue time
 * (8 bytes), 16 random bytes (libsodium), and an HMAC-SHA256 with the secret key over
 * those, the CSRF nonce of the browser (the SameSite=Strict cookie), the user and, for a
 * registration, the passkey's name. So a challenge is good only in the browser it was
 * given to, for one purpose and one user, for CHALLENGE_TTL seconds; and it is used at
 * most once per credential: a passkey records the issue time of the last challenge it
 * answered (its last_used) and refuses a challenge that is not newer (on top of the
 * signature counter, which catches clones of authenticators that count). With
 * state_backend = redis an accepted challenge is also claimed in the store
 * (gk_auth_claim_once): each machine's copy of the database knows only its own last_used.
 */

#define PASSKEY_CHALLENGE_TTL 120    /* seconds */
#define PASSKEY_CHALLENGE_LEN 58

enum passkey_purpose { PK_SIGNIN = 1, PK_SECOND = 2, PK_REGISTER = 3 };

/* Start-up check of the passkey keys (origin, rp id); GK_OK when off. */
int login_passkey_config_check(const struct gk_config *cfg, struct gk_err *err);
/* The relying party of this configuration; rp_id is written into buf. */
void login_passkey_rp(const struct login_ctx *ctx, struct gk_wa_rp *rp, char *buf, size_t bufsz);

/* login_passkey_chal.c: the signed challenges. */
void login_passkey_challenge(struct rq *q, enum passkey_purpose p, const char *user,
    const char *extra, char *b64, size_t b64sz);
/* GK_OK and the raw challenge and its issue time, or why not ("challenge-expired", ...). */
int login_passkey_challenge_check(struct rq *q, enum passkey_purpose p, const char *user,
    const char *extra, const char *b64, unsigned char raw[PASSKEY_CHALLENGE_LEN], int64_t *iat,
    const char **why);

/* login_passkey_page.c: the pages; the ceremony's script is inline, allowed by its hash. */
struct passkey_page {
	const char *title, *error, *message;
	const char *mode;          /* "get" or "create": the ceremony; NULL: none */
	const char *action, *csrf, *rd, *challenge, *user, *name, *allow;
	const char *user_id;       /* registration: base64url of the user handle */
	bool second;               /* the second factor after a password */
	const struct gk_creds *list;       /* account page: the user's passkeys; NULL: none */
	bool account;              /* the account page's forms */
};
void login_passkey_page(struct rq *q, int status, const struct passkey_page *p);

/* Base64url (no padding) in and out, through libsodium. */
bool login_passkey_b64_decode(const char *s, unsigned char *out, size_t outsz, size_t *len);
void login_passkey_b64_encode(const unsigned char *in, size_t len, char *out, size_t outsz);

/* login_passkey.c: sign-in, the second factor, the routes. */
bool login_passkey_route(struct rq *q);
/* The password form's hook: true when the user must (and is now asked to) use a passkey too. */
bool login_passkey_second_factor(struct rq *q, const struct gk_user *u, const char *rd);
void login_passkey_signin(struct rq *q, const char *body, size_t len);
struct gk_creds;
void login_passkey_allow_list(const struct gk_creds *c, char *out, size_t outsz);

/* login_passkey_account.c */
void login_passkey_account(struct rq *q, const char *body, size_t len);

#endif
