/* t_creds.c: the credentials value (round trip, strict decoding of hostile bytes) and its place in the user database. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdbm.h>
#include <sodium.h>

#include "creds.h"
#include "tap.h"
#include "testdb.h"
#include "userdb.h"

#define HASH "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"

static char dir[64];
static char db[128];
/* Big structures live here, not on the stack. */
static struct gk_creds A, B;
static unsigned char buf[GK_CREDS_VALUE_MAX + 64];

static void
cred(struct gk_cred *e, enum gk_cred_kind kind, const char *name, unsigned char fill)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	strcpy(e->name, name);
	e->created = 1700000000;
	e->generation = 7;
	e->datalen = kind == GK_CRED_TOTP ? 20 : 32;
	memset(e->data, fill, e->datalen);
	if (kind == GK_CRED_TOKEN || kind == GK_CRED_PASSKEY) {
		e->idlen = kind == GK_CRED_TOKEN ? 12 : 64;
		memset(e->id, fill ^ 0x5a, e->idlen);
	}
}

/* One of each kind, with every field set to something. */
static void
sample(struct gk_creds *c)
{
	memset(c, 0, sizeof(*c));
	cred(&c->c[0], GK_CRED_TOTP, "totp", 1);
	c->c[0].counter = 56666666;
	cred(&c->c[1], GK_CRED_RECOVERY, "r1", 2);
	cred(&c->c[2], GK_CRED_TOKEN, "phone.dav@home+1", 3);
	c->c[2].expires = 1800000000;
	c->c[2].last_used = 1750000000;
	strcpy(c->c[2].scope, "path=/dav/,method=GET+PROPFIND");
	cred(&c->c[3], GK_CRED_PASSKEY, "yubikey-5", 4);
	c->c[3].flags = 0x5;
	c->c[3].counter = UINT64_MAX - 1;
	c->n = 4;
}

/* Re-seals a hand-edited value (the checksum is over everything before it). */
static void
reseal(unsigned char *b, size_t len)
{
	crypto_generichash(b + len - 16, 16, b, len - 16, NULL, 0);
}

static void
test_round_trip(void)
{
	struct gk_err err;
	size_t len;

	sample(&A);
	is_int(gk_creds_encode(&A, buf, sizeof(buf), &len, &err), GK_OK, "encode four kinds");
	is_int(gk_creds_decode(buf, len, &B, &err), GK_OK, "decode them back");
	ok(B.n == 4 && memcmp(&A, &B, sizeof(A)) == 0, "the round trip is exact");
	is_int(buf[0], 1, "version byte 1");
	is_int(buf[1], 4, "entry count");
	memset(&A, 0, sizeof(A));
	is_int(gk_creds_encode(&A, buf, sizeof(buf), &len, &err), GK_OK, "encode none");
	is_int((int)len, 2 + 16, "  is version, count and checksum");
	is_int(gk_creds_decode(buf, len, &B, &err), GK_OK, "  and decodes");
	/* Full house: every entry at its caps still fits the value cap. */
	{
		size_t i;

		memset(&A, 0, sizeof(A));
		for (i = 0; i < GK_CREDS_MAX; i++) {
			struct gk_cred *e = &A.c[i];

			cred(e, GK_CRED_PASSKEY, "", (unsigned char)i);
			snprintf(e->name, sizeof(e->name), "%0*zu", GK_CRED_NAME_MAX, i);
			memset(e->scope, 'x', GK_CRED_SCOPE_MAX);
			e->idlen = GK_CRED_ID_MAX;
			e->datalen = GK_CRED_DATA_MAX;
			memset(e->data, 'd', e->datalen);
		}
		A.n = GK_CREDS_MAX;
		is_int(gk_creds_encode(&A, buf, sizeof(buf), &len, &err), GK_OK,
		    "32 entries at every cap encode");
		ok(len <= GK_CREDS_VALUE_MAX, "  within the value cap (%zu bytes)", len);
		is_int(gk_creds_decode(buf, len, &B, &err), GK_OK, "  and decode");
		ok(memcmp(&A, &B, sizeof(A)) == 0, "  exactly");
		is_int(gk_creds_encode(&A, buf, 100, &len, &err), GK_ETOOLONG,
		    "a small buffer is GK_ETOOLONG");
	}
}

static void
test_validate(void)
{
	struct gk_err err;
	size_t len;

	sample(&A);
	strcpy(A.c[1].name, "bad name");
	is_int(gk_creds_encode(&A, buf, sizeof(buf), &len, &err), GK_EINVAL, "a space in a name");
	sample(&A);
	A.c[1].name[0] = '\0';
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "an empty name");
	sample(&A);
	memset(A.c[1].name, 'a', sizeof(A.c[1].name));
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "an unterminated name");
	sample(&A);
	strcpy(A.c[3].name, "r1");
	is_int(gk_creds_validate(&A, &err), GK_OK, "the same name in two kinds is fine");
	A.c[3].kind = GK_CRED_RECOVERY;
	A.c[3].idlen = 0;
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "the same name twice in one kind");
	sample(&A);
	A.c[0].kind = (enum gk_cred_kind)5;
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "an unknown kind");
	sample(&A);
	strcpy(A.c[2].scope, "path=/a b");
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "a space in a scope");
	sample(&A);
	A.c[2].datalen = 0;
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "no data");
	sample(&A);
	A.c[2].datalen = GK_CRED_DATA_MAX + 1;
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "data over its cap");
	sample(&A);
	A.c[2].idlen = 0;
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "a token without a lookup id");
	sample(&A);
	A.c[2].expires = -1;
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "a negative time");
	sample(&A);
	A.c[3].kind = GK_CRED_TOKEN;
	A.c[3].idlen = A.c[2].idlen;
	memcpy(A.c[3].id, A.c[2].id, A.c[2].idlen);
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "two tokens with one lookup id");
	sample(&A);
	A.n = GK_CREDS_MAX + 1;
	is_int(gk_creds_validate(&A, &err), GK_EINVAL, "more than GK_CREDS_MAX");
}

static void
test_hostile_bytes(void)
{
	struct gk_err err;
	size_t len, i, bad = 0;

	sample(&A);
	gk_creds_encode(&A, buf, sizeof(buf), &len, &err);
	for (i = 0; i < len * 8; i++) {
		buf[i / 8] ^= (unsigned char)(1u << (i % 8));
		if (gk_creds_decode(buf, len, &B, &err) != GK_ECORRUPT)
			bad++;
		buf[i / 8] ^= (unsigned char)(1u << (i % 8));
	}
	is_int((int)bad, 0, "every single flipped bit is refused (%zu bits)", len * 8);
	for (i = 0; i < len; i++)
		if (gk_creds_decode(buf, i, &B, &err) != GK_ECORRUPT)
			bad++;
	is_int((int)bad, 0, "every truncation is refused");
	ok(B.n == 0, "  and leaves nothing behind");
	is_int(gk_creds_decode(buf, GK_CREDS_VALUE_MAX + 1, &B, &err), GK_ECORRUPT,
	    "a value over the cap is refused");
	is_int(gk_creds_decode(NULL, 0, &B, &err), GK_ECORRUPT, "no value is refused");

	/* Sealed but wrong: the checksum is right, the content is not. */
	gk_creds_encode(&A, buf, sizeof(buf), &len, &err);
	buf[0] = 2;
	reseal(buf, len);
	is_int(gk_creds_decode(buf, len, &B, &err), GK_ECORRUPT, "an unknown version");
	gk_creds_encode(&A, buf, sizeof(buf), &len, &err);
	buf[2] = 9;
	reseal(buf, len);
	is_int(gk_creds_decode(buf, len, &B, &err), GK_ECORRUPT, "an unknown kind");
	gk_creds_encode(&A, buf, sizeof(buf), &len, &err);
	buf[1] = 3;
	reseal(buf, len);
	is_int(gk_creds_decode(buf, len, &B, &err), GK_ECORRUPT, "trailing bytes (count too low)");
	ok(strstr(err.msg, "trailing") != NULL, "  named: %s", err.msg);
	buf[1] = 5;
	reseal(buf, len);
	is_int(gk_creds_decode(buf, len, &B, &err), GK_ECORRUPT, "count too high");
	buf[1] = GK_CREDS_MAX + 1;
	reseal(buf, len);
	is_int(gk_creds_decode(buf, len, &B, &err), GK_ECORRUPT, "count over the cap");
	gk_creds_encode(&A, buf, sizeof(buf), &len, &err);
	buf[3] = GK_CRED_NAME_MAX + 1;   /* the first entry's name length */
	reseal(buf, len);
	is_int(gk_creds_decode(buf, len, &B, &err), GK_ECORRUPT, "a name length over its cap");
	gk_creds_encode(&A, buf, sizeof(buf), &len, &err);
	buf[4] = ' ';                    /* the first entry's name: " otp" */
	reseal(buf, len);
	is_int(gk_creds_decode(buf, len, &B, &err), GK_ECORRUPT, "a name the validator refuses");
}

static void
test_helpers(void)
{
	struct gk_cred e;

	sample(&A);
	ok(gk_creds_find(&A, GK_CRED_TOKEN, "phone.dav@home+1") == &A.c[2], "find by kind and name");
	ok(gk_creds_find(&A, GK_CRED_TOTP, "r1") == NULL, "  not across kinds");
	cred(&e, GK_CRED_RECOVERY, "r1", 9);
	is_int(gk_creds_add(&A, &e), GK_EDUP, "add refuses a duplicate");
	strcpy(e.name, "r2");
	is_int(gk_creds_add(&A, &e), GK_OK, "add a second recovery code");
	is_int((int)gk_creds_count(&A, GK_CRED_RECOVERY), 2, "count by kind");
	is_int(gk_creds_remove(&A, GK_CRED_RECOVERY, "r1"), GK_OK, "remove");
	is_int(gk_creds_remove(&A, GK_CRED_RECOVERY, "r1"), GK_NOTFOUND, "  only once");
	ok(A.n == 4 && strcmp(A.c[3].name, "r2") == 0 && A.c[4].name[0] == '\0' &&
	    A.c[4].datalen == 0, "the rest moved down, the freed slot wiped");
	while (A.n < GK_CREDS_MAX) {
		snprintf(e.name, sizeof(e.name), "r%zu", A.n + 10);
		gk_creds_add(&A, &e);
	}
	strcpy(e.name, "one-too-many");
	is_int(gk_creds_add(&A, &e), GK_ETOOLONG, "add stops at GK_CREDS_MAX");
}

/* ---- in the user database ------------------------------------------------- */

static int
put_user(struct gk_userdb_txn *t, const char *name)
{
	struct gk_user u;
	struct gk_err err;

	gk_user_init(&u, name, 1700000000);
	strcpy(u.hash, HASH);
	return gk_userdb_txn_put(t, &u, &err);
}

static int
count_users(const struct gk_user *u, void *arg)
{
	(void)u;
	++*(int *)arg;
	return 0;
}

/* Stores raw bytes under a raw key, as a damaged or hand-edited file would hold them. */
static int
plant(const char *key, size_t klen, const void *val, size_t vallen)
{
	GDBM_FILE f = gdbm_open(db, 0, GDBM_WRITER, 0600, NULL);
	datum k = { (char *)key, (int)klen }, v = { (char *)val, (int)vallen };
	int rc;

	if (f == NULL)
		return -1;
	rc = gdbm_store(f, k, v, GDBM_REPLACE);
	gdbm_close(f);
	return rc;
}

static bool
raw_has(const char *key, size_t klen)
{
	GDBM_FILE f = gdbm_open(db, 0, GDBM_READER, 0600, NULL);
	bool r;

	if (f == NULL)
		return false;
	r = gdbm_exists(f, (datum){ (char *)key, (int)klen }) != 0;
	gdbm_close(f);
	return r;
}

static void
test_userdb(void)
{
	struct gk_userdb_txn *t;
	struct gk_userdb *r;
	struct gk_user u;
	struct gk_err err;
	size_t n = 0;
	int seen = 0;

	is_int(gk_userdb_create(db, &err), GK_OK, "create a database");
	sample(&A);
	gk_userdb_begin(db, false, 1000, &t, &err);
	is_int(gk_userdb_txn_creds_put(t, "alice", &A, &err), GK_NOTFOUND,
	    "no credentials for a user that does not exist");
	is_int(put_user(t, "alice"), GK_OK, "put alice");
	is_int(put_user(t, "bob"), GK_OK, "put bob");
	is_int(gk_userdb_txn_creds_put(t, "alice", &A, &err), GK_OK, "  and her credentials");
	is_int(gk_userdb_txn_creds_get(t, "alice", &B, &err), GK_OK, "the txn sees its own put");
	ok(memcmp(&A, &B, sizeof(A)) == 0, "  exactly");
	is_int(gk_userdb_txn_creds_get(t, "bob", &B, &err), GK_OK, "a user without any");
	ok(B.n == 0, "  has none");
	is_int(gk_userdb_commit(t, &err), GK_OK, "commit");

	is_int(gk_userdb_open(db, &r, &err), GK_OK, "open a reader");
	is_int(gk_userdb_creds(r, "alice", &B, &err), GK_OK, "the reader sees them");
	ok(memcmp(&A, &B, sizeof(A)) == 0, "  exactly");
	is_int(gk_userdb_lookup_creds(r, "alice", &u, &B, &err), GK_OK, "user and credentials at once");
	ok(strcmp(u.name, "alice") == 0 && B.n == 4, "  both there");
	is_int(gk_userdb_lookup_creds(r, "carol", &u, &B, &err), GK_NOTFOUND, "  not for nobody");
	is_int(gk_userdb_creds(r, "\x02" "alice", &B, &err), GK_OK, "the raw key is not a name");
	ok(B.n == 0, "  and finds nothing");
	is_int(gk_userdb_count(r, &n, &err), GK_OK, "count");
	is_int((int)n, 2, "  counts users, not credentials");
	is_int(gk_userdb_check(r, &n, &err), GK_OK, "check passes with credentials");
	is_int((int)n, 2, "  two users");
	is_int(gk_userdb_foreach(r, count_users, &seen, &err), GK_OK, "foreach");
	is_int(seen, 2, "  visits the two users only");

	/* Atomic: an aborted transaction publishes nothing. */
	gk_userdb_begin(db, false, 1000, &t, &err);
	memset(&B, 0, sizeof(B));
	gk_userdb_txn_creds_put(t, "alice", &B, &err);
	gk_userdb_abort(t);
	is_int(gk_userdb_creds(r, "alice", &B, &err), GK_OK, "after an abort");
	is_int((int)B.n, 4, "  the credentials are still there");

	/* Rewriting the file carries the credentials forward. */
	gk_userdb_begin(db, false, 1000, &t, &err);
	put_user(t, "carol");
	is_int(gk_userdb_commit(t, &err), GK_OK, "an unrelated write");
	is_int(gk_userdb_creds(r, "alice", &B, &err), GK_OK, "  keeps them");
	ok(memcmp(&A, &B, sizeof(A)) == 0, "  exactly");

	/* Deleting a user deletes their credentials in the same commit. */
	gk_userdb_begin(db, false, 1000, &t, &err);
	is_int(gk_userdb_txn_delete(t, "alice", &err), GK_OK, "delete alice");
	is_int(gk_userdb_txn_creds_get(t, "alice", &B, &err), GK_OK, "  the txn");
	ok(B.n == 0, "  sees no credentials");
	is_int(gk_userdb_commit(t, &err), GK_OK, "  commit");
	ok(!raw_has("\x02" "alice", 6), "the credentials key is gone from the file");
	is_int(gk_userdb_creds(r, "alice", &B, &err), GK_OK, "the reader");
	ok(B.n == 0, "  sees none");

	/* A user recreated in the txn that deleted it starts without the old credentials. */
	gk_userdb_begin(db, false, 1000, &t, &err);
	put_user(t, "dave");
	gk_userdb_txn_creds_put(t, "dave", &A, &err);
	gk_userdb_commit(t, &err);
	gk_userdb_begin(db, false, 1000, &t, &err);
	gk_userdb_txn_delete(t, "dave", &err);
	put_user(t, "dave");
	is_int(gk_userdb_commit(t, &err), GK_OK, "delete and recreate dave in one txn");
	is_int(gk_userdb_creds(r, "dave", &B, &err), GK_OK, "  read");
	ok(B.n == 0, "  the new dave has no credentials");

	/* Putting none deletes the value. */
	gk_userdb_begin(db, false, 1000, &t, &err);
	gk_userdb_txn_creds_put(t, "bob", &A, &err);
	gk_userdb_commit(t, &err);
	ok(raw_has("\x02" "bob", 4), "bob has a value");
	gk_userdb_begin(db, false, 1000, &t, &err);
	memset(&B, 0, sizeof(B));
	is_int(gk_userdb_txn_creds_put(t, "bob", &B, &err), GK_OK, "put none");
	gk_userdb_commit(t, &err);
	ok(!raw_has("\x02" "bob", 4), "  deletes the value");
	{
		ino_t before;
		struct stat st;

		stat(db, &st);
		before = st.st_ino;
		gk_userdb_begin(db, false, 1000, &t, &err);
		is_int(gk_userdb_txn_creds_put(t, "bob", &B, &err), GK_OK, "put none again");
		is_int(gk_userdb_commit(t, &err), GK_OK, "  commits");
		stat(db, &st);
		ok(st.st_ino == before, "  without rewriting the file (nothing changed)");
	}
	gk_userdb_close(r);
}

static void
test_damage(void)
{
	struct gk_userdb_txn *t;
	struct gk_userdb *r;
	struct gk_err err;
	size_t len;

	/* Orphaned credentials: only a damaged or hand-edited file holds them. */
	sample(&A);
	gk_creds_encode(&A, buf, sizeof(buf), &len, &err);
	ok(plant("\x02" "ghost", 6, buf, len) == 0, "plant credentials without a user");
	gk_userdb_open(db, &r, &err);
	is_int(gk_userdb_check(r, NULL, &err), GK_ECORRUPT, "check refuses orphaned credentials");
	ok(strstr(err.msg, "ghost") != NULL, "  naming the user: %s", err.msg);
	gk_userdb_begin(db, false, 1000, &t, &err);
	put_user(t, "erin");
	is_int(gk_userdb_commit(t, &err), GK_ECORRUPT, "a write does not carry them forward");
	gk_userdb_begin(db, false, 1000, &t, &err);
	is_int(gk_userdb_txn_delete(t, "ghost", &err), GK_OK, "deleting the user's name");
	is_int(gk_userdb_commit(t, &err), GK_OK, "  removes them");
	is_int(gk_userdb_check(r, NULL, &err), GK_OK, "check passes again");

	/* A damaged value: refused by readers, check and writers; replaceable. */
	gk_creds_encode(&A, buf, sizeof(buf), &len, &err);
	buf[5] ^= 1;
	ok(plant("\x02" "bob", 4, buf, len) == 0, "plant a damaged value for bob");
	is_int(gk_userdb_creds(r, "bob", &B, &err), GK_ECORRUPT, "the reader refuses it");
	ok(B.n == 0, "  and gives nothing");
	is_int(gk_userdb_check(r, NULL, &err), GK_ECORRUPT, "check refuses it");
	gk_userdb_begin(db, false, 1000, &t, &err);
	is_int(gk_userdb_txn_creds_get(t, "bob", &B, &err), GK_ECORRUPT, "the txn refuses it");
	put_user(t, "frank");
	is_int(gk_userdb_commit(t, &err), GK_ECORRUPT, "a write does not carry it forward");
	gk_userdb_begin(db, false, 1000, &t, &err);
	memset(&B, 0, sizeof(B));
	is_int(gk_userdb_txn_creds_put(t, "bob", &B, &err), GK_OK, "replace it with none");
	is_int(gk_userdb_commit(t, &err), GK_OK, "  commits");
	is_int(gk_userdb_check(r, NULL, &err), GK_OK, "check passes again");

	/* A credentials key that names no user at all. */
	ok(plant("\x02", 1, buf, len) == 0, "plant a bare credentials prefix");
	is_int(gk_userdb_check(r, NULL, &err), GK_ECORRUPT, "check refuses it");
	gk_userdb_close(r);
}

int
main(void)
{
	if (sodium_init() < 0) {
		printf("Bail out! sodium_init\n");
		return 99;
	}
	snprintf(dir, sizeof(dir), "%s/t_creds.XXXXXX",
	    getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 30 ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 99;
	}
	snprintf(db, sizeof(db), "%s/users.db", dir);
	test_round_trip();
	test_validate();
	test_hostile_bytes();
	test_helpers();
	test_userdb();
	test_damage();
	testdb_rm_rf(dir);
	return done_testing();
}
