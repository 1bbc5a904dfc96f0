/* extuser.c: the rules every auto-created (external, passwordless) user follows, whoever vouches for it. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "extuser.h"
#include "userdb.h"

struct clash {
	const char *name;
	bool found;
	char *other;
	size_t othersz;
};

static int
clash_fn(const struct gk_user *u, void *arg)
{
	struct clash *c = arg;

	if (strcasecmp(u->name, c->name) != 0 || strcmp(u->name, c->name) == 0)
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
