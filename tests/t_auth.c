/* t_auth.c: lib/auth in-process: the password check (lockout, reservation, timing) and the session check. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "token.h"
#include "userdb.h"
#include "tap.h"
#include "testdb.h"

#define T0 INT64_C(1700000000)
#define MAXF 3

static char dir[64], dbpath[128], state[128];
static struct gk_userdb *db;
static struct gk_log quiet;
static struct gk_secret secret;
static bool have_secret = true;

static int
lookup(void *arg, const char *name, struct gk_user *u)
{
	struct gk_err err;

	(void)arg;
	return gk_userdb_lookup(db, name, u, &err);
}

static const struct gk_secret *
get_secret(void *arg)
{
	(void)arg;
	return have_secret ? &secret : NULL;
}

static void
add_user(struct gk_pw_ctx *pw, const char *name, enum gk_pw_method m, const char *pass,
    uint32_t flags)
{
	struct gk_user u;

	gk_user_init(&u, name, T0);
	u.flags |= flags;
	u.generation = 7;
	testdb_add(dbpath, pw, m, pass, &u);
}

/* A fresh auth context (own hashing state and table handle), as one worker has. */
static void
auth_new(struct gk_auth *a, bool lockout_on)
{
	/* MAXF per (user, address) pair and per address; per user only the defaults' throttle. */
	struct gk_lockout_conf lc = { .max_failures = MAXF, .find_time = 60, .ban_time = 30,
	    .address_failures = MAXF };
	struct gk_err err;

	memset(a, 0, sizeof(*a));
	a->pw = gk_pw_ctx_new(&err);
	a->lockout_on = lockout_on;
	if (a->pw == NULL || gk_lockout_open(state, &lc, &a->lk, &err) != GK_OK) {
		diag("auth_new: %s", err.msg);
		exit(1);
	}
	a->log = &quiet;
	a->lookup = lookup;
}

static void
auth_free(struct gk_auth *a)
{
	gk_pw_ctx_free(a->pw);
	gk_lockout_close(a->lk);
}

/* --- the password check, one row per case ---------------------------------------------- */

struct pw_case {
	int line;
	const char *user, *pass, *addr;
	enum gk_auth_status want;
};

static void
password_table(void)
{
	/* Each row has its own address and a time of its own, so rows never share a window. */
	static const struct pw_case cases[] = {
		{ __LINE__, "alice", "pw alice", "192.0.2.1", GK_AUTH_OK },
		{ __LINE__, "alice", "wrong", "192.0.2.2", GK_AUTH_BAD_PASSWORD },
		{ __LINE__, "alice", "", "192.0.2.3", GK_AUTH_BAD_PASSWORD },
		{ __LINE__, "alice", NULL, "192.0.2.4", GK_AUTH_BAD_PASSWORD },
		{ __LINE__, "carol", "pw carol", "192.0.2.5", GK_AUTH_OK },
		{ __LINE__, "carol", "pw alice", "192.0.2.6", GK_AUTH_BAD_PASSWORD },
		{ __LINE__, "dora", "pw dora", "192.0.2.7", GK_AUTH_DISABLED },
		{ __LINE__, "nobody", "pw alice", "192.0.2.8", GK_AUTH_UNKNOWN_USER },
		{ __LINE__, " lead", "x", "192.0.2.9", GK_AUTH_BAD_NAME },
		{ __LINE__, "", "x", "192.0.2.10", GK_AUTH_BAD_NAME },
		{ __LINE__, NULL, "x", NULL, GK_AUTH_BAD_NAME },
		{ __LINE__, "alice", "pw alice", NULL, GK_AUTH_OK },
	};
	struct gk_auth a;
	struct gk_user u;
	size_t i;

	auth_new(&a, true);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pw_case *c = &cases[i];
		enum gk_auth_status st = gk_auth_password(&a, c->user, c->pass, c->addr,
		    T0 + 1000 * (int64_t)i, &u);

		if (!ok(st == c->want, "line %d: %s/%s -> %s", c->line, c->user ? c->user : "(null)",
		    c->pass ? c->pass : "(null)", gk_auth_reason(c->want)))
			diag("got %s", gk_auth_reason(st));
		if (st == GK_AUTH_OK)
			is_str(u.name, c->user, "line %d: the record comes back", c->line);
		else
			ok(u.name[0] == '\0' && u.hash[0] == '\0', "line %d: nothing left in *u", c->line);
		gk_wipe(&u, sizeof(u));
	}
	auth_free(&a);
}

/* --- lockout through the check: counting, bans, refunds -------------------------------- */

static enum gk_auth_status
try_pw(struct gk_auth *a, const char *user, const char *pass, const char *addr, int64_t now)
{
	struct gk_user u;
	enum gk_auth_status st = gk_auth_password(a, user, pass, addr, now, &u);

	gk_wipe(&u, sizeof(u));
	return st;
}

static void
lockout_rules(void)
{
	const int64_t t = T0 + 100000;
	struct gk_auth a;

	auth_new(&a, true);
	/* Per (user, address): MAXF wrong passwords from one address ban the right one there only. */
	is_int(try_pw(&a, "alice", "w1", "198.51.100.1", t), GK_AUTH_BAD_PASSWORD, "alice wrong 1");
	is_int(try_pw(&a, "alice", "w2", "198.51.100.1", t), GK_AUTH_BAD_PASSWORD, "alice wrong 2");
	is_int(try_pw(&a, "alice", "w3", "198.51.100.1", t), GK_AUTH_BAD_PASSWORD,
	    "alice wrong 3: hashed (the third reservation is within the budget)");
	is_int(try_pw(&a, "alice", "pw alice", "198.51.100.1", t + 1), GK_AUTH_BANNED,
	    "then the right password is banned there, unhashed");
	is_int(try_pw(&a, "alice", "pw alice", "198.51.100.4", t + 1), GK_AUTH_OK,
	    "... but the victim at another address gets in (no victim lockout)");
	is_int(try_pw(&a, "alice", "pw alice", "198.51.100.1", t + 31), GK_AUTH_OK,
	    "after ban_time: allowed there too");

	/* A right password takes its reservation back: two failures + a success leave the address at two. */
	is_int(try_pw(&a, "nobody1", "x", "203.0.113.5", t), GK_AUTH_UNKNOWN_USER, "unknown users count");
	is_int(try_pw(&a, "nobody2", "x", "203.0.113.5", t), GK_AUTH_UNKNOWN_USER, "... twice");
	is_int(try_pw(&a, "carol", "pw carol", "203.0.113.5", t), GK_AUTH_OK,
	    "a right password as the third attempt: not banned by its own reservation");
	is_int(try_pw(&a, "alice", "pw alice", "203.0.113.5", t), GK_AUTH_OK,
	    "... and it was refunded: the address is still at two");
	is_int(try_pw(&a, "nobody3", "x", "203.0.113.5", t), GK_AUTH_UNKNOWN_USER, "a third failure");
	is_int(try_pw(&a, "carol", "pw carol", "203.0.113.5", t), GK_AUTH_BANNED,
	    "now the address is banned for everyone");

	/* An invalid name counts against the address alone. */
	is_int(try_pw(&a, "x\ty", "x", "203.0.113.6", t), GK_AUTH_BAD_NAME, "bad name 1");
	is_int(try_pw(&a, "x\ty", "x", "203.0.113.6", t), GK_AUTH_BAD_NAME, "bad name 2");
	is_int(try_pw(&a, "x\ty", "x", "203.0.113.6", t), GK_AUTH_BAD_NAME, "bad name 3");
	is_int(try_pw(&a, "carol", "pw carol", "203.0.113.6", t), GK_AUTH_BANNED,
	    "three invalid names ban the address");
	is_int(try_pw(&a, "carol", "pw carol", "203.0.113.7", t), GK_AUTH_OK, "... not the users");

	/* No table while the lockout is on: every password refused. */
	{
		struct gk_lockout *lk = a.lk;

		a.lk = NULL;
		is_int(try_pw(&a, "carol", "pw carol", "203.0.113.8", t), GK_AUTH_LOCKOUT_ERROR,
		    "lockout on, no table: lockout-error (deny)");
		a.lk = lk;
	}
	auth_free(&a);
}

/* gk_lockout_reserve itself: counted under one lock, nothing counted during a ban. */
static void
reservation_api(void)
{
	const int64_t t = T0 + 200000;
	struct gk_lockout_conf lc = { .max_failures = MAXF, .find_time = 60, .ban_time = 30 };
	struct gk_lockout *lk;
	struct gk_err err;
	long n;
	int64_t until;
	int i;

	if (gk_lockout_open(state, &lc, &lk, &err) != GK_OK)
		exit(1);
	for (i = 1; i <= MAXF; i++)
		is_int(gk_lockout_reserve(lk, "resv", "192.0.2.50", t, &err), GK_LOCKOUT_ALLOW,
		    "reservation %d of %d: allowed", i, MAXF);
	gk_lockout_peek(lk, "resv", "192.0.2.50", t, &n, &until, &err);
	ok(n == MAXF && until == t + 30, "three reservations: three failures and a pair ban");
	is_int(gk_lockout_reserve(lk, "resv", "192.0.2.50", t, &err), GK_LOCKOUT_BANNED,
	    "the fourth: banned");
	gk_lockout_peek(lk, "resv", "192.0.2.50", t, &n, &until, &err);
	is_int(n, MAXF, "... and not counted");
	is_int(gk_lockout_refund(lk, "resv", "192.0.2.50", t, &err), GK_OK, "refund one");
	gk_lockout_peek(lk, "resv", "192.0.2.50", t, &n, &until, &err);
	ok(n == MAXF - 1 && until == 0, "the refund lifts the ban its count had started");
	is_int(gk_lockout_refund(lk, "never-seen", "192.0.2.51", t, &err), GK_OK,
	    "refunding an unknown key: nothing to do");
	gk_lockout_close(lk);
}

/*
 * Workers hashing at once: each child is a worker with its own context, all
 * released together, all guessing bob's password from one address.
 * Counting before hashing lets exactly MAXF of them hash; with
 * check-then-count nearly all of them passed the check.
 */
static void
parallel_guesses(void)
{
	enum { KIDS = 8 };
	const int64_t t = T0 + 300000;
	int go[2], i, status, hashed = 0, banned = 0, other = 0;
	pid_t pid[KIDS];
	char c = 0;

	if (pipe(go) != 0)
		exit(1);
	for (i = 0; i < KIDS; i++) {
		if ((pid[i] = fork()) == 0) {
			struct gk_auth a;
			char addr[32];
			enum gk_auth_status st;

			close(go[1]);
			auth_new(&a, true);
			snprintf(addr, sizeof(addr), "192.0.2.%d", 100);
			if (read(go[0], &c, 1) != 1)
				_exit(99);
			st = try_pw(&a, "bob", "guess", addr, t);
			_exit((int)st);
		}
	}
	close(go[0]);
	usleep(200000);         /* every child has its context ready */
	for (i = 0; i < KIDS; i++)
		if (write(go[1], &c, 1) != 1)
			exit(1);
	close(go[1]);
	for (i = 0; i < KIDS; i++) {
		waitpid(pid[i], &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == GK_AUTH_BAD_PASSWORD)
			hashed++;
		else if (WIFEXITED(status) && WEXITSTATUS(status) == GK_AUTH_BANNED)
			banned++;
		else
			other++;
	}
	is_int(hashed, MAXF, "%d workers guessing at once: exactly max_failures guesses hashed", KIDS);
	is_int(banned, KIDS - MAXF, "... the others banned unhashed");
	is_int(other, 0, "... and nothing else");
}

/* --- timing: a cheap stored hash fails as slowly as an unknown user --------------------- */

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

static int64_t
median_failure(struct gk_auth *a, const char *user)
{
	/* Fewer rounds under valgrind (it preloads its vgpreload_*.so): every hash is 30 times slower. */
	const char *pre = getenv("LD_PRELOAD");
	const int n = pre != NULL && strstr(pre, "vgpreload") != NULL ? 3 : 5;
	int64_t d[5], t0;
	int i;

	for (i = 0; i < n; i++) {
		t0 = mono_ns();
		try_pw(a, user, "not the password", "192.0.2.200", T0);
		d[i] = mono_ns() - t0;
	}
	qsort(d, (size_t)n, sizeof(d[0]), cmp64);
	return d[n / 2];
}

static void
timing(void)
{
	struct gk_auth a;
	int64_t unknown, cheap;
	double r;

	auth_new(&a, false);    /* no lockout: nothing here may be banned midway */
	{
		struct gk_user u;

		lookup(NULL, "alice", &u);
		ok(gk_pw_costs_like_dummy(a.pw, u.hash), "a preferred-method hash costs like the dummy: "
		    "no second hash on its failures");
		lookup(NULL, "carol", &u);
		ok(!gk_pw_costs_like_dummy(a.pw, u.hash), "a sha512crypt hash does not");
		ok(gk_pw_costs_like_dummy(a.pw, "!locked"), "a locked hash does (verify spends the dummy)");
		gk_wipe(&u, sizeof(u));
	}
	/* Interleaved twice, so a burst of load on the machine hits both sides alike. */
	unknown = median_failure(&a, "nobody");
	cheap = median_failure(&a, "carol");
	unknown = (unknown + median_failure(&a, "nobody")) / 2;
	cheap = (cheap + median_failure(&a, "carol")) / 2;
	r = (double)cheap / (double)unknown;
	diag("median failure: unknown user %.1f ms, sha512crypt user %.1f ms", unknown / 1e6,
	    cheap / 1e6);
	ok(r > 0.5 && r < 2.0, "a wrong password against a cheap hash costs what an unknown user does "
	    "(ratio %.2f)", r);
	auth_free(&a);
}

/* --- the session check, one row per case ------------------------------------------------ */

struct sess_case {
	int line;
	const char *cookies;    /* "%s" is replaced by the token of the row */
	const char *sub, *iss;
	uint32_t gen;
	int64_t iat, now;
	bool secret;
	enum gk_auth_status want;
};

/* pattern with every "%s" replaced by token. */
static void
fill(char *out, size_t outsz, const char *pattern, const char *token)
{
	const char *p;
	size_t n = 0;

	for (p = pattern; *p != '\0' && n + 1 < outsz; p++) {
		if (p[0] == '%' && p[1] == 's') {
			n += (size_t)snprintf(out + n, outsz - n, "%s", token);
			p++;
		} else {
			out[n++] = *p;
		}
	}
	out[n < outsz ? n : outsz - 1] = '\0';
}

/* With cached, each row twice through a session cache: the second answer must be the first. */
static void
session_table(bool cached)
{
	const int64_t t = T0 + 500000;
	static struct sess_case cases[] = {
		{ __LINE__, NULL, "alice", "gatekeep", 7, 0, 0, true, GK_AUTH_NONE },
		{ __LINE__, "other=1", "alice", "gatekeep", 7, 0, 0, true, GK_AUTH_NONE },
		{ __LINE__, "gk=%s", "alice", "gatekeep", 7, 0, 0, true, GK_AUTH_OK },
		{ __LINE__, "a=1; gk=%s; b=2", "alice", "gatekeep", 7, 0, 0, true, GK_AUTH_OK },
		{ __LINE__, "gk=%s", "alice", "gatekeep", 7, -7200, 0, true, GK_AUTH_NONE },
		{ __LINE__, "gk=%s", "alice", "someone", 7, 0, 0, true, GK_AUTH_INVALID },
		{ __LINE__, "gk=%s", "alice", "gatekeep", 6, 0, 0, true, GK_AUTH_REVOKED },
		{ __LINE__, "gk=%s", "dora", "gatekeep", 7, 0, 0, true, GK_AUTH_DISABLED },
		{ __LINE__, "gk=%s", "ghost", "gatekeep", 7, 0, 0, true, GK_AUTH_UNKNOWN_USER },
		{ __LINE__, "gk=%s; gk=%s", "alice", "gatekeep", 7, 0, 0, true, GK_AUTH_DUPLICATE },
		{ __LINE__, "gk=not.a.token", "alice", "gatekeep", 7, 0, 0, true, GK_AUTH_INVALID },
		{ __LINE__, "gk=\"x", "alice", "gatekeep", 7, 0, 0, true, GK_AUTH_MALFORMED },
		{ __LINE__, "gk=%s", "alice", "gatekeep", 7, 0, 0, false, GK_AUTH_SECRET_ERROR },
		{ __LINE__, "other=1", "alice", "gatekeep", 7, 0, 0, false, GK_AUTH_NONE },
	};
	struct gk_auth_session_conf sc = { get_secret, NULL, "gk", "gatekeep", 3600 };
	struct gk_auth a;
	struct gk_user u;
	struct gk_claims c, got;
	struct gk_err err;
	char token[GK_TOKEN_MAX + 1], cookies[3 * GK_TOKEN_MAX];
	size_t i;

	auth_new(&a, true);
	if (cached && (a.sessions = gk_sesscache_new(16, &err)) == NULL)
		exit(1);
	for (i = 0; i < sizeof(cases) * (cached ? 2 : 1) / sizeof(cases[0]); i++) {
		const struct sess_case *k = &cases[i % (sizeof(cases) / sizeof(cases[0]))];
		enum gk_auth_status st;

		memset(&c, 0, sizeof(c));
		gk_strcpy(c.sub, sizeof(c.sub), k->sub);
		gk_strcpy(c.iss, sizeof(c.iss), k->iss);
		c.iat = t + k->iat;
		c.exp = c.iat + 3600;
		c.gen = k->gen;
		if (gk_token_issue(secret.key, secret.len, &c, token, sizeof(token), &err) != GK_OK) {
			diag("issue: %s", err.msg);
			exit(1);
		}
		if (k->cookies != NULL)
			fill(cookies, sizeof(cookies), k->cookies, token);
		have_secret = k->secret;
		st = gk_auth_session(&a, &sc, k->cookies ? cookies : NULL, t + k->now, &u, &got);
		if (!ok(st == k->want, "line %d: %s", k->line, gk_auth_reason(k->want)))
			diag("got %s", gk_auth_reason(st));
		if (st == GK_AUTH_OK)
			ok(strcmp(u.name, k->sub) == 0 && got.gen == k->gen, "line %d: user and claims",
			    k->line);
		gk_wipe(&u, sizeof(u));
		gk_wipe(&got, sizeof(got));
	}
	have_secret = true;
	if (cached)
		ok(gk_sesscache_count(a.sessions) > 0, "tokens were cached");
	gk_sesscache_free(a.sessions);
	auth_free(&a);
}

/* alice's stored record with gen and flags (the admin's revoke, disable), seen at once. */
static void
set_alice(uint32_t gen, uint32_t flags)
{
	struct gk_user u;
	struct gk_err err;

	if (lookup(NULL, "alice", &u) != GK_OK)
		exit(1);
	u.generation = gen;
	u.flags = flags;
	testdb_put(dbpath, &u);
	gk_wipe(&u, sizeof(u));
	if (gk_userdb_refresh(db, &err) != GK_OK)
		diag("refresh: %s", err.msg);
}

/* A cached cookie is refused at the next request after a revocation or a disable. */
static void
session_cache_revocation(void)
{
	static const struct {
		int line;
		uint32_t gen, flags;
		enum gk_auth_status want;
	} steps[] = {
		{ __LINE__, 7, 0, GK_AUTH_OK },
		{ __LINE__, 7, 0, GK_AUTH_OK },
		{ __LINE__, 8, 0, GK_AUTH_REVOKED },    /* sign-out everywhere */
		{ __LINE__, 7, 0, GK_AUTH_OK },
		{ __LINE__, 7, GK_USER_DISABLED, GK_AUTH_DISABLED },
		{ __LINE__, 7, 0, GK_AUTH_OK },
	};
	struct gk_auth_session_conf sc = { get_secret, NULL, "gk", "gatekeep", 3600 };
	const int64_t t = T0 + 600000;
	char token[GK_TOKEN_MAX + 1], cookies[GK_TOKEN_MAX + 8];
	struct gk_claims c = { .sub = "alice", .iss = "gatekeep", .iat = t, .exp = t + 3600,
	    .gen = 7 };
	struct gk_auth a;
	struct gk_user u;
	struct gk_err err;
	size_t i;

	auth_new(&a, true);
	if ((a.sessions = gk_sesscache_new(16, &err)) == NULL ||
	    gk_token_issue(secret.key, secret.len, &c, token, sizeof(token), &err) != GK_OK)
		exit(1);
	snprintf(cookies, sizeof(cookies), "gk=%s", token);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		enum gk_auth_status st;

		set_alice(steps[i].gen, steps[i].flags);
		st = gk_auth_session(&a, &sc, cookies, t + (int64_t)i, &u, &c);
		if (!ok(st == steps[i].want, "line %d: cached cookie: %s", steps[i].line,
		    gk_auth_reason(steps[i].want)))
			diag("got %s", gk_auth_reason(st));
		gk_wipe(&u, sizeof(u));
		gk_wipe(&c, sizeof(c));
	}
	is_int(gk_sesscache_count(a.sessions), 1, "the token stayed cached throughout");
	gk_sesscache_free(a.sessions);
	auth_free(&a);
}

int
main(void)
{
	struct gk_pw_ctx *pw;
	struct gk_err err;

	if (sodium_init() < 0)
		return 1;
	gk_log_init(&quiet, "t_auth", GK_LOG_STDERR, LOG_CRIT);
	snprintf(dir, sizeof(dir), "/tmp/t_auth.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/users.db", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	mkdir(state, 0700);
	if ((pw = gk_pw_ctx_new(&err)) == NULL || gk_userdb_create(dbpath, &err) != GK_OK)
		return 1;
	add_user(pw, "alice", GK_PW_PREFERRED, "pw alice", 0);
	add_user(pw, "bob", GK_PW_PREFERRED, "pw bob", 0);
	add_user(pw, "carol", GK_PW_SHA512, "pw carol", 0);     /* imported: cheap */
	add_user(pw, "dora", GK_PW_PREFERRED, "pw dora", GK_USER_DISABLED);
	gk_pw_ctx_free(pw);
	if (gk_userdb_open(dbpath, &db, &err) != GK_OK)
		return 1;
	secret.len = 32;
	randombytes_buf(secret.key, secret.len);

	password_table();
	lockout_rules();
	reservation_api();
	parallel_guesses();
	session_table(false);
	session_table(true);
	session_cache_revocation();
	timing();

	gk_userdb_close(db);
	gk_secret_wipe(&secret);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	return done_testing();
}
