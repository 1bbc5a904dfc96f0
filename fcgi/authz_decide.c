/* authz_decide.c: the decision chain: the original request, the requirement, the methods in the configured order, the answer. */
#include <config.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "authz_chain.h"
#include "cookie.h"
#include "frontend.h"
#include "hashpool.h"
#include "origin.h"
#include "policy.h"
#include "validate.h"
#include "authz_answer.h"
#include "metrics.h"

/*
 * The methods by the config's methods word, tried in the configured order;
 * Apache's REMOTE_USER/REMOTE_PASSWD pair is decided alone (authz_methods.c).
 * A new method: a function in its own authz_*.c, a row here, a word in lib/conf.c.
 */
static const struct authz_method *const chain[] = {
	[GK_M_BYPASS] = &authz_m_bypass,
	[GK_M_PROXY] = &authz_m_proxy,
	[GK_M_SESSION] = &authz_m_session,
	[GK_M_BASIC] = &authz_m_basic,
};

static int64_t
now_real(void)
{
	return (int64_t)time(NULL);
}

int
gk_authz_init(struct gk_authz *a, const struct gk_config *cfg, const struct gk_log *log,
    struct gk_err *err)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->log = log;
	a->now = now_real;
	(void)gk_requirement_parse("any", &a->any);    /* a constant: parses */
	if ((a->readings = malloc(sizeof(*a->readings))) == NULL) {
		gk_err_set(err, "out of memory");
		return GK_ERR;
	}
	if (gk_auth_open(&a->auth, cfg, log, true, err) != GK_OK) {
		free(a->readings);
		a->readings = NULL;
		return GK_ERR;
	}
	a->auth.lockout_on = authz_lockout_wanted(cfg);
	/* The shared store (state_backend = redis) also serves session checks: open it for them too. */
	if ((a->auth.lockout_on || cfg->state_backend == GK_STATE_BACKEND_REDIS) &&
	    authz_lockout_open(cfg, log, &a->auth.lk, err) != GK_OK) {
		gk_auth_close(&a->auth);
		free(a->readings);
		a->readings = NULL;
		return GK_ERR;
	}
	a->auth.creds = authz_creds_lookup, a->auth.creds_arg = a;    /* app tokens (authz_token.c) */
	return GK_OK;
}

void
gk_authz_free(struct gk_authz *a)
{
	gk_auth_close(&a->auth);
	gk_secret_wipe(&a->secret);
	free(a->readings);
	memset(a, 0, sizeof(*a));
}

/*
 * Bounds on the whole param set before anything looks at it: name + '=' + value, names
 * short, values at most GK_HEADER_MAX, the Cookie header's at most GK_COOKIE_HEADER_MAX
 * (every cookie of the domain; lib/cookie.h).
 */
static bool
params_sane(char *const *envp)
{
	static const char cookie[] = "HTTP_COOKIE=";
	const size_t max = GK_HEADER_MAX + 256, cmax = sizeof(cookie) - 1 + GK_COOKIE_HEADER_MAX;
	size_t n;

	if (envp == NULL)
		return false;
	for (n = 0; envp[n] != NULL; n++) {
		if (n >= GK_AUTHZ_PARAMS_MAX)
			return false;
		/* the Cookie header looked at only when it is long (no compare per param) */
		if (strnlen(envp[n], max + 1) > max &&
		    (strncmp(envp[n], cookie, sizeof(cookie) - 1) != 0 ||
		    strnlen(envp[n] + max, cmax - max + 1) > cmax - max))
			return false;
	}
	return true;
}

/* --- the original request ------------------------------------------------ */

static int
view_get(const struct gk_authz *a, const struct gk_request *req, enum gk_role role,
    struct authz_view *v, struct gk_decision *d)
{
	static const char *const names[] = { "REQUEST_METHOD", "REQUEST_URI", "HTTPS",
		"REQUEST_SCHEME" };
	const char *val[4], *https, *scheme, *why;

	memset(v, 0, sizeof(*v));
	if (a->cfg->frontend == GK_FRONTEND_CADDY && role == GK_ROLE_RESPONDER) {
		/* forward_auth rewrites the request: lib/frontend.c reads and cross-checks the original. */
		struct gk_fwd_view f;
		int rc = gk_frontend_caddy_view(req, &f, &why);

		if (rc != GK_OK)
			return authz_fail(d, rc == GK_NOTFOUND ? GK_OUT_ERROR : GK_OUT_FORBIDDEN, why), GK_ERR;
		v->method = f.method, v->host = f.host, v->target = f.target, v->proto = f.proto;
		if (!gk_frontend_host_name_ok(v->host))
			return authz_fail(d, GK_OUT_FORBIDDEN, "bad-host"), GK_ERR;
		return GK_OK;
	}
	/* each at most once (authz_param1), in one walk of the params */
	if (gk_request_params_once(req, names, 4, val) != GK_OK)
		return authz_fail(d, GK_OUT_FORBIDDEN, "duplicate-params"), GK_ERR;
	v->method = val[0], v->target = val[1], https = val[2], scheme = val[3];
	if (gk_frontend_host(req, &v->host, &why) != GK_OK)
		return authz_fail(d, GK_OUT_FORBIDDEN, why), GK_ERR;
	if (!gk_frontend_host_name_ok(v->host))
		return authz_fail(d, GK_OUT_FORBIDDEN, "bad-host"), GK_ERR;
	if (v->method == NULL || v->target == NULL)
		return authz_fail(d, GK_OUT_ERROR, "missing-request-uri"), GK_ERR;
	if (scheme != NULL && (strcmp(scheme, "https") == 0 || strcmp(scheme, "http") == 0))
		v->proto = scheme;
	else
		v->proto = https != NULL && strcasecmp(https, "on") == 0 ? "https" : "http";
	return GK_OK;
}

/* --- the requirement ----------------------------------------------------- */

/* Requirement from the auth_request endpoint path: its last segment, if it parses. */
static bool
endpoint_requirement(const struct gk_request *req, char *buf, size_t bufsz,
    struct gk_requirement *r)
{
	const char *uri = gk_request_param(req, "DOCUMENT_URI");
	const char *slash;
	size_t n;

	if (uri == NULL)
		uri = gk_request_param(req, "SCRIPT_NAME");
	if (uri == NULL || (slash = strrchr(uri, '/')) == NULL)
		return false;
	n = strcspn(slash + 1, "?");
	if (gk_memcpy_str(buf, bufsz, slash + 1, n) != GK_OK)
		return false;
	return gk_requirement_parse(buf, r) == GK_OK;
}

static int
requirement(struct gk_authz *a, const struct gk_request *req, enum gk_role role,
    const struct authz_view *v, const struct gk_path_readings *pr, char *buf, size_t bufsz,
    struct gk_requirements *rs, struct gk_decision *d)
{
	struct gk_requirement r;
	const char *s;

	/* Every reading of the path an app could use: the strictest rule among them wins. */
	if (gk_policy_requirements_methods(a->cfg, v->host, pr, &v->ms, rs, &s) != GK_OK) {
		gk_log(a->log, LOG_ERR, "%s: bad requirement", s);
		authz_fail(d, GK_OUT_ERROR, "bad-rule");
		return GK_ERR;
	}
	if (!rs->unmatched)
		return GK_OK;
	if (authz_param1(req, "GATEKEEP_REQUIRE", &s) != GK_OK) {
		authz_fail(d, GK_OUT_ERROR, "duplicate-GATEKEEP_REQUIRE");
		return GK_ERR;
	}
	if (s != NULL) {
		if (gk_strcpy(buf, bufsz, s) != GK_OK || gk_requirement_parse(buf, &r) != GK_OK) {
			gk_log(a->log, LOG_ERR, "GATEKEEP_REQUIRE: not a requirement");
			authz_fail(d, GK_OUT_ERROR, "bad-GATEKEEP_REQUIRE");
			return GK_ERR;
		}
	} else if (role != GK_ROLE_RESPONDER || !endpoint_requirement(req, buf, bufsz, &r)) {
		r = a->any;
	}
	(void)gk_requirements_add(rs, &r);     /* GK_REQUIREMENTS_MAX keeps a place for it */
	return GK_OK;
}

/* --- methods ------------------------------------------------------------- */
/* --- after identification ------------------------------------------------ */

/*
 * Origin check for unsafe methods (CSRF), when allowed_origins is set: the
 * one in lib/origin, without the login form's same-host allowance (the
 * protected app's own pages must be listed).
 */
static bool
origin_ok(const struct gk_config *cfg, const struct gk_request *req, const char *method)
{
	const char *why;

	if (cfg->allowed_origins.count == 0 || gk_http_method_safe(method))
		return true;
	return gk_origin_check(req, &cfg->allowed_origins, NULL, &why);
}

static void
urlencode(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0' && o + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/* How to ask for credentials: Basic challenge, login redirect, Location. */
static void
unauth_answer(const struct gk_config *cfg, const struct gk_request *req, const struct authz_view *v,
    struct gk_decision *d)
{
	const char *accept = NULL, *xrw = NULL;
	char url[GK_AUTHZ_TARGET_MAX + 1], enc[GK_AUTHZ_TARGET_MAX * 3 + 1];
	bool browser, basic = gk_config_uses_method(cfg, GK_M_BASIC);
	bool login = cfg->login_url != NULL && cfg->login_url[0] != '\0' &&
	    cfg->on_unauthenticated != GK_UNAUTH_BASIC;
	int n;

	if (gk_request_header(req, "Accept", &accept) != GK_OK)
		accept = NULL;
	if (gk_request_header(req, "X-Requested-With", &xrw) != GK_OK)
		xrw = NULL;
	browser = accept != NULL && strstr(accept, "text/html") != NULL &&
	    (xrw == NULL || strcasecmp(xrw, "XMLHttpRequest") != 0);
	d->redirect = login && (cfg->on_unauthenticated == GK_UNAUTH_REDIRECT || browser);
	d->offer_basic = basic && !d->redirect;
	d->location[0] = '\0';
	if (!login)
		return;
	d->location_written = true;
	url[0] = '\0';
	if (v->target != NULL && v->host != NULL && gk_valid_header_value(v->host, strlen(v->host)) &&
	    strpbrk(v->host, "/@?#\\ ") == NULL && v->target[0] == '/') {
		n = snprintf(url, sizeof(url), "%s://%s%s",
		    v->proto != NULL && strcmp(v->proto, "https") == 0 ? "https" : "http",
		    v->host, v->target);
		if (n < 0 || (size_t)n >= sizeof(url))
			url[0] = '\0';  /* too long to carry: the login page uses its default */
	}
	if (url[0] == '\0') {
		gk_strcpy(d->location, sizeof(d->location), cfg->login_url);
		return;
	}
	urlencode(url, enc, sizeof(enc));
	n = snprintf(d->location, sizeof(d->location), "%s%crd=%s", cfg->login_url,
	    strchr(cfg->login_url, '?') ? '&' : '?', enc);
	if (n < 0 || (size_t)n >= sizeof(d->location))
		gk_strcpy(d->location, sizeof(d->location), cfg->login_url);
}

static void
log_path(struct gk_decision *d, const char *target)
{
	size_t n;

	if (target == NULL) {
		d->path[0] = '\0';     /* logged as uri=- (a literal "-" would be \x2d) */
		return;
	}
	n = strcspn(target, "?#");      /* never the query: it may carry tokens */
	if (n > sizeof(d->path) - 1)
		n = sizeof(d->path) - 1;
	gk_memcpy_str(d->path, sizeof(d->path), target, n);
}

/* Fresh state (CVE-2011-2766 class): every field above the buffers, every buffer "". */
static void
decision_reset(struct gk_decision *d)
{
	memset(d, 0, offsetof(struct gk_decision, attempted));
	d->attempted[0] = d->path[0] = d->location[0] = d->ticket[0] = '\0';
	d->user.name[0] = '\0';
}

void
gk_authz_decision_wipe(struct gk_decision *d)
{
	if (d->have_user || d->user_written)
		gk_wipe(&d->user, sizeof(d->user));
	gk_wipe(d->attempted, sizeof(d->attempted));
	/* one write of at least "-" (log_path, gk_strcpy: all or nothing) */
	gk_wipe(d->path, strnlen(d->path, sizeof(d->path) - 1) + 1);
	if (d->location_written)        /* snprintf may have left more than the final string */
		gk_wipe(d->location, sizeof(d->location));
	if (d->ticket_written)
		gk_wipe(d->ticket, sizeof(d->ticket));
	decision_reset(d);
}

void
gk_authz_decide(struct gk_authz *a, enum gk_role role, char *const *envp,
    struct gk_decision *d)
{
	const struct gk_config *cfg = a->cfg;
	struct gk_request req;
	struct authz_view v;
	struct gk_requirements rs;
	struct gk_path_readings *pr = a->readings;
	struct authz_call call;
	char reqbuf[GK_HEADER_MAX + 1];
	enum authz_found res = M_NONE;
	size_t i;

	gk_metrics_decision_start();
	decision_reset(d);
	v.target = NULL;        /* the whole view is cleared by view_get(), before any reads it */
	reqbuf[0] = '\0';
	d->role = role;
	d->outcome = GK_OUT_ERROR;
	d->caddy = cfg->frontend == GK_FRONTEND_CADDY;
	/* d->path "" until the target is read: an early deny logs uri=- (absent) */
	if (pr == NULL) {       /* not from gk_authz_init */
		authz_fail(d, GK_OUT_ERROR, "internal");
		goto done;
	}
	if (!params_sane(envp)) {
		authz_fail(d, GK_OUT_FORBIDDEN, "oversized-params");
		goto done;
	}
	gk_request_init(&req, envp);
	if (authz_param1(&req, "REMOTE_ADDR", &d->from) != GK_OK) {     /* d->from NULL */
		authz_fail(d, GK_OUT_FORBIDDEN, "duplicate-params");
		goto done;
	}
	if (role != GK_ROLE_AUTHORIZER && role != GK_ROLE_RESPONDER) {
		/* FILTER: the peer's bytes, no fault of ours; a refusal every server passes on */
		authz_fail(d, GK_OUT_FORBIDDEN, "unknown-role");
		goto done;
	}
	if (view_get(a, &req, role, &v, d) != GK_OK) {
		log_path(d, v.target);  /* the raw target when it was read (a bad Host) */
		goto done;
	}
	if (gk_method_readings(&req, v.method, v.target, &v.ms) != GK_OK) {
		log_path(d, v.target);
		authz_fail(d, GK_OUT_FORBIDDEN, "bad-method");
		goto done;
	}
	if (gk_path_readings(v.target, pr) != GK_OK) {
		log_path(d, v.target);
		authz_fail(d, GK_OUT_FORBIDDEN, "bad-path");
		goto done;
	}
	if (pr->count == 1)
		gk_strcpy(d->path, sizeof(d->path), pr->path[0]);
	else
		log_path(d, v.target);  /* readings differ ("/admin/..;/x"): log what was sent */
	if (requirement(a, &req, role, &v, pr, reqbuf, sizeof(reqbuf), &rs, d) != GK_OK)
		goto done;
	if (gk_requirements_deny(&rs)) {
		authz_fail(d, GK_OUT_FORBIDDEN, "rule-deny");
		goto done;
	}
	if (gk_requirements_anonymous(&rs)) {
		d->outcome = GK_OUT_ALLOW;
		d->method = "rule";
		goto done;
	}
	call.a = a, call.req = &req, call.role = role, call.v = &v, call.pr = pr;
	if (authz_apache_pair_call(&req, role)) {
		d->method = authz_m_apache_pair.name;
		res = authz_m_apache_pair.find(&call, d);
	}
	for (i = 0; i < cfg->methods_count && res == M_NONE; i++) {
		const struct authz_method *m = cfg->methods[i] < sizeof(chain) / sizeof(chain[0]) ?
		    chain[cfg->methods[i]] : NULL;

		if (m == NULL) {
			authz_fail(d, GK_OUT_ERROR, "unknown-method");
			goto done;
		}
		d->method = m->name;
		res = m->find(&call, d);
	}
	switch (res) {
	case M_ANON:
		d->outcome = GK_OUT_ALLOW;
		break;
	case M_NONE:
		d->method = NULL;
		authz_fail(d, GK_OUT_NOCRED, "no-credentials");
		break;
	case M_FAIL:
		break;
	case M_USER:
		if (!gk_requirements_allow_methods(&rs, &d->user, &v.ms))
			authz_fail(d, GK_OUT_FORBIDDEN, "forbidden");
		else if (!authz_second_factor_ok(a, &rs, d))
			;       /* refused and logged there */
		else if (!origin_ok(cfg, &req, gk_methods_least_safe(&v.ms)))
			authz_fail(d, GK_OUT_FORBIDDEN, "bad-origin");
		else
			d->outcome = GK_OUT_ALLOW;
		break;
	}
	if (d->outcome == GK_OUT_NOCRED || d->outcome == GK_OUT_BADCRED) {
		unauth_answer(cfg, &req, &v, d);
		authz_second_factor_location(d);
	}
done:
	if (d->outcome != GK_OUT_ALLOW && d->have_user) {
		gk_strcpy(d->attempted, sizeof(d->attempted), d->user.name);
		gk_wipe(&d->user, sizeof(d->user));
		d->have_user = false;
	}
	/* written at most once, all or nothing (gk_strcpy, gk_memcpy_str), never a secret */
	gk_wipe(reqbuf, strnlen(reqbuf, sizeof(reqbuf) - 1) + 1);
}

void
gk_authz_log(const struct gk_authz *a, const struct gk_decision *d)
{
	if (gk_hashpool_pending(gk_hashpool_current()))
		return;         /* not final: decided again when lib/hashpool's hash ends */
	gk_log_decision(a->log, d->outcome == GK_OUT_ALLOW,
	    d->have_user ? d->user.name : (d->attempted[0] ? d->attempted : NULL),
	    d->method, d->from, d->outcome == GK_OUT_ALLOW ? NULL : d->reason, d->path);
	gk_metrics_decision(gk_authz_status(d), d->redirect && d->location[0] != '\0', d->method,
	    d->outcome == GK_OUT_ALLOW ? NULL : d->reason);
}
