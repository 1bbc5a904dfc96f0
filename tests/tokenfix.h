/* tokenfix.h: the app-token tests' fixture (t_apptoken, t_attack): a user database with alice, a lockout state directory and a gk_auth over both, in a temporary directory. */
#ifndef GK_TOKENFIX_H
#define GK_TOKENFIX_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "tap.h"
#include "testdb.h"
#include "userdb.h"

#define T0 INT64_C(1700000000)
#define MAXF 3

static char dir[64], dbpath[128], state[128];
static struct gk_userdb *db;
static struct gk_log quiet;

static inline int
lookup(void *arg, const char *name, struct gk_user *u)
{
	struct gk_err err;

	(void)arg;
	return gk_userdb_lookup(db, name, u, &err);
}

static inline int
creds(void *arg, const char *name, struct gk_user *u, struct gk_creds *c)
{
	struct gk_err err;

	(void)arg;
	return gk_userdb_lookup_creds(db, name, u, c, &err);
}

static inline void
auth_new(struct gk_auth *a)
{
	struct gk_lockout_conf lc = { .max_failures = MAXF, .find_time = 60, .ban_time = 30,
	    .address_failures = MAXF };
	struct gk_err err;

	memset(a, 0, sizeof(*a));
	a->pw = gk_pw_ctx_new(&err);
	a->lockout_on = true;
	if (a->pw == NULL || gk_lockout_open(state, &lc, &a->lk, &err) != GK_OK) {
		diag("auth_new: %s", err.msg);
		exit(1);
	}
	a->log = &quiet;
	a->lookup = lookup;
	a->creds = creds;
}

/* Changes user's record in one transaction: generation += bump, flags = flags. */
static inline void
edit_user(const char *name, uint32_t bump, uint32_t flags)
{
	struct gk_userdb_txn *t;
	struct gk_user u;
	struct gk_err err;

	if (gk_userdb_begin(dbpath, true, 1000, &t, &err) != GK_OK)
		exit(1);
	if (gk_userdb_txn_get(t, name, &u, &err) != GK_OK)
		gk_user_init(&u, name, T0);
	u.generation += bump;
	u.flags = flags;
	strcpy(u.hash, "$6$saltsalt$pauPrmdmG4BTE9h2HPmywiw152IFch6BJCEsaY6D.PLTfpV8sqvXwWdyfsgVgozkYH9B80bAip/08R2BPH2xk/");
	if (gk_userdb_txn_put(t, &u, &err) != GK_OK || gk_userdb_commit(t, &err) != GK_OK) {
		diag("edit_user: %s", err.msg);
		exit(1);
	}
}

static inline enum gk_auth_status
try_tok(struct gk_auth *a, const char *user, const char *tok, const char *addr, int64_t now,
    struct gk_cred *used)
{
	struct gk_cred dummy;
	struct gk_user u;
	enum gk_auth_status st = gk_auth_token(a, user, tok, addr, now, &u,
	    used != NULL ? used : &dummy);

	if (st == GK_AUTH_OK && strcmp(u.name, user != NULL ? user : u.name) != 0)
		st = GK_AUTH_INTERNAL;
	gk_wipe(&u, sizeof(u));
	return st;
}

/* Makes the directory (named after prog), the database with alice and opens it: 0, or 99 (bail). */
static inline int
tokenfix_open(const char *prog)
{
	struct gk_err err;

	if (sodium_init() < 0)
		return 99;
	snprintf(dir, sizeof(dir), "%s/%s.XXXXXX",
	    getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 30 ? getenv("TMPDIR") : "/tmp", prog);
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 99;
	}
	snprintf(dbpath, sizeof(dbpath), "%s/users.db", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	mkdir(state, 0700);
	edit_user("alice", 0, 0);
	if (gk_userdb_open(dbpath, &db, &err) != GK_OK) {
		printf("Bail out! %s\n", err.msg);
		return 99;
	}
	return 0;
}

static inline void
tokenfix_close(void)
{
	gk_userdb_close(db);
	testdb_rm_rf(dir);
}

#endif
