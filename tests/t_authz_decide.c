/* t_authz_decide.c: gatekeep-authz's decision chain in-process, one row per case, with an injected clock. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "authz_decide.h"
#include "token.h"
#include "userdb.h"
#include "tap.h"
#include "testdb.h"

#define T0 INT64_C(1700000000)

static char dir[64], dbpath[128], secpath[128], state[128];
static struct gk_log quiet;
static struct gk_secret secret;
static int64_t clock_now = T0;

/* The injected clock: every check in the chain reads time through a->now. */
static unsigned clock_reads;

static int64_t
test_now(void)
{
	clock_reads++;
	return clock_now;
}

static void
die(const char *what, const struct gk_err *err)
{
	diag("%s: %s", what, err->msg);
	exit(1);
}

static void
add_user(struct gk_pw_ctx *pw, const char *name, const char *pass, const char *groups,
    uint32_t flags)
{
	struct gk_user u;

	gk_user_init(&u, name, T0);
	u.flags |= flags;
	gk_strcpy(u.groups, sizeof(u.groups), groups);
	testdb_add(dbpath, pw, GK_PW_SHA512, pass, &u);
}

/* alice's generation goes up, as "log out everywhere" does. */
static void
bump_generation(const char *name)
{
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_err err;

	if (gk_userdb_begin(dbpath, false, 1000, &t, &err) != GK_OK ||
	    gk_userdb_txn_get(t, name, &u, &err) != GK_OK)
		die("bump", &err);
	u.generation++;
	if (gk_userdb_txn_put(t, &u, &err) != GK_OK || gk_userdb_commit(t, &err) != GK_OK)
		die("bump", &err);
}

static bool
stored(const char *name, struct gk_user *u)
{
	struct gk_userdb *db;
	struct gk_err err;
	int rc;

	if (gk_userdb_open(dbpath, &db, &err) != GK_OK)
		die("open", &err);
	rc = gk_userdb_lookup(db, name, u, &err);
	gk_userdb_close(db);
	return rc == GK_OK;
}

/* A configuration: the common keys, then "key=value" pairs (NULL-terminated). */
static void
conf(struct gk_config *cfg, const char *const *kv)
{
	static const char *const common[] = {
		"database", dbpath, "secret_file", secpath, "state_dir", state,
		"proxy_trusted", "127.0.0.1", "proxy_auto_create", "true",
		"bypass_paths", "/public", "login_url", "https://login.example.com/login",
		"rule", "path=/admin require=group:admins", "max_failures", "3",
		"find_time", "10m", "ban_time", "10m", "log_target", "stderr", "log_level", "err",
		NULL
	};
	struct gk_err err;
	size_t i;

	if (gk_config_defaults(cfg, &err) != GK_OK)
		die("defaults", &err);
	for (i = 0; common[i] != NULL; i += 2)
		if (gk_config_set(cfg, common[i], common[i + 1], "test", &err) != GK_OK)
			die(common[i], &err);
	for (i = 0; kv != NULL && kv[i] != NULL; i += 2)
		if (gk_config_set(cfg, kv[i], kv[i + 1], "test", &err) != GK_OK)
			die(kv[i], &err);
	if (gk_config_validate(cfg, &err) != GK_OK)
		die("validate", &err);
}

static void
authz_new(struct gk_authz *a, const struct gk_config *cfg)
{
	struct gk_err err;

	if (gk_authz_init(a, cfg, &quiet, &err) != GK_OK)
		die("init", &err);
	a->now = test_now;
}

/* A session token for name, issued at iat (valid an hour), with generation gen. */
static void
token(const char *name, int64_t iat, uint32_t gen, char *out, size_t outsz)
{
	struct gk_claims c;
	struct gk_err err;

	memset(&c, 0, sizeof(c));
	gk_strcpy(c.sub, sizeof(c.sub), name);
	gk_strcpy(c.iss, sizeof(c.iss), GK_TOKEN_ISSUER);
	c.iat = iat;
	c.exp = iat + 3600;
	c.gen = gen;
	if (gk_token_issue(secret.key, secret.len, &c, out, outsz, &err) != GK_OK)
		die("token", &err);
}

/*
 * One request: params is "NAME=value" lines separated by '\n'. Two forms are
 * expanded: "HTTP_AUTHORIZATION=basic:USER:PASS" (base64 added) and
 * "HTTP_COOKIE=gk=@USER" (a fresh token for USER at the current time, gen 1).
 */
static void
decide(struct gk_authz *a, enum gk_role role, const char *params, struct gk_decision *d)
{
	static char store[32][GK_TOKEN_MAX + 256];
	char *envp[33], copy[4096], *line, *save = NULL;
	size_t n = 0;

	gk_strcpy(copy, sizeof(copy), params);
	for (line = strtok_r(copy, "\n", &save); line != NULL && n < 32;
	    line = strtok_r(NULL, "\n", &save), n++) {
		char *s = store[n], *at;

		if (strncmp(line, "HTTP_AUTHORIZATION=basic:", 25) == 0) {
			char b64[512];

			sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)line + 25,
			    strlen(line + 25), sodium_base64_VARIANT_ORIGINAL);
			snprintf(s, sizeof(store[0]), "HTTP_AUTHORIZATION=Basic %s", b64);
		} else if (strncmp(line, "HTTP_COOKIE=", 12) == 0 && (at = strchr(line, '@')) != NULL) {
			char tok[GK_TOKEN_MAX + 1];

			token(at + 1, clock_now, 1, tok, sizeof(tok));
			snprintf(s, sizeof(store[0]), "%.*s%s", (int)(at - line), line, tok);
		} else {
			gk_strcpy(s, sizeof(store[0]), line);
		}
		envp[n] = s;
	}
	envp[n] = NULL;
	gk_authz_decide(a, role, envp, d);
}

struct dcase {
	int line;
	enum gk_role role;
	const char *params;
	enum gk_outcome want;
	const char *method;     /* d->method, or NULL */
	const char *user;       /* the user allowed, or the one whose credentials failed; NULL: none */
	const char *reason;     /* deny reason, or NULL when allowed */
	int ask;                /* 'b' Basic challenge, 'r' login redirect, 'R' one back to the page */
};

#define R GK_ROLE_RESPONDER
#define A GK_ROLE_AUTHORIZER
#define GET(uri, from) "REQUEST_METHOD=GET\nREQUEST_URI=" uri "\nREMOTE_ADDR=" from "\n"
#define HTML "HTTP_ACCEPT=text/html\n"

static bool
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n > 0 && b[n - 1] == 0)
		n--;
	return n == 0;
}

static void
run(struct gk_authz *a, const struct dcase *cases, size_t n)
{
	struct gk_decision d;
	size_t i;

	memset(&d, 0, sizeof(d));
	for (i = 0; i < n; i++) {
		const struct dcase *k = &cases[i];
		const char *who;

		clock_now += 1;
		decide(a, k->role, k->params, &d);
		who = d.have_user ? d.user.name : d.attempted[0] != '\0' ? d.attempted : NULL;
		if (!ok(d.outcome == k->want, "line %d: outcome %d", k->line, (int)k->want))
			diag("got outcome %d (%s)", (int)d.outcome, d.reason ? d.reason : "-");
		is_str(d.method, k->method, "line %d: method", k->line);
		is_str(who, k->user, "line %d: user", k->line);
		is_str(d.outcome == GK_OUT_ALLOW ? NULL : d.reason, k->reason, "line %d: reason",
		    k->line);
		ok(d.have_user == (d.outcome == GK_OUT_ALLOW && k->user != NULL),
		    "line %d: a user only with an allow", k->line);
		if (k->ask == 'R')
			is_str(d.location, "https://login.example.com/login?rd="
			    "http%3A%2F%2Fapp.example.com%2Fapp%3Fx%3D1", "line %d: back to the page",
			    k->line);
		else if (k->ask != 0)
			ok(k->ask == 'r' ? d.redirect && !d.offer_basic &&
			    strncmp(d.location, "https://login.example.com/login", 31) == 0 :
			    d.offer_basic && !d.redirect, "line %d: asks by %s", k->line,
			    k->ask == 'r' ? "redirect" : "Basic challenge");
		/* the methods look users up into d->user: a refusal's record goes too */
		gk_authz_decision_wipe(&d);
		ok(all_zero(&d.user, sizeof(d.user)), "line %d: no user record left after the wipe",
		    k->line);
	}
	gk_wipe(&d, sizeof(d));
}

/* A table of cases alone under its own configuration (the common keys plus kv). */
static void
run_under(const char *const *kv, const struct dcase *cases, size_t n)
{
	struct gk_config cfg;
	struct gk_authz a;

	conf(&cfg, kv);
	authz_new(&a, &cfg);
	run(&a, cases, n);
	gk_authz_free(&a);
	gk_config_free(&cfg);
}

/* Each method's allow, 401 and 403, through the default chain (bypass, proxy, session, basic). */
static void
methods_table(void)
{
	static const struct dcase cases[] = {
		/* nothing at all: 401, a browser is sent to the login page */
		{ __LINE__, R, GET("/app", "192.0.2.1"), GK_OUT_NOCRED, NULL, NULL, "no-credentials", 'b' },
		{ __LINE__, R, GET("/app", "192.0.2.1") HTML, GK_OUT_NOCRED, NULL, NULL,
		    "no-credentials", 'r' },
		{ __LINE__, R, GET("/app?x=1", "192.0.2.1") HTML "HTTP_HOST=app.example.com\n",
		    GK_OUT_NOCRED, NULL, NULL, "no-credentials", 'R' },
		/* bypass */
		{ __LINE__, R, GET("/public/x.css", "192.0.2.1"), GK_OUT_ALLOW, "bypass", NULL, NULL, 0 },
		{ __LINE__, R, GET("/public/../app", "192.0.2.1"), GK_OUT_NOCRED, NULL, NULL,
		    "no-credentials", 'b' },
		/* Basic */
		{ __LINE__, R, GET("/app", "192.0.2.2") "HTTP_AUTHORIZATION=basic:alice:pw alice\n",
		    GK_OUT_ALLOW, "basic", "alice", NULL, 0 },
		{ __LINE__, R, GET("/app", "192.0.2.3") "HTTP_AUTHORIZATION=basic:alice:wrong\n",
		    GK_OUT_BADCRED, "basic", "alice", "bad-password", 'b' },
		{ __LINE__, R, GET("/app", "192.0.2.4") "HTTP_AUTHORIZATION=basic:dora:pw dora\n",
		    GK_OUT_BADCRED, "basic", "dora", "disabled", 'b' },
		{ __LINE__, R, GET("/app", "192.0.2.5") "HTTP_AUTHORIZATION=basic:nobody:x\n",
		    GK_OUT_BADCRED, "basic", "nobody", "unknown-user", 'b' },
		{ __LINE__, R, GET("/app", "192.0.2.5") "HTTP_AUTHORIZATION=Basic !!!\n",
		    GK_OUT_BADCRED, "basic", NULL, "malformed-credentials", 'b' },
		{ __LINE__, R, GET("/app", "192.0.2.5") "HTTP_AUTHORIZATION=Bearer abc\n",
		    GK_OUT_NOCRED, NULL, NULL, "no-credentials", 'b' },
		{ __LINE__, R, GET("/admin/x", "192.0.2.6") "HTTP_AUTHORIZATION=basic:alice:pw alice\n",
		    GK_OUT_FORBIDDEN, "basic", "alice", "forbidden", 0 },
		{ __LINE__, R, GET("/admin/x", "192.0.2.6") "HTTP_AUTHORIZATION=basic:bob:pw bob\n",
		    GK_OUT_ALLOW, "basic", "bob", NULL, 0 },
		/* the trusted proxy header: only from proxy_trusted */
		{ __LINE__, R, GET("/app", "127.0.0.1") "HTTP_REMOTE_USER=alice\n",
		    GK_OUT_ALLOW, "proxy", "alice", NULL, 0 },
		{ __LINE__, R, GET("/app", "192.0.2.7") "HTTP_REMOTE_USER=alice\n",
		    GK_OUT_NOCRED, NULL, NULL, "no-credentials", 'b' },
		{ __LINE__, R, GET("/app", "127.0.0.1") "HTTP_REMOTE_USER=dora\n",
		    GK_OUT_FORBIDDEN, "proxy", "dora", "disabled", 0 },
		{ __LINE__, R, GET("/app", "127.0.0.1") "HTTP_REMOTE_USER=newbie\n",
		    GK_OUT_ALLOW, "proxy", "newbie", NULL, 0 },
		{ __LINE__, R, GET("/app", "127.0.0.1") "HTTP_REMOTE_USER=Alice\n",
		    GK_OUT_FORBIDDEN, "proxy", "Alice", "name-case-clash", 0 },
		{ __LINE__, R, GET("/app", "127.0.0.1") "HTTP_REMOTE_USER=-rf\n",
		    GK_OUT_BADCRED, "proxy", NULL, "proxy-header-invalid", 'b' },
		{ __LINE__, R, GET("/admin/", "127.0.0.1") "HTTP_REMOTE_USER=alice\n",
		    GK_OUT_FORBIDDEN, "proxy", "alice", "forbidden", 0 },
		/* the session cookie */
		{ __LINE__, R, GET("/app", "192.0.2.8") "HTTP_COOKIE=gatekeep_session=@alice\n",
		    GK_OUT_ALLOW, "session", "alice", NULL, 0 },
		{ __LINE__, R, GET("/app", "192.0.2.8") "HTTP_COOKIE=gatekeep_session=@dora\n",
		    GK_OUT_BADCRED, "session", "dora", "disabled", 'b' },
		{ __LINE__, R, GET("/app", "192.0.2.8") "HTTP_COOKIE=gatekeep_session=x.y.z\n",
		    GK_OUT_BADCRED, "session", NULL, "session-invalid", 'b' },
		{ __LINE__, R, GET("/admin/", "192.0.2.8") "HTTP_COOKIE=gatekeep_session=@bob\n",
		    GK_OUT_ALLOW, "session", "bob", NULL, 0 },
		/* Apache's authenticator pair: decided on the pair alone */
		{ __LINE__, A, GET("/app", "192.0.2.9") "REMOTE_USER=alice\nREMOTE_PASSWD=pw alice\n",
		    GK_OUT_ALLOW, "apache", "alice", NULL, 0 },
		{ __LINE__, A, GET("/app", "127.0.0.1") "REMOTE_USER=alice\nREMOTE_PASSWD=bad\n"
		    "HTTP_REMOTE_USER=alice\n", GK_OUT_BADCRED, "apache", "alice", "bad-password", 'b' },
		{ __LINE__, A, GET("/app", "192.0.2.9") "REMOTE_USER=alice\nREMOTE_PASSWD=pw alice\n"
		    "HTTP_AUTHORIZATION=basic:bob:pw bob\n", GK_OUT_BADCRED, "apache", NULL,
		    "authorization-mismatch", 'b' },
		/* CSRF: an unsafe method from an origin not in allowed_origins */
		{ __LINE__, R, "REQUEST_METHOD=POST\nREQUEST_URI=/app\nREMOTE_ADDR=192.0.2.10\n"
		    "HTTP_AUTHORIZATION=basic:alice:pw alice\nHTTP_ORIGIN=https://evil.example\n",
		    GK_OUT_FORBIDDEN, "basic", "alice", "bad-origin", 0 },
		{ __LINE__, R, "REQUEST_METHOD=POST\nREQUEST_URI=/app\nREMOTE_ADDR=192.0.2.10\n"
		    "HTTP_AUTHORIZATION=basic:alice:pw alice\nHTTP_ORIGIN=https://app.example.com\n",
		    GK_OUT_ALLOW, "basic", "alice", NULL, 0 },
		/* before any method */
		{ __LINE__, R, GET("/app", "192.0.2.1") "REMOTE_ADDR=192.0.2.2\n",
		    GK_OUT_FORBIDDEN, NULL, NULL, "duplicate-params", 0 },
		{ __LINE__, R, GET("/app", "192.0.2.1") "REQUEST_URI=/public/x\n",
		    GK_OUT_FORBIDDEN, NULL, NULL, "duplicate-params", 0 },
		{ __LINE__, R, GET("/public/x", "192.0.2.1") "REQUEST_METHOD=DELETE\n",
		    GK_OUT_FORBIDDEN, NULL, NULL, "duplicate-params", 0 },
		{ __LINE__, R, GET("/public/x", "192.0.2.1") "HTTPS=on\nHTTPS=off\n",
		    GK_OUT_FORBIDDEN, NULL, NULL, "duplicate-params", 0 },
		{ __LINE__, R, GET("/public/x", "192.0.2.1") "REQUEST_SCHEME=https\n"
		    "REQUEST_SCHEME=http\n", GK_OUT_FORBIDDEN, NULL, NULL, "duplicate-params", 0 },
		{ __LINE__, R, GET("/public/x", "192.0.2.1") "HTTPS=on\nREQUEST_SCHEME=https\n",
		    GK_OUT_ALLOW, "bypass", NULL, NULL, 0 },
		{ __LINE__, R, "REQUEST_METHOD=GET\nREMOTE_ADDR=192.0.2.1\n", GK_OUT_ERROR, NULL, NULL,
		    "missing-request-uri", 0 },
	};
	static const char *const kv[] = { "cookie_name", "gatekeep_session",
	    "allowed_origins", "https://app.example.com", NULL };
	struct gk_config cfg;
	struct gk_authz a;
	struct gk_user u;

	conf(&cfg, kv);
	authz_new(&a, &cfg);
	run(&a, cases, sizeof(cases) / sizeof(cases[0]));
	ok(stored("newbie", &u) && (u.flags & GK_USER_EXTERNAL) && u.hash[0] == '\0' &&
	    u.level != GK_LEVEL_ADMIN, "the proxy created newbie, external, passwordless, not an admin");
	ok(!stored("Alice", &u), "Alice (a case clash with alice) was not created");
	gk_authz_free(&a);
	gk_config_free(&cfg);
}

/* The configured order decides which credentials count when several are sent. */
static void
chain_order(void)
{
	static const char *const basic_first[] = { "methods", "basic, session",
	    "cookie_name", "gk", NULL };
	static const char *const session_first[] = { "methods", "session, basic",
	    "cookie_name", "gk", NULL };
	static const char *const no_proxy[] = { "methods", "session, basic", "cookie_name", "gk",
	    NULL };
	static const struct dcase basic_wins[] = {
		{ __LINE__, R, GET("/app", "192.0.2.20") "HTTP_AUTHORIZATION=basic:alice:pw alice\n"
		    "HTTP_COOKIE=gk=@bob\n", GK_OUT_ALLOW, "basic", "alice", NULL, 0 },
		{ __LINE__, R, GET("/app", "192.0.2.21") "HTTP_AUTHORIZATION=basic:alice:wrong\n"
		    "HTTP_COOKIE=gk=@bob\n", GK_OUT_BADCRED, "basic", "alice", "bad-password", 'b' },
	};
	static const struct dcase session_wins[] = {
		{ __LINE__, R, GET("/app", "192.0.2.22") "HTTP_AUTHORIZATION=basic:alice:pw alice\n"
		    "HTTP_COOKIE=gk=@bob\n", GK_OUT_ALLOW, "session", "bob", NULL, 0 },
		{ __LINE__, R, GET("/app", "192.0.2.23") "HTTP_AUTHORIZATION=basic:alice:wrong\n"
		    "HTTP_COOKIE=gk=@bob\n", GK_OUT_ALLOW, "session", "bob", NULL, 0 },
	};
	static const struct dcase proxy_off[] = {
		/* a method left out of the chain is never consulted, even from a trusted peer */
		{ __LINE__, R, GET("/app", "127.0.0.1") "HTTP_REMOTE_USER=alice\n",
		    GK_OUT_NOCRED, NULL, NULL, "no-credentials", 'b' },
		{ __LINE__, R, GET("/public/x", "192.0.2.24"), GK_OUT_NOCRED, NULL, NULL,
		    "no-credentials", 'b' },
	};
	run_under(basic_first, basic_wins, sizeof(basic_wins) / sizeof(basic_wins[0]));
	run_under(session_first, session_wins, sizeof(session_wins) / sizeof(session_wins[0]));
	run_under(no_proxy, proxy_off, sizeof(proxy_off) / sizeof(proxy_off[0]));
}

/* The session over time: expiry by the injected clock, then a generation bump revokes it. */
static void
session_life(void)
{
	static const char *const kv[] = { "cookie_name", "gk", "session_ttl", "1h", NULL };
	struct gk_config cfg;
	struct gk_authz a;
	struct gk_decision d;
	char tok[GK_TOKEN_MAX + 1], params[GK_TOKEN_MAX + 256];

	conf(&cfg, kv);
	authz_new(&a, &cfg);
	token("alice", clock_now, 1, tok, sizeof(tok));
	snprintf(params, sizeof(params), GET("/app", "192.0.2.30") "HTTP_COOKIE=gk=%s\n", tok);
	/* lib/auth allows 60 s of clock skew past exp */
	clock_now += 3600 + 59;
	decide(&a, R, params, &d);
	ok(d.outcome == GK_OUT_ALLOW && d.have_user && strcmp(d.user.name, "alice") == 0,
	    "a session a second before it expires (with the skew allowed) passes");
	clock_now += 1;
	decide(&a, R, params, &d);
	ok(d.outcome == GK_OUT_NOCRED && !d.have_user, "an expired session is no credential (401)");
	is_str(d.reason, "no-credentials", "expired: no-credentials, not forged");

	token("alice", clock_now, 1, tok, sizeof(tok));
	snprintf(params, sizeof(params), GET("/app", "192.0.2.30") "HTTP_COOKIE=gk=%s\n", tok);
	decide(&a, R, params, &d);
	ok(d.outcome == GK_OUT_ALLOW, "a fresh session passes");
	bump_generation("alice");
	decide(&a, R, params, &d);
	ok(d.outcome == GK_OUT_BADCRED && !d.have_user, "after a generation bump the session is refused");
	is_str(d.reason, "session-revoked", "generation bump: session-revoked");
	is_str(d.attempted, "alice", "revoked: the log names alice");
	token("alice", clock_now, 2, tok, sizeof(tok));
	snprintf(params, sizeof(params), GET("/app", "192.0.2.30") "HTTP_COOKIE=gk=%s\n", tok);
	decide(&a, R, params, &d);
	ok(d.outcome == GK_OUT_ALLOW, "a session of the new generation passes");
	gk_wipe(&d, sizeof(d));
	gk_authz_free(&a);
	gk_config_free(&cfg);
}

/* A zero-hop ticket (a bearer credential) is wiped whole after its answer; none: no wipe. */
static void
ticket_wipe(void)
{
	static const char *const kv[] = { "cookie_name", "gk", "zero_hop_ticket_ttl", "30", NULL };
	static const char *const off[] = { "cookie_name", "gk", NULL };
	struct gk_config cfg;
	struct gk_authz a;
	struct gk_decision d;
	size_t rules;
	int on;

	memset(&d, 0, sizeof(d));
	for (on = 1; on >= 0; on--) {
		conf(&cfg, on ? kv : off);
		rules = cfg.rules_count;
		cfg.rules_count = 0;    /* a ticket is for a site without rules (lib/ticket.h) */
		authz_new(&a, &cfg);
		clock_reads = 0;
		decide(&a, R, GET("/app", "192.0.2.50") "HTTP_COOKIE=gk=@bob\n", &d);
		is_int(clock_reads, 1, "a session's decision reads the clock once");
		ok(d.outcome == GK_OUT_ALLOW && d.ticket_written == (on == 1) &&
		    (on ? strncmp(d.ticket, "Set-Cookie: gk", 14) == 0 : d.ticket[0] == '\0'),
		    "zero_hop_ticket_ttl %s: %s", on ? "30" : "0", on ? "a ticket" : "no ticket");
		gk_authz_decision_wipe(&d);
		ok(all_zero(d.ticket, sizeof(d.ticket)) && !d.ticket_written,
		    "zero_hop_ticket_ttl %s: nothing of a ticket after the wipe", on ? "30" : "0");
		gk_authz_free(&a);
		cfg.rules_count = rules;
		gk_config_free(&cfg);
	}
}

/* max_failures wrong passwords ban the pair, whatever comes next; after ban_time it passes. */
static void
lockout(void)
{
	static const char *const kv[] = { "methods", "basic", "basic_cache_ttl", "0", NULL };
	static const struct dcase guesses[] = {
		{ __LINE__, R, GET("/app", "192.0.2.40") "HTTP_AUTHORIZATION=basic:bob:guess1\n",
		    GK_OUT_BADCRED, "basic", "bob", "bad-password", 'b' },
		{ __LINE__, R, GET("/app", "192.0.2.40") "HTTP_AUTHORIZATION=basic:bob:guess2\n",
		    GK_OUT_BADCRED, "basic", "bob", "bad-password", 'b' },
		{ __LINE__, R, GET("/app", "192.0.2.40") "HTTP_AUTHORIZATION=basic:bob:guess3\n",
		    GK_OUT_BADCRED, "basic", "bob", "bad-password", 'b' },
		{ __LINE__, R, GET("/app", "192.0.2.40") "HTTP_AUTHORIZATION=basic:bob:pw bob\n",
		    GK_OUT_BADCRED, "basic", "bob", "banned", 'b' },
		/* another address is not banned for bob's sake */
		{ __LINE__, R, GET("/app", "192.0.2.41") "HTTP_AUTHORIZATION=basic:bob:pw bob\n",
		    GK_OUT_ALLOW, "basic", "bob", NULL, 0 },
	};
	static const struct dcase later[] = {
		{ __LINE__, R, GET("/app", "192.0.2.40") "HTTP_AUTHORIZATION=basic:bob:pw bob\n",
		    GK_OUT_ALLOW, "basic", "bob", NULL, 0 },
	};
	struct gk_config cfg;
	struct gk_authz a;

	conf(&cfg, kv);
	authz_new(&a, &cfg);
	run(&a, guesses, sizeof(guesses) / sizeof(guesses[0]));
	clock_now += 601;       /* ban_time = 10m */
	run(&a, later, sizeof(later) / sizeof(later[0]));
	gk_authz_free(&a);
	gk_config_free(&cfg);
}

/* A host glob rule reads the Host field; the field must be a host and at most a port. */
static void
host_glob_table(void)
{
	static const char *const kv[] = { "rule", "host=*.public.example require=bypass", NULL };
	static const struct dcase cases[] = {
		{ __LINE__, R, GET("/app", "192.0.2.1") "HTTP_HOST=www.public.example\n", GK_OUT_ALLOW,
		    "rule", NULL, NULL, 0 },
		{ __LINE__, R, GET("/app", "192.0.2.1") "HTTP_HOST=admin.example\n", GK_OUT_NOCRED,
		    NULL, NULL, "no-credentials", 0 },
		/* nginx serves admin.example (GATEKEEP_HOST $host), a glob would take the rest */
		{ __LINE__, R, GET("/app", "192.0.2.1") "HTTP_HOST=admin.example:1.public.example\n"
		    "GATEKEEP_HOST=admin.example\n", GK_OUT_FORBIDDEN, NULL, NULL, "bad-host", 0 },
		{ __LINE__, R, GET("/app", "192.0.2.1") "HTTP_HOST=admin.example:1.public.example\n",
		    GK_OUT_FORBIDDEN, NULL, NULL, "bad-host", 0 },
		{ __LINE__, R, GET("/app", "192.0.2.1") "HTTP_HOST=[::1]x.public.example\n",
		    GK_OUT_FORBIDDEN, NULL, NULL, "bad-host", 0 },
		{ __LINE__, R, GET("/app", "192.0.2.1") "HTTP_HOST=www.public.example:8443\n"
		    "GATEKEEP_HOST=www.public.example\n", GK_OUT_ALLOW, "rule", NULL, NULL, 0 },
	};
	run_under(kv, cases, sizeof(cases) / sizeof(cases[0]));
}

int
main(void)
{
	struct gk_pw_ctx *pw;
	struct gk_err err;
	char cmd[160];

	if (sodium_init() < 0)
		return 1;
	gk_log_init(&quiet, "t_authz_decide", GK_LOG_STDERR, LOG_CRIT);
	snprintf(dir, sizeof(dir), "/tmp/t_authz_decide.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/users.db", dir);
	snprintf(secpath, sizeof(secpath), "%s/secret", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	if ((pw = gk_pw_ctx_new(&err)) == NULL || gk_userdb_create(dbpath, &err) != GK_OK ||
	    gk_secret_create(secpath, &err) != GK_OK || gk_secret_load(secpath, &secret, &err) != GK_OK)
		die("setup", &err);
	add_user(pw, "alice", "pw alice", "staff", 0);
	add_user(pw, "bob", "pw bob", "admins", 0);
	add_user(pw, "dora", "pw dora", "", GK_USER_DISABLED);
	gk_pw_ctx_free(pw);

	methods_table();
	chain_order();
	session_life();
	ticket_wipe();
	lockout();
	host_glob_table();

	gk_secret_wipe(&secret);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
