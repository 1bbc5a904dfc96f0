/* authz_second.c: gatekeep-authz's second-factor check after the user is known: a session signed in with one, never Basic. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "authz_chain.h"
#include "second_factor.h"

/*
 * Methods whose credential is meant for machines and may pass where a second
 * factor is needed: an app token was issued by a signed-in user to one client
 * and is limited to its scope (none yet; the tokens method adds its name).
 */
static const char *const machine_methods[] = { "token" };

bool
authz_second_factor_ok(struct gk_authz *a, const struct gk_requirements *rs,
    struct gk_decision *d)
{
	size_t i;

	if (!gk_second_factor_needed(a->cfg, rs, &d->user))
		return true;
	if (d->method != NULL && strcmp(d->method, "session") == 0) {
		if (gk_second_factor_done(d->amr))
			return true;
		/* Signed in with the password only: the login page asks for the code, not the password. */
		authz_fail(d, GK_OUT_BADCRED, "second-factor-required");
		return false;
	}
	for (i = 0; d->method != NULL && i < sizeof(machine_methods) / sizeof(machine_methods[0]); i++)
		if (strcmp(d->method, machine_methods[i]) == 0)
			return true;
	/* Basic, the Apache pair, a proxy header, a bypass user: no way to carry a code. */
	gk_log(a->log, LOG_NOTICE, "a second factor is needed here and %s credentials cannot carry "
	    "one: denied (sign in through the login page, or use an app token)",
	    d->method != NULL ? d->method : "these");
	authz_fail(d, GK_OUT_FORBIDDEN, "second-factor-needs-session");
	return false;
}

void
authz_second_factor_location(struct gk_decision *d)
{
	size_t n = strlen(d->location);

	if (d->reason == NULL || strcmp(d->reason, "second-factor-required") != 0 || n == 0)
		return;
	/* The login page's code step (lib/login_totp.c reads "2fa=1"). */
	if (n + 7 < sizeof(d->location))
		snprintf(d->location + n, sizeof(d->location) - n, "%c2fa=1",
		    strchr(d->location, '?') != NULL ? '&' : '?');
}
