/* userdb_creds.c: a user's credentials value in the user database (key "\x02" + name): readers and transaction get/put (the key and the walkers' check are userdb.c's, with the file format). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <gdbm.h>

#include "creds.h"
#include "userdb.h"
#include "userdb_file.h"
#include "validate.h"

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
	rc = udb_fetch(dbf, path, (datum){ key, (int)klen }, &v, "cannot read credentials", err);
	if (rc != GK_OK)
		return rc == GK_NOTFOUND ? GK_OK : rc;   /* no credentials stored */
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
	rc = udb_fetch(dbf, path, (datum){ key, (int)klen }, &v, "cannot read credentials", err);
	if (rc == GK_NOTFOUND)
		return GK_OK;           /* the user, no credentials */
	if (rc == GK_OK)
		rc = decode_fetched(path, user, (unsigned char *)v.dptr, (size_t)v.dsize, c, err);
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
