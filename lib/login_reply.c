/* login_reply.c: gatekeep-login's answer to one request: the CGI head (status, security headers), pages, JSON, redirects. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "form.h"
#include "login_request.h"

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 502: return "Bad Gateway";
	default: return "Internal Server Error";
	}
}

void
login_finish(struct rq *q, struct login_buf *out)
{
	struct login_ctx *ctx = q->ctx;
	bool head = q->method != NULL && strcmp(q->method, "HEAD") == 0;

	if (q->r.hdr.failed || q->r.body.failed) {
		gk_log(&ctx->log, LOG_ERR, "response could not be built (out of memory or bad header)");
		login_buf_reset(&q->r.hdr);
		login_buf_reset(&q->r.body);
		q->r.status = 500;
		q->r.ctype = "text/plain; charset=utf-8";
		login_buf_puts(&q->r.body, "Internal error\n");
	}
	login_buf_printf(out, "Status: %d %s\r\n", q->r.status, reason_phrase(q->r.status));
	login_buf_printf(out, "Content-Type: %s\r\n", q->r.ctype ? q->r.ctype : "text/html; charset=utf-8");
	login_buf_puts(out, "Cache-Control: no-store\r\nPragma: no-cache\r\n"
	    "X-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: same-origin\r\n");
	login_buf_printf(out, "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
	    "%s%s%sform-action %s; frame-ancestors 'none'; base-uri 'none'; img-src data:\r\n",
	    q->r.script_src[0] ? "script-src " : "", q->r.script_src, q->r.script_src[0] ? "; " : "",
	    ctx->form_action_csp);
	if (q->r.hdr.len > 0)
		login_buf_add(out, q->r.hdr.p, q->r.hdr.len);
	login_buf_printf(out, "Content-Length: %zu\r\n\r\n", q->r.body.len);
	if (!head && q->r.body.len > 0)
		login_buf_add(out, q->r.body.p, q->r.body.len);
}

/* ---- pages ---- */

void
login_show_page(struct rq *q, int status, struct login_vars *v)
{
	struct login_ctx *ctx = q->ctx;

	q->r.status = status;
	q->r.ctype = "text/html; charset=utf-8";
	v->realm = ctx->cfg.realm;
	v->login_url = ctx->cfg.login_url;
	/* An admin's template from before the code step has no {{#code}}: that page is the built-in one. */
	login_render(ctx->template != NULL && (!v->code || strstr(ctx->template, "{{#code}}") != NULL) ?
	    ctx->template : login_template_default(), v, &q->r.body);
}

void
login_sibling(const struct rq *q, const char *seg, char *out, size_t outsz)
{
	size_t n = strlen(q->base);

	snprintf(out, outsz, "%s%s%s", q->base, n > 0 && q->base[n - 1] == '/' ? "" : "/", seg);
}

/* A sibling page's link that carries rd along, escaped (checked again after the sign-in). */
static const char *
sibling_link(const struct rq *q, const char *seg, const char *rd, char *out, size_t outsz)
{
	char *e = NULL;
	size_t n;

	login_sibling(q, seg, out, outsz);
	if (rd != NULL && rd[0] != '\0' && (e = curl_easy_escape(NULL, rd, 0)) != NULL) {
		n = strlen(out);
		snprintf(out + n, outsz - n, "?rd=%s", e);
	}
	curl_free(e);
	return out;
}

void
login_form_page(struct rq *q, int status, const char *error, const char *user, const char *rd)
{
	struct login_vars v = { .login = true, .title = "Sign in", .error = error, .user = user, .rd = rd };
	char oidc_url[SELF_MAX + 3 * GK_REDIRECT_MAX + 16];
	char passkey_url[SELF_MAX + 3 * GK_REDIRECT_MAX + 16];

	if (q->ctx->oidc != NULL) {
		/* The provider link carries rd along (checked again after the provider). */
		sibling_link(q, "oidc", rd, oidc_url, sizeof(oidc_url));
		v.oidc_url = oidc_url;
		v.oidc_label = login_oidc_label(q->ctx->oidc);
	}
	if (q->ctx->cfg.passkeys)
		v.passkey_url = sibling_link(q, "passkey", rd, passkey_url, sizeof(passkey_url));
	login_show_form(q, status, &v);
}

void
login_show_form(struct rq *q, int status, struct login_vars *v)
{
	char mac[64];

	login_csrf_page_token(q, mac, sizeof(mac));
	v->action = q->self;
	v->csrf = mac;
	login_show_page(q, status, v);
	v->csrf = NULL;         /* mac ends here: the caller's v keeps no pointer to it */
}

void
login_message_page(struct rq *q, int status, const char *title, const char *msg)
{
	struct login_vars v;

	memset(&v, 0, sizeof(v));
	v.title = title;
	v.message = msg;
	login_show_page(q, status, &v);
}

void
login_json_reply(struct rq *q, int status, json_t *j)
{
	char *s;

	q->r.status = status;
	q->r.ctype = "application/json";
	s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	if (s == NULL) {
		q->r.body.failed = true;
	} else {
		login_buf_puts(&q->r.body, s);
		login_buf_puts(&q->r.body, "\n");
	}
	free(s);
	json_decref(j);
}

void
login_redirect_after(struct rq *q, const char *rd, const char *user)
{
	struct login_ctx *ctx = q->ctx;
	char loc[GK_REDIRECT_MAX + 64];
	struct gk_err err = { "" };
	char esc[GK_USER_MAX * 4 + 8];

	if (gk_redirect_pick(rd, &ctx->cfg.redirect_domains, ctx->cfg.default_redirect, loc, sizeof(loc),
	    &err) == GK_EINVAL) {
		gk_log(&ctx->log, LOG_NOTICE, "refused redirect target for user=%s from=%s: %s; using "
		    "default_redirect", gk_log_escape(user ? user : "-", esc, sizeof(esc)),
		    q->addr ? q->addr : "-", err.msg);
	}
	login_see_other(q, loc);
}

void
login_see_other(struct rq *q, const char *location)
{
	q->r.status = 303;
	login_add_header(q, "Location", location);
	q->r.ctype = "text/plain; charset=utf-8";
	login_buf_puts(&q->r.body, "See Other\n");
}

void
login_code_step(struct rq *q)
{
	char next[4 * SELF_MAX + 64], enc[3 * SELF_MAX + 1];

	login_sibling(q, "login", next, sizeof(next));
	if (gk_form_encode(q->self, enc, sizeof(enc)) == GK_OK)
		snprintf(next + strlen(next), sizeof(next) - strlen(next), "?2fa=1&rd=%s", enc);
	login_see_other(q, next);
}

bool
login_page_method_ok(struct rq *q, const char *msg)
{
	if (strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0 ||
	    strcmp(q->method, "POST") == 0)
		return true;
	login_add_header(q, "Allow", "GET, HEAD, POST");
	login_message_page(q, 405, "Error", msg);
	return false;
}
