/* totp_store.c: TOTP seeds and recovery codes in the credentials store; every change and every check-and-set in one userdb transaction. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "totp_store.h"

#define TXN_WAIT_MS 5000
#define TOTP_NAME   "totp"

void
gk_totp_enrolment_new(struct gk_totp_enrolment *e)
{
	size_t i;

	gk_totp_seed_new(e->seed);
	for (i = 0; i < GK_RECOVERY_COUNT; i++)
		gk_recovery_new(e->recovery[i]);
}

/* One transaction: the user must exist; *c holds their credentials. */
static int
open_user(const char *dbpath, const char *user, struct gk_userdb_txn **txn, struct gk_creds *c,
    struct gk_err *err)
{
	struct gk_user u;
	int rc;

	*txn = NULL;
	rc = gk_userdb_begin(dbpath, false, TXN_WAIT_MS, txn, err);
	if (rc != GK_OK)
		return rc;
	rc = gk_userdb_txn_get(*txn, user, &u, err);
	gk_wipe(&u, sizeof(u));
	if (rc == GK_OK)
		rc = gk_userdb_txn_creds_get(*txn, user, c, err);
	if (rc != GK_OK) {
		gk_userdb_abort(*txn);
		*txn = NULL;
	}
	return rc;
}

static int
put_commit(struct gk_userdb_txn *txn, const char *user, const struct gk_creds *c,
    struct gk_err *err)
{
	int rc = gk_userdb_txn_creds_put(txn, user, c, err);

	if (rc != GK_OK) {
		gk_userdb_abort(txn);
		return rc;
	}
	return gk_userdb_commit(txn, err);
}

static void
drop_kind(struct gk_creds *c, enum gk_cred_kind kind)
{
	size_t i;

	for (i = c->n; i > 0; i--)
		if (c->c[i - 1].kind == kind)
			gk_creds_remove(c, kind, c->c[i - 1].name);
}

/* Adds the recovery codes of e (hashed afresh: e keeps only the text). */
static int
add_recovery(struct gk_creds *c, const struct gk_totp_enrolment *e, int64_t now)
{
	struct gk_cred one;
	size_t i;
	int rc = GK_OK;

	for (i = 0; i < GK_RECOVERY_COUNT && rc == GK_OK; i++) {
		memset(&one, 0, sizeof(one));
		one.kind = GK_CRED_RECOVERY;
		snprintf(one.name, sizeof(one.name), "r%zu", i + 1);
		one.created = now;
		rc = gk_recovery_hash(e->recovery[i], one.data, sizeof(one.data), &one.datalen);
		if (rc == GK_OK)
			rc = gk_creds_add(c, &one);
	}
	gk_wipe(&one, sizeof(one));
	return rc;
}

/*
 * One change to user's credentials in one transaction: edit returns GK_OK to commit, or a
 * status to abort with (having set err where it has something to say).
 */
static int
edit_user(const char *dbpath, const char *user,
    int (*edit)(struct gk_creds *c, const void *arg, struct gk_err *err), const void *arg,
    struct gk_err *err)
{
	struct gk_userdb_txn *txn;
	struct gk_creds *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return gk_err_set(err, "out of memory");
	rc = open_user(dbpath, user, &txn, c, err);
	if (rc != GK_OK)
		goto out;
	rc = edit(c, arg, err);
	if (rc != GK_OK) {
		gk_userdb_abort(txn);
		goto out;
	}
	rc = put_commit(txn, user, c, err);
out:
	gk_wipe(c, sizeof(*c));
	free(c);
	return rc;
}

struct enrol_arg {
	const struct gk_totp_enrolment *e;
	uint64_t last_step;
	bool replace;
	int64_t now;
};

static int
enrol_edit(struct gk_creds *c, const void *arg, struct gk_err *err)
{
	const struct enrol_arg *a = arg;
	struct gk_cred one;
	int rc;

	if (!a->replace && gk_creds_find(c, GK_CRED_TOTP, TOTP_NAME) != NULL) {
		gk_err_set(err, "user already has TOTP");
		return GK_EDUP;
	}
	drop_kind(c, GK_CRED_TOTP);
	drop_kind(c, GK_CRED_RECOVERY);
	memset(&one, 0, sizeof(one));
	one.kind = GK_CRED_TOTP;
	gk_strcpy(one.name, sizeof(one.name), TOTP_NAME);
	one.created = a->now;
	one.counter = a->last_step;
	memcpy(one.data, a->e->seed, GK_TOTP_SEED_LEN);
	one.datalen = GK_TOTP_SEED_LEN;
	rc = gk_creds_add(c, &one);
	gk_wipe(&one, sizeof(one));
	if (rc == GK_OK)
		rc = add_recovery(c, a->e, a->now);
	if (rc == GK_ETOOLONG)
		gk_err_set(err, "too many credentials for this user (at most %d)", GK_CREDS_MAX);
	else if (rc != GK_OK)
		gk_err_set(err, "cannot add the TOTP credentials");
	return rc;
}

int
gk_totp_store_enrol(const char *dbpath, const char *user, const struct gk_totp_enrolment *e,
    uint64_t last_step, bool replace, int64_t now, struct gk_err *err)
{
	struct enrol_arg a = { .e = e, .last_step = last_step, .replace = replace, .now = now };

	return edit_user(dbpath, user, enrol_edit, &a, err);
}

struct recovery_arg {
	const struct gk_totp_enrolment *e;
	int64_t now;
};

static int
recovery_edit(struct gk_creds *c, const void *arg, struct gk_err *err)
{
	const struct recovery_arg *a = arg;
	int rc;

	if (gk_creds_find(c, GK_CRED_TOTP, TOTP_NAME) == NULL)
		return GK_NOTFOUND;
	drop_kind(c, GK_CRED_RECOVERY);
	if ((rc = add_recovery(c, a->e, a->now)) != GK_OK)
		gk_err_set(err, "cannot add the recovery codes");
	return rc;
}

int
gk_totp_store_recovery(const char *dbpath, const char *user, const struct gk_totp_enrolment *e,
    int64_t now, struct gk_err *err)
{
	struct recovery_arg a = { .e = e, .now = now };

	return edit_user(dbpath, user, recovery_edit, &a, err);
}

static int
remove_edit(struct gk_creds *c, const void *arg, struct gk_err *err)
{
	(void)arg;
	(void)err;
	if (gk_creds_find(c, GK_CRED_TOTP, TOTP_NAME) == NULL &&
	    gk_creds_count(c, GK_CRED_RECOVERY) == 0)
		return GK_NOTFOUND;
	drop_kind(c, GK_CRED_TOTP);
	drop_kind(c, GK_CRED_RECOVERY);
	return GK_OK;
}

int
gk_totp_store_remove(const char *dbpath, const char *user, struct gk_err *err)
{
	return edit_user(dbpath, user, remove_edit, NULL, err);
}

int
gk_totp_store_status(struct gk_userdb *db, const char *user, bool *enrolled, size_t *n_recovery,
    struct gk_err *err)
{
	struct gk_creds *c = calloc(1, sizeof(*c));
	int rc;

	*enrolled = false;
	*n_recovery = 0;
	if (c == NULL)
		return gk_err_set(err, "out of memory");
	rc = gk_userdb_creds(db, user, c, err);
	if (rc == GK_OK) {
		*enrolled = gk_creds_find(c, GK_CRED_TOTP, TOTP_NAME) != NULL;
		*n_recovery = gk_creds_count(c, GK_CRED_RECOVERY);
	}
	gk_wipe(c, sizeof(*c));
	free(c);
	return rc;
}

/* The recovery entry that code matches, or NULL (every entry is tried: no early exit by position). */
static struct gk_cred *
recovery_find(struct gk_creds *c, const char *code)
{
	struct gk_cred *hit = NULL;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->c[i].kind == GK_CRED_RECOVERY &&
		    gk_recovery_match(code, c->c[i].data, c->c[i].datalen) && hit == NULL)
			hit = &c->c[i];
	return hit;
}

enum gk_totp_verdict
gk_totp_store_verify(const char *dbpath, const char *user, const char *code, int64_t now,
    struct gk_err *err)
{
	struct gk_userdb_txn *txn;
	struct gk_creds *c = calloc(1, sizeof(*c));
	struct gk_cred *t, *r;
	enum gk_totp_verdict v = GK_TOTP_ERROR;
	char name[GK_CRED_NAME_MAX + 1];
	uint64_t step = 0;
	bool replay = false;
	int rc;

	if (c == NULL) {
		gk_err_set(err, "out of memory");
		return GK_TOTP_ERROR;
	}
	rc = open_user(dbpath, user, &txn, c, err);
	if (rc == GK_NOTFOUND) {
		v = GK_TOTP_NOT_ENROLLED;
		goto out;
	}
	if (rc != GK_OK)
		goto out;
	t = gk_creds_find(c, GK_CRED_TOTP, TOTP_NAME);
	if (t == NULL) {
		gk_userdb_abort(txn);
		v = GK_TOTP_NOT_ENROLLED;
		goto out;
	}
	if (gk_totp_code_shape(code)) {
		rc = gk_totp_check(t->data, t->datalen, now, code, t->counter, &step, &replay);
		if (rc != GK_OK) {
			gk_userdb_abort(txn);
			v = replay ? GK_TOTP_REPLAY : GK_TOTP_WRONG;
			goto out;
		}
		t->counter = step;
		t->last_used = now;
		v = GK_TOTP_ACCEPTED;
	} else if ((r = recovery_find(c, code)) != NULL) {
		gk_strcpy(name, sizeof(name), r->name);
		gk_creds_remove(c, GK_CRED_RECOVERY, name);
		v = GK_TOTP_RECOVERY;
	} else {
		gk_userdb_abort(txn);
		v = GK_TOTP_WRONG;
		goto out;
	}
	if (put_commit(txn, user, c, err) != GK_OK)
		v = GK_TOTP_ERROR;
out:
	gk_wipe(c, sizeof(*c));
	free(c);
	return v;
}

const char *
gk_totp_verdict_name(enum gk_totp_verdict v)
{
	static const char *const names[] = {
		[GK_TOTP_ACCEPTED] = "accepted", [GK_TOTP_RECOVERY] = "recovery-code",
		[GK_TOTP_WRONG] = "wrong-code", [GK_TOTP_REPLAY] = "replayed-code",
		[GK_TOTP_NOT_ENROLLED] = "no-totp", [GK_TOTP_ERROR] = "error",
	};

	return (unsigned)v <= GK_TOTP_ERROR ? names[v] : "error";
}
