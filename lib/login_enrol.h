/* login_enrol.h: gatekeep-login's enrolment policy: who may add a sign-in method that passes for a second factor, and from which session. */
#ifndef GK_LOGIN_ENROL_H
#define GK_LOGIN_ENROL_H

#include "login_request.h"

/*
 * The pages that add a method passing for a second factor (app passwords,
 * passkeys), after login_totp_code_first: a user to whom a second factor
 * applies (gk_second_factor_user: second_factor_groups, a "2fa:" rule) and
 * whose session has none is refused with a 403 page and a deny line
 * (reason=second-factor-first): true, answered. Else a password alone would
 * add a method that passes where a second factor is needed. false: go on.
 */
bool login_enrol_second_first(struct rq *q, const struct gk_user *u, uint32_t amr);

/* May users set up (or turn off) TOTP themselves on the account page (second_factor_enrol = self)? */
bool login_enrol_self(const struct login_ctx *ctx);

/*
 * With second_factor_enrol = admin, the account page's TOTP changes (set up,
 * confirm, turn off): a 403 page and a deny line (reason=self-enrol-refused), true.
 * false: self-enrolment is on, go on.
 */
bool login_enrol_self_refused(struct rq *q, const struct gk_user *u);

#endif
