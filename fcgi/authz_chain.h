/* authz_chain.h: what the decision chain and its methods share inside gatekeep-authz (not a public API). */
#ifndef GK_AUTHZ_CHAIN_H
#define GK_AUTHZ_CHAIN_H

#include "authz_decide.h"
#include "method.h"
#include "pathnorm.h"

/* What one method found. */
enum authz_found {
	M_NONE = 0,             /* no credentials of this kind: try the next method */
	M_USER,                 /* identified d->user */
	M_ANON,                 /* bypass: allow without a user */
	M_FAIL                  /* d->outcome/reason set: stop */
};

/* The original request as the front end describes it. */
struct authz_view {
	const char *method;
	const char *host;
	const char *target;
	const char *proto;
	struct gk_methods ms;   /* every method the app could act on (method.h) */
};

/* One request as every method sees it. */
struct authz_call {
	struct gk_authz *a;
	const struct gk_request *req;
	enum gk_role role;
	const struct authz_view *v;
	const struct gk_path_readings *pr;
};

/*
 * An authentication method, as lighttpd's mod_authn_* register their
 * backends: its name (the decision log's method= and the config's methods
 * word) and the function that looks for its credentials. A method returns
 * M_NONE when the request carries none of its kind, so the next one runs.
 */
struct authz_method {
	const char *name;
	enum authz_found (*find)(const struct authz_call *c, struct gk_decision *d);
};

/* The methods (authz_methods.c, authz_proxy.c). */
extern const struct authz_method authz_m_bypass, authz_m_proxy, authz_m_session, authz_m_basic,
    authz_m_apache_pair;

/* Is this Apache's authenticator call with the REMOTE_USER/REMOTE_PASSWD pair? (authz_methods.c) */
bool authz_apache_pair_call(const struct gk_request *req, enum gk_role role);

/* Helpers of the chain (authz_chain.c). */
enum authz_found authz_fail(struct gk_decision *d, enum gk_outcome o, const char *reason);
/* One server-set param: GK_OK (value or NULL when absent) or GK_EDUP. */
int authz_param1(const struct gk_request *req, const char *name, const char **v);
/* The worker's database handle, opened on first use; NULL (logged) when it cannot be. */
struct gk_userdb *authz_db(struct gk_authz *a);
/* Looks a user up: GK_OK, GK_NOTFOUND, or an error already logged. */
int authz_lookup(struct gk_authz *a, const char *name, struct gk_user *u);
/*
 * Where a method's user lookup writes: d's own record, so that the user is not copied and
 * wiped once more per request. d->user is then wiped whole by gk_authz_decision_wipe whatever
 * the outcome (a refusal's record, its password hash, never outlives the request).
 */
struct gk_user *authz_user_slot(struct gk_decision *d);
/* d's user is u (d's own slot or a copy; its hash wiped), identified by method. */
void authz_set_user(struct gk_decision *d, const struct gk_user *u, const char *method);

/* App tokens (authz_token.c): the creds lookup for lib/auth, a token as the Basic password, Bearer. */
int authz_creds_lookup(void *arg, const char *name, struct gk_user *u, struct gk_creds *c);
enum authz_found authz_token_check(const struct authz_call *c, const char *user,
    const char *token, struct gk_decision *d);
enum authz_found authz_bearer(const struct authz_call *c, const char *header,
    struct gk_decision *d);
/* The second factor (authz_second.c): false (d refused) when one is needed and the method has none. */
bool authz_second_factor_ok(struct gk_authz *a, const struct gk_requirements *rs,
    struct gk_decision *d);
/* A refusal for a missing second factor sends the browser to the login page's code step. */
void authz_second_factor_location(struct gk_decision *d);

/* The failure table (authz_state.c): Basic or the Apache pair on, and max_failures > 0. */
bool authz_lockout_wanted(const struct gk_config *cfg);
int authz_lockout_open(const struct gk_config *cfg, const struct gk_log *log,
    struct gk_lockout **lk, struct gk_err *err);

#endif
