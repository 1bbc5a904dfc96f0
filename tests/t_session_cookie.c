/* t_session_cookie.c: tests for lib/session_cookie (Set-Cookie building, cookie_domain refusals). */
#include "config.h"

#include <string.h>

#include "session_cookie.h"
#include "tap.h"

int
main(void)
{
	char out[GK_SETCOOKIE_MAX];
	struct gk_err err;
	struct gk_setcookie c = { "gatekeep_session", "abc.def-ghi_jkl", "gk.test", "/", 43200,
	    true, true, GK_SAMESITE_LAX };
	size_t i;
	static const char *bad_domains[] = { "com", ".com", "co.uk", "github.io", "test", "localhost",
	    "127.0.0.1", "10.1.2.3", "::1", "[::1]", "1.2", "a..b", "-", "exa mple.com", "example.com.",
	    "ex;ample.com", "ex\r\nample.com" };
	static const char *good_domains[] = { "", "gk.test", ".gk.test", "example.com", "Example.COM",
	    "app.example.co.uk", "sub.example.org" };

	is_int(gk_setcookie_format(&c, out, sizeof(out), &err), GK_OK, "session cookie");
	is_str(out, "gatekeep_session=abc.def-ghi_jkl; Path=/; Domain=gk.test; Max-Age=43200; "
	    "Secure; HttpOnly; SameSite=Lax", "all attributes");
	c.domain = NULL;
	c.secure = false;
	c.samesite = GK_SAMESITE_STRICT;
	c.path = "/gatekeep";
	c.value = "";
	c.max_age = 0;
	is_int(gk_setcookie_format(&c, out, sizeof(out), &err), GK_OK, "clearing cookie");
	is_str(out, "gatekeep_session=; Path=/gatekeep; Max-Age=0; Expires=Thu, 01 Jan 1970 "
	    "00:00:00 GMT; HttpOnly; SameSite=Strict", "clear: Max-Age=0, host-only, no Secure");
	c.value = "a;b";
	is_int(gk_setcookie_format(&c, out, sizeof(out), &err), GK_EINVAL, "';' in value refused");
	c.value = "a\r\nSet-Cookie: x=1";
	is_int(gk_setcookie_format(&c, out, sizeof(out), &err), GK_EINVAL, "CRLF in value refused");
	c.value = "ok";
	c.name = "bad name";
	is_int(gk_setcookie_format(&c, out, sizeof(out), &err), GK_EINVAL, "bad name refused");
	c.name = "n";
	c.path = "/x;Domain=evil";
	is_int(gk_setcookie_format(&c, out, sizeof(out), &err), GK_EINVAL, "';' in path refused");
	c.path = "relative";
	is_int(gk_setcookie_format(&c, out, sizeof(out), &err), GK_EINVAL, "relative path refused");
	c.path = "/";
	c.domain = "evil.example; Secure";
	is_int(gk_setcookie_format(&c, out, sizeof(out), &err), GK_EINVAL, "bad domain refused");
	c.domain = NULL;
	is_int(gk_setcookie_format(&c, out, 10, &err), GK_ETOOLONG, "small buffer");
	is_str(out, "", "nothing half-written");

	for (i = 0; i < sizeof(bad_domains) / sizeof(bad_domains[0]); i++)
		ok(gk_cookie_domain_check(bad_domains[i], &err) != GK_OK, "bad cookie_domain %zu refused",
		    i);
	for (i = 0; i < sizeof(good_domains) / sizeof(good_domains[0]); i++) {
		err.msg[0] = '\0';
		is_int(gk_cookie_domain_check(good_domains[i], &err), GK_OK, "cookie_domain '%s' accepted %s",
		    good_domains[i], err.msg);
	}
	ok(gk_cookie_domain_check(NULL, &err) == GK_OK, "NULL = host-only");
	done_testing();
}
