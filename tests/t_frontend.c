/* t_frontend.c: Caddy's forwarded headers cross-checked (lib/frontend.c) and bypass hosts bound (lib/bypass.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bypass.h"
#include "frontend.h"
#include "tap.h"

/* What Caddy 2.6 sends for GET /private/x?y=1 with Host app.example.com (checked live). */
#define CADDY_OK \
	"FCGI_ROLE=RESPONDER", "REQUEST_METHOD=GET", "REQUEST_URI=/private/x?y=1", \
	"HTTP_HOST=app.example.com", "GATEKEEP_METHOD=DELETE", \
	"HTTP_X_FORWARDED_METHOD=DELETE", "HTTP_X_FORWARDED_URI=/private/x?y=1", \
	"HTTP_X_FORWARDED_HOST=app.example.com", "HTTP_X_FORWARDED_PROTO=https"

static void
caddy_case(int line, char **env, int want_rc, const char *want_reason)
{
	struct gk_request req;
	struct gk_fwd_view v;
	const char *why = "unset";
	int rc;

	gk_request_init(&req, env);
	rc = gk_frontend_caddy_view(&req, &v, &why);
	is_int(rc, want_rc, "line %d: status", line);
	if (want_reason == NULL)
		ok(rc == GK_OK && why == NULL, "line %d: no reason", line);
	else
		is_str(why != NULL ? why : "(null)", want_reason, "line %d: reason", line);
}

static void
test_caddy(void)
{
	struct gk_request req;
	struct gk_fwd_view v;
	const char *why;
	char *good[] = { CADDY_OK, NULL };

	gk_request_init(&req, good);
	is_int(gk_frontend_caddy_view(&req, &v, &why), GK_OK, "Caddy's own headers: OK");
	is_str(v.method, "DELETE", "... the original method");
	is_str(v.target, "/private/x?y=1", "... the original URI");
	is_str(v.host, "app.example.com", "... the host");
	is_str(v.proto, "https", "... the scheme");

	/* A client's X_Forwarded_* won the Go map: the value differs from Caddy's own reading. */
	{
		char *e[] = { "FCGI_ROLE=RESPONDER", "REQUEST_URI=/private/x", "HTTP_HOST=app.example.com",
		    "GATEKEEP_METHOD=GET", "HTTP_X_FORWARDED_METHOD=GET",
		    "HTTP_X_FORWARDED_URI=/public/x", "HTTP_X_FORWARDED_HOST=app.example.com", NULL };
		caddy_case(__LINE__, e, GK_EINVAL, "forwarded-uri-mismatch");
	}
	{
		char *e[] = { "REQUEST_URI=/x", "HTTP_HOST=app.example.com", "GATEKEEP_METHOD=DELETE",
		    "HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_URI=/x",
		    "HTTP_X_FORWARDED_HOST=app.example.com", NULL };
		caddy_case(__LINE__, e, GK_EINVAL, "forwarded-method-mismatch");
	}
	{
		char *e[] = { "REQUEST_URI=/x", "HTTP_HOST=app.example.com", "GATEKEEP_METHOD=GET",
		    "HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_URI=/x",
		    "HTTP_X_FORWARDED_HOST=10.11.1.11", NULL };
		caddy_case(__LINE__, e, GK_EINVAL, "forwarded-host-mismatch");
	}
	{
		/* X-Forwarded-Host absent but Host present: the host is Caddy's HTTP_HOST. */
		char *e[] = { "REQUEST_URI=/x", "HTTP_HOST=app.example.com", "GATEKEEP_METHOD=GET",
		    "HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_URI=/x", NULL };
		caddy_case(__LINE__, e, GK_OK, NULL);
	}
	{
		char *e[] = { "REQUEST_URI=/x", "GATEKEEP_METHOD=GET", "HTTP_X_FORWARDED_METHOD=GET",
		    "HTTP_X_FORWARDED_URI=/x", "HTTP_X_FORWARDED_HOST=app.example.com", NULL };
		caddy_case(__LINE__, e, GK_EINVAL, "forwarded-host-mismatch");
	}
	/* Case, a trailing slash or encoding: the readings are compared byte for byte. */
	{
		char *e[] = { "REQUEST_URI=/Admin", "HTTP_HOST=h", "GATEKEEP_METHOD=GET",
		    "HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_URI=/admin", NULL };
		caddy_case(__LINE__, e, GK_EINVAL, "forwarded-uri-mismatch");
	}
	{
		char *e[] = { "REQUEST_URI=/x", "HTTP_HOST=h", "GATEKEEP_METHOD=get",
		    "HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_URI=/x", NULL };
		caddy_case(__LINE__, e, GK_EINVAL, "forwarded-method-mismatch");
	}
	/* Missing readings: the front end is set up wrong. */
	{
		char *e[] = { "REQUEST_URI=/x", "HTTP_HOST=h", "HTTP_X_FORWARDED_METHOD=GET",
		    "HTTP_X_FORWARDED_URI=/x", NULL };
		caddy_case(__LINE__, e, GK_NOTFOUND, "missing-GATEKEEP_METHOD");
	}
	{
		char *e[] = { "REQUEST_URI=/x", "HTTP_HOST=h", "GATEKEEP_METHOD=GET",
		    "HTTP_X_FORWARDED_URI=/x", NULL };
		caddy_case(__LINE__, e, GK_NOTFOUND, "missing-forwarded-headers");
	}
	{
		char *e[] = { "HTTP_HOST=h", "GATEKEEP_METHOD=GET", "HTTP_X_FORWARDED_METHOD=GET",
		    "HTTP_X_FORWARDED_URI=/x", NULL };
		caddy_case(__LINE__, e, GK_NOTFOUND, "missing-forwarded-headers");
	}
	/* Repeated or malformed. */
	{
		char *e[] = { "REQUEST_URI=/x", "REQUEST_URI=/x", "HTTP_HOST=h", "GATEKEEP_METHOD=GET",
		    "HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_URI=/x", NULL };
		caddy_case(__LINE__, e, GK_EINVAL, "duplicate-params");
	}
	{
		char *e[] = { "REQUEST_URI=/x", "HTTP_HOST=h", "GATEKEEP_METHOD=GET",
		    "GATEKEEP_METHOD=DELETE", "HTTP_X_FORWARDED_METHOD=GET",
		    "HTTP_X_FORWARDED_URI=/x", NULL };
		caddy_case(__LINE__, e, GK_EINVAL, "duplicate-params");
	}
	{
		char *e[] = { "REQUEST_URI=/x", "HTTP_HOST=h", "GATEKEEP_METHOD=GET",
		    "HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_URI=/x",
		    "HTTP_X_FORWARDED_URI=/x", NULL };
		caddy_case(__LINE__, e, GK_EINVAL, "bad-forwarded-headers");
	}
	{
		char *e[] = { "REQUEST_URI=/x", "HTTP_HOST=h\r\nX: y", "GATEKEEP_METHOD=GET",
		    "HTTP_X_FORWARDED_METHOD=GET", "HTTP_X_FORWARDED_URI=/x", NULL };
		caddy_case(__LINE__, e, GK_EINVAL, "bad-forwarded-headers");
	}
}

static void
test_host_equal(void)
{
	static const struct {
		int line;
		const char *entry, *host;
		bool want;
	} cases[] = {
		{ __LINE__, "10.11.1.11", "10.11.1.11", true },
		{ __LINE__, "nas.lan", "NAS.Lan", true },
		{ __LINE__, "10.11.1.11:8090", "10.11.1.11:8090", true },
		{ __LINE__, "[::1]:80", "[::1]:80", true },
		{ __LINE__, "10.11.1.11", "10.11.1.11.", false },
		{ __LINE__, "10.11.1.11", "10.11.1.11\t", false },
		{ __LINE__, "10.11.1.11", "10.11.1.11 ", false },
		{ __LINE__, "10.11.1.11", " 10.11.1.11", false },
		{ __LINE__, "10.11.1.11", "10.11.1.11:80", false },
		{ __LINE__, "10.11.1.11:8090", "10.11.1.11", false },
		{ __LINE__, "10.11.1.11:8090", "10.11.1.11:08090", false },
		{ __LINE__, "nas.lan", "nas.lan.", false },
		{ __LINE__, "nas.lan", "", false },
		{ __LINE__, "nas.lan", NULL, false },
		{ __LINE__, "", "", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(gk_bypass_host_equal(cases[i].entry, cases[i].host), cases[i].want,
		    "line %d: bypass host equal", cases[i].line);
}

static bool
applies(const struct gk_config *cfg, char **env, const char *host)
{
	struct gk_request req;

	gk_request_init(&req, env);
	return gk_bypass_host_applies(cfg, &req, host, gk_request_param(&req, "REMOTE_ADDR"));
}

static void
test_bound(void)
{
	struct gk_config cfg;
	struct gk_err err;
	char *lan[] = { "SERVER_ADDR=10.11.1.11", "REMOTE_ADDR=10.11.5.5", NULL };
	char *pub[] = { "SERVER_ADDR=198.51.100.1", "REMOTE_ADDR=10.11.5.5", NULL };
	char *far[] = { "SERVER_ADDR=10.11.1.11", "REMOTE_ADDR=203.0.113.9", NULL };
	char *none[] = { "REMOTE_ADDR=10.11.5.5", NULL };
	char *empty[] = { "SERVER_ADDR=", "REMOTE_ADDR=", NULL };
	char *twice[] = { "SERVER_ADDR=10.11.1.11", "SERVER_ADDR=10.11.1.11", NULL };

	if (gk_config_defaults(&cfg, &err) != GK_OK) {
		ok(0, "defaults: %s", err.msg);
		return;
	}
	if (gk_config_set(&cfg, "bypass_hosts", "10.11.1.11:8090, 10.11.1.11", "t", &err) != GK_OK)
		diag("%s", err.msg);
	ok(!applies(&cfg, lan, "10.11.1.11"), "bound to nothing: never applies (the loader refuses it)");

	gk_config_set(&cfg, "bypass_hosts_on", "10.11.1.11", "t", &err);
	ok(applies(&cfg, lan, "10.11.1.11"), "on: the private listener -> applies");
	ok(applies(&cfg, lan, "10.11.1.11:8090"), "on: ... with the listed port");
	ok(!applies(&cfg, pub, "10.11.1.11"), "on: the forged Host on the public listener -> no");
	ok(!applies(&cfg, none, "10.11.1.11"), "on: no SERVER_ADDR -> no");
	ok(!applies(&cfg, empty, "10.11.1.11"), "on: an empty SERVER_ADDR -> no");
	ok(!applies(&cfg, twice, "10.11.1.11"), "on: SERVER_ADDR twice -> no");
	ok(!applies(&cfg, lan, "10.11.1.11."), "on: a trailing dot -> no");
	ok(!applies(&cfg, lan, "app.example.com"), "on: another Host -> no");
	ok(!applies(&cfg, lan, NULL), "on: no Host -> no");

	gk_config_set(&cfg, "bypass_hosts_from", "10.11.0.0/16", "t", &err);
	ok(applies(&cfg, lan, "10.11.1.11"), "on+from: both hold -> applies");
	ok(!applies(&cfg, far, "10.11.1.11"), "on+from: a client outside -> no");
	ok(!applies(&cfg, empty, "10.11.1.11"), "on+from: empty addresses -> no");

	gk_config_set(&cfg, "bypass_hosts_on", "", "t", &err);
	ok(applies(&cfg, pub, "10.11.1.11"), "from only: a client inside, any listener -> applies");
	ok(!applies(&cfg, far, "10.11.1.11"), "from only: a client outside -> no");
	ok(!applies(&cfg, empty, "10.11.1.11"), "from only: an empty REMOTE_ADDR -> no");
	gk_config_free(&cfg);
}

/* The host behind nginx (lib/frontend.c gk_frontend_host): HTTP_HOST against GATEKEEP_HOST. */
static void
test_served_host(void)
{
	static const struct {
		int line;
		const char *host, *served;  /* HTTP_HOST, GATEKEEP_HOST (NULL: absent) */
		int rc;
		const char *want;           /* the host, or the reason */
	} t[] = {
		{ __LINE__, "app.example", NULL, GK_OK, "app.example" },
		{ __LINE__, NULL, NULL, GK_OK, NULL },
		{ __LINE__, "app.example", "app.example", GK_OK, "app.example" },
		{ __LINE__, "App.Example:8443", "app.example", GK_OK, "App.Example:8443" },
		{ __LINE__, "app.example.", "app.example", GK_OK, "app.example." },
		{ __LINE__, "app.example.:81", "app.example", GK_OK, "app.example.:81" },
		{ __LINE__, "[::1]:8080", "[::1]", GK_OK, "[::1]:8080" },
		{ __LINE__, NULL, "admin.example", GK_OK, "admin.example" },
		{ __LINE__, "app.example", "", GK_OK, "app.example" },
		/* an absolute-form target names another host than the client's Host field */
		{ __LINE__, "open.example", "admin.example", GK_EINVAL, "host-mismatch" },
		{ __LINE__, "admin.example.evil", "admin.example", GK_EINVAL, "host-mismatch" },
		{ __LINE__, "admin.exampl", "admin.example", GK_EINVAL, "host-mismatch" },
		{ __LINE__, "admin.example..", "admin.example", GK_EINVAL, "host-mismatch" },
		{ __LINE__, "[::1", "[::1]", GK_EINVAL, "host-mismatch" },
		{ __LINE__, "app.example", "app example", GK_EINVAL, "bad-host" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char h[128], g[128];
		char *env[4] = { NULL };
		size_t n = 0;
		struct gk_request req;
		const char *host = "unset", *why = "unset";
		int rc;

		if (t[i].host != NULL)
			snprintf(h, sizeof(h), "HTTP_HOST=%s", t[i].host), env[n++] = h;
		if (t[i].served != NULL)
			snprintf(g, sizeof(g), "GATEKEEP_HOST=%s", t[i].served), env[n++] = g;
		gk_request_init(&req, env);
		rc = gk_frontend_host(&req, &host, &why);
		is_int(rc, t[i].rc, "line %d: status", t[i].line);
		if (t[i].rc == GK_OK)
			is_str(host != NULL ? host : "(none)", t[i].want != NULL ? t[i].want : "(none)",
			    "line %d: the host", t[i].line);
		else
			is_str(why != NULL ? why : "(null)", t[i].want, "line %d: the reason", t[i].line);
	}
	{
		char *twice[] = { "HTTP_HOST=a.example", "GATEKEEP_HOST=a.example", "GATEKEEP_HOST=b.example", NULL };
		char *two_hosts[] = { "HTTP_HOST=a.example", "HTTP_HOST=b.example", "GATEKEEP_HOST=a.example", NULL };
		struct gk_request req;
		const char *host, *why;

		gk_request_init(&req, twice);
		is_int(gk_frontend_host(&req, &host, &why), GK_EINVAL, "GATEKEEP_HOST twice: refused");
		is_str(why, "bad-host", "... bad-host");
		gk_request_init(&req, two_hosts);
		is_int(gk_frontend_host(&req, &host, &why), GK_EINVAL, "HTTP_HOST twice: refused");
	}
}

static void
test_host_name(void)
{
	static const struct {
		const char *host;       /* NULL: no Host */
		bool ok;
	} t[] = {
		{ NULL, true }, { "", true },           /* no rule matches either */
		{ "admin.test", true }, { "admin.test.", true }, { "admin.test.:8080", true },
		{ "admin.example:65535", true }, { "[::1]", true }, { "[::1]:80", true },
		/* empty labels: no host name */
		{ "admin.test..", false }, { "admin.test..:8080", false }, { "admin..test", false },
		{ ".admin.test", false }, { ".", false }, { ":80", false },
		/* what follows the name must be a port: a rule's glob reads the whole field */
		{ "admin.example:1.public.example", false }, { "admin.example:", false },
		{ "admin.example:123456", false }, { "admin.example:80:81", false },
		{ "admin.example:80x", false }, { "[::1]x.public.example", false },
		{ "[::1]:80x", false }, { "[::1", false }, { "[]", false }, { "admin]example", false },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(gk_frontend_host_name_ok(t[i].host) == t[i].ok, "Host %s: %s",
		    t[i].host != NULL ? t[i].host : "(none)", t[i].ok ? "fine" : "refused");
}

int
main(void)
{
	test_caddy();
	test_host_equal();
	test_served_host();
	test_host_name();
	test_bound();
	return done_testing();
}
