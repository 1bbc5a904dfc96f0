/* testdb.h: the C unit tests' one way to store a user record (a whole write transaction). */
#ifndef GK_TESTDB_H
#define GK_TESTDB_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "password.h"
#include "userdb.h"
#include "tap.h"

/* Stores u in the database at path (created when missing); a failure ends the test. */
static inline void
testdb_put(const char *path, const struct gk_user *u)
{
	struct gk_userdb_txn *t;
	struct gk_err err;

	if (gk_userdb_begin(path, true, 1000, &t, &err) != GK_OK ||
	    gk_userdb_txn_put(t, u, &err) != GK_OK || gk_userdb_commit(t, &err) != GK_OK) {
		diag("storing user %s in %s: %s", u->name, path, err.msg);
		exit(1);
	}
}

/* Hashes pass with method m into u (unless pass is NULL), then stores u as testdb_put does. */
static inline void
testdb_add(const char *path, struct gk_pw_ctx *pw, enum gk_pw_method m, const char *pass,
    struct gk_user *u)
{
	struct gk_err err;

	if (pass != NULL && gk_pw_hash(pw, m, 0, pass, u->hash, sizeof(u->hash), &err) != GK_OK) {
		diag("hashing the password of %s: %s", u->name, err.msg);
		exit(1);
	}
	testdb_put(path, u);
}

/* Removes the test's temp directory d and everything in it. */
static inline void
testdb_rm_rf(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *de;
	char p[512];

	while (dd != NULL && (de = readdir(dd)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", d, de->d_name) >= sizeof(p))
			continue;
		if (unlink(p) != 0)
			testdb_rm_rf(p);        /* a directory */
	}
	if (dd != NULL)
		closedir(dd);
	rmdir(d);
}

#endif
