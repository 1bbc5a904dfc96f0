/* import.c: reading htpasswd files into the database (--import), all or nothing. */
#include "config.h"

#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "passwd.h"
#include "userdb.h"
#include "validate.h"

/* Longest htpasswd line we read: a user name, ':' and a crypt string, with room to spare. */
#define IMPORT_LINE_MAX 1024

static const struct {
	const char *prefix;
	const char *name;
} methods[] = {
	{ "$y$", "yescrypt" },
	{ "$gy$", "gost-yescrypt" },
	{ "$7$", "scrypt" },
	{ "$2b$", "bcrypt" },
	{ "$2y$", "bcrypt" },
	{ "$2a$", "bcrypt" },
	{ "$6$", "sha512-crypt" },
	{ "$5$", "sha256-crypt" },
	{ "$apr1$", "apr1-md5" },
	{ "{SHA}", "sha1" },
	{ "$1$", "md5-crypt" },
};

const char *
pw_hash_method_name(const char *hash)
{
	size_t i;

	if (hash[0] == '\0')
		return "none";
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strncmp(hash, methods[i].prefix, strlen(methods[i].prefix)) == 0)
			return methods[i].name;
	return "unknown";
}

bool
pw_import_hash_ok(const char *hash)
{
	/* The formats the issue lists; DES crypt, plaintext and $1$ are refused on purpose. */
	static const char *const ok[] = { "$2y$", "$2b$", "$2a$", "$5$", "$6$", "$y$", "$apr1$", "{SHA}" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strncmp(hash, ok[i], strlen(ok[i])) == 0)
			return gk_pw_hash_supported(hash);
	return false;
}

int
pw_import_parse_line(const char *line, size_t len, char *name, char *hash, struct gk_err *err)
{
	const char *colon = memchr(line, ':', len);
	size_t nlen, hlen;

	if (memchr(line, '\0', len) != NULL) {
		gk_err_set(err, "NUL byte in line");
		return EX_PW_INVALID;
	}
	if (colon == NULL) {
		gk_err_set(err, "not a \"user:hash\" line");
		return EX_PW_INVALID;
	}
	nlen = (size_t)(colon - line);
	hlen = len - nlen - 1;
	if (nlen > GK_USER_MAX) {
		gk_err_set(err, "user name too long (at most %d bytes)", GK_USER_MAX);
		return EX_PW_INVALID;
	}
	if (!gk_valid_user(line, nlen)) {
		gk_err_set(err, "invalid user name");
		return EX_PW_INVALID;
	}
	memcpy(name, line, nlen);
	name[nlen] = '\0';
	if (hlen == 0) {
		gk_err_set(err, "user '%s': empty password hash", name);
		return EX_PW_INVALID;
	}
	if (hlen >= GK_HASH_MAX) {
		gk_err_set(err, "user '%s': password hash too long", name);
		return EX_PW_INVALID;
	}
	memcpy(hash, colon + 1, hlen);
	hash[hlen] = '\0';
	if (!pw_import_hash_ok(hash)) {
		gk_err_set(err, "user '%s': unsupported or malformed password hash (accepted: "
		    "bcrypt $2y$/$2b$/$2a$, $5$, $6$, yescrypt $y$, $apr1$, {SHA})", name);
		return EX_PW_INVALID;
	}
	return EX_PW_OK;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Imports one parsed line inside txn. */
static int
import_one(struct gk_userdb_txn *txn, const char *where, const char *name, const char *hash,
    const struct pw_attrs *a, bool force, int64_t now, bool *replaced)
{
	struct gk_user u;
	struct gk_err err = { "" };
	int st, rc;

	st = gk_userdb_txn_get(txn, name, &u, &err);
	if (st == GK_OK) {
		if (!force) {
			pw_warnx("%s: user '%s' already exists (use --force to replace its password)",
			    where, name);
			rc = EX_PW_INVALID;
			goto out;
		}
		pw_bump_generation(&u);
		*replaced = true;
	} else if (st == GK_NOTFOUND) {
		gk_user_init(&u, name, now);
		*replaced = false;
	} else {
		pw_warnx("%s: %s", where, err.msg);
		rc = pw_exit_for_status(st);
		goto out;
	}
	if (gk_strcpy(u.hash, sizeof(u.hash), hash) != GK_OK) {
		pw_warnx("%s: user '%s': password hash too long", where, name);
		rc = EX_PW_INVALID;
		goto out;
	}
	u.flags &= ~GK_USER_EXTERNAL;
	u.pw_changed = now;
	u.updated = now;
	rc = pw_attrs_apply(a, &u);
	if (rc != EX_PW_OK)
		goto out;
	/* A replaced user's generation was bumped above; a new one has no sessions to revoke. */
	st = gk_userdb_txn_put(txn, &u, &err);
	if (st != GK_OK) {
		pw_warnx("%s: user '%s': %s", where, name, err.msg);
		rc = st == GK_EINVAL ? EX_PW_INVALID : pw_exit_for_status(st);
		goto out;
	}
	rc = EX_PW_OK;
out:
	gk_wipe(&u, sizeof(u));
	return rc;
}

int
pw_import_file(const char *path, struct gk_userdb_txn *txn, const struct pw_attrs *a,
    bool force, int64_t now, size_t *added, size_t *replaced)
{
	FILE *fp;
	char *line = NULL, *key;
	char name[GK_USER_MAX + 1], hash[GK_HASH_MAX], where[64 + GK_PATH_MAX];
	size_t cap = 0, len;
	ssize_t n;
	unsigned long lineno = 0;
	void *seen = NULL;
	struct gk_err err = { "" };
	bool was_replaced = false;
	int rc = EX_PW_OK;

	*added = *replaced = 0;
	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (fp == NULL) {
		pw_warnx("%s: %s", path, strerror(errno));
		return EX_PW_FILE;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%lu", path, lineno);
		len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len > IMPORT_LINE_MAX) {
			pw_warnx("%s: line too long (at most %d bytes)", where, IMPORT_LINE_MAX);
			rc = EX_PW_INVALID;
			break;
		}
		/* Blank lines and '#' comments are skipped, as Apache's own parser does. */
		if (len == 0 || line[0] == '#')
			continue;
		rc = pw_import_parse_line(line, len, name, hash, &err);
		if (rc != EX_PW_OK) {
			pw_warnx("%s: %s", where, err.msg);
			break;
		}
		if (tfind(name, &seen, name_cmp) != NULL) {
			pw_warnx("%s: user '%s' appears twice in the file", where, name);
			rc = EX_PW_INVALID;
			break;
		}
		key = strdup(name);
		if (key == NULL || tsearch(key, &seen, name_cmp) == NULL) {
			free(key);
			pw_warnx("out of memory");
			rc = EX_PW_GENERAL;
			break;
		}
		rc = import_one(txn, where, name, hash, a, force, now, &was_replaced);
		if (rc != EX_PW_OK)
			break;
		if (was_replaced)
			(*replaced)++;
		else
			(*added)++;
	}
	if (rc == EX_PW_OK && ferror(fp)) {
		pw_warnx("%s: %s", path, strerror(errno));
		rc = EX_PW_FILE;
	}
	/* The file held password hashes: wipe what we copied of it. */
	if (line != NULL) {
		gk_wipe(line, cap);
		free(line);
	}
	gk_wipe(hash, sizeof(hash));
	tdestroy(seen, free);
	if (fp != stdin)
		fclose(fp);
	return rc;
}
