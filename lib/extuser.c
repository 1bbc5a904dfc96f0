/* extuser.c: the rules every auto-created (external, passwordless) user follows, whoever vouches for it. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "extuser.h"
#include "policy.h"
#include "userdb.h"
#include "validate.h"

struct clash {
	const char *name;
	bool found;
	char *other;
	size_t othersz;
};

bool
gk_extuser_names_clash(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0 && strcmp(a, b) != 0;
}

static int
clash_fn(const struct gk_user *u, void *arg)
{
	struct clash *c = arg;

	if (!gk_extuser_names_clash(u->name, c->name))
		return 0;
	c->found = true;
	if (c->other != NULL)
		gk_strcpy(c->other, c->othersz, u->name);
	return 1;       /* one is enough */
}

int
gk_extuser_name_clash(const char *path, const char *name, bool *clash, char *other,
    size_t othersz, struct gk_err *err)
{
	struct clash c = { name, false, other, othersz };
	struct gk_userdb *db;
	int rc;

	*clash = false;
	if (other != NULL && othersz > 0)
		other[0] = '\0';
	if ((rc = gk_userdb_open(path, &db, err)) != GK_OK)
		return rc;
	rc = gk_userdb_foreach(db, clash_fn, &c, err);
	gk_userdb_close(db);
	if (rc < 0)
		return rc;
	*clash = c.found;
	return GK_OK;
}

bool
gk_extuser_subject_ok(const struct gk_user *u, const char *sub)
{
	return u->sub[0] == '\0' || (sub != NULL && strcmp(u->sub, sub) == 0);
}

struct scan {
	const char *self;       /* the user being written: its own e-mail is not "taken" */
	const char *email;      /* NULL: only "any user at all?" */
	size_t users;
	bool taken;
};

static int
scan_fn(const struct gk_user *u, void *arg)
{
	struct scan *sc = arg;

	sc->users++;
	if (sc->email != NULL && strcmp(u->name, sc->self) != 0 &&
	    strcasecmp(u->email, sc->email) == 0)
		sc->taken = true;
	return sc->taken || sc->email == NULL ? 1 : 0;  /* stop once the answer is known */
}

int
gk_extuser_email_taken(struct gk_userdb *db, const char *self, const char *email, bool *taken,
    struct gk_err *err)
{
	struct scan sc = { self, email, 0, false };
	int rc;

	*taken = false;
	if ((rc = gk_userdb_foreach(db, scan_fn, &sc, err)) < 0)
		return rc;
	*taken = sc.taken;
	return GK_OK;
}

/*
 * Scans the live database at path. Called while holding the writer lock, the
 * live file is exactly the transaction's base state (writers only replace it
 * under that lock), so the answer cannot change before commit.
 */
static int
scan_live(const char *path, struct scan *sc, struct gk_err *err)
{
	struct gk_userdb *db;
	int rc;

	if ((rc = gk_userdb_open(path, &db, err)) != GK_OK)
		return rc;
	rc = gk_userdb_foreach(db, scan_fn, sc, err);
	gk_userdb_close(db);
	return rc < 0 ? rc : GK_OK;
}

/* The groups to store: w's, plus the admin group for a level-0 user when first_user_admin. */
static int
want_groups(const struct gk_extuser_want *w, uint16_t level, char *out, size_t outsz)
{
	if (!w->first_user_admin || level != GK_LEVEL_ADMIN ||
	    gk_groups_contains(w->groups, GK_ADMIN_GROUP))
		return gk_strcpy(out, outsz, w->groups);
	if ((size_t)snprintf(out, outsz, "%s%s" GK_ADMIN_GROUP, w->groups,
	    w->groups[0] != '\0' ? "," : "") >= outsz)
		return GK_ETOOLONG;
	return gk_valid_group_list(out, strlen(out)) ? GK_OK : GK_EINVAL;
}

/* The checks on a user that exists (read before the lock, or again under it). */
static enum gk_extuser_status
existing_ok(const struct gk_extuser_want *w, const struct gk_user *cur)
{
	if (!(cur->flags & GK_USER_EXTERNAL))
		return GK_EXTUSER_LOCAL;
	if (w->email_is_identity) {
		if (cur->flags & GK_USER_DISABLED)
			return GK_EXTUSER_DISABLED;
		/*
		 * A user name is no stable identifier (one given up at the provider
		 * can be taken by someone else): a user whose stored e-mail differs
		 * from the verified one is not handed to a newcomer.
		 */
		if (w->email != NULL && cur->email[0] != '\0' && strcasecmp(cur->email, w->email) != 0)
			return GK_EXTUSER_EMAIL_MISMATCH;
	}
	/* The e-mail can move between accounts at the provider; its subject never does. */
	if (w->sub != NULL && !gk_extuser_subject_ok(cur, w->sub))
		return GK_EXTUSER_SUBJECT_MISMATCH;
	return GK_EXTUSER_OK;
}

static bool
unchanged(const struct gk_extuser_want *w, const struct gk_user *cur)
{
	char want[GK_GROUPS_MAX + 1];

	return (w->email == NULL || strcmp(cur->email, w->email) == 0) &&
	    (w->sub == NULL || w->sub[0] == '\0' || strcmp(cur->sub, w->sub) == 0) &&
	    (w->display == NULL || w->display[0] == '\0' || strcmp(cur->display, w->display) == 0) &&
	    (w->groups == NULL || (want_groups(w, cur->level, want, sizeof(want)) == GK_OK &&
	    strcmp(cur->groups, want) == 0)) &&
	    (!w->set_perm || cur->perm == w->perm);
}

/* A new user under the lock: first-user rule, then the case clash. */
static enum gk_extuser_status
create(const char *path, const struct gk_extuser_want *w, int64_t now, struct gk_user *cur,
    struct gk_extuser_result *res, struct gk_err *err)
{
	struct scan sc = { w->name, NULL, 0, false };
	bool clash;

	gk_user_init(cur, w->name, now);
	cur->flags |= GK_USER_EXTERNAL;
	cur->hash[0] = '\0';
	if (w->first_user_admin) {
		if (scan_live(path, &sc, err) != GK_OK) {
			gk_err_set(err, "cannot count the users");
			return GK_EXTUSER_DB_ERROR;
		}
		if (sc.users == 0)
			cur->level = GK_LEVEL_ADMIN;
	}
	/* Many apps fold user names: "Alice" must not become "alice" there. */
	if (gk_extuser_name_clash(path, w->name, &clash, res->other, sizeof(res->other), err) != GK_OK)
		return GK_EXTUSER_DB_ERROR;
	if (clash)
		return GK_EXTUSER_NAME_CLASH;
	res->created = true;
	res->made_admin = cur->level == GK_LEVEL_ADMIN;
	return GK_EXTUSER_OK;
}

/* Puts w's values into cur (under the lock). */
static enum gk_extuser_status
apply(const char *path, const struct gk_extuser_want *w, struct gk_user *cur,
    struct gk_extuser_result *res, struct gk_err *err)
{
	const char *email = w->email;
	char want[GK_GROUPS_MAX + 1];
	bool taken;

	if (email != NULL && w->email_unique && strcmp(cur->email, email) != 0) {
		/* Checked again under the lock: another user may have taken it meanwhile. */
		struct scan sc = { w->name, email, 0, false };

		if (scan_live(path, &sc, err) != GK_OK) {
			gk_err_set(err, "cannot check the e-mail address");
			return GK_EXTUSER_DB_ERROR;
		}
		taken = sc.taken;
		if (taken) {
			res->email_dropped = true;
			email = NULL;
		}
	}
	if ((w->groups != NULL && (want_groups(w, cur->level, want, sizeof(want)) != GK_OK ||
	    gk_strcpy(cur->groups, sizeof(cur->groups), want) != GK_OK)) ||
	    (email != NULL && gk_strcpy(cur->email, sizeof(cur->email), email) != GK_OK) ||
	    (w->display != NULL && w->display[0] != '\0' &&
	    gk_strcpy(cur->display, sizeof(cur->display), w->display) != GK_OK) ||
	    (w->sub != NULL && w->sub[0] != '\0' &&      /* binds a user created before subjects */
	    gk_strcpy(cur->sub, sizeof(cur->sub), w->sub) != GK_OK)) {
		gk_err_set(err, "value too long");
		return GK_EXTUSER_INVALID;
	}
	if (w->set_perm)
		cur->perm = w->perm;
	if (gk_user_validate(cur, err) != GK_OK)
		return GK_EXTUSER_INVALID;
	return GK_EXTUSER_OK;
}

enum gk_extuser_status
gk_extuser_upsert(const char *path, const struct gk_extuser_want *w,
    const struct gk_user *stored, int64_t now, struct gk_user *u, struct gk_extuser_result *res,
    struct gk_err *err)
{
	struct gk_userdb_txn *txn;
	struct gk_user cur;
	enum gk_extuser_status st;
	int rc;

	memset(res, 0, sizeof(*res));
	if (stored != NULL) {
		if ((st = existing_ok(w, stored)) == GK_EXTUSER_LOCAL || (st == GK_EXTUSER_OK &&
		    unchanged(w, stored))) {
			if (u != stored)
				*u = *stored;
			return st;
		}
		if (st != GK_EXTUSER_OK) {
			gk_wipe(u, sizeof(*u));
			return st;
		}
	}
	gk_wipe(u, sizeof(*u));         /* stored is not used past here: u may be stored */
	if (gk_userdb_begin(path, false, w->lock_ms, &txn, err) != GK_OK)
		return GK_EXTUSER_DB_ERROR;
	memset(&cur, 0, sizeof(cur));
	rc = gk_userdb_txn_get(txn, w->name, &cur, err);
	if (rc == GK_NOTFOUND)
		st = create(path, w, now, &cur, res, err);
	else if (rc != GK_OK)
		st = GK_EXTUSER_DB_ERROR;
	else    /* checked again inside the lock: the user may have changed meanwhile */
		st = existing_ok(w, &cur);
	if (st == GK_EXTUSER_OK)
		st = apply(path, w, &cur, res, err);
	if (st != GK_EXTUSER_OK) {
		gk_userdb_abort(txn);
		if (st == GK_EXTUSER_LOCAL)
			*u = cur;
		res->created = res->made_admin = false;
		gk_wipe(&cur, sizeof(cur));
		return st;
	}
	cur.updated = now;
	if (gk_userdb_txn_put(txn, &cur, err) != GK_OK) {
		gk_userdb_abort(txn);
		st = GK_EXTUSER_DB_ERROR;
	} else if (gk_userdb_commit(txn, err) != GK_OK) {
		st = GK_EXTUSER_DB_ERROR;
	} else {
		res->written = true;
		*u = cur;
	}
	if (st != GK_EXTUSER_OK)
		res->created = res->made_admin = false;
	gk_wipe(&cur, sizeof(cur));
	return st;
}
