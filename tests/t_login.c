/* t_login.c: lib/liblogin in-process: login_handle() routes, refusals and one password sign-in, with an injected clock. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "login.h"
#include "login_request.h"
#include "loginfix.h"
#include "tap.h"
#include "testdb.h"

#define T0 INT64_C(1700000000)
#define NONCE "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"   /* 43 base64url characters */

static struct login_ctx ctx;
static char dir[64];

static int64_t
fixed_clock(void)
{
	return T0;
}

static void
setup(void)
{
	char db[128];
	struct gk_user u;

	loginfix_ctx(&ctx, "t_login", "max_failures = 3\n", fixed_clock, dir, sizeof(dir), db,
	    sizeof(db));
	gk_user_init(&u, "alice", T0);
	gk_strcpy(u.groups, sizeof(u.groups), "dev");
	testdb_add(db, ctx.auth.pw, GK_PW_PREFERRED, "correct horse", &u);
}

struct call {
	int line;
	const char *method, *uri, *query, *cookie, *ctype, *origin, *body;
	bool too_large;
	int status;
	const char *has, *lacks;   /* in the whole response; NULL = not checked */
};

/* One request through login_handle(); the response (NUL-terminated) stays in out. */
static int
run(const struct call *c, struct login_buf *out)
{
	char e[8][5200];
	char *envp[9];
	size_t n = 0;
	int status = 0;

	snprintf(e[n++], sizeof(e[0]), "REQUEST_METHOD=%s", c->method);
	snprintf(e[n++], sizeof(e[0]), "REQUEST_URI=%s%s%s", c->uri, c->query ? "?" : "",
	    c->query ? c->query : "");
	snprintf(e[n++], sizeof(e[0]), "QUERY_STRING=%s", c->query ? c->query : "");
	snprintf(e[n++], sizeof(e[0]), "REMOTE_ADDR=192.0.2.7");
	snprintf(e[n++], sizeof(e[0]), "HTTP_HOST=auth.example.com");
	if (c->cookie)
		snprintf(e[n++], sizeof(e[0]), "HTTP_COOKIE=%s", c->cookie);
	if (c->ctype)
		snprintf(e[n++], sizeof(e[0]), "CONTENT_TYPE=%s", c->ctype);
	if (c->origin)
		snprintf(e[n++], sizeof(e[0]), "HTTP_ORIGIN=%s", c->origin);
	for (size_t i = 0; i < n; i++)
		envp[i] = e[i];
	envp[n] = NULL;
	login_buf_reset(out);
	login_handle(&ctx, envp, c->body, c->body ? strlen(c->body) : 0, c->too_large, out);
	login_buf_add(out, "", 1);
	if (!out->failed)
		sscanf(out->p, "Status: %d", &status);
	return status;
}

static void
check(const struct call *c)
{
	struct login_buf out;
	int status;

	login_buf_init(&out);
	status = run(c, &out);
	ok(status == c->status, "line %d: %s %s -> %d (got %d)", c->line, c->method, c->uri, c->status,
	    status);
	if (c->has)
		ok(strstr(out.p, c->has) != NULL, "line %d: ... has '%s'", c->line, c->has);
	if (c->lacks)
		ok(strstr(out.p, c->lacks) == NULL, "line %d: ... lacks '%s'", c->line, c->lacks);
	login_buf_free(&out);
}

int
main(void)
{
	static char long_rd[4200], csrf[64], form[256], bad_form[256], forged[256], cookie[128];
	char session[GK_TOKEN_MAX + 64], *p;
	struct login_buf out;
	size_t i;
	const char *form_ct = "application/x-www-form-urlencoded";

	setup();
	memcpy(long_rd, "rd=", 3);
	memset(long_rd + 3, 'a', sizeof(long_rd) - 4);
	login_csrf_mac(&ctx, NONCE, csrf, sizeof(csrf));
	snprintf(cookie, sizeof(cookie), "gatekeep_session_csrf=%s", NONCE);
	snprintf(form, sizeof(form), "user=alice&password=correct+horse&csrf=%s&rd=https://app.example.com/x",
	    csrf);
	snprintf(bad_form, sizeof(bad_form), "user=alice&password=wrong&csrf=%s", csrf);
	/* The right password with a token that is not this nonce's MAC. */
	snprintf(forged, sizeof(forged), "user=alice&password=correct+horse&csrf=%s", NONCE);
	{
		const struct call calls[] = {
			{ __LINE__, "GET", "/gatekeep/login", NULL, NULL, NULL, NULL, NULL, false, 200,
			  "Set-Cookie: gatekeep_session_csrf=", NULL },
			{ __LINE__, "GET", "/gatekeep/login", NULL, NULL, NULL, NULL, NULL, false, 200,
			  "Content-Security-Policy: default-src 'none'", NULL },
			{ __LINE__, "HEAD", "/gatekeep/login", NULL, NULL, NULL, NULL, NULL, false, 200,
			  "Content-Length: ", "<form" },
			/* a ';' cannot be in a cookie's Path (RFC 6265): not our base, never a 500 */
			{ __LINE__, "GET", "/gate;keep/login", NULL, NULL, NULL, NULL, NULL, false, 200,
			  "Set-Cookie: gatekeep_session_csrf=", "Path=/gate;" },
			{ __LINE__, "GET", "/gatekeep/login", NULL, NULL, NULL, NULL, NULL, true, 413, NULL,
			  NULL },
			{ __LINE__, "GET", "/gatekeep/login", long_rd, NULL, NULL, NULL, NULL, false, 400,
			  "too long", NULL },
			{ __LINE__, "PUT", "/gatekeep/login", NULL, NULL, NULL, NULL, NULL, false, 405,
			  "Allow: GET, HEAD, POST", NULL },
			{ __LINE__, "POST", "/gatekeep/login", NULL, cookie, NULL, NULL, form, false, 415,
			  NULL, "Set-Cookie: gatekeep_session=" },
			{ __LINE__, "POST", "/gatekeep/login", NULL, cookie, form_ct, NULL, "user=alice",
			  false, 400, NULL, "Set-Cookie: gatekeep_session=" },
			{ __LINE__, "POST", "/gatekeep/login", NULL, NULL, form_ct, NULL, form, false, 403,
			  "expired", "Set-Cookie: gatekeep_session=" },
			{ __LINE__, "POST", "/gatekeep/login", NULL, cookie, form_ct, NULL, forged, false,
			  403, "expired", "Set-Cookie: gatekeep_session=" },
			{ __LINE__, "POST", "/gatekeep/login", NULL, cookie, form_ct,
			  "https://evil.example.net", form, false, 403, "expired",
			  "Set-Cookie: gatekeep_session=" },
			{ __LINE__, "POST", "/gatekeep/login", NULL, cookie, form_ct, NULL, bad_form, false,
			  401, "Incorrect user name or password.", "Set-Cookie: gatekeep_session=" },
			{ __LINE__, "GET", "/gatekeep/whoami", NULL, NULL, NULL, NULL, NULL, false, 401,
			  "unauthenticated", NULL },
			{ __LINE__, "DELETE", "/gatekeep/whoami", NULL, NULL, NULL, NULL, NULL, false, 405,
			  "Allow: GET, HEAD", NULL },
			{ __LINE__, "GET", "/gatekeep/logout", NULL, NULL, NULL, NULL, NULL, false, 200,
			  "Sign out", NULL },
			{ __LINE__, "POST", "/gatekeep/logout", NULL, NULL, form_ct, NULL, "csrf=x", false,
			  403, NULL, NULL },
			{ __LINE__, "GET", "/gatekeep/oidc", NULL, NULL, NULL, NULL, NULL, false, 404,
			  "not configured", NULL },
			{ __LINE__, "GET", "/gatekeep/callback", "code=x&state=y", NULL, NULL, NULL, NULL,
			  false, 404, "not configured", NULL },
			{ __LINE__, "POST", "/gatekeep/login", NULL, cookie, form_ct,
			  "http://auth.example.com", form, false, 303,
			  "Location: https://app.example.com/x", NULL },
		};

		for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
			check(&calls[i]);
	}

	/* The session the form started is the one whoami reads back. */
	{
		const struct call signin = { __LINE__, "POST", "/gatekeep/login", NULL, cookie, form_ct,
		    NULL, form, false, 303, NULL, NULL };
		struct call whoami = { __LINE__, "GET", "/gatekeep/whoami", NULL, NULL, NULL, NULL, NULL,
		    false, 200, "\"user\":\"alice\"", NULL };

		login_buf_init(&out);
		is_int(run(&signin, &out), 303, "sign-in: 303");
		p = strstr(out.p, "Set-Cookie: gatekeep_session=");
		ok(p != NULL, "sign-in: session cookie set");
		session[0] = '\0';
		if (p != NULL) {
			p += strlen("Set-Cookie: ");
			snprintf(session, sizeof(session), "%.*s", (int)strcspn(p, ";\r"), p);
		}
		login_buf_free(&out);
		whoami.cookie = session;
		check(&whoami);
		whoami.line = __LINE__;
		whoami.has = "\"groups\":[\"dev\"]";
		check(&whoami);
	}

	loginfix_free(&ctx, dir);
	return done_testing();
}
