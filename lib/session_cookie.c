/* session_cookie.c: Set-Cookie lines for the session and CSRF cookies, and the cookie_domain safety check. */
#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <libpsl.h>

#include "cookie.h"
#include "session_cookie.h"
#include "validate.h"

/* RFC 6265 cookie-octet: no CTLs, whitespace, DQUOTE, comma, semicolon or backslash. */
static bool
value_ok(const char *v)
{
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == ',' || *p == ';' || *p == '\\')
			return false;
	return true;
}

static bool
path_ok(const char *p)
{
	if (p == NULL || p[0] != '/')
		return false;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == ';')
			return false;
	return true;
}

int
gk_setcookie_format(const struct gk_setcookie *c, char *out, size_t outsz, struct gk_err *err)
{
	const char *ss;
	char dom[272] = "";
	int n;

	if (outsz > 0)
		out[0] = '\0';
	if (c->name == NULL || !gk_cookie_name_valid(c->name))
		return gk_err_set(err, "invalid cookie name"), GK_EINVAL;
	if (c->value == NULL || !value_ok(c->value))
		return gk_err_set(err, "invalid cookie value"), GK_EINVAL;
	if (!path_ok(c->path))
		return gk_err_set(err, "invalid cookie path"), GK_EINVAL;
	if (c->domain != NULL && c->domain[0] != '\0') {
		const char *d = c->domain[0] == '.' ? c->domain + 1 : c->domain;

		if (!gk_valid_hostname(d, strlen(d)) || strlen(c->domain) > 253)
			return gk_err_set(err, "invalid cookie domain"), GK_EINVAL;
		snprintf(dom, sizeof(dom), "; Domain=%s", d);
	}
	if (c->max_age < 0)
		return gk_err_set(err, "negative Max-Age"), GK_EINVAL;
	switch (c->samesite) {
	case GK_SAMESITE_STRICT: ss = "Strict"; break;
	case GK_SAMESITE_NONE: ss = "None"; break;
	default: ss = "Lax"; break;
	}
	n = snprintf(out, outsz, "%s=%s; Path=%s%s; Max-Age=%ld%s%s%s; SameSite=%s",
	    c->name, c->value, c->path, dom, c->max_age,
	    c->max_age == 0 ? "; Expires=Thu, 01 Jan 1970 00:00:00 GMT" : "",
	    c->secure ? "; Secure" : "", c->httponly ? "; HttpOnly" : "", ss);
	if (n < 0 || (size_t)n >= outsz) {
		if (outsz > 0)
			out[0] = '\0';
		return gk_err_set(err, "Set-Cookie too long"), GK_ETOOLONG;
	}
	return GK_OK;
}

int
gk_cookie_domain_check(const char *domain, struct gk_err *err)
{
	char low[256];
	unsigned char addr[16];
	const psl_ctx_t *builtin;
	psl_ctx_t *latest;
	size_t i, len;
	int pub;

	if (domain == NULL || domain[0] == '\0')
		return GK_OK;
	if (domain[0] == '.')
		domain++;
	len = strlen(domain);
	if (len == 0 || len >= sizeof(low))
		return gk_err_set(err, "cookie_domain: empty or too long"), GK_EINVAL;
	for (i = 0; i <= len; i++)
		low[i] = (char)tolower((unsigned char)domain[i]);
	if (low[len - 1] == '.')
		return gk_err_set(err, "cookie_domain %s: trailing dot", low), GK_EINVAL;
	if (inet_pton(AF_INET, low, addr) == 1 || inet_pton(AF_INET6, low, addr) == 1 ||
	    strspn(low, "0123456789.") == len || low[0] == '[')
		return gk_err_set(err, "cookie_domain %s is an IP address: browsers ignore Domain= "
		    "for addresses; leave cookie_domain empty", low), GK_EINVAL;
	if (!gk_valid_hostname(low, len))
		return gk_err_set(err, "cookie_domain %s: not a DNS name (letters, digits, '-', dots)",
		    low), GK_EINVAL;
	/* Both lists: the newer system file may add suffixes, the built-in one is the fallback. */
	latest = psl_latest(NULL);
	builtin = psl_builtin();
	pub = (latest != NULL && psl_is_public_suffix(latest, low)) ||
	    (builtin != NULL && psl_is_public_suffix(builtin, low));
	if (latest == NULL && builtin == NULL) {
		return gk_err_set(err, "cookie_domain: no public suffix list available "
		    "(install the Debian package publicsuffix)"), GK_ERR;
	}
	psl_free(latest);
	if (pub)
		return gk_err_set(err, "cookie_domain %s is a public suffix: the session cookie would "
		    "reach every site under it", low), GK_EINVAL;
	return GK_OK;
}
