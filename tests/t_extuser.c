/* t_extuser.c: lib/extuser's upsert, as the proxy header and the OIDC sign-in call it, one row per case. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extuser.h"
#include "userdb.h"
#include "tap.h"
#include "testdb.h"

#define T0 INT64_C(1700000000)

static char dir[64], dbpath[128];

static bool
lookup(const char *name, struct gk_user *u)
{
	struct gk_userdb *db;
	struct gk_err err;
	int rc;

	memset(u, 0, sizeof(*u));
	if (gk_userdb_open(dbpath, &db, &err) != GK_OK)
		return false;
	rc = gk_userdb_lookup(db, name, u, &err);
	gk_userdb_close(db);
	return rc == GK_OK;
}

static void
put(const struct gk_user *u)
{
	testdb_put(dbpath, u);
}

struct ucase {
	int line;
	char mode;              /* 'p': as the proxy header calls it; 'o': as the OIDC sign-in does */
	const char *name, *email, *display, *groups, *sub;
	enum gk_extuser_status want;
	bool written, created;
	const char *check;      /* "field=value" the stored user must then have, or NULL */
};

/* The stored user's field (groups, email, display, sub, level, perm, ext) as text. */
static const char *
field(const struct gk_user *u, const char *f, char *buf, size_t bufsz)
{
	if (strcmp(f, "groups") == 0)
		return u->groups;
	if (strcmp(f, "email") == 0)
		return u->email;
	if (strcmp(f, "display") == 0)
		return u->display;
	if (strcmp(f, "sub") == 0)
		return u->sub;
	if (strcmp(f, "level") == 0)
		snprintf(buf, bufsz, "%u", (unsigned)u->level);
	else if (strcmp(f, "perm") == 0)
		snprintf(buf, bufsz, "%s", gk_perm_name(u->perm));
	else if (strcmp(f, "ext") == 0)
		snprintf(buf, bufsz, "%s", (u->flags & GK_USER_EXTERNAL) && u->hash[0] == '\0' ?
		    "yes" : "no");
	else
		snprintf(buf, bufsz, "?");
	return buf;
}

static void
upsert_table(void)
{
	static const struct ucase cases[] = {
		/* the proxy: the first user of an empty database is the admin */
		{ __LINE__, 'p', "first", NULL, NULL, "staff", NULL, GK_EXTUSER_OK, true, true,
		    "level=0" },
		{ __LINE__, 'p', "first", NULL, NULL, "staff", NULL, GK_EXTUSER_OK, false, false,
		    "groups=staff,admins" },
		{ __LINE__, 'p', "second", "s@example.com", NULL, "staff", NULL, GK_EXTUSER_OK, true,
		    true, "level=998" },
		{ __LINE__, 'p', "second", "s@example.com", NULL, "staff", NULL, GK_EXTUSER_OK, false,
		    false, "perm=ro" },
		{ __LINE__, 'p', "second", NULL, NULL, "staff,dev", NULL, GK_EXTUSER_OK, true, false,
		    "groups=staff,dev" },
		{ __LINE__, 'p', "second", NULL, NULL, "staff,dev", NULL, GK_EXTUSER_OK, false, false,
		    "email=s@example.com" },
		/* re-sync keeps the admin group of a level-0 user */
		{ __LINE__, 'p', "first", NULL, NULL, "", NULL, GK_EXTUSER_OK, true, false,
		    "groups=admins" },
		/* names that differ only by case are refused */
		{ __LINE__, 'p', "Second", NULL, NULL, "", NULL, GK_EXTUSER_NAME_CLASH, false, false,
		    NULL },
		/* a local password user is never taken over */
		{ __LINE__, 'p', "local", NULL, NULL, "staff", NULL, GK_EXTUSER_LOCAL, false, false,
		    "groups=" },
		{ __LINE__, 'o', "local", "l@example.com", NULL, NULL, "s-l", GK_EXTUSER_LOCAL, false,
		    false, "ext=no" },
		/* the proxy: an e-mail that another user has is dropped, not stored */
		{ __LINE__, 'p', "third", "S@example.com", NULL, "", NULL, GK_EXTUSER_OK, true, true,
		    "email=" },
		{ __LINE__, 'p', "third", "t@example.com", NULL, "", NULL, GK_EXTUSER_OK, true, false,
		    "email=t@example.com" },
		/* OIDC: created and bound to its subject */
		{ __LINE__, 'o', "olga", "o@example.com", "Olga O", NULL, "sub-1", GK_EXTUSER_OK, true,
		    true, "sub=sub-1" },
		{ __LINE__, 'o', "olga", "o@example.com", "Olga O", NULL, "sub-1", GK_EXTUSER_OK, false,
		    false, "display=Olga O" },
		{ __LINE__, 'o', "olga", "O@example.com", NULL, "g1", "sub-1", GK_EXTUSER_OK, true,
		    false, "groups=g1" },
		{ __LINE__, 'o', "olga", "o@example.com", NULL, NULL, "sub-2",
		    GK_EXTUSER_SUBJECT_MISMATCH, false, false, "sub=sub-1" },
		{ __LINE__, 'o', "olga", "o@example.com", NULL, NULL, "", GK_EXTUSER_SUBJECT_MISMATCH,
		    false, false, NULL },
		{ __LINE__, 'o', "olga", "x@example.com", NULL, NULL, "sub-1",
		    GK_EXTUSER_EMAIL_MISMATCH, false, false, "email=O@example.com" },
		/* OIDC: a user created without a subject (or by the proxy) is bound on the next write */
		{ __LINE__, 'o', "third", "t@example.com", NULL, NULL, "sub-3", GK_EXTUSER_OK, true,
		    false, "sub=sub-3" },
		/* the proxy does not look at subjects */
		{ __LINE__, 'p', "third", NULL, NULL, "", NULL, GK_EXTUSER_OK, false, false, "sub=sub-3" },
		/* OIDC: a disabled user is refused before anything is written */
		{ __LINE__, 'o', "dis", "d@example.com", NULL, "new", "sub-d", GK_EXTUSER_DISABLED,
		    false, false, "groups=old" },
		/* the proxy syncs a disabled user (the caller refuses it) */
		{ __LINE__, 'p', "dis", NULL, NULL, "new", NULL, GK_EXTUSER_OK, true, false,
		    "groups=new" },
		/* a record that would not validate is refused */
		{ __LINE__, 'o', "vic", "v@example.com", "bad\001name", NULL, "sub-v", GK_EXTUSER_INVALID,
		    false, false, NULL },
	};
	struct gk_extuser_result res;
	struct gk_user u, before, after;
	struct gk_err err;
	size_t i;
	int64_t now = T0;

	gk_user_init(&u, "local", T0);
	gk_strcpy(u.hash, sizeof(u.hash), "$6$abcdefgh$"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ucase *k = &cases[i];
		struct gk_extuser_want w = { 0 };
		enum gk_extuser_status st;
		bool had;
		char buf[32];

		if (i == 8) {   /* a local user and a disabled external one arrive here */
			struct gk_user d;

			put(&u);
			gk_user_init(&d, "dis", T0);
			d.flags |= GK_USER_EXTERNAL | GK_USER_DISABLED;
			d.hash[0] = '\0';
			gk_strcpy(d.groups, sizeof(d.groups), "old");
			put(&d);
		}
		w.name = k->name;
		w.email = k->email;
		w.display = k->display;
		w.groups = k->groups;
		w.sub = k->sub;
		w.lock_ms = 1000;
		if (k->mode == 'p') {
			w.set_perm = true;
			w.perm = GK_PERM_RO;
			w.email_unique = true;
			w.first_user_admin = true;
		} else {
			w.email_is_identity = true;
		}
		had = lookup(k->name, &before);
		now += 10;
		st = gk_extuser_upsert(dbpath, &w, had ? &before : NULL, now, &after, &res, &err);
		if (!ok(st == k->want, "line %d: status %d", k->line, (int)k->want))
			diag("got %d (%s)", (int)st, err.msg);
		ok(res.written == k->written && res.created == k->created,
		    "line %d: written %d, created %d", k->line, k->written, k->created);
		if (st == GK_EXTUSER_OK || st == GK_EXTUSER_LOCAL)
			ok(strcmp(after.name, k->name) == 0, "line %d: the user is returned", k->line);
		if (k->check != NULL) {
			char f[16];
			const char *eq = strchr(k->check, '=');
			struct gk_user s;

			snprintf(f, sizeof(f), "%.*s", (int)(eq - k->check), k->check);
			ok(lookup(k->name, &s), "line %d: stored", k->line);
			is_str(field(&s, f, buf, sizeof(buf)), eq + 1, "line %d: stored %s", k->line,
			    k->check);
			if (st == GK_EXTUSER_OK)
				ok(strcmp(s.groups, after.groups) == 0 && strcmp(s.email, after.email) == 0 &&
				    strcmp(s.sub, after.sub) == 0 && strcmp(s.display, after.display) == 0 &&
				    s.level == after.level && s.flags == after.flags && s.perm == after.perm &&
				    s.updated == after.updated,
				    "line %d: the returned user is the stored one", k->line);
		}
		if (st == GK_EXTUSER_NAME_CLASH)
			is_str(res.other, "second", "line %d: names the user it clashes with", k->line);
		if (res.created)
			ok(after.created == now && after.updated == now, "line %d: stamped now", k->line);
	}
	ok(!lookup("Second", &u) && !lookup("vic", &u), "refused users were not stored");
}

/* A database that cannot be opened: an error, never an allow. */
static void
broken_database(void)
{
	struct gk_extuser_want w = { 0 };
	struct gk_extuser_result res;
	struct gk_user u;
	struct gk_err err;
	char path[160];
	bool taken;

	w.name = "zed";
	w.lock_ms = 100;
	snprintf(path, sizeof(path), "%s/missing/users.db", dir);
	is_int(gk_extuser_upsert(path, &w, NULL, T0, &u, &res, &err), GK_EXTUSER_DB_ERROR,
	    "no database: GK_EXTUSER_DB_ERROR");
	ok(!res.written && !res.created, "no database: nothing written");
	{
		struct gk_userdb *db;

		if (gk_userdb_open(dbpath, &db, &err) != GK_OK)
			exit(1);
		ok(gk_extuser_email_taken(db, "zed", "t@EXAMPLE.com", &taken, &err) == GK_OK && taken,
		    "an address is taken without regard to case");
		ok(gk_extuser_email_taken(db, "third", "t@example.com", &taken, &err) == GK_OK &&
		    !taken, "a user's own address is not taken");
		gk_userdb_close(db);
	}
}

int
main(void)
{
	struct gk_err err;
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/t_extuser.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/users.db", dir);
	if (gk_userdb_create(dbpath, &err) != GK_OK)
		return 1;
	upsert_table();
	broken_database();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
