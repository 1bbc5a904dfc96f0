/* login_enrol.c: gatekeep-login's enrolment policy: a method that passes for a second factor is added only from a session that has one; second_factor_enrol = admin turns TOTP self-enrolment off. */
#include <config.h>

#include "login_enrol.h"
#include "second_factor.h"

#define ADMIN_ENROLS "Two-step verification is set up by your administrator. Please ask them."

bool
login_enrol_second_first(struct rq *q, const struct gk_user *u, uint32_t amr)
{
	const struct login_ctx *ctx = q->ctx;

	if (gk_second_factor_done(amr) || !gk_second_factor_user(&ctx->cfg, u))
		return false;
	/*
	 * An app password passes "2fa:" rules, and a passkey is a second factor: added from a
	 * password-only session, they would make the password alone enough.
	 */
	login_deny_log(q, u->name, "second-factor-first");
	login_message_page(q, 403, "Two-step verification first", login_enrol_self(ctx) ?
	    "This page needs a session signed in with two-step verification. Set it up on your "
	    "account page (or sign in again with your code), then come back." :
	    "This page needs a session signed in with two-step verification. " ADMIN_ENROLS);
	return true;
}

bool
login_enrol_self(const struct login_ctx *ctx)
{
	return ctx->cfg.second_factor_enrol == GK_SF_ENROL_SELF;
}

bool
login_enrol_self_refused(struct rq *q, const struct gk_user *u)
{
	if (login_enrol_self(q->ctx))
		return false;
	/* second_factor_enrol = admin: only gatekeep-passwd --totp-enrol and --totp-remove change it. */
	login_deny_log(q, u->name, "self-enrol-refused");
	login_message_page(q, 403, "Two-step verification", ADMIN_ENROLS);
	return true;
}
