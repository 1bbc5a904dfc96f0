/* userdb_creds.c: a user's credentials value in the user database (key "\x02" + name): readers, transaction get/put, and the walkers' check. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <gdbm.h>

#include "creds.h"
#include "userdb.h"
#include "userdb_file.h"
#include "validate.h"

bool
udb_is_creds(datum k)
{
	return k.dsize >= 1 && k.dptr[0] == CREDS_PREFIX;
}

size_t
udb_creds_key(char *key, const char *name, size_t len)
{
	key[0] = CREDS_PREFIX;
	memcpy(key + 1, name, len);
	return len + 1;
}

/* The user part of a credentials key, if it is a name a record can be stored under. */
static bool
creds_key_user(datum k, const char **name, size_t *len)
{
	if (k.dsize < 2 || k.dsize - 1 > GK_USER_MAX ||
	    !gk_valid_stored_user(k.dptr + 1, (size_t)k.dsize - 1))
		return false;
	*name = k.dptr + 1;
	*len = (size_t)k.dsize - 1;
	return true;
}

int
udb_creds_check(const char *path, datum k, const unsigned char *val, size_t vallen,
    struct gk_err *err)
{
	struct gk_creds *c;
	struct gk_err derr;
	const char *name;
	size_t len;
	int rc;

	if (!creds_key_user(k, &name, &len)) {
		gk_err_set(err, "%s: a credentials key (%d bytes) names no valid user: restore the "
		    "database", path, k.dsize);
		return GK_ECORRUPT;
	}
	if ((c = malloc(sizeof(*c))) == NULL)
		return gk_err_set(err, "out of memory"), GK_ERR;
	rc = gk_creds_decode(val, vallen, c, &derr);
	gk_wipe(c, sizeof(*c));
	free(c);
	if (rc != GK_OK)
		gk_err_set(err, "%s: credentials of user \"%.*s\" are damaged (%s): delete them or "
		    "the user", path, (int)len, name, derr.msg);
	return rc;
}

int
udb_creds_walk_one(GDBM_FILE dbf, const char *path, datum k, struct gk_err *err)
{
	const char *name = NULL;
	size_t len = 0;
	datum v;
	int rc;

	v = gdbm_fetch(dbf, k);
	if (v.dptr == NULL) {
		if (gdbm_last_errno(dbf) == GDBM_ITEM_NOT_FOUND) {
			gk_err_set(err, "%s: key listed but not fetchable", path);
			return GK_ECORRUPT;
		}
		return udb_handle_fail(err, dbf, path, "cannot read credentials");
	}
	rc = udb_creds_check(path, k, (const unsigned char *)v.dptr, (size_t)v.dsize, err);
	gk_wipe(v.dptr, (size_t)v.dsize);
	free(v.dptr);
	if (rc != GK_OK)
		return rc;
	if (!creds_key_user(k, &name, &len) || !gdbm_exists(dbf, (datum){ (char *)name, (int)len })) {
		gk_err_set(err, "%s: credentials of user \"%.*s\" without the user: delete that "
		    "user", path, (int)len, name);
		return GK_ECORRUPT;
	}
	return GK_OK;
}

/* The credentials key of a user name that can be looked up, or GK_NOTFOUND. */
static int
key_of(const char *user, char key[CREDS_KEY_MAX], size_t *klen, struct gk_err *err)
{
	size_t len;

	if (user == NULL)
		return gk_err_set(err, "no user name"), GK_EINVAL;
	len = strnlen(user, GK_USER_MAX + 1);
	if (len > GK_USER_MAX || !gk_valid_user(user, len)) {
		gk_err_set(err, "no such user");
		return GK_NOTFOUND;
	}
	*klen = udb_creds_key(key, user, len);
	return GK_OK;
}

/* Decodes a fetched value (or none) into c, then wipes and frees the value. */
static int
decode_fetched(const char *path, const char *user, unsigned char *val, size_t vallen,
    struct gk_creds *c, struct gk_err *err)
{
	struct gk_err derr;
	int rc;

	rc = gk_creds_decode(val, vallen, c, &derr);
	if (rc != GK_OK)
		gk_err_set(err, "%s: credentials of user \"%s\": %s", path, user, derr.msg);
	gk_wipe(val, vallen);
	free(val);
	return rc;
}

int
gk_userdb_creds(struct gk_userdb *db, const char *user, struct gk_creds *c, struct gk_err *err)
{
	char key[CREDS_KEY_MAX];
	const char *path;
	GDBM_FILE dbf;
	size_t klen;
	datum v;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = key_of(user, key, &klen, err)) != GK_OK)
		return rc == GK_NOTFOUND ? GK_OK : rc;   /* no such user: no credentials */
	if ((rc = udb_reader_file(db, &dbf, &path, err)) != GK_OK)
		return rc;
	v = gdbm_fetch(dbf, (datum){ key, (int)klen });
	if (v.dptr == NULL) {
		if (gdbm_last_errno(dbf) == GDBM_ITEM_NOT_FOUND)
			return GK_OK;
		return udb_handle_fail(err, dbf, path, "cannot read credentials");
	}
	return decode_fetched(path, user, (unsigned char *)v.dptr, (size_t)v.dsize, c, err);
}

int
gk_userdb_lookup_creds(struct gk_userdb *db, const char *user, struct gk_user *u,
    struct gk_creds *c, struct gk_err *err)
{
	char key[CREDS_KEY_MAX];
	const char *path;
	GDBM_FILE dbf;
	size_t len, klen;
	datum v;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = udb_lookup_name(user, u, &len, err)) != GK_OK)
		return rc;
	if ((rc = udb_reader_file(db, &dbf, &path, err)) != GK_OK)
		return rc;
	/* One refresh, then both fetches from the same open file: one snapshot. */
	if ((rc = udb_fetch_user(dbf, path, user, len, u, err)) != GK_OK)
		return rc;
	klen = udb_creds_key(key, user, len);
	v = gdbm_fetch(dbf, (datum){ key, (int)klen });
	if (v.dptr == NULL) {
		if (gdbm_last_errno(dbf) == GDBM_ITEM_NOT_FOUND)
			return GK_OK;
		rc = udb_handle_fail(err, dbf, path, "cannot read credentials");
	} else {
		rc = decode_fetched(path, user, (unsigned char *)v.dptr, (size_t)v.dsize, c, err);
	}
	if (rc != GK_OK)
		gk_wipe(u, sizeof(*u));
	return rc;
}

int
gk_userdb_txn_creds_get(struct gk_userdb_txn *txn, const char *user, struct gk_creds *c,
    struct gk_err *err)
{
	char key[CREDS_KEY_MAX];
	unsigned char *val;
	size_t klen, vallen;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = key_of(user, key, &klen, err)) != GK_OK)
		return rc == GK_NOTFOUND ? GK_OK : rc;
	if ((rc = udb_txn_fetch(txn, key, klen, &val, &vallen, err)) != GK_OK)
		return rc == GK_NOTFOUND ? GK_OK : rc;
	return decode_fetched("transaction", user, val, vallen, c, err);
}

int
gk_userdb_txn_creds_put(struct gk_userdb_txn *txn, const char *user, const struct gk_creds *c,
    struct gk_err *err)
{
	unsigned char *buf;
	struct gk_user u;
	char key[CREDS_KEY_MAX];
	size_t klen, len;
	int rc;

	if ((rc = key_of(user, key, &klen, err)) != GK_OK)
		return rc;
	/* Never credentials without their user (the walkers refuse them). */
	rc = gk_userdb_txn_get(txn, user, &u, err);
	gk_wipe(&u, sizeof(u));
	if (rc != GK_OK)
		return rc;
	if (c->n == 0) {
		/* Nothing to delete: no change, so a commit need not rewrite the file. */
		unsigned char *val;
		size_t vallen;

		rc = udb_txn_fetch(txn, key, klen, &val, &vallen, err);
		if (rc == GK_OK) {
			gk_wipe(val, vallen);
			free(val);
		}
		return rc == GK_NOTFOUND ? GK_OK : rc != GK_OK ? rc :
		    udb_txn_set(txn, key, klen, NULL, 0, err);
	}
	if ((buf = malloc(GK_CREDS_VALUE_MAX)) == NULL)
		return gk_err_set(err, "out of memory"), GK_ERR;
	if ((rc = gk_creds_encode(c, buf, GK_CREDS_VALUE_MAX, &len, err)) == GK_OK)
		rc = udb_txn_set(txn, key, klen, buf, len, err);
	gk_wipe(buf, GK_CREDS_VALUE_MAX);
	free(buf);
	return rc;
}
