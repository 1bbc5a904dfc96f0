/* t_attack.c: attacks on app tokens that held badly: a token-shaped password, the time a wrong token takes, a NUL inside a stored name or scope. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "apptoken.h"
#include "auth.h"
#include "tap.h"
#include "userdb.h"

#define T0 INT64_C(1700000000)
#define MAXF 3

static char dir[64], dbpath[128], state[128];
static struct gk_userdb *db;
static struct gk_log quiet;

static int
lookup(void *arg, const char *name, struct gk_user *u)
{
	struct gk_err err;

	(void)arg;
	return gk_userdb_lookup(db, name, u, &err);
}

static int
creds(void *arg, const char *name, struct gk_user *u, struct gk_creds *c)
{
	struct gk_err err;

	(void)arg;
	return gk_userdb_lookup_creds(db, name, u, c, &err);
}

static void
auth_new(struct gk_auth *a)
{
	struct gk_lockout_conf lc = { MAXF, 60, 30, MAXF, 0, 0, 0, 0 };
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
static void
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

static enum gk_auth_status
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


/*
 * A password that begins like a token can never be used over Basic (gatekeep-authz takes
 * it for a token) and every try counts into the lockout: the one password policy refuses
 * it, so neither gatekeep-passwd nor a password change can set one.
 */
static void
test_token_shaped_password(void)
{
	struct gk_err err;

	ok(gk_pw_policy_check(GK_PW_PREFERRED, "gk1.correct-horse-battery", &err) != GK_OK,
	    "the password policy refuses a password starting with gk1. (%s)", err.msg);
	ok(gk_pw_policy_check(GK_PW_PREFERRED, "Gk1.correct-horse", &err) == GK_OK &&
	    gk_pw_policy_check(GK_PW_PREFERRED, "gk1correct-horse", &err) == GK_OK,
	    "  but not one that merely looks alike (control)");
}

/* One token check on a fresh context: its status, and whether it paid the dummy hash. */
static enum gk_auth_status
tok_cost(struct gk_auth *a, const char *user, const char *tok, const char *addr, bool *paid)
{
	struct gk_cred used;
	struct gk_user u;
	enum gk_auth_status st;

	a->dummy_ns = 0;
	st = gk_auth_token(a, user, tok, addr, T0 + 10, &u, &used);
	gk_wipe(&u, sizeof(u));
	*paid = a->dummy_ns != 0;
	return st;
}

/*
 * A wrong token must cost what a wrong password costs, whoever it names: else its time
 * tells an unknown user (one failed fetch) from a real one with credentials (their value
 * decoded: ~10 us more with 30 entries), the enumeration the password check's dummy hash
 * prevents. The right token stays one keyed hash.
 */
static void
test_failure_cost(void)
{
	char tok[GK_APPTOKEN_MAX + 1], x[GK_APPTOKEN_MAX + 64], id[17];
	const char *sec;
	struct gk_auth a;
	struct gk_err err;
	bool paid;

	edit_user("victim", 0, 0);
	edit_user("plain", 0, 0);
	is_int(gk_apptoken_add(dbpath, "victim", "t", 0, "", T0, tok, &err), GK_OK, "a token");
	gk_userdb_refresh(db, &err);
	auth_new(&a);
	a.lockout_on = false;
	sec = strrchr(tok, '.') + 1;
	memcpy(id, tok + strlen("gk1.dmljdGlt."), 16);
	id[16] = '\0';
	is_int(tok_cost(&a, NULL, tok, "192.0.2.1", &paid), GK_AUTH_OK, "the right token");
	ok(!paid, "  costs no dummy hash");
	snprintf(x, sizeof(x), "gk1.bWFsbG9yeQ.%s.%s", id, sec);         /* mallory: no such user */
	is_int(tok_cost(&a, NULL, x, "192.0.2.2", &paid), GK_AUTH_UNKNOWN_USER, "an unknown user's");
	ok(paid, "  pays the dummy hash, as an unknown user's password does");
	snprintf(x, sizeof(x), "gk1.cGxhaW4.%s.%s", id, sec);             /* plain: no credentials */
	is_int(tok_cost(&a, NULL, x, "192.0.2.3", &paid), GK_AUTH_BAD_TOKEN, "a user without tokens");
	ok(paid, "  pays it too");
	snprintf(x, sizeof(x), "gk1.dmljdGlt.0000000000000000.%s", sec);
	is_int(tok_cost(&a, NULL, x, "192.0.2.4", &paid), GK_AUTH_BAD_TOKEN, "an unknown id");
	ok(paid, "  pays it too");
	strcpy(x, tok);
	x[strlen(x) - 3] ^= 1;
	is_int(tok_cost(&a, "victim", x, "192.0.2.5", &paid), GK_AUTH_BAD_TOKEN, "a wrong secret");
	ok(paid, "  pays it too");
	is_int(tok_cost(&a, "victim", "gk1.garbage", "192.0.2.6", &paid), GK_AUTH_BAD_TOKEN,
	    "a malformed one");
	ok(paid, "  pays it too (a password of that shape would have been hashed)");
	gk_pw_ctx_free(a.pw);
	gk_lockout_close(a.lk);
}

/* A one-entry value (a token) with name and scope as given (lengths include NULs), checksummed. */
static size_t
creds_value(unsigned char *v, const char *name, size_t nl, const char *scope, size_t sl)
{
	unsigned char *p = v;
	int i;

	*p++ = 1;       /* version */
	*p++ = 1;       /* count */
	*p++ = GK_CRED_TOKEN;
	*p++ = (unsigned char)nl;
	memcpy(p, name, nl);
	p += nl;
	memset(p, 0, 8 * 3 + 4 + 4 + 8);
	p[7] = 1;       /* created = 1 */
	p += 8 * 3 + 4 + 4 + 8;
	*p++ = (unsigned char)sl;
	memcpy(p, scope, sl);
	p += sl;
	*p++ = GK_APPTOKEN_ID_BYTES;
	for (i = 0; i < GK_APPTOKEN_ID_BYTES; i++)
		*p++ = (unsigned char)('1' + i);
	*p++ = GK_APPTOKEN_KEY_BYTES + GK_APPTOKEN_HASH_BYTES;
	memset(p, 'k', GK_APPTOKEN_KEY_BYTES + GK_APPTOKEN_HASH_BYTES);
	p += GK_APPTOKEN_KEY_BYTES + GK_APPTOKEN_HASH_BYTES;
	crypto_generichash(p, 16, v, (unsigned long long)(p - v), NULL, 0);
	return (size_t)(p - v) + 16;
}

/*
 * The decoder takes a length-prefixed name or scope with a NUL inside as the C string
 * before it: "path=/private/\0,method=GET" would be read as the wider "path=/private/",
 * and the value does not re-encode to its own bytes (the fuzz target's invariant).
 */
static void
test_creds_nul(void)
{
	static const char scope[] = "path=/private/\0,method=GET";
	unsigned char v[512];
	struct gk_creds *c = calloc(1, sizeof(*c));
	struct gk_err err;
	size_t n;

	n = creds_value(v, "phone", 5, "path=/private/,method=GET", 25);
	is_int(gk_creds_decode(v, n, c, &err), GK_OK, "a well-formed value decodes (control)");
	n = creds_value(v, "phone", 5, scope, sizeof(scope) - 1);
	is_int(gk_creds_decode(v, n, c, &err), GK_ECORRUPT, "a scope with a NUL inside is refused");
	ok(c->n == 0, "  and gives no entries");
	n = creds_value(v, "ph\0ne", 5, "", 0);
	is_int(gk_creds_decode(v, n, c, &err), GK_ECORRUPT, "a name with a NUL inside is refused");
	free(c);
}

static void
rm_rf(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *de;
	char p[512];

	while (dd != NULL && (de = readdir(dd)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
		if (unlink(p) != 0)
			rm_rf(p);
	}
	if (dd != NULL)
		closedir(dd);
	rmdir(d);
}

int
main(void)
{
	struct gk_err err;

	if (sodium_init() < 0)
		return 99;
	snprintf(dir, sizeof(dir), "%s/t_attack.XXXXXX",
	    getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 30 ? getenv("TMPDIR") : "/tmp");
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
	test_token_shaped_password();
	test_failure_cost();
	test_creds_nul();
	gk_userdb_close(db);
	rm_rf(dir);
	return done_testing();
}
