/* login_handle.c: one request to gatekeep-login: the routing and the request's own URL, then the endpoint. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login_request.h"
#include "login_totp.h"
#include "login_passkey.h"
#include "login_tokens_page.h"

static bool
path_char_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '\\' ||
		    s[i] == '"' || s[i] == '\'' || s[i] == '<' || s[i] == '>' || s[i] == ';')
			return false;
	return true;
}

/* The last segment of our path that names an endpoint; any other is the sign-in form's. */
static const struct {
	const char *seg;
	enum route route;
} actions[] = {
	{ "login", R_LOGIN }, { "logout", R_LOGOUT }, { "whoami", R_WHOAMI }, { "oidc", R_OIDC_START },
	{ "callback", R_OIDC_CALLBACK }, { "account", R_ACCOUNT },
};

/* The route seg names: true, or false when it names none. */
static bool
action_route(const char *seg, enum route *route)
{
	size_t i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(seg, actions[i].seg) == 0) {
			*route = actions[i].route;
			return true;
		}
	}
	return false;
}

/*
 * Routing and our own URL: PATH_INFO (CGI: /cgi-bin/login.cgi/logout) or the
 * last segment of the request path (nginx: /gatekeep/logout). The path goes
 * back into form actions, so it must be a clean absolute path.
 */
static void
route_init(struct rq *q)
{
	const char *pi = login_param(q, "PATH_INFO"), *uri = login_param(q, "REQUEST_URI");
	const char *sn = login_param(q, "SCRIPT_NAME"), *seg, *slash;
	enum route route;
	size_t n;

	q->self[0] = '\0';
	if (uri != NULL && uri[0] == '/') {
		n = strcspn(uri, "?#");
		if (n <= SELF_MAX && path_char_ok(uri, n) && !(n > 1 && uri[1] == '/'))
			gk_memcpy_str(q->self, sizeof(q->self), uri, n);
	}
	if (q->self[0] == '\0' && sn != NULL && sn[0] == '/') {
		char tmp[2 * SELF_MAX + 2];

		snprintf(tmp, sizeof(tmp), "%s%s", sn, pi != NULL ? pi : "");
		n = strlen(tmp);
		if (n <= SELF_MAX && path_char_ok(tmp, n) && !(n > 1 && tmp[1] == '/'))
			gk_strcpy(q->self, sizeof(q->self), tmp);
	}
	if (q->self[0] == '\0')
		gk_strcpy(q->self, sizeof(q->self), q->ctx->cfg.login_url[0] == '/' ?
		    q->ctx->cfg.login_url : "/");

	seg = (pi != NULL && pi[0] != '\0') ? pi : q->self;
	slash = strrchr(seg, '/');
	seg = slash != NULL ? slash + 1 : seg;
	if (!action_route(seg, &q->route))
		q->route = R_LOGIN;

	if (login_passkey_route(q) || login_tokens_route(q))
		return;
	gk_strcpy(q->base, sizeof(q->base), q->self);
	slash = strrchr(q->base, '/');
	if (slash != NULL && action_route(slash + 1, &route)) {
		if (slash == q->base)
			q->base[1] = '\0';
		else
			q->base[slash - q->base] = '\0';
	}
}

/*
 * Params only an authorizer's hop sets (contrib/nginx's auth_request location:
 * GATEKEEP_HOST; Caddy's forward_auth transport: GATEKEEP_METHOD). No page request of
 * gatekeep-login's own location carries them, and a client cannot make them (its headers
 * arrive as HTTP_*). Not GATEKEEP_REQUIRE: an admin may set a requirement for a whole
 * host (Apache's SetEnvIf Host, a lighttpd $HTTP["host"] block), which covers the login's
 * location too and must not lock everyone out of signing in.
 */
static const char *const authorizer_params[] = { "GATEKEEP_HOST", "GATEKEEP_METHOD" };

/*
 * What makes this request an authorizer's question, NULL when none: the FastCGI Authorizer
 * or Filter role, or nginx's auth_request (the Responder role) with an authorizer-only
 * param. gatekeep-login never decides: its sign-in form's 200 would read as "allow".
 */
static const char *
misdirected(const struct rq *q)
{
	enum gk_role role = gk_request_role(&q->req);
	size_t i;

	if (role == GK_ROLE_AUTHORIZER)
		return "in the FastCGI Authorizer role";
	if (role == GK_ROLE_FILTER)
		return "in the FastCGI Filter role";
	for (i = 0; i < sizeof(authorizer_params) / sizeof(authorizer_params[0]); i++)
		if (gk_request_param_count(&q->req, authorizer_params[i]) > 0)
			return authorizer_params[i];    /* "with GATEKEEP_HOST" below */
	return NULL;
}

/* ---- the entry points ---- */

long
login_content_length(const char *s)
{
	char *end;
	long n;

	if (s == NULL || *s == '\0')
		return 0;
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	return errno != 0 ? -1 : n;
}

void
login_handle(struct login_ctx *ctx, char *const *envp, const char *body, size_t body_len,
    bool body_too_large, struct login_buf *out)
{
	struct rq q;
	const char *why;

	memset(&q, 0, sizeof(q));
	q.ctx = ctx;
	login_buf_init(&q.r.hdr);
	login_buf_init(&q.r.body);
	gk_request_init(&q.req, envp);
	q.method = gk_request_method(&q.req);
	if (q.method == NULL)
		q.method = "GET";
	q.addr = gk_request_remote_addr(&q.req);
	route_init(&q);

	if ((why = misdirected(&q)) != NULL) {
		/* never a 2xx: fail closed for whatever the authorizer protects */
		gk_log(&ctx->log, LOG_ERR, "refused a request %s%s%s: this is gatekeep-login; "
		    "point the authorizer at gatekeep-authz's socket", why[0] == 'G' ? "with " : "", why,
		    why[0] == 'G' ? " (an authorizer's param)" : "");
		login_deny_log(&q, NULL, "authorizer-request");
		login_message_page(&q, 403, "Error", "This is the sign-in service, not the authorizer.");
	} else if (body_too_large)
		login_message_page(&q, 413, "Error", "The request was too large.");
	else if (gk_redirect_query_too_long(login_param(&q, "QUERY_STRING"))) {
		login_deny_log(&q, NULL, "rd-too-long");     /* refused, not dropped: say so */
		login_message_page(&q, 400, "Error", "The return address is too long.");
	} else if (login_secret_current(ctx) != GK_OK)
		login_message_page(&q, 500, "Error", "The sign-in service is unavailable. Please try again later.");
	else if (q.route == R_WHOAMI)
		login_do_whoami(&q);
	else if (q.route == R_LOGOUT)
		login_do_logout(&q, body != NULL ? body : "", body != NULL ? body_len : 0);
	else if (q.route == R_OIDC_START)
		login_oidc_start(&q);
	else if (q.route == R_OIDC_CALLBACK)
		login_oidc_callback(&q);
	else if (q.route == R_ACCOUNT)
		login_do_account(&q, body != NULL ? body : "", body != NULL ? body_len : 0);
	else if (q.route == R_PASSKEY)
		login_passkey_signin(&q, body != NULL ? body : "", body != NULL ? body_len : 0);
	else if (q.route == R_PASSKEYS)
		login_passkey_account(&q, body != NULL ? body : "", body != NULL ? body_len : 0);
	else if (q.route == R_TOKENS)
		login_tokens_page(&q, body != NULL ? body : "", body != NULL ? body_len : 0);
	else
		login_do_login(&q, body != NULL ? body : "", body != NULL ? body_len : 0);
	login_finish(&q, out);
	login_buf_free(&q.r.hdr);
	login_buf_free(&q.r.body);
	gk_wipe(q.csrf_cookie, sizeof(q.csrf_cookie));
}
