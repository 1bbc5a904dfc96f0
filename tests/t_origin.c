/* t_origin.c: lib/origin, the Origin / Sec-Fetch-Site / Referer check, one row per case. */
#include "config.h"

#include <string.h>

#include "origin.h"
#include "tap.h"

struct row {
	int line;
	const char *env[4];
	bool same_host;         /* pass the request's Host (the login form) or not (gatekeep-authz) */
	bool want;
	const char *why;
};

int
main(void)
{
	static char *items[] = { "https://app.example.com", "http://other.example:8080" };
	static const struct gk_strlist allowed = { items, 2 };
	static const struct row rows[] = {
		{ __LINE__, { NULL }, false, true, NULL },
		{ __LINE__, { "HTTP_ORIGIN=https://app.example.com" }, false, true, NULL },
		{ __LINE__, { "HTTP_ORIGIN=HTTPS://APP.example.com" }, false, true, NULL },
		{ __LINE__, { "HTTP_ORIGIN=http://other.example:8080" }, false, true, NULL },
		{ __LINE__, { "HTTP_ORIGIN=http://other.example" }, false, false, "origin" },
		{ __LINE__, { "HTTP_ORIGIN=https://evil.example" }, false, false, "origin" },
		{ __LINE__, { "HTTP_ORIGIN=null" }, true, false, "origin" },
		{ __LINE__, { "HTTP_ORIGIN=https://app.example.com", "HTTP_ORIGIN=https://app.example.com" },
		    false, false, "origin-duplicate" },
		{ __LINE__, { "HTTP_ORIGIN=http://login.example", "HTTP_HOST=login.example" },
		    true, true, NULL },
		{ __LINE__, { "HTTP_ORIGIN=http://login.example", "HTTP_HOST=login.example" },
		    false, false, "origin" },
		{ __LINE__, { "HTTP_ORIGIN=http://login.example.evil", "HTTP_HOST=login.example" },
		    true, false, "origin" },
		{ __LINE__, { "HTTP_SEC_FETCH_SITE=cross-site" }, false, false, "cross-site" },
		{ __LINE__, { "HTTP_SEC_FETCH_SITE=same-origin" }, false, true, NULL },
		{ __LINE__, { "HTTP_REFERER=https://app.example.com/page?x=1" }, false, true, NULL },
		{ __LINE__, { "HTTP_REFERER=https://evil.example/app.example.com" }, false, false,
		    "referer" },
		{ __LINE__, { "HTTP_REFERER=https://app.example.com.evil/x" }, false, false, "referer" },
		{ __LINE__, { "HTTP_REFERER=/relative" }, false, false, "referer" },
		{ __LINE__, { "HTTP_REFERER=https:///nohost" }, false, false, "referer" },
		{ __LINE__, { "HTTP_REFERER=https://app.example.com/", "HTTP_REFERER=https://evil.example/" },
		    false, false, "referer" },
		{ __LINE__, { "HTTP_REFERER=http://login.example/form", "HTTP_HOST=login.example" },
		    true, true, NULL },
		/* Origin decides when present: a good Referer does not rescue a bad Origin. */
		{ __LINE__, { "HTTP_ORIGIN=https://evil.example", "HTTP_REFERER=https://app.example.com/" },
		    false, false, "origin" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct gk_request req;
		const char *why = NULL, *host = NULL;
		bool got;

		gk_request_init(&req, (char *const *)r->env);
		if (r->same_host && gk_request_header(&req, "Host", &host) != GK_OK)
			host = NULL;
		got = gk_origin_check(&req, &allowed, r->same_host ? (host ? host : "") : NULL, &why);
		ok(got == r->want && (got || strcmp(why, r->why) == 0), "line %d: %s%s", r->line,
		    r->want ? "allowed" : "refused: ", r->want ? "" : r->why);
		if (!got && r->why != NULL && strcmp(why, r->why) != 0)
			diag("why: %s", why);
	}
	return done_testing();
}
