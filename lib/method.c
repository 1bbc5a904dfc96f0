/* method.c: every request method an app could act on: the request's, overrides, _method, upper-cased. */
#include <config.h>

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "method.h"
#include "validate.h"

const char *const gk_method_override_headers[] = {
	"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", NULL
};

/* RFC 9110 5.6.2 tchar. */
static bool
tchar(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Adds [s, s+n) and its upper-case form; GK_EINVAL if not a token. */
static int
add(struct gk_methods *out, const char *s, size_t n)
{
	char m[GK_METHOD_LEN_MAX + 1];
	int pass;

	if (n == 0 || n > GK_METHOD_LEN_MAX)
		return GK_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!tchar((unsigned char)s[i]))
			return GK_EINVAL;
	memcpy(m, s, n);
	m[n] = '\0';
	for (pass = 0; pass < 2; pass++) {
		size_t i;

		if (pass == 1)
			for (i = 0; i < n; i++)
				m[i] = (char)toupper((unsigned char)m[i]);
		for (i = 0; i < out->count; i++)
			if (strcmp(out->m[i], m) == 0)
				break;
		if (i < out->count)
			continue;
		if (out->count == GK_METHOD_READINGS_MAX)
			return GK_ETOOLONG;
		memcpy(out->m[out->count++], m, n + 1);
	}
	return GK_OK;
}

/* Every element of a comma-separated header value, OWS trimmed; an empty one is an error. */
static int
add_list(struct gk_methods *out, const char *v)
{
	for (;;) {
		size_t n = strcspn(v, ",");
		const char *s = v, *e = v + n;
		int rc;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((rc = add(out, s, (size_t)(e - s))) != GK_OK)
			return rc;
		if (v[n] == '\0')
			return GK_OK;
		v += n + 1;
	}
}

/* Form-decodes [s, e) leniently (a bad escape stays literal, '+' is a space). */
static size_t
form_decode(const char *s, const char *e, char *out, size_t outsz)
{
	size_t o = 0;

	while (s < e && o + 1 < outsz) {
		int hi, lo;

		if (*s == '%' && e - s >= 3 && (hi = gk_hexval((unsigned char)s[1])) >= 0 &&
		    (lo = gk_hexval((unsigned char)s[2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			s += 3;
		} else {
			out[o++] = *s == '+' ? ' ' : *s;
			s++;
		}
	}
	out[o] = '\0';
	return o;
}

/* Every "_method" parameter of the query of target ('&' and ';' both separate). */
static int
add_query(struct gk_methods *out, const char *target)
{
	const char *q = strchr(target, '?'), *end;

	if (q == NULL || strcspn(target, "#") < (size_t)(q - target))
		return GK_OK;
	q++;
	end = q + strcspn(q, "#");
	while (q < end) {
		const char *pe = q, *eq;
		char name[16], value[GK_METHOD_LEN_MAX + 2];
		size_t vn;
		int rc;

		while (pe < end && *pe != '&' && *pe != ';')
			pe++;
		eq = memchr(q, '=', (size_t)(pe - q));
		if (eq == NULL)
			eq = pe;
		/* A name longer than "_method" in any encoding is over 3 * 7 + 2 bytes. */
		if (eq - q <= 3 * 7 + 2) {
			form_decode(q, eq, name, sizeof(name));
			if (strcasecmp(name, "_method") == 0) {
				vn = form_decode(eq < pe ? eq + 1 : pe, pe, value, sizeof(value));
				if ((size_t)(pe - eq) > 3 * (GK_METHOD_LEN_MAX + 1))
					return GK_EINVAL;
				if ((rc = add(out, value, vn)) != GK_OK)
					return rc;
			}
		}
		q = pe < end ? pe + 1 : pe;
	}
	return GK_OK;
}

/*
 * The meta-variables of gk_method_override_headers, in its order (gk_header_meta_name of
 * each; tests/t_method checks they agree): no name mapping on every request.
 */
static const struct {
	const char *name;
	size_t len;
} override_meta[] = {
	{ "HTTP_X_HTTP_METHOD_OVERRIDE", sizeof("HTTP_X_HTTP_METHOD_OVERRIDE") - 1 },
	{ "HTTP_X_HTTP_METHOD", sizeof("HTTP_X_HTTP_METHOD") - 1 },
	{ "HTTP_X_METHOD_OVERRIDE", sizeof("HTTP_X_METHOD_OVERRIDE") - 1 },
};

const char *
gk_method_override_meta(size_t i)
{
	return i < sizeof(override_meta) / sizeof(override_meta[0]) ? override_meta[i].name : NULL;
}

/* Every occurrence of meta-variable meta (n bytes) in req. */
static int
add_header(struct gk_methods *out, const struct gk_request *req, const char *meta, size_t n)
{
	int rc;

	for (char *const *e = req->envp; e != NULL && *e != NULL; e++)
		if ((*e)[0] == meta[0] && strncmp(*e, meta, n) == 0 && (*e)[n] == '=')
			if ((rc = add_list(out, *e + n + 1)) != GK_OK)
				return rc;
	return GK_OK;
}

int
gk_method_readings(const struct gk_request *req, const char *method, const char *target,
    struct gk_methods *out)
{
	int rc;

	out->count = 0;
	if (method == NULL)
		return GK_EINVAL;
	rc = add(out, method, strlen(method));
	for (size_t i = 0; rc == GK_OK && req != NULL && i < sizeof(override_meta) /
	    sizeof(override_meta[0]); i++)
		rc = add_header(out, req, override_meta[i].name, override_meta[i].len);
	if (rc == GK_OK && target != NULL)
		rc = add_query(out, target);
	if (rc != GK_OK)
		out->count = 0;
	return rc;
}
