/* t_redirect.c: tests for lib/redirect: every hostile rd from SECURITY.md 1.1 and the good ones. */
#include "config.h"

#include <string.h>

#include "redirect.h"
#include "tap.h"

static char *dom_items[] = { "app.example.com", ".corp.example", "*.wild.example", "[::1]" };
static const struct gk_strlist domains = { dom_items, 4 };

struct tcase {
	const char *rd;
	int want;
	const char *out;    /* expected Location when accepted (NULL: same as rd) */
};

static const struct tcase cases[] = {
	/* good */
	{ "/", GK_OK, NULL },
	{ "/app/", GK_OK, NULL },
	{ "/app/page?x=1&y=%20z#frag", GK_OK, NULL },
	{ "/a%2fb", GK_OK, NULL },
	{ "https://app.example.com/", GK_OK, NULL },
	{ "https://app.example.com/x?y=1", GK_OK, NULL },
	{ "HTTPS://APP.Example.com/up", GK_OK, "https://APP.Example.com/up" },
	{ "http://app.example.com:8080/p", GK_OK, NULL },
	{ "https://corp.example/", GK_OK, NULL },
	{ "https://a.b.corp.example/deep", GK_OK, NULL },
	{ "https://x.wild.example/", GK_OK, NULL },
	{ "https://app.example.com", GK_OK, "https://app.example.com/" },
	/* relative tricks */
	{ "//evil.example", GK_EINVAL, NULL },
	{ "//evil.example/path", GK_EINVAL, NULL },
	{ "///evil.example", GK_EINVAL, NULL },
	{ "/\\evil.example", GK_EINVAL, NULL },
	{ "\\\\evil.example", GK_EINVAL, NULL },
	{ "/%2fevil.example", GK_EINVAL, NULL },
	{ "/%2Fevil.example", GK_EINVAL, NULL },
	{ "/%5cevil.example", GK_EINVAL, NULL },
	{ "/ /evil.example", GK_EINVAL, NULL },
	{ "/\t/evil.example", GK_EINVAL, NULL },
	{ "/./../../\\evil.example", GK_EINVAL, NULL },
	{ "/app\\..\\x", GK_EINVAL, NULL },
	/* absolute, the path another site once dot segments are removed (or as sent) */
	{ "https://app.example.com//evil.example/", GK_EINVAL, NULL },
	{ "https://app.example.com/.//evil.example", GK_EINVAL, NULL },
	{ "https://app.example.com/a/%2e%2e//evil.example", GK_EINVAL, NULL },
	{ "https://app.example.com/%2fevil.example", GK_EINVAL, NULL },
	{ "https://app.example.com/a//b", GK_OK, NULL },
	/* absolute, wrong host */
	{ "https://evil.example", GK_EINVAL, NULL },
	{ "https://evil.example/", GK_EINVAL, NULL },
	{ "http://evil.example/app.example.com", GK_EINVAL, NULL },
	{ "https://app.example.com.evil.example/", GK_EINVAL, NULL },
	{ "https://badcorp.example/", GK_EINVAL, NULL },
	{ "https://evilcorp.example/", GK_EINVAL, NULL },
	{ "https://corp.example.evil/", GK_EINVAL, NULL },
	{ "https://app.example.com./", GK_EINVAL, NULL },
	{ "https://evil.example#@app.example.com/", GK_EINVAL, NULL },
	{ "https://evil.example?@app.example.com/", GK_EINVAL, NULL },
	/* userinfo tricks */
	{ "https://app.example.com@evil.example/", GK_EINVAL, NULL },
	{ "https://good@evil.example", GK_EINVAL, NULL },
	{ "https://app.example.com:443@evil.example/", GK_EINVAL, NULL },
	{ "https://user:pw@app.example.com/", GK_EINVAL, NULL },
	{ "https://@app.example.com/", GK_EINVAL, NULL },
	{ "https://app.example.com%40evil.example/", GK_EINVAL, NULL },
	/* schemes */
	{ "https:evil.example", GK_EINVAL, NULL },
	{ "https:/evil.example", GK_EINVAL, NULL },
	{ "http:app.example.com", GK_EINVAL, NULL },
	{ "https:///evil.example", GK_EINVAL, NULL },
	{ "javascript:alert(1)", GK_EINVAL, NULL },
	{ "JavaScript://app.example.com/%0aalert(1)", GK_EINVAL, NULL },
	{ "data:text/html,<script>alert(1)</script>", GK_EINVAL, NULL },
	{ "ftp://app.example.com/", GK_EINVAL, NULL },
	{ "ws://app.example.com/", GK_EINVAL, NULL },
	{ "evil.example", GK_EINVAL, NULL },
	{ "app.example.com/x", GK_EINVAL, NULL },
	{ "?rd=x", GK_EINVAL, NULL },
	{ " /app", GK_EINVAL, NULL },
	/* control characters, raw and encoded */
	{ "/app%0d%0aSet-Cookie:x=1", GK_EINVAL, NULL },
	{ "/app%0D%0ALocation:%20https://evil", GK_EINVAL, NULL },
	{ "/app\r\nSet-Cookie: x=1", GK_EINVAL, NULL },
	{ "/app\n", GK_EINVAL, NULL },
	{ "/app%00", GK_EINVAL, NULL },
	{ "/app%7f", GK_EINVAL, NULL },
	{ "/app%09", GK_EINVAL, NULL },
	{ "https://app.example.com/%0a", GK_EINVAL, NULL },
	{ "https://app.example.com/\x7f", GK_EINVAL, NULL },
	{ "/caf\xc3\xa9", GK_EINVAL, NULL },
	{ "https://app.example.com\xe3\x80\x82" "evil.example/", GK_EINVAL, NULL },
	{ "https://app.example.com\x01/", GK_EINVAL, NULL },
	/* IP literal and ports */
	{ "http://[::1]:8080/", GK_OK, NULL },
	{ "http://127.0.0.1/", GK_EINVAL, NULL },
	{ "http://2130706433/", GK_EINVAL, NULL },
};

int
main(void)
{
	char out[GK_REDIRECT_MAX + 64], longrd[GK_REDIRECT_MAX + 16];
	struct gk_err err;
	struct gk_strlist empty = { NULL, 0 };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		rc = gk_redirect_check(cases[i].rd, &domains, out, sizeof(out), &err);
		is_int(rc, cases[i].want, "case %zu %s (%s)", i, cases[i].want == GK_OK ? "accepted" :
		    "refused", rc == GK_OK ? "ok" : err.msg);
		if (cases[i].want == GK_OK && rc == GK_OK)
			is_str(out, cases[i].out != NULL ? cases[i].out : cases[i].rd, "case %zu location", i);
		if (cases[i].want != GK_OK) {
			ok(out[0] == '\0', "case %zu leaves no target", i);
			ok(err.msg[0] != '\0', "case %zu gives a reason", i);
		}
	}

	is_int(gk_redirect_check(NULL, &domains, out, sizeof(out), &err), GK_NOTFOUND, "NULL rd");
	is_int(gk_redirect_check("", &domains, out, sizeof(out), &err), GK_NOTFOUND, "empty rd");
	is_int(gk_redirect_check("https://app.example.com/", &empty, out, sizeof(out), &err),
	    GK_EINVAL, "absolute URL refused with no redirect_domains");
	is_int(gk_redirect_check("/ok", &empty, out, sizeof(out), &err), GK_OK,
	    "relative path fine with no redirect_domains");

	memset(longrd, 'a', sizeof(longrd));
	longrd[0] = '/';
	longrd[GK_REDIRECT_MAX + 1] = '\0';
	is_int(gk_redirect_check(longrd, &domains, out, sizeof(out), &err), GK_EINVAL, "over-long rd");
	longrd[GK_REDIRECT_MAX] = '\0';
	is_int(gk_redirect_check(longrd, &domains, out, sizeof(out), &err), GK_OK, "rd at the cap");
	is_int(gk_redirect_check("/abcdef", &domains, out, 4, &err), GK_EINVAL, "small out buffer");

	/* Over-long rd in a query string: refused by gatekeep-login, never dropped. */
	ok(!gk_redirect_query_too_long(NULL) && !gk_redirect_query_too_long("a=1&rd=/x"),
	    "query: no or a short rd");
	{
		char qs[GK_REDIRECT_MAX + 64];

		memcpy(qs, "x=1&rd=", 7);
		memcpy(qs + 7, longrd, GK_REDIRECT_MAX + 1);    /* longrd: GK_REDIRECT_MAX bytes */
		ok(!gk_redirect_query_too_long(qs), "query: an rd at the cap");
		memcpy(qs + 7 + GK_REDIRECT_MAX, "a", 2);
		ok(gk_redirect_query_too_long(qs), "query: an rd one byte over the cap");
		memcpy(qs, "redirect_uri=", 13);
		memset(qs + 13, 'b', GK_REDIRECT_MAX + 1);
		qs[13 + GK_REDIRECT_MAX + 1] = '\0';
		ok(gk_redirect_query_too_long(qs), "query: an over-long redirect_uri");
	}

	rc = gk_redirect_pick("//evil.example", &domains, "/home", out, sizeof(out), &err);
	ok(rc == GK_EINVAL && strcmp(out, "/home") == 0, "pick falls back on refusal");
	rc = gk_redirect_pick(NULL, &domains, "/home", out, sizeof(out), &err);
	ok(rc == GK_NOTFOUND && strcmp(out, "/home") == 0, "pick falls back on absence");
	rc = gk_redirect_pick("/app", &domains, "/home", out, sizeof(out), &err);
	ok(rc == GK_OK && strcmp(out, "/app") == 0, "pick keeps a good target");

	ok(gk_redirect_host_allowed("APP.EXAMPLE.COM", &domains), "host match ignores case");
	ok(gk_redirect_host_allowed("corp.example", &domains), ".suffix covers the apex");
	ok(!gk_redirect_host_allowed("xcorp.example", &domains), ".suffix needs a dot boundary");
	ok(!gk_redirect_host_allowed("example.com", &domains), "exact entry does not cover parent");
	ok(!gk_redirect_host_allowed("x.app.example.com", &domains), "exact entry does not cover children");
	ok(!gk_redirect_host_allowed("", &domains), "empty host");
	done_testing();
}
