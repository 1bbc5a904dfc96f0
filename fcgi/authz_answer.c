/* authz_answer.c: the CGI response for a decision: Authorizer "Variable-*" or Responder headers. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "authz_answer.h"
#include "textbuf.h"
#include "validate.h"

/* Appends n bytes as gk_textbuf_printf would "%s" (NUL-terminated, failed for good when
 * they do not fit), without a format to parse: an allow is a dozen such pieces. */
static void
put(struct gk_textbuf *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (n >= o->size - o->len) {
		o->failed = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

#define PUT(o, lit) put((o), (lit), sizeof(lit) - 1)

/* One header line; the value is checked again on the way out (DESIGN 2). */
static void
header(struct gk_textbuf *o, const char *name, const char *value)
{
	size_t n;

	if (value == NULL)
		value = "";
	n = strlen(value);
	if (!gk_valid_header_value(value, n)) {
		o->failed = true;
		return;
	}
	put(o, name, strlen(name));
	if (n > 0)
		PUT(o, ": ");
	else
		PUT(o, ":");
	put(o, value, n);
	PUT(o, "\r\n");
}

static const char *
auth_type(const char *method)
{
	if (method == NULL)
		return "";
	if (strcmp(method, "basic") == 0 || strcmp(method, "apache") == 0)
		return "Basic";
	if (strcmp(method, "session") == 0)
		return "Session";
	if (strcmp(method, "proxy") == 0)
		return "Proxy";
	return "Bypass";
}

int
gk_authz_status(const struct gk_decision *d)
{
	switch (d->outcome) {
	case GK_OUT_ALLOW:
		return 200;
	case GK_OUT_NOCRED:
	case GK_OUT_BADCRED:
		/* nginx turns anything but 2xx/401/403 into a 500: 401 + Location there. */
		if (d->redirect && d->location[0] != '\0' &&
		    (d->role == GK_ROLE_AUTHORIZER || d->caddy))
			return 302;
		return 401;
	case GK_OUT_FORBIDDEN:
		return 403;
	default:
		/* The database unreadable: a deny every server passes on as is (docs/metrics.md). */
		return d->reason != NULL && strcmp(d->reason, "database") == 0 ? 403 : 500;
	}
}

static void
body(struct gk_textbuf *o, int status)
{
	const char *title, *text;

	switch (status) {
	case 302:
		title = "302 Found";
		text = "Please log in.";
		break;
	case 401:
		title = "401 Unauthorized";
		text = "Authentication required.";
		break;
	case 403:
		title = "403 Forbidden";
		text = "Access denied.";
		break;
	default:
		title = "500 Internal Server Error";
		text = "The authorization service failed.";
		break;
	}
	/* Never starts with '/': Apache's ap_custom_response would take it for a URL. */
	gk_textbuf_printf(o, "Content-Type: text/html; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n\r\n<!DOCTYPE html>\n<html><head><title>%s</title></head>"
	    "<body><h1>%s</h1><p>%s</p></body></html>\n", title, title, text);
}

/* A header value checked once for the lines that repeat it (a user's name goes out three times). */
struct hval {
	const char *s;
	size_t n;
};

static struct hval
checked(struct gk_textbuf *o, const char *value)
{
	struct hval v = { value != NULL ? value : "", 0 };

	v.n = strlen(v.s);
	if (!gk_valid_header_value(v.s, v.n))
		o->failed = true;
	return v;
}

/* "Name: value\r\n" ("Name:\r\n" when empty) of a checked value; one bounds check. */
static void
line(struct gk_textbuf *o, const char *name, size_t nl, struct hval v)
{
	char *p;

	if (o->failed)
		return;
	/* what header() takes: the NUL after it must fit too */
	if (nl + 1 + (v.n > 0 ? 1 + v.n : 0) + 2 >= o->size - o->len) {
		o->failed = true;
		return;
	}
	p = o->buf + o->len;
	memcpy(p, name, nl);
	p += nl;
	*p++ = ':';
	if (v.n > 0) {
		*p++ = ' ';
		memcpy(p, v.s, v.n);
		p += v.n;
	}
	*p++ = '\r';
	*p++ = '\n';
	*p = '\0';
	o->len = (size_t)(p - o->buf);
}
#define LINE(o, lit, v) line((o), (lit), sizeof(lit) - 1, (v))

static void
allow(struct gk_textbuf *o, const struct gk_decision *d)
{
	const struct gk_user *u = d->have_user ? &d->user : NULL;
	struct hval name, groups, email, display;

	PUT(o, "Status: 200\r\n");
	if (d->role == GK_ROLE_AUTHORIZER) {
		/* Exactly one Variable-REMOTE_USER (lighttpd appends duplicates). */
		if (u != NULL) {
			header(o, "Variable-REMOTE_USER", u->name);
			if (u->groups[0])
				header(o, "Variable-REMOTE_GROUPS", u->groups);
			if (u->email[0])
				header(o, "Variable-REMOTE_EMAIL", u->email);
			if (u->display[0])
				header(o, "Variable-REMOTE_NAME", u->display);
			header(o, "Variable-AUTH_TYPE", auth_type(d->method));
		}
		PUT(o, "\r\n");
		return;
	}
	/* Responder: every identity header, empty when unknown (old Caddy keeps a client's). */
	name = checked(o, u ? u->name : "");
	groups = checked(o, u ? u->groups : "");
	email = checked(o, u ? u->email : "");
	display = checked(o, u ? u->display : "");
	LINE(o, "Remote-User", name);
	LINE(o, "Remote-Groups", groups);
	LINE(o, "Remote-Email", email);
	LINE(o, "Remote-Name", display);
	LINE(o, "X-Auth-Request-User", name);
	LINE(o, "X-Auth-Request-Email", email);
	LINE(o, "X-Auth-Request-Groups", groups);
	LINE(o, "Variable-REMOTE_USER", name);
	put(o, d->ticket, strlen(d->ticket));  /* zero-hop ticket (lib/ticket.h), usually "" */
	PUT(o, "Cache-Control: no-store\r\nContent-Length: 0\r\n\r\n");
}

static void
challenge(struct gk_textbuf *o, const struct gk_config *cfg)
{
	char realm[256];
	size_t i, n = 0;
	const char *r = cfg->realm != NULL ? cfg->realm : "gatekeep";

	/* quoted-string: escape '"' and '\\'; anything unprintable makes the answer a 500. */
	for (i = 0; r[i] != '\0' && n + 3 < sizeof(realm); i++) {
		if (r[i] == '"' || r[i] == '\\')
			realm[n++] = '\\';
		realm[n++] = r[i];
	}
	realm[n] = '\0';
	if (!gk_valid_header_value(realm, n)) {
		o->failed = true;
		return;
	}
	gk_textbuf_printf(o, "WWW-Authenticate: Basic realm=\"%s\", charset=\"UTF-8\"\r\n", realm);
}

size_t
gk_authz_answer(const struct gk_config *cfg, struct gk_decision *d, char *buf, size_t bufsz)
{
	struct gk_textbuf o = { .buf = buf, .size = bufsz };
	int status = gk_authz_status(d);

	switch (status) {
	case 200:
		allow(&o, d);
		break;
	case 302:
		gk_textbuf_printf(&o, "Status: 302\r\n");
		header(&o, "Location", d->location);
		body(&o, 302);
		break;
	case 401:
		gk_textbuf_printf(&o, "Status: 401\r\n");
		if (d->offer_basic)
			challenge(&o, cfg);
		if (d->location[0] != '\0')
			header(&o, "Location", d->location);
		body(&o, 401);
		break;
	default:
		gk_textbuf_printf(&o, "Status: %d\r\n", status);
		body(&o, status);
		break;
	}
	if (o.failed) {
		d->outcome = GK_OUT_ERROR;
		d->reason = "unsafe-answer";
		o.len = 0;
		o.failed = false;
		gk_textbuf_printf(&o, "Status: 500\r\n");
		body(&o, 500);
	}
	return o.len;
}
