/* precheck.c: what gatekeep-passwd checks before any prompt or change: the cost range of the method, the database's presence and directory. */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passwd.h"

/*
 * libxcrypt's ranges. Out of range, crypt_gensalt refuses yescrypt and bcrypt costs
 * with a bare EINVAL and silently clamps sha-crypt rounds (100 becomes 1000), so
 * every cost is checked here against the range the method really takes. bcrypt's
 * lower bound is gatekeep's (lib/password.c refuses what is cheaper), not libxcrypt's 4,
 * and the upper bounds are lib/password.h's, which a stored hash must keep to as well.
 */
static const struct cost_range {
	enum gk_pw_method method;
	const char *prefix, *name, *unit;
	unsigned long min, max, dflt;
} ranges[] = {
	{ GK_PW_YESCRYPT, "$y$", "yescrypt", "cost", 1, GK_PW_YESCRYPT_COST_MAX, 5 },
	{ GK_PW_BCRYPT, "$2b$", "bcrypt", "cost", 10, GK_PW_BCRYPT_COST_MAX, 12 },
	{ GK_PW_SHA512, "$6$", "sha512-crypt", "rounds", 1000, GK_PW_SHACRYPT_ROUNDS_MAX, 5000 },
	{ GK_PW_SHA256, "$5$", "sha256-crypt", "rounds", 1000, GK_PW_SHACRYPT_ROUNDS_MAX, 5000 },
};

static const struct cost_range *
range_of(enum gk_pw_method m)
{
	const char *pref;
	size_t i;

	if (m == GK_PW_PREFERRED) {     /* what libxcrypt would choose: yescrypt on Debian 12 */
		pref = crypt_preferred_method();
		for (i = 0; pref != NULL && i < sizeof(ranges) / sizeof(ranges[0]); i++)
			if (strncmp(pref, ranges[i].prefix, strlen(ranges[i].prefix)) == 0)
				return &ranges[i];
		return NULL;
	}
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (ranges[i].method == m)
			return &ranges[i];
	return NULL;
}

int
pw_cost_check(enum gk_pw_method m, unsigned long cost)
{
	const struct cost_range *r = range_of(m);

	if (cost == 0 || r == NULL || (cost >= r->min && cost <= r->max))
		return EX_PW_OK;
	pw_warnx("-C %lu: the %s %s must be %lu to %lu (default %lu)", cost, r->name, r->unit,
	    r->min, r->max, r->dflt);
	return EX_PW_SYNTAX;
}

int
pw_dir_check(const char *db)
{
	char buf[GK_PATH_MAX];
	const char *dir;
	size_t len = strlen(db);

	if (len >= sizeof(buf))
		return EX_PW_OK;        /* lib/ reports the over-long path */
	memcpy(buf, db, len + 1);
	dir = dirname(buf);
	if (access(dir, W_OK | X_OK) == 0 || errno == ENOENT || errno == ENOTDIR)
		return EX_PW_OK;        /* a missing directory is reported with the database */
	if (errno == EROFS)
		pw_warnx("%s: cannot change the database: %s is on a read-only file system", db, dir);
	else
		pw_warnx("%s: cannot change the database: no write permission on the directory %s "
		    "(a change is written to a new file there and renamed over the database, with a "
		    "lock file beside it: run as a user who may write and search %s)", db, dir, dir);
	return EX_PW_FILE;
}

bool
pw_path_exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0 || errno != ENOENT;
}

/* Checked again under the lock by lib/. */
int
pw_db_presence_check(const char *db, bool create)
{
	if (create && pw_path_exists(db)) {
		pw_warnx("%s: database already exists (omit -c to change it)", db);
		return EX_PW_FILE;
	}
	if (!create && !pw_path_exists(db)) {
		pw_warnx("%s: no such database (use -c or --init to create it)", db);
		return EX_PW_FILE;
	}
	return EX_PW_OK;
}
