/* t_userdb_walk.c: a lookup from a gk_userdb_foreach callback reads the walked snapshot, even when the file is replaced meanwhile. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "tap.h"
#include "testdb.h"
#include "userdb.h"

#define HASH "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"

struct walk_state {
	struct gk_userdb *db;
	const char *path;
	int seen;
	int lookup_rc;
	int creds_rc;
};

static int
visit(const struct gk_user *u, void *arg)
{
	struct walk_state *w = arg;
	struct gk_user nu, got;
	struct gk_creds *c;
	struct gk_err err;

	(void)u;
	if (w->seen++ == 0) {
		/* gatekeep-passwd in another process replaces the file during the walk */
		gk_user_init(&nu, "newcomer", 1000);
		gk_strcpy(nu.hash, sizeof(nu.hash), HASH);
		testdb_put(w->path, &nu);
		w->lookup_rc = gk_userdb_lookup(w->db, "newcomer", &got, &err);
		c = calloc(1, sizeof(*c));
		w->creds_rc = c == NULL ? GK_ERR : gk_userdb_creds(w->db, "newcomer", c, &err);
		free(c);
	}
	return 0;
}

int
main(void)
{
	char dir[] = "/tmp/gk-walk.XXXXXX", path[64], cmd[96];
	struct walk_state w = { 0 };
	struct gk_userdb *db = NULL;
	struct gk_user u, got;
	struct gk_err err;
	int i, rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/users.db", dir);
	for (i = 0; i < 5; i++) {
		char name[16];

		snprintf(name, sizeof(name), "user%d", i);
		gk_user_init(&u, name, 1000);
		gk_strcpy(u.hash, sizeof(u.hash), HASH);
		testdb_put(path, &u);
	}
	ok(gk_userdb_open(path, &db, &err) == GK_OK, "open");
	w.db = db;
	w.path = path;
	rc = gk_userdb_foreach(db, visit, &w, &err);
	is_int(rc, GK_OK, "the walk ends well although the file was replaced under it");
	is_int(w.seen, 5, "it walks the snapshot it started on: 5 users, not the newcomer");
	is_int(w.lookup_rc, GK_NOTFOUND, "a lookup inside the walk reads the same snapshot");
	ok(w.creds_rc == GK_OK, "so does a credentials lookup (none for an unknown user)");
	is_int(gk_userdb_lookup(db, "newcomer", &got, &err), GK_OK,
	    "after the walk the replaced file is read");
	gk_userdb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
