/* authz_proxy.c: the trusted proxy header method, with its auto-created external users. */
#include <config.h>

#include <string.h>

#include "authz_chain.h"
#include "cidr.h"
#include "extuser.h"
#include "validate.h"

/*
 * 2FAuth's rule for the e-mail header: used only if it is a valid address that
 * no other user has; otherwise ignored (never a reason to refuse the request),
 * with one log line. A refused pair is remembered for a minute so a user whose
 * address stays taken does not cost a database scan on every request.
 */
static const char *
proxy_email(struct gk_authz *a, const struct gk_request *req, const char *name,
    const struct gk_user *u)
{
	const struct gk_config *cfg = a->cfg;
	struct gk_userdb *db;
	struct gk_err err = { "" };
	const char *email;
	char eb[96];
	bool taken;
	int rc;

	if (cfg->proxy_email_header == NULL || cfg->proxy_email_header[0] == '\0')
		return NULL;
	rc = gk_request_header(req, cfg->proxy_email_header, &email);
	if (rc == GK_NOTFOUND || (rc == GK_OK && email[0] == '\0'))
		return NULL;
	if (rc != GK_OK || !gk_valid_email(email, strlen(email))) {
		gk_log(a->log, LOG_NOTICE, "proxy user %s: ignored %s header: %s", name,
		    cfg->proxy_email_header, rc == GK_EDUP ? "sent more than once" :
		    rc != GK_OK ? "not a valid header value" : "not a valid e-mail address");
		return NULL;
	}
	if (u != NULL && strcmp(u->email, email) == 0)
		return email;           /* already this user's */
	if (strcmp(a->email_memo_user, name) == 0 && strcmp(a->email_memo, email) == 0 &&
	    a->now() < a->email_memo_until)
		return NULL;
	/* Outside the write lock: a pre-check; the write path checks again (and fails on a bad DB). */
	if ((db = authz_db(a)) == NULL)
		return NULL;
	if (gk_extuser_email_taken(db, name, email, &taken, &err) != GK_OK) {
		gk_log(a->log, LOG_ERR, "database %s: %s", cfg->database, err.msg);
		return NULL;
	}
	if (!taken)
		return email;
	gk_log(a->log, LOG_NOTICE, "proxy user %s: ignored e-mail %s from %s: used by another user",
	    name, gk_log_escape(email, eb, sizeof(eb)), cfg->proxy_email_header);
	if (gk_strcpy(a->email_memo_user, sizeof(a->email_memo_user), name) == GK_OK &&
	    gk_strcpy(a->email_memo, sizeof(a->email_memo), email) == GK_OK)
		a->email_memo_until = a->now() + 60;
	return NULL;
}

/*
 * Creates or re-synchronises the passwordless external user (lib/extuser: the
 * same upsert gatekeep-login's OIDC sign-in uses): the configured or header
 * groups and permission, the e-mail when no one else has it, and the first
 * user of an empty database as the admin. A local user is never changed.
 * GK_OK (*u as stored), GK_EDUP (a case clash, logged) or an error (logged).
 */
static int
proxy_sync(struct gk_authz *a, const char *name, const char *email, const char *groups,
    struct gk_user *u, bool exists)
{
	const struct gk_config *cfg = a->cfg;
	struct gk_extuser_want w = { 0 };
	struct gk_extuser_result res;
	struct gk_err err = { "" };
	char eb[96];

	w.name = name;
	w.email = email;
	w.groups = groups;
	w.set_perm = true;
	w.perm = cfg->proxy_auto_create_permission;
	w.email_unique = true;
	w.first_user_admin = true;
	w.lock_ms = 2000;
	switch (gk_extuser_upsert(cfg->database, &w, exists ? u : NULL, a->now(), u, &res, &err)) {
	case GK_EXTUSER_OK:
	case GK_EXTUSER_LOCAL:          /* a local user: the proxy never changes it */
		break;
	case GK_EXTUSER_NAME_CLASH:
		gk_log(a->log, LOG_NOTICE, "proxy user %s: not created: user %s exists and "
		    "a new name must differ by more than case", name, res.other);
		return GK_EDUP;
	default:
		gk_log(a->log, LOG_ERR, "proxy user %s: database write failed: %s", name, err.msg);
		return GK_ERR;
	}
	if (res.email_dropped)
		gk_log(a->log, LOG_NOTICE, "proxy user %s: ignored e-mail %s from %s: "
		    "used by another user", name, gk_log_escape(email, eb, sizeof(eb)),
		    cfg->proxy_email_header);
	if (res.made_admin)
		gk_log(a->log, LOG_NOTICE, "proxy user %s: first user of an empty database: "
		    "created as an admin (group %s, level 0)", name, GK_ADMIN_GROUP);
	else if (res.created)
		gk_log(a->log, LOG_NOTICE, "proxy user %s: created", name);
	return GK_OK;
}

static enum authz_found
m_proxy(const struct authz_call *c, struct gk_decision *d)
{
	struct gk_authz *a = c->a;
	const struct gk_request *req = c->req;
	const struct gk_config *cfg = a->cfg;
	const char *name, *email = NULL, *groups = NULL;
	struct gk_user *u;
	int rc;

	if (cfg->proxy_user_header == NULL || cfg->proxy_user_header[0] == '\0')
		return M_NONE;
	rc = gk_request_header(req, cfg->proxy_user_header, &name);
	if (rc == GK_NOTFOUND)
		return M_NONE;  /* from anyone: a cookie's or a password's request skips the peer test */
	if (!gk_cidr_list_match(&cfg->proxy_trusted, d->from)) {
		gk_log(a->log, LOG_WARNING, "ignored %s header from untrusted peer %s",
		    cfg->proxy_user_header, d->from ? d->from : "-");
		return M_NONE;
	}
	if (rc == GK_OK && name[0] == '\0')
		return M_NONE;
	if (rc != GK_OK)
		return authz_fail(d, GK_OUT_BADCRED, rc == GK_EDUP ? "proxy-header-duplicate" :
		    "proxy-header-invalid");
	if (!gk_valid_user(name, strlen(name)))
		return authz_fail(d, GK_OUT_BADCRED, "proxy-header-invalid");
	gk_strcpy(d->attempted, sizeof(d->attempted), name);
	if (cfg->proxy_groups_header != NULL && cfg->proxy_groups_header[0] != '\0') {
		rc = gk_request_header(req, cfg->proxy_groups_header, &groups);
		if (rc == GK_NOTFOUND)
			groups = NULL;
		else if (rc != GK_OK || !gk_valid_group_list(groups, strlen(groups)))
			return authz_fail(d, GK_OUT_BADCRED, "proxy-groups-invalid");
	}
	if (groups == NULL)
		groups = cfg->proxy_auto_create_groups ? cfg->proxy_auto_create_groups : "";
	rc = authz_lookup(a, name, (u = authz_user_slot(d)));
	if (rc == GK_NOTFOUND) {
		if (!cfg->proxy_auto_create)
			return authz_fail(d, GK_OUT_FORBIDDEN, "unknown-user");
		email = proxy_email(a, req, name, NULL);
		if ((rc = proxy_sync(a, name, email, groups, u, false)) == GK_EDUP)
			return authz_fail(d, GK_OUT_FORBIDDEN, "name-case-clash");
		if (rc != GK_OK)
			return authz_fail(d, GK_OUT_ERROR, "database-write");
	} else if (rc != GK_OK) {
		return authz_fail(d, GK_OUT_ERROR, "database");
	} else {
		if (u->flags & GK_USER_EXTERNAL)
			email = proxy_email(a, req, name, u);
		if (proxy_sync(a, name, email, groups, u, true) != GK_OK)
			return authz_fail(d, GK_OUT_ERROR, "database-write");
	}
	if (u->flags & GK_USER_DISABLED)        /* 403, not 401: a proxy would loop on a login */
		return authz_fail(d, GK_OUT_FORBIDDEN, "disabled");
	authz_set_user(d, u, "proxy");
	return M_USER;
}

const struct authz_method authz_m_proxy = { "proxy", m_proxy };
