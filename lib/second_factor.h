/* second_factor.h: when a request needs a session signed in with a second factor, and when a session has one. */
#ifndef GK_SECOND_FACTOR_H
#define GK_SECOND_FACTOR_H

#include "policy.h"
#include "token.h"

/*
 * A second factor is needed when any requirement the request must meet was
 * written "2fa:REQ" (a rule or GATEKEEP_REQUIRE), or when the user is in one
 * of second_factor_groups (always, on every path that needs a user). Only a
 * session can carry one (its "amr" claim, lib/token.h): Basic, the Apache pair
 * and a proxy header never do; app tokens are how machines get in.
 */
bool gk_second_factor_needed(const struct gk_config *cfg, const struct gk_requirements *rs,
    const struct gk_user *u);

/* Is u in one of second_factor_groups? */
bool gk_second_factor_group(const struct gk_config *cfg, const struct gk_user *u);

/*
 * Can a second factor be asked of u anywhere this configuration reaches: a member
 * of second_factor_groups, or a user whom some "2fa:" rule admits (for GET or
 * POST)? The login page asks it before adding a method that passes for a second
 * factor; GATEKEEP_REQUIRE set in the web server is not in the configuration.
 */
bool gk_second_factor_user(const struct gk_config *cfg, const struct gk_user *u);

/* Does amr (GK_AMR_* bits of a session) include a second factor? */
bool gk_second_factor_done(uint32_t amr);

#endif
