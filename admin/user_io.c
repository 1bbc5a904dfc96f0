/* user_io.c: a user's creation time and generation as one "#gatekeep-user" line for --export --with-credentials, and back for --import, so that a database rebuilt from its export keeps its sessions. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "passwd.h"
#include "userdb.h"

/*
 * The line, right after the user's htpasswd line and before its credentials line
 * (Apache and older gatekeep skip it as a comment):
 *     #gatekeep-user <user> created=<Unix seconds> generation=<n>
 * A session is the user's only while its generation is the user's and it was issued
 * after the user was created: an import that made both anew would end every session.
 * A created time may lie ahead of this clock by the sessions' clock skew at most
 * (GK_AUTH_SESSION_LEEWAY, lib/auth.h).
 */

int
pw_user_export_line(const char *name, int64_t created, uint32_t generation, FILE *out)
{
	return fprintf(out, "%s %s created=%" PRId64 " generation=%" PRIu32 "\n", PW_USER_LINE,
	    name, created, generation) < 0 ? EX_PW_FILE : EX_PW_OK;
}

/* "key=N" at *p (then a space or the end), N in 1..max; advances *p past it. */
static bool
number_field(const char **p, const char *key, long long max, long long *out)
{
	size_t n = strlen(key);
	char *end;

	if (strncmp(*p, key, n) != 0 || (*p)[n] != '=' || (*p)[n + 1] < '1' || (*p)[n + 1] > '9')
		return false;
	errno = 0;
	*out = strtoll(*p + n + 1, &end, 10);
	if (errno != 0 || *out < 1 || *out > max || (*end != ' ' && *end != '\0'))
		return false;
	*p = *end == ' ' ? end + 1 : end;
	return true;
}

int
pw_user_import_line(struct gk_userdb_txn *txn, const char *where, const char *line,
    const char *last_user, bool replaced, int64_t now)
{
	struct gk_err err = { "" };
	struct gk_user u;
	const char *p = line + strlen(PW_USER_LINE), *sp;
	long long created, gen;
	int st, rc = EX_PW_INVALID;

	memset(&u, 0, sizeof(u));
	if ((sp = pw_line_user(where, p, last_user, "user", "USER created=N generation=N")) == NULL)
		return EX_PW_INVALID;
	p = sp + 1;
	if (!number_field(&p, "created", now + GK_AUTH_SESSION_LEEWAY, &created) ||
	    !number_field(&p, "generation", UINT32_MAX, &gen) || *p != '\0') {
		pw_warnx("%s: user '%s': a user line is \"%s USER created=N generation=N\" "
		    "(created not in the future)", where, last_user, PW_USER_LINE);
		return EX_PW_INVALID;
	}
	/* --force replaced an existing user: it keeps its own times, and its bumped generation ends its sessions. */
	if (replaced)
		return EX_PW_OK;
	if ((st = gk_userdb_txn_get(txn, last_user, &u, &err)) == GK_OK) {
		u.created = (int64_t)created;
		u.generation = (uint32_t)gen;
		st = gk_userdb_txn_put(txn, &u, &err);
	}
	if (st != GK_OK)
		pw_warnx("%s: user '%s': %s", where, last_user, err.msg);
	else
		rc = EX_PW_OK;
	gk_wipe(&u, sizeof(u));
	return rc;
}
