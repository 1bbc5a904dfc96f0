/* t_attack8.c: a deleted user's session is not a namesake's; a relative rd that dot segments turn into "//host". */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "redirect.h"
#include "sesscache.h"
#include "token.h"
#include "tap.h"

#define T0 INT64_C(1700000000)

static struct gk_secret secret;
static struct gk_log quiet;
static int64_t created;         /* when the "bob" of the moment was created */

/* One user, "bob", created at `created`, generation 1 (what gatekeep-passwd gives every new user). */
static int
lookup(void *arg, const char *name, struct gk_user *u)
{
	(void)arg;
	if (strcmp(name, "bob") != 0)
		return GK_NOTFOUND;
	gk_user_init(u, name, created);
	return GK_OK;
}

static const struct gk_secret *
get_secret(void *arg)
{
	(void)arg;
	return &secret;
}

/* bob's session issued at iat, shown at now, through a (its session cache, when it has one) auth. */
static enum gk_auth_status
session(struct gk_auth *a, int64_t iat, int64_t now)
{
	struct gk_auth_session_conf sc = { get_secret, NULL, "gk", GK_TOKEN_ISSUER, 43200 };
	char token[GK_TOKEN_MAX + 1], cookie[GK_TOKEN_MAX + 8];
	struct gk_claims c = { .sub = "bob", .iss = GK_TOKEN_ISSUER, .iat = iat, .exp = iat + 43200,
		.gen = 1 };
	struct gk_user u;
	struct gk_err err;
	enum gk_auth_status st;

	if (gk_token_issue(secret.key, secret.len, &c, token, sizeof(token), &err) != GK_OK) {
		diag("issue: %s", err.msg);
		exit(1);
	}
	snprintf(cookie, sizeof(cookie), "gk=%s", token);
	st = gk_auth_session(a, &sc, cookie, now, &u, &c);
	gk_wipe(&u, sizeof(u));
	gk_wipe(&c, sizeof(c));
	return st;
}

/* Relative targets: what a browser makes of their dot segments decides (WHATWG URL). */
static void
dot_segments(void)
{
	static const struct {
		const char *rd;
		int want;
	} cases[] = {
		{ "/.//evil.example", GK_EINVAL },              /* the path becomes //evil.example */
		{ "/a/..//evil.example/", GK_EINVAL },
		{ "/%2e%2e/%2E%2e//evil.example", GK_EINVAL },
		{ "/.%2e//evil.example?x=1", GK_EINVAL },
		{ "/././/evil.example", GK_EINVAL },
		{ "/a//b", GK_OK },                             /* a path on this site */
		{ "/app/", GK_OK },
		{ "/./", GK_OK },
		{ "/a/..", GK_OK },
		{ "/.../x", GK_OK },                            /* "..." is a name */
		{ "/x?next=/.//evil.example", GK_OK },          /* the query is not the path */
	};
	struct gk_strlist none = { 0 };
	char out[GK_REDIRECT_MAX + 1];
	struct gk_err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(gk_redirect_check(cases[i].rd, &none, out, sizeof(out), &err), cases[i].want,
		    "rd %s", cases[i].rd);
}

int
main(void)
{
	struct gk_auth a;
	struct gk_err err;
	int pass;

	memset(&secret, 'k', 32);
	secret.len = 32;
	secret.read = true;
	for (pass = 0; pass < 2; pass++) {
		memset(&a, 0, sizeof(a));
		a.log = &quiet;
		a.lookup = lookup;
		if (pass == 1 && (a.sessions = gk_sesscache_new(16, &err)) == NULL) {
			diag("%s", err.msg);
			exit(1);
		}
		/* The old bob signed in at T0; deleted at T0 + 600; a new bob created at T0 + 3600. */
		created = T0 - 86400;
		is_int(session(&a, T0, T0 + 10), GK_AUTH_OK, "pass %d: the old bob's session", pass);
		created = T0 + 3600;
		is_int(session(&a, T0, T0 + 3700), GK_AUTH_REVOKED,
		    "pass %d: the old bob's session is not the new bob's", pass);
		is_int(session(&a, T0 + 3700, T0 + 3710), GK_AUTH_OK,
		    "pass %d: the new bob's own session", pass);
		/* A record copied from a machine whose clock runs a little ahead. */
		is_int(session(&a, T0 + 3600 - 30, T0 + 3600), GK_AUTH_OK,
		    "pass %d: a session just before created, within the clock leeway", pass);
		gk_sesscache_free(a.sessions);
	}
	dot_segments();
	return done_testing();
}
