/* login_totp.h: gatekeep-login's second-factor code step (lib/login_totp.c) and the self-service account page (lib/login_selfservice.c). */
#ifndef GK_LOGIN_TOTP_H
#define GK_LOGIN_TOTP_H

#include "login_request.h"

#define LOGIN_PENDING_ISSUER "gatekeep-2fa-pending"   /* never a session's issuer: a pending state is no session */
#define LOGIN_PENDING_TTL    300                      /* seconds to type the code */

/*
 * After a right password: a user with TOTP gets the code step (a signed,
 * short-lived pending state in the form, not a session) and true; false: no
 * TOTP, start the session. A store that cannot be read answers 500 (true).
 */
bool login_totp_after_password(struct rq *q, const struct gk_user *u, const char *rd);

/*
 * GET login?2fa=1 (where gatekeep-authz sends a password-only session that
 * needs a second factor): the code step for the session's user, or the
 * account page to enrol when they have no TOTP. false: not this case.
 */
bool login_totp_get(struct rq *q);

/*
 * The pages that manage sign-in methods (account, passkeys, app passwords): a
 * session without a second factor (amr) of a user who has one is sent to the
 * code step (TOTP) or to the sign-in form (a passkey asked after the password),
 * back to this page afterwards (303), or 500 when the store cannot be read:
 * true, answered. false: go on (a second factor done, or none to ask for).
 */
bool login_totp_code_first(struct rq *q, const char *user, uint32_t amr);

/* POST login with a "pending" field: the code step's form. false: not this form. */
bool login_totp_post(struct rq *q, const char *body, size_t len);

/* The self-service page (GET shows, POST changes): password, TOTP, recovery codes. */
void login_do_account(struct rq *q, const char *body, size_t len);

#endif
