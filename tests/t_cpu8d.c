/* t_cpu8d.c: a decision's stack stays small (the path readings are per worker), and a long Cookie header of a full cookie jar still finds the session cookie. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "authz_decide.h"
#include "basic.h"
#include "cookie.h"
#include "request.h"
#include "token.h"
#include "tap.h"
#include "testdb.h"

#define T0 INT64_C(1700000000)

static char dir[64], dbpath[128], secpath[128], state[128];
static struct gk_log quiet;
static struct gk_secret secret;
static char tok[GK_TOKEN_MAX + 1];

/* dir/name into out (one of the 128-byte paths) */
static void
in_dir(char *out, const char *name)
{
	snprintf(out, 128, "%s/%s", dir, name);
}

static int64_t
test_now(void)
{
	return T0 + 60;
}

static void
die(const char *what, const struct gk_err *err)
{
	diag("%s: %s", what, err->msg);
	exit(1);
}

static void
bail(const char *what)
{
	diag("%s failed", what);
	exit(1);
}

static void
conf(struct gk_config *cfg)
{
	static const char *const kv[] = {
		"methods", "proxy, session, basic", "proxy_trusted", "127.0.0.1",
		"basic_cache_ttl", "5m", "on_unauthenticated", "basic",
		"log_target", "stderr", "log_level", "err", NULL
	};
	struct gk_err err;
	size_t i;

	if (gk_config_defaults(cfg, &err) != GK_OK ||
	    gk_config_set(cfg, "database", dbpath, "test", &err) != GK_OK ||
	    gk_config_set(cfg, "secret_file", secpath, "test", &err) != GK_OK ||
	    gk_config_set(cfg, "state_dir", state, "test", &err) != GK_OK)
		die("config", &err);
	for (i = 0; kv[i] != NULL; i += 2)
		if (gk_config_set(cfg, kv[i], kv[i + 1], "test", &err) != GK_OK)
			die(kv[i], &err);
	if (gk_config_validate(cfg, &err) != GK_OK)
		die("validate", &err);
}

/* One request shaped like nginx's subrequest, plus one more param (or none). */
struct req {
	struct gk_authz *a;
	const char *extra;
	struct gk_decision d;
};

static void
decide(struct req *q)
{
	char *envp[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/app/x", "DOCUMENT_URI=/_gk",
		"REMOTE_ADDR=127.0.0.1", "HTTP_HOST=app.example.com", "HTTP_ACCEPT=*/*",
		(char *)q->extra, NULL };

	memset(&q->d, 0, sizeof(q->d));
	gk_authz_decide(q->a, GK_ROLE_RESPONDER, envp, &q->d);
}

static void *
decide_thread(void *arg)
{
	decide(arg);
	return NULL;
}

/*
 * The three cached cases on a thread whose stack is 64 KiB (glibc puts a guard page
 * below it; they need about 40 today): a decision whose frame held the path readings
 * again (48 KB) runs off it and crashes the test.  Under AddressSanitizer, whose
 * redzones make every frame larger, on 1 MiB.
 */
static void
small_stack(struct gk_authz *a)
{
	static char cookie[GK_TOKEN_MAX + 64], basic[256];
	const char *extra[] = { "HTTP_REMOTE_USER=alice", basic, cookie };
	const char *method[] = { "proxy", "basic", "session" };
	unsigned char b64[128];
	struct req *q = calloc(1, sizeof(*q));
	pthread_attr_t at;
	pthread_t t;
	size_t i, r;

#if defined(__SANITIZE_ADDRESS__)
	/* ASan's redzones make every frame larger: its build decides on 1 MiB; the plain build
	 * checks the 64 KiB bound. */
	const size_t stack = 1024 * 1024;
	const char *const stack_name = "1 MiB (AddressSanitizer)";
#else
	const size_t stack = 64 * 1024;
	const char *const stack_name = "64 KiB";
#endif
	sodium_bin2base64((char *)b64, sizeof(b64), (const unsigned char *)"alice:pw alice", 14,
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(basic, sizeof(basic), "HTTP_AUTHORIZATION=Basic %s", b64);
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=gatekeep_session=%s", tok);
	if (q == NULL || pthread_attr_init(&at) != 0 || pthread_attr_setstacksize(&at, stack) != 0)
		bail("thread set-up");
	q->a = a;
	for (r = 0; r < 2; r++)         /* the second round: the caches' hits */
		for (i = 0; i < 3; i++) {
			q->extra = extra[i];
			if (pthread_create(&t, &at, decide_thread, q) != 0 || pthread_join(t, NULL) != 0)
				bail("thread");
			ok(q->d.outcome == GK_OUT_ALLOW && q->d.method != NULL &&
			    strcmp(q->d.method, method[i]) == 0,
			    "%s of stack: %s allowed (%s)", stack_name, method[i], r ? "cached" : "first");
			gk_authz_decision_wipe(&q->d);
		}
	pthread_attr_destroy(&at);
	free(q);
}

/*
 * "HTTP_COOKIE=" and about n bytes of other sites' cookies ("; "-separated), with ours at
 * the start (pos 0), in the middle (1) or at the end (2); room left for one more of ours.
 */
static char *
jar(size_t n, int pos, const char *ours)
{
	size_t len = 12 + n + 2 * strlen(ours) + 128, o = 0, k;
	char *s = malloc(len);
	bool placed = pos != 1;

	if (s == NULL)
		bail("malloc");
	o += (size_t)snprintf(s + o, len - o, "HTTP_COOKIE=%s", pos == 0 ? ours : "");
	for (k = 0; o - 12 < n; k++) {
		o += (size_t)snprintf(s + o, len - o, "%s_ga%zu=GA1.2.%zu", o > 12 ? "; " : "", k,
		    k * 7919);
		if (!placed && o - 12 >= n / 2) {
			o += (size_t)snprintf(s + o, len - o, "; %s", ours);
			placed = true;
		}
	}
	if (pos == 2)
		snprintf(s + o, len - o, "; %s", ours);
	return s;
}

/* The request with s (freed) as its one more param: want, and reason unless allowed. */
static void
expect(struct req *q, char *s, enum gk_outcome want, const char *reason, const char *what)
{
	q->extra = s;
	decide(q);
	ok(q->d.outcome == want && (want == GK_OUT_ALLOW || (q->d.reason != NULL &&
	    strcmp(q->d.reason, reason) == 0)), "%s (%s)", what, q->d.reason ? q->d.reason : "-");
	gk_authz_decision_wipe(&q->d);
	free(s);
}

static void
long_cookie(struct gk_authz *a)
{
	static const char *const where[] = { "start", "middle", "end" };
	char ours[GK_TOKEN_MAX + 32], what[96], *s;
	struct req q;
	int pos;

	memset(&q, 0, sizeof(q));
	q.a = a;
	snprintf(ours, sizeof(ours), "gatekeep_session=%s", tok);
	for (pos = 0; pos < 3; pos++) {
		snprintf(what, sizeof(what), "a 12 KiB Cookie header, the session cookie at the %s: "
		    "allowed", where[pos]);
		expect(&q, jar(12 * 1024, pos, ours), GK_OUT_ALLOW, NULL, what);
	}
	expect(&q, jar(120 * 1024, 2, ours), GK_OUT_ALLOW, NULL,
	    "a 120 KiB Cookie header, ours at the end: allowed");
	expect(&q, jar(GK_COOKIE_HEADER_MAX + 64, 1, ours), GK_OUT_FORBIDDEN, "oversized-params",
	    "a Cookie header over GK_COOKIE_HEADER_MAX: refused");

	/* still refused: a control byte, a second session cookie, a bad octet in ours */
	s = jar(12 * 1024, 1, ours);
	s[100] = '\x01';
	expect(&q, s, GK_OUT_BADCRED, "bad-cookie-header",
	    "a control byte in a 12 KiB Cookie header: refused");
	s = jar(12 * 1024, 1, ours);
	strcat(strcat(s, "; "), ours);
	expect(&q, s, GK_OUT_BADCRED, "session-duplicate",
	    "two session cookies in a 12 KiB Cookie header: refused");
	s = jar(12 * 1024, 2, ours);
	strcat(s, "\\");
	expect(&q, s, GK_OUT_BADCRED, "session-malformed",
	    "a '\\' in the session cookie at the end of 12 KiB: refused");
	/* any other header keeps GK_HEADER_MAX */
	s = jar(12 * 1024, 0, ours);
	memcpy(s, "HTTP_X_JUNK", strlen("HTTP_X_JUNK"));    /* as long as HTTP_COOKIE */
	expect(&q, s, GK_OUT_FORBIDDEN, "oversized-params",
	    "a 12 KiB header other than Cookie: still refused");
}

/* lib/request and lib/cookie alone: the Cookie header's bound, every other header's. */
static void
request_bounds(void)
{
	char *s = jar(GK_COOKIE_HEADER_MAX - 64, 2, "gatekeep_session=abc"), out[64];
	char *envp[] = { s, NULL };
	struct gk_request req;
	const char *v;

	gk_request_init(&req, envp);
	is_int(gk_request_header(&req, "Cookie", &v), GK_OK, "lib/request: a Cookie header near 128 KiB");
	is_int(gk_cookie_get(v, "gatekeep_session", out, sizeof(out)), GK_OK, "lib/cookie: found at its end");
	is_str(out, "abc", "  its value");
	free(s);
	s = jar(GK_COOKIE_HEADER_MAX + 16, 2, "gatekeep_session=abc");
	envp[0] = s;
	is_int(gk_request_header(&req, "Cookie", &v), GK_ETOOLONG, "lib/request: a Cookie header over GK_COOKIE_HEADER_MAX");
	is_int(gk_cookie_get(s + strlen("HTTP_COOKIE="), "gatekeep_session", out, sizeof(out)),
	    GK_ETOOLONG, "lib/cookie: over GK_COOKIE_HEADER_MAX");
	free(s);
	s = jar(GK_HEADER_MAX + 16, 2, "x=1");
	memcpy(s, "HTTP_X_JUNK", strlen("HTTP_X_JUNK"));
	envp[0] = s;
	is_int(gk_request_header(&req, "X-Junk", &v), GK_ETOOLONG, "lib/request: another header over GK_HEADER_MAX");
	free(s);
}

/* RFC 6265 4.1.1, as the rule is written there. */
static bool
rfc_octet(unsigned c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	    (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

/*
 * lib/cookie's word-at-a-time octet check against the rule: every byte value at every
 * position of a 19-byte value (two words and a tail), inside it (not where it could be a
 * quote or trimmed space).  ';' ends the pair, so it is looked for as a shorter value.
 */
static void
octets_every_position(void)
{
	char h[64], out[32];
	unsigned c, pos, bad = 0, n = 0;

	for (c = 1; c < 256; c++)
		for (pos = 1; pos < 18; pos++) {
			int rc, want;

			snprintf(h, sizeof(h), "a=1; gk=%s; b=2", "abcdefghijklmnopqrs");
			h[8 + pos] = (char)c;
			rc = gk_cookie_get(h, "gk", out, sizeof(out));
			if (c == ';')
				want = GK_OK;   /* "abc..." up to the ';' */
			else
				want = rfc_octet(c) ? GK_OK : GK_EINVAL;
			if (rc != want || (c == ';' && strlen(out) != pos)) {
				if (bad++ < 5)
					diag("byte 0x%02x at %u: %d, want %d", c, pos, rc, want);
			}
			n++;
		}
	is_int((int)bad, 0, "lib/cookie: every byte value at every position of a value (%u)", n);
}

/*
 * lib/basic's alphabet check: credentials whose base64 holds every character of the
 * alphabet all parse; any other byte in place of one of them is refused.
 */
static void
basic_alphabet(void)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char h[128], user[GK_USER_MAX + 1], pass[GK_PASSWORD_MAX + 1], seen[64] = { 0 };
	unsigned char cred[16];
	unsigned i, c, bad = 0, nseen = 0;

	for (i = 0; i < 256; i++) {
		unsigned j;

		memcpy(cred, "u:", 2);
		for (j = 0; j < 6; j++) {       /* no C0, no DEL: lib/basic refuses those */
			unsigned b = (i * 37 + j * 101 + j * j * 7) & 0xff;

			cred[2 + j] = (unsigned char)(b < 0x20 || b == 0x7f ? b + 0x21 : b);
		}
		memcpy(h, "Basic ", 6);
		sodium_bin2base64(h + 6, sizeof(h) - 6, cred, 8, sodium_base64_VARIANT_ORIGINAL);
		for (j = 6; h[j] != '\0'; j++) {
			const char *at = strchr(alpha, h[j]);

			if (h[j] != '=' && at != NULL && !seen[at - alpha]) {
				seen[at - alpha] = 1;
				nseen++;
			}
		}
		if (gk_basic_parse(h, user, pass) != GK_OK)
			bad++;
	}
	is_int((int)nseen, 64, "lib/basic: the credentials' base64 holds every character of the alphabet");
	is_int((int)bad, 0, "lib/basic: all of them parse");
	bad = 0;
	for (c = 1; c < 256; c++) {
		if (strchr(alpha, (int)c) != NULL || c == '=')
			continue;
		snprintf(h, sizeof(h), "Basic %s", "YWxpY2U6cHcx");     /* alice:pw1 */
		h[6 + 5] = (char)c;
		if (gk_basic_parse(h, user, pass) != GK_EINVAL)
			bad++;
	}
	is_int((int)bad, 0, "lib/basic: a byte outside the alphabet is refused");
}

int
main(void)
{
	struct gk_config cfg;
	struct gk_authz a;
	struct gk_pw_ctx *pw;
	struct gk_claims c;
	struct gk_user u;
	struct gk_err err;
	char cmd[160];

	if (sodium_init() < 0)
		return 1;
	gk_log_init(&quiet, "t_cpu8d", GK_LOG_STDERR, LOG_CRIT);
	strcpy(dir, "/tmp/t_cpu8d.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	in_dir(dbpath, "users.db");
	in_dir(secpath, "secret");
	in_dir(state, "state");
	/* alice (password "pw alice") and a session token of hers, generation 1 */
	pw = gk_pw_ctx_new(&err);
	if (pw == NULL || gk_userdb_create(dbpath, &err) != GK_OK)
		die("database", &err);
	if (gk_secret_create(secpath, &err) != GK_OK || gk_secret_load(secpath, &secret, &err) != GK_OK)
		die("secret", &err);
	gk_user_init(&u, "alice", T0);
	testdb_add(dbpath, pw, GK_PW_SHA512, "pw alice", &u);
	gk_pw_ctx_free(pw);
	c = (struct gk_claims){ .sub = "alice", .iss = GK_TOKEN_ISSUER, .iat = T0, .exp = T0 + 3600,
	    .gen = 1 };
	if (gk_token_issue(secret.key, secret.len, &c, tok, sizeof(tok), &err) != GK_OK)
		die("token", &err);

	conf(&cfg);
	if (gk_authz_init(&a, &cfg, &quiet, &err) != GK_OK)
		die("init", &err);
	a.now = test_now;
	small_stack(&a);
	long_cookie(&a);
	request_bounds();
	octets_every_position();
	basic_alphabet();
	gk_authz_free(&a);
	gk_config_free(&cfg);

	gk_secret_wipe(&secret);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
