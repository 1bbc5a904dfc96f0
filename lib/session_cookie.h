/* session_cookie.h: Set-Cookie lines for the session and CSRF cookies, and the cookie_domain safety check. */
#ifndef GK_SESSION_COOKIE_H
#define GK_SESSION_COOKIE_H

#include "common.h"
#include "conf.h"

#define GK_SETCOOKIE_MAX 6144   /* one Set-Cookie value we build (a token is <= 4096) */

struct gk_setcookie {
	const char *name;           /* RFC 9110 token */
	const char *value;          /* RFC 6265 cookie-octets, "" to clear */
	const char *domain;         /* NULL or "" = host-only */
	const char *path;           /* "/..." without ';' or control bytes */
	long max_age;               /* seconds; 0 = delete now */
	bool secure;
	bool httponly;
	enum gk_samesite samesite;
};

/*
 * Formats the value of a Set-Cookie header:
 *   name=value; Path=/; Domain=d; Max-Age=n; Secure; HttpOnly; SameSite=Lax
 * (Max-Age=0 plus an Expires in the past when clearing). Every part is
 * checked, so the result is always a valid header value; GK_EINVAL or
 * GK_ETOOLONG otherwise, with err set.
 */
int gk_setcookie_format(const struct gk_setcookie *c, char *out, size_t outsz, struct gk_err *err);

/*
 * Refuses a cookie_domain that browsers would reject or that would leak the
 * session to strangers: an IP address, a public suffix ("com", "co.uk",
 * "github.io": libpsl with the newest of Debian's publicsuffix list and
 * libpsl's built-in one), a name with empty labels or odd characters. A
 * single leading '.' is ignored. NULL/"" (host-only cookie) is fine.
 */
int gk_cookie_domain_check(const char *domain, struct gk_err *err);

#endif
