/* authz_chain.c: the helpers the decision chain and its methods share: failing, one param, the user database. */
#include <config.h>

#include "authz_chain.h"

enum authz_found
authz_fail(struct gk_decision *d, enum gk_outcome o, const char *reason)
{
	d->outcome = o;
	d->reason = reason;
	return M_FAIL;
}

/* One server-set param: GK_OK (value or NULL when absent) or GK_EDUP. */
int
authz_param1(const struct gk_request *req, const char *name, const char **v)
{
	return gk_request_param_once(req, name, v);
}

struct gk_userdb *
authz_db(struct gk_authz *a)
{
	return gk_userbackend_gdbm(a->auth.users);
}

/* Looks a user up: GK_OK, GK_NOTFOUND, or an error already logged. */
int
authz_lookup(struct gk_authz *a, const char *name, struct gk_user *u)
{
	return gk_userbackend_lookup(a->auth.users, name, u);
}

struct gk_user *
authz_user_slot(struct gk_decision *d)
{
	d->user_written = true;
	return &d->user;
}

void
authz_set_user(struct gk_decision *d, const struct gk_user *u, const char *method)
{
	if (u != &d->user)
		d->user = *u;
	gk_wipe(d->user.hash, sizeof(d->user.hash));
	d->have_user = true;
	d->method = method;
}
