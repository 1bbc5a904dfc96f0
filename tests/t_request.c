/* t_request.c: the RFC 3875 request view: first match, duplicates, header names, roles. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "tap.h"

/* Printable rendering of s for test names (a raw CR/LF would break the TAP stream). */
static const char *
esc(const char *s)
{
	static char buf[256];
	size_t n = 0;

	for (; *s != '\0' && n + 5 < sizeof(buf); s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7F)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return buf;
}

static void
test_params(void)
{
	char *env[] = {
		"FCGI_ROLE=AUTHORIZER",
		"REMOTE_ADDR=203.0.113.7",
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/admin?x=1",
		"REMOTE_USER=mallory",          /* nginx's unverified $remote_user */
		"REMOTE_USER=alice",
		"EMPTY=",
		"NOEQUALS",
		"HTTP_HOST=example.com",
		"HTTP_HOSTX=evil",
		"HTTP_HOS=evil2",
		"A=B=C",
		"FCGI_ROLE=RESPONDER",          /* a param sent by the server cannot override */
		NULL
	};
	struct gk_request req;

	gk_request_init(&req, env);
	is_str(gk_request_param(&req, "REMOTE_ADDR"), "203.0.113.7", "param lookup");
	is_str(gk_request_param(&req, "REMOTE_USER"), "mallory", "first match wins (like FCGX_GetParam)");
	is_int(gk_request_param_count(&req, "REMOTE_USER"), 2, "duplicates are counted");
	is_int(gk_request_param_count(&req, "REMOTE_ADDR"), 1, "single param counted once");
	is_int(gk_request_param_count(&req, "NOPE"), 0, "absent param counted zero");
	{
		const char *v = "x";

		is_int(gk_request_param_once(&req, "REMOTE_USER", &v), GK_EDUP, "once: a duplicate");
		ok(v == NULL, "once: no value for a duplicate");
		is_int(gk_request_param_once(&req, "REMOTE_ADDR", &v), GK_OK, "once: a single one");
		is_str(v, "203.0.113.7", "once: its value");
		is_int(gk_request_param_once(&req, "NOPE", &v), GK_OK, "once: absent is fine");
		ok(v == NULL, "once: absent is NULL");
	}
	{
		/* several at once: what param_once says for each, in one walk */
		const char *const ok3[] = { "HTTP_HOST", "REMOTE_ADDR", "NOPE", "EMPTY", "HTTP_HOS" };
		const char *const dup[] = { "REMOTE_ADDR", "NOPE", "REMOTE_USER" };
		const char *const bad[] = { "REMOTE_ADDR", "A=B" };
		const char *vals[GK_REQUEST_ONCE_MAX + 1];

		is_int(gk_request_params_once(&req, ok3, 5, vals), GK_OK, "params once: none twice");
		ok(vals[0] != NULL && strcmp(vals[0], "example.com") == 0 &&
		    vals[1] != NULL && strcmp(vals[1], "203.0.113.7") == 0 && vals[2] == NULL &&
		    vals[3] != NULL && vals[3][0] == '\0' && vals[4] != NULL &&
		    strcmp(vals[4], "evil2") == 0, "params once: each value, exact names, absent NULL");
		vals[0] = "x";
		is_int(gk_request_params_once(&req, dup, 3, vals), GK_EDUP,
		    "params once: a duplicate of the last name");
		ok(vals[0] == NULL && vals[1] == NULL && vals[2] == NULL,
		    "params once: no values on a duplicate");
		is_int(gk_request_params_once(&req, bad, 2, vals), GK_EINVAL,
		    "params once: a name with '=' is refused");
		is_int(gk_request_params_once(&req, ok3, GK_REQUEST_ONCE_MAX + 1, vals), GK_EINVAL,
		    "params once: more names than GK_REQUEST_ONCE_MAX");
	}
	is_str(gk_request_param(&req, "EMPTY"), "", "empty value is present, not absent");
	ok(gk_request_param(&req, "NOEQUALS") == NULL, "entry without '=' is not a param");
	is_str(gk_request_param(&req, "HTTP_HOST"), "example.com", "exact name, not a prefix of HTTP_HOSTX");
	ok(gk_request_param(&req, "HTTP_HO") == NULL, "a prefix of a name does not match");
	is_str(gk_request_param(&req, "A"), "B=C", "value may contain '='");
	ok(gk_request_param(&req, "A=B") == NULL, "name with '=' never matches inside a value");
	is_int(gk_request_param_count(&req, "A=B"), 0, "name with '=' counted zero");
	ok(gk_request_param(&req, "") == NULL, "empty name");
	ok(gk_request_param(&req, NULL) == NULL, "NULL name");
	ok(gk_request_param(&req, "remote_addr") == NULL, "names are case-sensitive");
	is_int(gk_request_role(&req), GK_ROLE_AUTHORIZER, "role from the first FCGI_ROLE");
	is_str(gk_request_remote_addr(&req), "203.0.113.7", "remote_addr");
	is_str(gk_request_method(&req), "GET", "method");
	is_str(gk_request_uri(&req), "/admin?x=1", "uri");

	gk_request_init(&req, NULL);
	ok(gk_request_param(&req, "X") == NULL, "NULL envp is an empty request");
	is_int(gk_request_param_count(&req, "X"), 0, "NULL envp counts zero");
	is_int(gk_request_role(&req), GK_ROLE_UNKNOWN, "NULL envp has no role");
	ok(gk_request_method(&req) == NULL, "no method");
}

static void
test_roles(void)
{
	static const struct {
		const char *entry;
		enum gk_role role;
	} cases[] = {
		{ "FCGI_ROLE=RESPONDER", GK_ROLE_RESPONDER },
		{ "FCGI_ROLE=AUTHORIZER", GK_ROLE_AUTHORIZER },
		{ "FCGI_ROLE=FILTER", GK_ROLE_FILTER },
		{ "FCGI_ROLE=authorizer", GK_ROLE_UNKNOWN },
		{ "FCGI_ROLE=AUTHORIZER ", GK_ROLE_UNKNOWN },
		{ "FCGI_ROLE=", GK_ROLE_UNKNOWN },
		{ "FCGI_ROLEX=AUTHORIZER", GK_ROLE_UNKNOWN },
		{ "GATEWAY_INTERFACE=CGI/1.1", GK_ROLE_UNKNOWN },
	};
	char *env[2];
	struct gk_request req;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		env[0] = (char *)cases[i].entry;
		env[1] = NULL;
		gk_request_init(&req, env);
		is_int(gk_request_role(&req), cases[i].role, "role of '%s'", cases[i].entry);
	}
}

static void
test_meta_names(void)
{
	static const struct {
		const char *header;
		int rc;
		const char *meta;
	} cases[] = {
		{ "Remote-User", GK_OK, "HTTP_REMOTE_USER" },
		{ "remote-user", GK_OK, "HTTP_REMOTE_USER" },
		{ "REMOTE-USER", GK_OK, "HTTP_REMOTE_USER" },
		{ "Authorization", GK_OK, "HTTP_AUTHORIZATION" },
		{ "X-Forwarded-For", GK_OK, "HTTP_X_FORWARDED_FOR" },
		{ "X-Auth-Request-User", GK_OK, "HTTP_X_AUTH_REQUEST_USER" },
		{ "Cookie", GK_OK, "HTTP_COOKIE" },
		{ "X1", GK_OK, "HTTP_X1" },
		{ "Remote_User", GK_EINVAL, "" },     /* would alias Remote-User */
		{ "Remote.User", GK_EINVAL, "" },     /* lighttpd maps '.' to '_' */
		{ "Remote User", GK_EINVAL, "" },
		{ "Remote-User:", GK_EINVAL, "" },
		{ "Remote-User\r\n", GK_EINVAL, "" },
		{ "Remote-User\nX-Evil", GK_EINVAL, "" },
		{ "Rem\xc3\xb6te", GK_EINVAL, "" },
		{ "", GK_EINVAL, "" },
		{ "X~Y", GK_EINVAL, "" },
	};
	char out[64], longname[400];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		is_int(gk_header_meta_name(cases[i].header, out, sizeof(out)), cases[i].rc,
		    "meta name of '%s'", esc(cases[i].header));
		ok(strcmp(out, cases[i].meta) == 0, "  -> '%s' (want '%s')", out, cases[i].meta);
	}
	is_int(gk_header_meta_name(NULL, out, sizeof(out)), GK_EINVAL, "NULL header");
	is_int(gk_header_meta_name("Remote-User", out, 16), GK_ETOOLONG, "output one byte short");
	is_str(out, "", "output cleared when short");
	is_int(gk_header_meta_name("Remote-User", out, 17), GK_OK, "output exactly big enough");
	is_int(gk_header_meta_name("Remote_User", out, 4), GK_EINVAL,
	    "a bad name is refused as bad, whatever the output's size");
	{
		char n256[257], big[5 + 256 + 1];

		memset(n256, 'a', 256);
		n256[256] = '\0';
		is_int(gk_header_meta_name(n256, big, sizeof(big)), GK_OK, "a 256-byte name");
		ok(strncmp(big, "HTTP_AAAA", 9) == 0 && strlen(big) == 5 + 256, "  mapped whole");
		n256[255] = '_';
		is_int(gk_header_meta_name(n256, big, sizeof(big)), GK_EINVAL, "a bad last byte");
		is_str(big, "", "  output cleared");
	}
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	is_int(gk_header_meta_name(longname, out, sizeof(out)), GK_EINVAL, "399-byte header name refused");
}

static void
test_headers(void)
{
	char *big = malloc(GK_HEADER_MAX + 64);
	char *big_ok = malloc(GK_HEADER_MAX + 64);
	char *env[] = {
		"HTTP_AUTHORIZATION=Basic YWxpY2U6c2VjcmV0",
		"HTTP_REMOTE_USER=alice",
		"HTTP_REMOTE_USER=mallory",     /* Remote-User + Remote_User from a client */
		"HTTP_X_INJECT=a\r\nSet-Cookie: x=1",
		"HTTP_X_TAB=a\tb",
		"HTTP_X_EMPTY=",
		"HTTP_X_UTF8=J\xc3\xbcrgen",
		"HTTP_REMOTE_EMAIL=alice@example.com",
		big, big_ok,
		NULL
	};
	struct gk_request req;
	const char *v;

	memcpy(big, "HTTP_X_BIG=", 11);
	memset(big + 11, 'b', GK_HEADER_MAX + 1);
	big[11 + GK_HEADER_MAX + 1] = '\0';
	memcpy(big_ok, "HTTP_X_MAX=", 11);
	memset(big_ok + 11, 'm', GK_HEADER_MAX);
	big_ok[11 + GK_HEADER_MAX] = '\0';

	gk_request_init(&req, env);
	is_int(gk_request_header(&req, "Authorization", &v), GK_OK, "Authorization found");
	is_str(v, "Basic YWxpY2U6c2VjcmV0", "Authorization value");
	is_int(gk_request_header(&req, "authorization", &v), GK_OK, "header names are case-insensitive");
	v = "stale";
	is_int(gk_request_header(&req, "Remote-User", &v), GK_EDUP, "duplicate Remote-User refused");
	ok(v == NULL, "value cleared on duplicate");
	is_int(gk_request_header(&req, "Remote_User", &v), GK_EINVAL, "Remote_User spelling refused");
	is_int(gk_request_header(&req, "Remote-Email", &v), GK_OK, "single header found");
	is_str(v, "alice@example.com", "its value");
	is_int(gk_request_header(&req, "Remote-Groups", &v), GK_NOTFOUND, "absent header");
	ok(v == NULL, "value NULL when absent");
	is_int(gk_request_header(&req, "X-Inject", &v), GK_EINVAL, "CR/LF in a value refused");
	is_int(gk_request_header(&req, "X-Tab", &v), GK_EINVAL, "HTAB in a value refused");
	is_int(gk_request_header(&req, "X-Empty", &v), GK_OK, "empty value found");
	is_str(v, "", "empty value");
	is_int(gk_request_header(&req, "X-Utf8", &v), GK_OK, "UTF-8 value passes");
	is_int(gk_request_header(&req, "X-Big", &v), GK_ETOOLONG, "value over GK_HEADER_MAX refused");
	is_int(gk_request_header(&req, "X-Max", &v), GK_OK, "value of exactly GK_HEADER_MAX accepted");
	is_int(gk_request_header(&req, "Bad Name", &v), GK_EINVAL, "bad header name");
	is_int(gk_request_header(&req, "Authorization", NULL), GK_EINVAL, "NULL out pointer");
	free(big);
	free(big_ok);
}

int
main(void)
{
	test_params();
	test_roles();
	test_meta_names();
	test_headers();
	return done_testing();
}
