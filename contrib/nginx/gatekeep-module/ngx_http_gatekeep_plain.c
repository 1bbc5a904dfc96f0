/* ngx_http_gatekeep_plain.c: the zero hop's precondition: a request gatekeep-authz would read one way, never refuse whoever asks, and that nginx can hand it at all. */

/*
 * The same rules as gatekeep.js's plainPath, plainHeaders and hostRefused. Each one keeps
 * the zero hop from being laxer than gatekeep-authz (lib/, fcgi/authz_*): what it cannot
 * judge exactly as gatekeep-authz would goes to gatekeep-authz, never through.
 */
#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "common.h"     /* lib/: GK_HEADER_MAX, GK_PATH_MAX */
#include "cookie.h"     /* GK_COOKIE_HEADER_MAX */
#include "ngx_http_gatekeep_plain.h"

#define GK_ZH_METHOD_MAX  32    /* GK_METHOD_LEN_MAX of lib/method.h */

/*
 * The query q has no "_method" parameter, which gatekeep-authz reads as a method
 * and refuses when it is no token (lib/method.c: the name in any case and encoding,
 * '&' and ';' separating): a name with an escape is taken for one (gatekeep.js's
 * plainQuery). Telling a readable one apart is gatekeep-authz's job.
 */
static ngx_flag_t
plain_query(const u_char *q, size_t len)
{
	const u_char *p, *end = q + len, *pe, *n1;
	const u_char *hash = ngx_strlchr((u_char *)q, (u_char *)end, '#');

	if (hash != NULL)
		end = hash;
	for (p = q; p < end; p = pe + 1) {
		for (pe = p; pe < end && *pe != '&' && *pe != ';'; pe++)
			;
		n1 = ngx_strlchr((u_char *)p, (u_char *)pe, '=');
		if (n1 == NULL)
			n1 = pe;
		if (ngx_strlchr((u_char *)p, (u_char *)n1, '%') != NULL ||
		    (n1 - p == 7 && ngx_strncasecmp((u_char *)p, (u_char *)"_method", 7) == 0))
			return 0;
	}
	return 1;
}

/*
 * The request target's path is one gatekeep-authz reads one way and never refuses
 * for everyone (gatekeep.js's plainPath): visible ASCII without '\\', its escapes
 * visible ASCII too and none of '%' '/' '.', no "..;" segment (Tomcat's reading drops
 * the ";params": ".." above the root), at most GK_PATH_MAX bytes and the whole target at
 * most GK_HEADER_MAX (lib/pathnorm.c's bounds); the query has no _method parameter
 * (plain_query). Else it may be one lib/pathread.c or lib/method.c refuses whoever
 * asks: gatekeep-authz decides.
 */
static ngx_flag_t
plain_path(const u_char *u, size_t len)
{
	size_t i;
	ngx_int_t c;

	if (len == 0 || u[0] != '/' || len > GK_HEADER_MAX)
		return 0;
	for (i = 1; i < len; i++) {
		c = u[i];
		if (c == '?' || c == '#')
			return i <= GK_PATH_MAX && (c == '#' || plain_query(u + i + 1, len - i - 1));
		if (c == ';' && i >= 3 && ngx_strncmp(u + i - 3, "/..", 3) == 0)
			return 0;
		if (c == '%') {
			if (i + 2 >= len)
				return 0;
			c = ngx_hextoi((u_char *)&u[i + 1], 2);     /* NGX_ERROR: not two hex digits */
			if (c == NGX_ERROR)
				return 0;
			if (c == '%' || c == '/' || c == '.')
				return 0;
			i += 2;
		}
		if (c < 0x20 || c > 0x7e || c == '\\')
			return 0;
	}
	return len <= GK_PATH_MAX;
}
#define GK_ZH_HEADERS_MAX       256     /* well under GK_AUTHZ_PARAMS_MAX (512) */

/*
 * nginx builds gatekeep-authz's FastCGI parameters as one record of at most 65535 bytes
 * and fails the auth_request (500, "fastcgi request record is too big") beyond it. Each
 * parameter costs its name and value and their lengths, 1 byte each under 128, else 4.
 * Every header line is one: "HTTP_" + name and the value. The target is REQUEST_URI, and
 * the rest are the location's own: Debian's /etc/nginx/fastcgi_params (nginx's own file
 * is the same without HTTP_HOST) and contrib/nginx's CONTENT_LENGTH "" and GATEKEEP_HOST.
 * Their names: 271 bytes (22 params); their lengths: 22 x (1 + 4) = 110; their values at
 * most: QUERY_STRING 0 (an auth_request has no args), REQUEST_METHOD 32 (a longer method
 * is declined), CONTENT_LENGTH 20 (an off_t) and 0, SCRIPT_NAME and DOCUMENT_URI 64 each
 * (the auth_request path: contrib's /_gatekeep is 10), DOCUMENT_ROOT 1024,
 * SERVER_PROTOCOL 8, REQUEST_SCHEME 5, HTTPS 2, GATEWAY_INTERFACE 7, SERVER_SOFTWARE 32,
 * REMOTE_ADDR 46, REMOTE_PORT 5, SERVER_ADDR 113 ("unix:" and a socket path),
 * SERVER_PORT 5, SERVER_NAME 255, REDIRECT_STATUS 3: 1685. 271 + 110 + 1685 = 2066,
 * rounded up to 4096 (room for a site's own fastcgi_param lines). The values the client
 * sets are counted per request: CONTENT_TYPE (the Content-Type line's value again),
 * REMOTE_USER (Basic's user name: at most the Authorization line's value again), HTTP_HOST
 * and GATEKEEP_HOST ($host, twice) and REQUEST_URI (name and lengths: 1 + 11 + 4).
 */
#define GK_ZH_FCGI_RECORD_MAX   65535
#define GK_ZH_FCGI_OWN          4096

/* What one FastCGI parameter of an n-byte name and a v-byte value costs in the record. */
static size_t
fcgi_param(size_t n, size_t v)
{
	return (n > 127 ? 4 : 1) + (v > 127 ? 4 : 1) + n + v;
}


/* An override header's name, '_' read as '-' (nginx with underscores_in_headers on hands
 * it to gatekeep-authz under the same FastCGI name), any case. */
static ngx_flag_t
override_name(const ngx_str_t *n)
{
	static const char *const names[] = {   /* gk_method_override_headers of lib/method.c */
		"x-http-method-override", "x-http-method", "x-method-override"
	};
	size_t i, k;
	u_char c;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (n->len != ngx_strlen(names[k]))
			continue;
		for (i = 0; i < n->len; i++) {
			c = ngx_tolower(n->data[i]);
			if ((c == '_' ? '-' : c) != (u_char)names[k][i])
				break;
		}
		if (i == n->len)
			return 1;
	}
	return 0;
}

/*
 * The request's header lines are ones gatekeep-authz reads one way and never
 * refuses for everyone (gatekeep.js's plainHeaders), in one pass: one Cookie line
 * (nginx hands it each line as its own HTTP_COOKIE, which lib/request.c refuses as
 * a repeated header), no method override header (lib/method.c refuses one that is
 * no token), no line over GK_HEADER_MAX (name and value: authz_decide.c bounds
 * each parameter) but the Cookie line, up to GK_COOKIE_HEADER_MAX as there, not more
 * lines than its parameter bound holds with nginx's own parameters; and all of them
 * with the rest of the FastCGI record (GK_ZH_FCGI_OWN, the target, the client's values
 * of nginx's own parameters: `bytes`) within GK_ZH_FCGI_RECORD_MAX.
 */
static const char *
plain_headers(ngx_http_request_t *r, size_t bytes)
{
	ngx_list_part_t *part = &r->headers_in.headers.part;
	ngx_table_elt_t *h = part->elts;
	ngx_uint_t i, lines = 0, cookies = 0;
	ngx_flag_t cookie;

	for (i = 0;; i++) {
		if (i >= part->nelts) {
			if (part->next == NULL)
				break;
			part = part->next;
			h = part->elts;
			i = 0;
			if (part->nelts == 0)
				continue;
		}
		if (++lines > GK_ZH_HEADERS_MAX)
			return "more header lines than gatekeep-authz takes";
		cookie = h[i].key.len == 6 &&
		    ngx_strncasecmp(h[i].key.data, (u_char *)"cookie", 6) == 0;
		if (h[i].key.len + h[i].value.len > (cookie ? GK_COOKIE_HEADER_MAX : GK_HEADER_MAX))
			return "a header line over GK_HEADER_MAX (Cookie: GK_COOKIE_HEADER_MAX)";
		bytes += fcgi_param(sizeof("HTTP_") - 1 + h[i].key.len, h[i].value.len);
		if (cookie ? ++cookies > 1 : (h[i].key.len == 13 || h[i].key.len == 17 ||
		    h[i].key.len == 22) && override_name(&h[i].key))
			return "two Cookie lines or a method override header";
	}
	if (bytes > GK_ZH_FCGI_RECORD_MAX)
		return "more than nginx hands gatekeep-authz in one FastCGI record";
	return NULL;
}

ngx_flag_t
ngx_http_gatekeep_header_bytes(const ngx_str_t *v)
{
	size_t i;

	for (i = 0; i < v->len; i++)
		if (v->data[i] < 0x20 || v->data[i] == 0x7f)
			return 0;
	return 1;
}

/* lib/frontend.c's host_part: "[v6]" or the name, without ":port" or one final dot. */
static size_t
host_part(const ngx_str_t *h)
{
	u_char *end = h->data + h->len, *e;
	size_t n;

	if (h->len > 0 && h->data[0] == '[')
		n = (e = ngx_strlchr(h->data, end, ']')) == NULL ? h->len : (size_t)(e - h->data) + 1;
	else
		n = (e = ngx_strlchr(h->data, end, ':')) == NULL ? h->len : (size_t)(e - h->data);
	return n > 1 && h->data[n - 1] == '.' ? n - 1 : n;
}

/*
 * lib/frontend.c's gk_frontend_host_name_ok: a name with no empty label (one final dot
 * is fine) or "[v6]", then nothing or ':' and 1 to 5 digits; "" is fine.
 */
static ngx_flag_t
host_name_ok(const ngx_str_t *h)
{
	size_t n, i, digits;

	if (h->len == 0)
		return 1;
	if (h->data[0] == '[') {
		for (n = 0; n < h->len && h->data[n] != ']'; n++)
			;
		if (n == h->len || n < 2)
			return 0;
		n++;
	} else {
		for (n = 0; n < h->len && h->data[n] != ':' && h->data[n] != '[' && h->data[n] != ']'; n++)
			;
		if (n == 0 || h->data[0] == '.')
			return 0;
		for (i = 1; i < n; i++)
			if (h->data[i] == '.' && h->data[i - 1] == '.')
				return 0;
	}
	if (n == h->len)
		return 1;
	if (h->data[n] != ':')
		return 0;
	for (digits = 0; n + 1 + digits < h->len && h->data[n + 1 + digits] >= '0' &&
	    h->data[n + 1 + digits] <= '9'; digits++)
		;
	return digits >= 1 && digits <= 5 && n + 1 + digits == h->len;
}

/*
 * Whether gatekeep-authz refuses HTTP_HOST `field` (NULL: no Host field) beside
 * GATEKEEP_HOST `served`: lib/frontend.c's gk_frontend_host (bad-host: a control byte
 * in the field, as lib/request.c reads it, whitespace in served; host-mismatch: the
 * field's host part is not served, letters in any case), then
 * gk_frontend_host_name_ok on the host it settles on (bad-host).
 */
static ngx_flag_t
host_refused(const ngx_str_t *field, const ngx_str_t *served)
{
	size_t i, n;

	if (field != NULL && !ngx_http_gatekeep_header_bytes(field))
		return 1;
	if (served->len == 0)
		return field != NULL && !host_name_ok(field);
	for (i = 0; i < served->len; i++)
		if (served->data[i] == ' ' || served->data[i] == '\t' || served->data[i] == '\r' ||
		    served->data[i] == '\n')
			return 1;
	if (field == NULL)
		return !host_name_ok(served);
	n = host_part(field);
	return n != served->len || ngx_strncasecmp(field->data, served->data, n) != 0 ||
	    !host_name_ok(field);
}

const char *
ngx_http_gatekeep_plain(ngx_http_request_t *r)
{
	ngx_str_t *field = r->headers_in.host != NULL ? &r->headers_in.host->value : NULL;
	const ngx_str_t *served = &r->headers_in.server;      /* $host, unless it is empty */
	size_t bytes;

	if (r->method_name.len > GK_ZH_METHOD_MAX)
		return "a method longer than gatekeep-authz takes";
	if (!plain_path(r->unparsed_uri.data, r->unparsed_uri.len))
		return "a path or _method gatekeep-authz reads for itself";
	/*
	 * The Host: HTTP_HOST is the client's field (nginx's own fastcgi_params) or $host
	 * (Debian's), GATEKEEP_HOST $host (contrib/nginx): either way gatekeep-authz must
	 * take it. Without a Host field or an absolute-form target $host is the server's
	 * name, which is no request header: gatekeep-authz decides.
	 */
	if (served->len == 0)
		return "no Host: gatekeep-authz decides";
	if (host_refused(field, served) || host_refused(served, served))
		return "a Host gatekeep-authz refuses (bad-host, host-mismatch)";
	bytes = GK_ZH_FCGI_OWN + fcgi_param(11, r->unparsed_uri.len) + 2 * served->len +
	    (r->headers_in.content_type != NULL ? r->headers_in.content_type->value.len : 0) +
	    (r->headers_in.authorization != NULL ? r->headers_in.authorization->value.len : 0);
	return plain_headers(r, bytes);
}
