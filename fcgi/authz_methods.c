/* authz_methods.c: gatekeep-authz's methods that need no database writes: bypass, session cookie, Basic, Apache's pair. */
#include <config.h>

#include <string.h>

#include "apptoken.h"
#include "authz_chain.h"
#include "basic.h"
#include "bypass.h"
#include "cookie.h"
#include "cidr.h"
#include "secret_follow.h"
#include "token.h"

static enum authz_found
m_bypass(const struct authz_call *c, struct gk_decision *d)
{
	struct gk_authz *a = c->a;
	const struct gk_config *cfg = a->cfg;
	struct gk_user *u;

	if (gk_path_readings_all_under(c->pr, &cfg->bypass_paths))
		return d->method = "bypass", M_ANON;
	if (cfg->bypass_networks.count > 0 &&
	    gk_cidr_list_match(&cfg->bypass_networks, d->from))
		return d->method = "bypass", M_ANON;
	/* lib/bypass.c: the Host exactly, on a bound listener or from a bound network. */
	if (gk_bypass_host_applies(cfg, c->req, c->v->host, d->from)) {
		if (cfg->bypass_user == NULL || cfg->bypass_user[0] == '\0')
			return authz_fail(d, GK_OUT_ERROR, "no-bypass-user");
		switch (authz_lookup(a, cfg->bypass_user, (u = authz_user_slot(d)))) {
		case GK_OK:
			authz_set_user(d, u, "bypass");
			return M_USER;
		case GK_NOTFOUND:
			gk_log(a->log, LOG_ERR, "bypass_user %s is not in the database",
			    cfg->bypass_user);
			return authz_fail(d, GK_OUT_ERROR, "no-bypass-user");
		default:
			return authz_fail(d, GK_OUT_ERROR, "database");
		}
	}
	return M_NONE;
}

/* The signing key, loaded on first use; NULL (logged) when it cannot be. */
static const struct gk_secret *
session_secret(void *arg)
{
	struct gk_authz *a = arg;

	return gk_secret_follow(a->cfg->secret_file, &a->secret, a->log);
}

static enum authz_found
m_session(const struct authz_call *call, struct gk_decision *d)
{
	struct gk_authz *a = call->a;
	const struct gk_config *cfg = a->cfg;
	struct gk_auth_session_conf sc;
	enum gk_auth_status st;
	const char *cookie;
	struct gk_claims c;
	struct gk_user *u = authz_user_slot(d);
	enum authz_found res;
	int64_t now;
	int rc;

	rc = gk_request_header(call->req, "Cookie", &cookie);
	if (rc == GK_NOTFOUND)
		return M_NONE;
	if (rc == GK_ETOOLONG) {
		/* more than any browser's jar for one site: said apart from a malformed header */
		gk_log(a->log, LOG_NOTICE, "Cookie header over %d bytes refused",
		    GK_COOKIE_HEADER_MAX);
		return authz_fail(d, GK_OUT_BADCRED, "oversized-cookie-header");
	}
	if (rc != GK_OK)
		return authz_fail(d, GK_OUT_BADCRED, "bad-cookie-header");
	sc.secret = session_secret;
	sc.secret_arg = a;
	sc.cookie_name = cfg->cookie_name;
	sc.issuer = GK_TOKEN_ISSUER;
	sc.session_ttl = cfg->session_ttl;
	now = a->now();         /* one clock read for the check and the ticket */
	st = gk_auth_session(&a->auth, &sc, cookie, now, u, &c);
	if (st == GK_AUTH_OK) {
		authz_set_user(d, u, "session");
		d->amr = c.amr;
		/* unwanted, gk_ticket_answer_header writes d->ticket's first byte only */
		d->ticket_written = gk_ticket_wanted(cfg, u);
		gk_ticket_answer_header(cfg, &a->secret, cookie, u, &c, now, d->ticket, sizeof(d->ticket));
		res = M_USER;
	} else if (st == GK_AUTH_NONE) {
		res = M_NONE;   /* expired, not forged: let another method or the login run */
	} else {
		if (c.sub[0] != '\0')
			gk_strcpy(d->attempted, sizeof(d->attempted), c.sub);
		res = authz_fail(d, st == GK_AUTH_DB_ERROR || st == GK_AUTH_SECRET_ERROR ? GK_OUT_ERROR :
		    GK_OUT_BADCRED, gk_auth_reason(st));
	}
	gk_wipe(&c, sizeof(c));
	return res;
}

/* Checks user/password through lib/auth (lockout, database, cache, hash); both already bounded. */
static enum authz_found
check_password(const struct authz_call *c, const char *user, const char *pass,
    const char *method, struct gk_decision *d)
{
	struct gk_authz *a = c->a;
	struct gk_user *u;
	enum gk_auth_status st;

	if (gk_apptoken_shaped(pass))   /* an app token, never a password (lib/apptoken.h) */
		return authz_token_check(c, user, pass, d);
	gk_strcpy(d->attempted, sizeof(d->attempted), user);
	st = gk_auth_password(&a->auth, user, pass, d->from, a->now(), (u = authz_user_slot(d)));
	if (st != GK_AUTH_OK)
		return authz_fail(d, st == GK_AUTH_DB_ERROR || st == GK_AUTH_INTERNAL ? GK_OUT_ERROR :
		    GK_OUT_BADCRED, gk_auth_reason(st));
	authz_set_user(d, u, method);
	return M_USER;
}

static enum authz_found
m_basic(const struct authz_call *c, struct gk_decision *d)
{
	char user[GK_USER_MAX + 1], pass[GK_PASSWORD_MAX + 1];
	const char *h;
	enum authz_found res;
	int rc;

	rc = gk_request_header(c->req, "Authorization", &h);
	if (rc == GK_OK) {
		rc = gk_basic_parse(h, user, pass);
		if (rc == GK_NOTFOUND)
			return authz_bearer(c, h, d);  /* another scheme: ours only for an app token */
		if (rc != GK_OK)
			return authz_fail(d, GK_OUT_BADCRED, "malformed-credentials");
		res = check_password(c, user, pass, "basic", d);
		gk_wipe(pass, sizeof(pass));
		return res;
	}
	if (rc != GK_NOTFOUND)
		return authz_fail(d, GK_OUT_BADCRED, rc == GK_EDUP ? "duplicate-authorization" :
		    "malformed-credentials");
	return M_NONE;
}

/*
 * Apache mod_authnz_fcgi / mod_fcgid authenticator calls: the Basic pair
 * arrives as REMOTE_USER + REMOTE_PASSWD. Apache makes the name the client
 * typed the request's user whatever else we looked at, so such a call is
 * decided on that pair alone: no bypass, proxy header or cookie may stand in
 * for it (else "-u alice:WRONG" plus a trusted header would pass as alice).
 * Everywhere else REMOTE_USER is never read.
 */
bool
authz_apache_pair_call(const struct gk_request *req, enum gk_role role)
{
	const char *ar = gk_request_param(req, "FCGI_APACHE_ROLE");

	/* Without FCGI_APACHE_ROLE: a provider used for both authn and authz, still a pair. */
	return role == GK_ROLE_AUTHORIZER && (ar == NULL || strcmp(ar, "AUTHENTICATOR") == 0) &&
	    gk_request_param(req, "REMOTE_PASSWD") != NULL;
}

static enum authz_found
m_apache_pair(const struct authz_call *c, struct gk_decision *d)
{
	const struct gk_request *req = c->req;
	char user[GK_USER_MAX + 1], pass[GK_PASSWORD_MAX + 1];
	const char *ar, *ru, *rp, *h;
	enum authz_found res;
	bool mismatch;
	int rc;

	if (!gk_config_uses_method(c->a->cfg, GK_M_BASIC))
		return authz_fail(d, GK_OUT_BADCRED, "basic-not-enabled");
	if (authz_param1(req, "FCGI_APACHE_ROLE", &ar) != GK_OK ||
	    authz_param1(req, "REMOTE_USER", &ru) != GK_OK ||
	    authz_param1(req, "REMOTE_PASSWD", &rp) != GK_OK)
		return authz_fail(d, GK_OUT_BADCRED, "duplicate-credentials");
	/* Apache's lenient parse of the pair must be exactly gatekeep's strict one. */
	if ((rc = gk_request_header(req, "Authorization", &h)) != GK_OK && rc != GK_NOTFOUND)
		return authz_fail(d, GK_OUT_BADCRED, "malformed-credentials");
	if (gk_basic_pair_check(ru, rp, rc == GK_OK ? h : NULL, user, pass, &mismatch) != GK_OK)
		return authz_fail(d, GK_OUT_BADCRED, mismatch ? "authorization-mismatch" :
		    "malformed-credentials");
	res = check_password(c, user, pass, "apache", d);
	gk_wipe(pass, sizeof(pass));
	return res;
}

const struct authz_method authz_m_bypass = { "bypass", m_bypass };
const struct authz_method authz_m_session = { "session", m_session };
const struct authz_method authz_m_basic = { "basic", m_basic };
const struct authz_method authz_m_apache_pair = { "apache", m_apache_pair };
