/* t_statestore.c: lib/statestore and lib/lockout_redis: URLs, and with GK_TEST_REDIS_URL the same verdicts as the table. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <time.h>

#include "auth.h"
#include "conf.h"
#include "lockout.h"
#include "statestore.h"
#include "tap.h"

#define T0 INT64_C(1700000000)

static char dir[64];
static char prefix[GK_STORE_PREFIX_MAX];

static void
urls(void)
{
	static const char *const good[] = {
		"redis://127.0.0.1", "redis://127.0.0.1:6380", "redis://localhost:6379/2",
		"redis://[::1]:6379/0", "unix:/run/redis/redis.sock", "unix:/tmp/r.sock?db=3", NULL
	};
	static const char *const bad[] = {
		"", "rediss://127.0.0.1", "redis://", "redis://user:pw@host", "redis://h:0",
		"redis://h:65536", "redis://h:12x", "redis://h/x", "redis://[::1", "unix:relative",
		"unix:/s?x=1", "http://127.0.0.1", "redis://h o", "redis://h/-1", NULL
	};
	struct gk_err err;
	size_t i;

	for (i = 0; good[i] != NULL; i++)
		ok(gk_statestore_url_check(good[i], &err) == GK_OK, "url accepted: %s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ok(gk_statestore_url_check(bad[i], &err) != GK_OK && err.msg[0] != '\0',
		    "url refused: '%s' (%s)", bad[i], err.msg);
}

/* The keys, their defaults, and the check across keys that --check-config runs. */
static void
config(void)
{
	static const char *const bad[] = {
		"state_backend = redis\n",
		"state_backend = redis\nredis_url = rediss://127.0.0.1\n",
		"state_backend = mongo\nredis_url = unix:/r.sock\n",
		"state_backend = redis\nredis_url = unix:/r.sock\nstate_generation_cache_ms = 2001\n",
		"state_backend = redis\nredis_url = unix:/r.sock\nstate_store_down = allow\n",
		"state_backend = redis\nredis_url = unix:/r.sock\nredis_timeout_ms = 0\n", NULL
	};
	char path[128];
	struct gk_config cfg;
	struct gk_statestore_conf sc;
	struct gk_err err;
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/gatekeep.conf", dir);
	memset(&cfg, 0, sizeof(cfg));
	ok(gk_config_defaults(&cfg, &err) == GK_OK, "defaults");
	gk_statestore_conf_from(&sc, &cfg);
	ok(!sc.enabled && strcmp(sc.prefix, "gatekeep:") == 0 && sc.timeout_ms == 500 &&
	    sc.generation_cache_ms == 1000 && sc.down == GK_STORE_DOWN_DENY,
	    "defaults: the file table; prefix gatekeep:, 500 ms, 1000 ms, deny");
	gk_config_free(&cfg);
	for (i = 0; bad[i] != NULL; i++) {
		if ((f = fopen(path, "w")) == NULL)
			break;
		fprintf(f, "database = %s/u.db\nsecret_file = %s/s\n%s", dir, dir, bad[i]);
		fclose(f);
		memset(&cfg, 0, sizeof(cfg));
		ok(gk_config_load(&cfg, path, NULL, &err) != GK_OK, "bad configuration %zu refused "
		    "(%s)", i, err.msg);
		gk_config_free(&cfg);
	}
	if ((f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "database = %s/u.db\nsecret_file = %s/s\nstate_backend = redis\n"
	    "redis_url = redis://[::1]:6380/2\nredis_prefix = app1:\nstate_store_down = local\n"
	    "state_generation_cache_ms = 2000\n", dir, dir);
	fclose(f);
	memset(&cfg, 0, sizeof(cfg));
	err.msg[0] = '\0';
	ok(gk_config_load(&cfg, path, NULL, &err) == GK_OK, "a redis configuration loads (%s)",
	    err.msg);
	gk_statestore_conf_from(&sc, &cfg);
	ok(sc.enabled && strcmp(sc.url, "redis://[::1]:6380/2") == 0 &&
	    strcmp(sc.prefix, "app1:") == 0 && sc.down == GK_STORE_DOWN_LOCAL &&
	    sc.generation_cache_ms == 2000, "... and reaches the store's settings");
	gk_config_free(&cfg);
}

static void
store_conf(struct gk_statestore_conf *sc, const char *url, enum gk_store_down down, long cache_ms)
{
	memset(sc, 0, sizeof(*sc));
	sc->enabled = true;
	snprintf(sc->url, sizeof(sc->url), "%s", url);
	snprintf(sc->prefix, sizeof(sc->prefix), "%s", prefix);
	sc->timeout_ms = 2000;
	sc->generation_cache_ms = cache_ms;
	sc->down = down;
}

static struct gk_lockout *
open_lk(const char *d, const char *url, enum gk_store_down down)
{
	struct gk_lockout_conf c;
	struct gk_lockout *lk = NULL;
	struct gk_err err;

	memset(&c, 0, sizeof(c));
	c.max_failures = 3;
	c.find_time = 60;
	c.ban_time = 120;
	c.address_failures = 6;
	c.user_throttle = 4;
	c.throttle_max = 60;
	if (url != NULL)
		store_conf(&c.store, url, down, 1000);
	if (gk_lockout_open(d, &c, &lk, &err) != GK_OK) {
		diag("open: %s", err.msg);
		return NULL;
	}
	return lk;
}

/* A small deterministic generator: the same sequence on every run (no security role). */
static unsigned long rnd_state = 12345;
static unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rnd_state >> 33) % n);
}

/* Random operations on the table and on the store: every answer must agree. */
static void
differential(const char *url)
{
	static const char *const users[] = { "alice", "bob", "carol", NULL };
	static const char *const addrs[] = { "192.0.2.1", "192.0.2.2", "2001:db8::1",
		"2001:db8::2", "::ffff:192.0.2.1", NULL };
	static const char *const ops[] = { "check", "fail", "reserve", "refund", "success",
		"clear", "peek" };
	struct gk_lockout *f = open_lk(dir, NULL, GK_STORE_DOWN_DENY);
	struct gk_lockout *r = open_lk(dir, url, GK_STORE_DOWN_DENY);
	struct gk_err e1, e2;
	int64_t now = T0, u1, u2, b1, b2;
	long f1, f2;
	int i, op, v1 = 0, v2 = 0, mism = 0, verdicts[4] = { 0 };
	const char *u, *a;

	if (!ok(f != NULL && r != NULL, "a table and a store with the same settings"))
		return;
	for (i = 0; i < 4000 && mism == 0; i++) {
		u = users[rnd(4)];
		a = addrs[rnd(6)];
		op = (int)rnd(20);
		op = op < 5 ? 0 : op < 12 ? 1 : op < 15 ? 2 : op < 16 ? 3 : op < 18 ? 4 :
		    op < 19 ? 5 : 6;
		if (i % 1000 >= 800 && i % 1000 < 950) {
			/* a burst of guesses at one user from everywhere: up to the lock */
			u = "carol";
			op = rnd(3) == 0 ? 0 : 1;
		}
		now += rnd(8) == 0 ? (int64_t)rnd(200) : (int64_t)rnd(3);
		u1 = u2 = b1 = b2 = 0;
		f1 = f2 = 0;
		switch (op) {
		case 0:
			v1 = gk_lockout_check(f, u, a, now, &u1, &e1);
			v2 = gk_lockout_check(r, u, a, now, &u2, &e2);
			break;
		case 1:
			v1 = gk_lockout_fail(f, u, a, now, &e1);
			v2 = gk_lockout_fail(r, u, a, now, &e2);
			break;
		case 2:
			v1 = gk_lockout_reserve(f, u, a, now, &e1);
			v2 = gk_lockout_reserve(r, u, a, now, &e2);
			break;
		case 3:
			v1 = gk_lockout_refund(f, u, a, now, &e1);
			v2 = gk_lockout_refund(r, u, a, now, &e2);
			break;
		case 4:
			v1 = gk_lockout_success(f, u, a, now, &e1);
			v2 = gk_lockout_success(r, u, a, now, &e2);
			break;
		case 5:
			v1 = gk_lockout_clear(f, u, a, now, &e1);
			v2 = gk_lockout_clear(r, u, a, now, &e2);
			break;
		default:
			if (u == NULL && a == NULL)
				continue;
			v1 = gk_lockout_peek(f, u, a, now, &f1, &b1, &e1);
			v2 = gk_lockout_peek(r, u, a, now, &f2, &b2, &e2);
			break;
		}
		if (v1 >= 0 && v1 <= 3)
			verdicts[v1]++;
		if (v1 != v2 || u1 != u2 || f1 != f2 || b1 != b2) {
			mism++;
			diag("step %d: %s user=%s addr=%s now=T0+%lld: table %d until %lld failures %ld "
			    "banned %lld; store %d until %lld failures %ld banned %lld (%s)", i, ops[op],
			    u ? u : "-", a ? a : "-", (long long)(now - T0), v1, (long long)u1, f1,
			    (long long)b1, v2, (long long)u2, f2, (long long)b2, v2 < 0 ? e2.msg : "");
		}
	}
	ok(mism == 0, "4000 random operations: the store answers as the table (bans %d, locks %d, "
	    "throttles %d)", verdicts[1], verdicts[2], verdicts[3]);
	ok(verdicts[1] > 0 && verdicts[2] > 0 && verdicts[3] > 0,
	    "... and the sequence met bans, locks and throttles");
	gk_lockout_close(f);
	gk_lockout_close(r);
}

/* Two machines: two handles on one store, separate state directories. */
static void
two_machines(const char *url)
{
	char dir_b[80];
	struct gk_lockout *a, *b;
	struct gk_err err;
	int64_t now = T0 + 100000;
	int i;

	snprintf(dir_b, sizeof(dir_b), "%s/b", dir);
	mkdir(dir_b, 0700);
	a = open_lk(dir, url, GK_STORE_DOWN_DENY);
	b = open_lk(dir_b, url, GK_STORE_DOWN_DENY);
	if (!ok(a != NULL && b != NULL, "machines A and B open the store"))
		return;
	for (i = 0; i < 3; i++)
		gk_lockout_reserve(a, "dave", "198.51.100.7", now, &err);
	is_int(gk_lockout_check(b, "dave", "198.51.100.7", now + 1, NULL, &err), GK_LOCKOUT_BANNED,
	    "3 failures on A: the pair is banned on B");
	is_int(gk_lockout_check(b, "dave", "198.51.100.8", now + 1, NULL, &err), GK_LOCKOUT_ALLOW,
	    "... not dave at another address");
	is_int(gk_lockout_clear(b, "dave", "198.51.100.7", now + 2, &err), GK_OK, "B unbans");
	is_int(gk_lockout_check(a, "dave", "198.51.100.7", now + 3, NULL, &err), GK_LOCKOUT_ALLOW,
	    "... and A sees it");
	gk_lockout_close(a);
	gk_lockout_close(b);
}

static void
generations(const char *url)
{
	struct gk_statestore_conf sc;
	struct gk_statestore *a = NULL, *b = NULL;
	struct gk_err err;
	uint32_t g = 99;

	store_conf(&sc, url, GK_STORE_DOWN_DENY, 300);
	if (!ok(gk_statestore_open(&sc, &a, &err) == GK_OK && gk_statestore_open(&sc, &b, &err) ==
	    GK_OK, "two store handles"))
		return;
	ok(gk_statestore_generation(b, "erin", false, &g, &err) == GK_OK && g == 0,
	    "a user never revoked: generation 0");
	ok(gk_statestore_raise(a, "erin", 0, false, &g, &err) == GK_OK && g == 0,
	    "raising to at least 0 changes nothing");
	ok(gk_statestore_raise(a, "erin", 5, false, &g, &err) == GK_OK && g == 5,
	    "raising to a record's 5 (a token issued from it): 5");
	ok(gk_statestore_raise(a, "erin", 3, true, &g, &err) == GK_OK && g == 6,
	    "a revocation with an older record: one more than the store (6)");
	ok(gk_statestore_raise(a, "erin", 9, true, &g, &err) == GK_OK && g == 9,
	    "a revocation with a newer record: the record's (9)");
	ok(gk_statestore_generation(b, "erin", false, &g, &err) == GK_OK && g == 0,
	    "B trusts what it read within state_generation_cache_ms");
	ok(gk_statestore_generation(b, "erin", true, &g, &err) == GK_OK && g == 9,
	    "... a fresh read sees 9");
	ok(gk_statestore_raise(a, "erin", 0, true, &g, &err) == GK_OK && g == 10, "A revokes again");
	usleep(400 * 1000);
	ok(gk_statestore_generation(b, "erin", false, &g, &err) == GK_OK && g == 10,
	    "... and B sees it once its 300 ms have passed");
	gk_statestore_close(a);
	gk_statestore_close(b);
}

/* lib/auth's session check and token issue with the store: max(record, store). */
static uint32_t record_gen;

static int
lookup(void *arg, const char *name, struct gk_user *u)
{
	(void)arg;
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->generation = record_gen;
	return GK_OK;
}

static struct gk_secret secret;

static const struct gk_secret *
get_secret(void *arg)
{
	(void)arg;
	return &secret;
}

static enum gk_auth_status
session(struct gk_auth *a, uint32_t gen)
{
	struct gk_auth_session_conf sc = { get_secret, NULL, "s", GK_TOKEN_ISSUER, 3600 };
	struct gk_claims c;
	struct gk_user u;
	struct gk_err err;
	char tok[GK_TOKEN_MAX + 1], cookie[GK_TOKEN_MAX + 8];
	int64_t now = (int64_t)time(NULL);

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "gina");
	snprintf(c.iss, sizeof(c.iss), "%s", GK_TOKEN_ISSUER);
	c.iat = now;
	c.exp = now + 600;
	c.gen = gen;
	if (gk_token_issue(secret.key, secret.len, &c, tok, sizeof(tok), &err) != GK_OK) {
		diag("issue: %s", err.msg);
		return GK_AUTH_INTERNAL;
	}
	snprintf(cookie, sizeof(cookie), "s=%s", tok);
	return gk_auth_session(a, &sc, cookie, now, &u, &c);
}

static void
auth_generations(const char *url)
{
	struct gk_lockout *lk = open_lk(dir, url, GK_STORE_DOWN_DENY);
	struct gk_lockout *lkb = open_lk(dir, url, GK_STORE_DOWN_DENY);
	struct gk_auth a, b;
	struct gk_user u;
	struct gk_log log;

	if (!ok(lk != NULL && lkb != NULL, "two lockouts with the store for lib/auth"))
		return;
	gk_log_init(&log, "t_statestore", GK_LOG_STDERR, LOG_EMERG);
	memset(&a, 0, sizeof(a));
	a.lk = lk;
	a.log = &log;
	a.lookup = lookup;
	b = a;
	memset(&secret, 'k', 40);
	secret.len = 40;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "gina");
	record_gen = 3;
	u.generation = 3;
	is_int(gk_auth_issue_generation(&a, &u, "session"), 3, "a new session carries the record's 3");
	is_int(session(&a, 3), GK_AUTH_OK, "... and passes the session check");
	is_int(gk_auth_revoke_everywhere(&a, "gina", 4), GK_OK, "sign out everywhere (record now 4)");
	record_gen = 3;         /* another machine's record: not bumped */
	is_int(session(&a, 3), GK_AUTH_REVOKED, "the old session is refused where the record says 3");
	is_int(session(&a, 4), GK_AUTH_OK, "a session of generation 4 passes there: max(3, store 4)");
	is_int(session(&a, 5), GK_AUTH_REVOKED, "one of a generation nobody issued does not");
	b.lk = lkb;
	record_gen = 4;
	is_int(session(&b, 4), GK_AUTH_OK, "machine B (record 4) takes generation 4 and caches the "
	    "store's 4");
	record_gen = 9;         /* machine A, whose record is ahead of the store */
	u.generation = 9;
	is_int(gk_auth_issue_generation(&a, &u, "session"), 9, "A issues a session from its record at 9");
	record_gen = 4;
	is_int(session(&b, 9), GK_AUTH_OK, "... B takes it at once: the store followed A, and a "
	    "token newer than B's cached 4 is read again past the cache");
	is_int(gk_auth_revoke_everywhere(&a, "gina", 5), GK_OK, "sign out everywhere again");
	is_int(session(&a, 9), GK_AUTH_REVOKED, "... refuses the session of generation 9 too");
	a.lk = NULL;
	record_gen = 4;
	is_int(session(&a, 4), GK_AUTH_OK, "without the store: the record alone, as before");
	gk_lockout_close(lk);
	gk_lockout_close(lkb);
}

/* The store cannot be reached: deny, or the table with state_store_down = local. */
static void
store_down(void)
{
	char url[128], note[512];
	struct gk_lockout *d, *l, *f;
	struct gk_statestore_conf sc;
	struct gk_statestore *st;
	struct gk_err err;
	int64_t now = T0 + 200000;
	uint32_t g;
	int i, rc;

	snprintf(url, sizeof(url), "unix:%s/no-such.sock", dir);
	d = open_lk(dir, url, GK_STORE_DOWN_DENY);
	l = open_lk(dir, url, GK_STORE_DOWN_LOCAL);
	f = open_lk(dir, NULL, GK_STORE_DOWN_DENY);
	if (!ok(d != NULL && l != NULL && f != NULL, "opening does not need the store"))
		return;
	rc = gk_lockout_check(d, "frank", "203.0.113.9", now, NULL, &err);
	ok(rc < 0 && strstr(err.msg, "state store redis unix:") != NULL &&
	    strstr(err.msg, "cannot connect") != NULL, "store down, deny: check fails (%s)", err.msg);
	rc = gk_lockout_reserve(d, "frank", "203.0.113.9", now, &err);
	ok(rc < 0 && strstr(err.msg, "next try in") != NULL,
	    "... reserve too, within the back-off without connecting (%s)", err.msg);
	for (i = 0; i < 3; i++)
		gk_lockout_reserve(f, "frank", "203.0.113.9", now, &err);
	is_int(gk_lockout_check(l, "frank", "203.0.113.9", now, NULL, &err), GK_LOCKOUT_BANNED,
	    "store down, local: the local table's ban holds");
	ok(gk_lockout_notice(l, note, sizeof(note)) && strstr(note, "state_store_down = local"),
	    "... with a notice for the log (%s)", note);
	is_int(gk_lockout_check(l, "frank", "203.0.113.10", now, NULL, &err), GK_LOCKOUT_ALLOW,
	    "... and the table's allow elsewhere");
	store_conf(&sc, url, GK_STORE_DOWN_LOCAL, 1000);
	ok(gk_statestore_open(&sc, &st, &err) == GK_OK &&
	    gk_statestore_generation(st, "frank", false, &g, &err) < 0,
	    "generations never fall back: the read fails (%s)", err.msg);
	gk_statestore_close(st);
	gk_lockout_close(d);
	gk_lockout_close(l);
	gk_lockout_close(f);
}

int
main(void)
{
	const char *url = getenv("GK_TEST_REDIS_URL");

	snprintf(dir, sizeof(dir), "/tmp/t_statestore.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(prefix, sizeof(prefix), "t%ld:", (long)getpid());
	urls();
	config();
	store_down();
	if (url != NULL && url[0] != '\0') {
		differential(url);
		two_machines(url);
		generations(url);
		auth_generations(url);
	} else {
		diag("GK_TEST_REDIS_URL unset: the store parts run in tests/redis_state.sh");
	}
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
		if (system(cmd) != 0)
			diag("cleanup of %s failed", dir);
	}
	return done_testing();
}
