/* t_userbackend.c: lib/userbackend's GDBM handle answers as lib/userdb does, and lib/auth's hooks for a backend that verifies (LDAP). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <sodium.h>

#include "auth.h"
#include "userbackend.h"
#include "userdb.h"
#include "tap.h"

#define T0 INT64_C(1700000000)

static int verifies, dummies;
static enum gk_pw_verdict next_fail;

/* A directory in miniature: alice exists (no hash), her password is "right". */
static int
stub_lookup(void *arg, const char *name, struct gk_user *u)
{
	(void)arg;
	memset(u, 0, sizeof(*u));
	if (strcmp(name, "alice") != 0)
		return GK_NOTFOUND;
	gk_user_init(u, "alice", 0);
	u->generation = 1;
	return GK_OK;
}

static enum gk_pw_verdict
stub_verify(void *arg, const struct gk_user *u, const char *password)
{
	(void)arg;
	(void)u;
	verifies++;
	if (next_fail == GK_PW_FAIL)
		return GK_PW_FAIL;
	return password[0] != '\0' && strcmp(password, "right") == 0 ? GK_PW_MATCH : GK_PW_MISMATCH;
}

static void
stub_dummy(void *arg, const char *password)
{
	(void)arg;
	(void)password;
	dummies++;
}

int
main(void)
{
	char dir[] = "/tmp/t_userbackend.XXXXXX", dbpath[128];
	struct gk_config cfg;
	struct gk_userbackend *b = NULL;
	struct gk_userdb *db = NULL;
	struct gk_userdb_txn *t;
	struct gk_user u, v;
	struct gk_err err = { "" };
	struct gk_log quiet;
	struct gk_auth a;
	struct gk_pw_ctx *pw;

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	gk_log_init(&quiet, "t_userbackend", GK_LOG_STDERR, LOG_CRIT);
	snprintf(dbpath, sizeof(dbpath), "%s/users.db", dir);
	pw = gk_pw_ctx_new(&err);

	/* ---- the GDBM handle ---- */
	gk_config_defaults(&cfg, &err);
	gk_config_set(&cfg, "database", dbpath, "t", &err);
	is_int(gk_userbackend_open(&cfg, &quiet, &b, &err), GK_OK, "gdbm: open touches nothing");
	is_int(gk_userbackend_lookup(b, "alice", &u), GK_EIO, "gdbm: no database yet: GK_EIO (deny)");
	gk_user_init(&u, "alice", T0);
	gk_strcpy(u.groups, sizeof(u.groups), "dev");
	if (gk_pw_hash(pw, GK_PW_PREFERRED, 0, "pw", u.hash, sizeof(u.hash), &err) != GK_OK ||
	    gk_userdb_begin(dbpath, true, 1000, &t, &err) != GK_OK ||
	    gk_userdb_txn_put(t, &u, &err) != GK_OK || gk_userdb_commit(t, &err) != GK_OK)
		return 1;
	is_int(gk_userbackend_lookup(b, "alice", &u), GK_OK, "gdbm: the database is there now: found");
	is_int(gk_userdb_open(dbpath, &db, &err), GK_OK, "lib/userdb opens it too");
	is_int(gk_userdb_lookup(db, "alice", &v, &err), GK_OK, "... and finds alice");
	ok(memcmp(&u, &v, sizeof(u)) == 0, "gdbm: the record is lib/userdb's, byte for byte");
	is_int(gk_userbackend_lookup(b, "bob", &u), GK_NOTFOUND, "gdbm: unknown user: GK_NOTFOUND");
	is_int(gk_userbackend_lookup(b, "a:b", &u), GK_NOTFOUND, "gdbm: invalid name: GK_NOTFOUND");
	ok(!gk_userbackend_verifies(b), "gdbm: lib/auth compares the crypt hash");
	ok(gk_userbackend_writable(b), "gdbm: writable");
	is_str(gk_userbackend_name(b), "gdbm", "gdbm: its name");
	ok(gk_userbackend_gdbm(b) != NULL, "gdbm: the database handle for lib/extuser");
	is_int(gk_userbackend_probe(&cfg, &err), GK_OK, "gdbm: ready");
	gk_userdb_close(db);
	gk_userbackend_close(b);
	gk_config_free(&cfg);

	/* ---- an LDAP handle: opened without talking to anybody ---- */
	gk_config_defaults(&cfg, &err);
	gk_config_set(&cfg, "user_backend", "ldap", "t", &err);
	gk_config_set(&cfg, "ldap_uri", "ldap://127.0.0.1:1", "t", &err);
	gk_config_set(&cfg, "ldap_base_dn", "dc=gk,dc=test", "t", &err);
	gk_config_set(&cfg, "ldap_timeout", "1", "t", &err);
	is_int(gk_userbackend_open(&cfg, &quiet, &b, &err), GK_OK, "ldap: open talks to nobody");
	ok(gk_userbackend_verifies(b) && !gk_userbackend_writable(b), "ldap: verifies, read-only");
	ok(gk_userbackend_gdbm(b) == NULL, "ldap: no database handle");
	is_int(gk_userbackend_lookup(b, "alice", &u), GK_EIO, "ldap: nothing listening: GK_EIO (deny)");
	is_int(gk_userbackend_verify(b, &u, ""), GK_PW_MISMATCH, "ldap: an empty password: never a bind");
	ok(gk_userbackend_probe(&cfg, &err) != GK_OK && strstr(err.msg, "ldap: directory") != NULL,
	    "ldap: not ready, saying why");
	gk_userbackend_close(b);

	/* ---- a directory that accepts the connection and never answers: ldap_timeout ---- */
	{
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);
		char uri[64];
		int64_t t0;
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 8) != 0 ||
		    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
			return 1;
		snprintf(uri, sizeof(uri), "ldap://127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
		gk_config_set(&cfg, "ldap_uri", uri, "t", &err);
		is_int(gk_userbackend_open(&cfg, &quiet, &b, &err), GK_OK, "ldap: a silent directory");
		t0 = gk_mono_ns();
		is_int(gk_userbackend_lookup(b, "alice", &u), GK_EIO, "... the lookup fails (deny)");
		ok(gk_mono_ns() - t0 < INT64_C(6000000000), "... within two ldap_timeouts (1 s) and change, "
		    "not hanging (%.1f s)", (double)(gk_mono_ns() - t0) / 1e9);
		gk_userbackend_close(b);
		close(fd);
	}
	gk_config_free(&cfg);

	/* ---- lib/auth with a backend that verifies ---- */
	memset(&a, 0, sizeof(a));
	a.pw = pw;
	a.log = &quiet;
	a.lookup = stub_lookup;
	a.verify = stub_verify;
	a.verify_dummy = stub_dummy;
	a.cache = gk_credcache_new(16, 60, &err);
	is_int(gk_auth_password(&a, "alice", "right", "127.0.0.1", T0, &u), GK_AUTH_OK, "verify: right password");
	is_int(verifies, 1, "... checked by the backend (no hash: the record has none)");
	is_int(gk_auth_password(&a, "alice", "right", "127.0.0.1", T0 + 1, &u), GK_AUTH_OK, "again");
	is_int(verifies, 1, "... from the Basic cache, no second bind");
	a.dummy_ns = 1;         /* a real dummy hash sets it to what it cost */
	is_int(gk_auth_password(&a, "alice", "wrong", "127.0.0.1", T0, &u), GK_AUTH_BAD_PASSWORD, "a wrong password");
	ok(verifies == 2 && a.dummy_ns > 1, "... a bind, then the dummy hash (what an unknown user costs)");
	a.dummy_ns = 1;         /* a real dummy hash sets it to what it cost */
	is_int(gk_auth_password(&a, "nobody", "x", "127.0.0.1", T0, &u), GK_AUTH_UNKNOWN_USER, "an unknown user");
	ok(dummies == 1 && verifies == 2 && a.dummy_ns > 1, "... a dummy bind and the dummy hash, no real bind");
	is_int(gk_auth_password(&a, "alice", "", "127.0.0.1", T0, &u), GK_AUTH_BAD_PASSWORD, "an empty password");
	next_fail = GK_PW_FAIL;
	is_int(gk_auth_password(&a, "alice", "other", "127.0.0.1", T0, &u), GK_AUTH_INTERNAL,
	    "the directory cannot be asked: an error (deny), never OK");
	gk_credcache_free(a.cache);
	gk_pw_ctx_free(pw);
	unlink(dbpath);
	{
		char lock[160];

		snprintf(lock, sizeof(lock), "%s.lock", dbpath);
		unlink(lock);
	}
	rmdir(dir);
	return done_testing();
}
