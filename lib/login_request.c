/* login_request.c: what every gatekeep-login module reads from one request and adds to its answer's head: fields, headers, rd, the deny line, cookies. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "form.h"
#include "login_request.h"
#include "session_cookie.h"
#include "validate.h"
#include "metrics.h"

const char *
login_param(const struct rq *q, const char *name)
{
	return gk_request_param(&q->req, name);
}

/* A header value, or NULL when absent, duplicated or malformed. */
const char *
login_header(const struct rq *q, const char *name)
{
	const char *v;

	if (gk_request_header(&q->req, name, &v) != GK_OK)
		return NULL;
	return v;
}

bool
login_form_post_ok(const struct rq *q)
{
	const char *ct = login_param(q, "CONTENT_TYPE");
	size_t n = strlen("application/x-www-form-urlencoded");

	return ct != NULL && strncasecmp(ct, "application/x-www-form-urlencoded", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

bool
login_form_read(const char *body, size_t len, const struct login_field *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (fields[i].required ? gk_form_get(body, len, fields[i].name, fields[i].out,
		    fields[i].outsz) != GK_OK : !gk_form_optional(body, len, fields[i].name,
		    fields[i].out, fields[i].outsz))
			return false;
	}
	return true;
}

bool
login_signin_form_read(struct rq *q, const char *body, size_t len, const struct login_field *fields,
    size_t n, const char *error)
{
	if (!login_form_post_ok(q)) {
		login_message_page(q, 415, "Error", "The sign-in form was sent in an unexpected format.");
		return false;
	}
	if (!login_form_read(body, len, fields, n)) {
		login_deny_log(q, NULL, "bad-form");
		login_form_page(q, 400, error, "", "");
		return false;
	}
	return true;
}

int
login_change_form(struct rq *q, const char *user, const char *body, size_t len,
    struct login_change *head, const struct login_field *more, size_t n, const char **msg)
{
	const struct login_field fields[] = { LOGIN_FIELD("csrf", head->csrf, true),
		LOGIN_FIELD("action", head->action, true), LOGIN_FIELD("password", head->password, false) };
	const char *why = NULL;

	if (!login_form_post_ok(q) || !login_form_read(body, len, fields, sizeof(fields) / sizeof(fields[0])) ||
	    !login_form_read(body, len, more, n)) {
		login_deny_log(q, user, "bad-form");
		*msg = "The form was incomplete. Please try again.";
		return 400;
	}
	if (!login_csrf_valid(q, head->csrf) || !login_origin_check(q, &why)) {
		login_deny_log(q, user, why != NULL ? why : "csrf");
		q->csrf_cookie[0] = '\0';
		*msg = "This form has expired. Please try again.";
		return 403;
	}
	return 0;
}

const char *
login_query_rd(const struct rq *q, char *out, size_t outsz)
{
	const char *qs = login_param(q, "QUERY_STRING");

	out[0] = '\0';
	if (qs == NULL)
		return out;
	if (gk_form_get(qs, strlen(qs), "rd", out, outsz) != GK_OK &&
	    gk_form_get(qs, strlen(qs), "redirect_uri", out, outsz) != GK_OK)
		out[0] = '\0';
	return out;
}

void
login_deny_log(struct rq *q, const char *user, const char *reason)
{
	gk_log_decision(&q->ctx->log, false, user, "form", q->addr, reason, q->self);
	gk_metrics_login("form", reason);       /* lib/metrics: as the deny line says */
}

/* ---- the answer's head ---- */

void
login_add_header(struct rq *q, const char *name, const char *value)
{
	/* Nothing reaches a header line unchecked (CR/LF injection). */
	if (!gk_valid_header_value(value, strlen(value))) {
		q->r.hdr.failed = true;
		return;
	}
	login_buf_puts(&q->r.hdr, name);
	login_buf_puts(&q->r.hdr, ": ");
	login_buf_puts(&q->r.hdr, value);
	login_buf_puts(&q->r.hdr, "\r\n");
}

void
login_set_cookie(struct rq *q, const char *name, const char *value, const char *domain, const char *path,
    long max_age, enum gk_samesite ss)
{
	struct gk_setcookie c = { name, value, domain, path, max_age, q->ctx->cfg.cookie_secure, true, ss };
	char line[GK_SETCOOKIE_MAX];
	struct gk_err err;

	if (gk_setcookie_format(&c, line, sizeof(line), &err) != GK_OK) {
		gk_log(&q->ctx->log, LOG_ERR, "Set-Cookie %s: %s", name, err.msg);
		q->r.hdr.failed = true;
		return;
	}
	login_add_header(q, "Set-Cookie", line);
}

const char *
login_host_cookie(const struct rq *q, const char *suffix, char *name, size_t namesz)
{
	const char *base = q->ctx->cfg.cookie_name;

	if (!q->ctx->cfg.cookie_secure) {
		snprintf(name, namesz, "%s%s", base, suffix);
		return q->base;
	}
	if (strncmp(base, "__Host-", 7) == 0)
		base += 7;
	else if (strncmp(base, "__Secure-", 9) == 0)
		base += 9;
	snprintf(name, namesz, "__Host-%s%s", base, suffix);
	return "/";
}

/* ---- set-up ---- */

void
login_csp_init(struct login_ctx *ctx)
{
	const struct gk_strlist *l = &ctx->cfg.redirect_domains;
	size_t i, o;
	const char *e;

	/*
	 * Chromium applies form-action to the redirect after the POST too, so
	 * the hosts we may redirect to must be listed, or the login would stall.
	 */
	o = (size_t)snprintf(ctx->form_action_csp, sizeof(ctx->form_action_csp), "'self'");
	for (i = 0; i < l->count; i++) {
		char src[300];

		e = l->items[i];
		if (e[0] == '*' && e[1] == '.')
			e++;
		if (strspn(e, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:") !=
		    strlen(e) || strlen(e) > 253)
			continue;
		if (e[0] == '.')
			snprintf(src, sizeof(src), " %s *%s", e + 1, e);
		else
			snprintf(src, sizeof(src), " %s", e);
		if (o + strlen(src) + 1 >= sizeof(ctx->form_action_csp))
			break;
		memcpy(ctx->form_action_csp + o, src, strlen(src) + 1);
		o += strlen(src);
	}
}
