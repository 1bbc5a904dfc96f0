/* import.c: reading htpasswd files into the database (--import), all or nothing. */
#include "config.h"

#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "creds.h"
#include "extuser.h"
#include "passwd.h"
#include "userdb.h"
#include "validate.h"

/* Longest htpasswd line we read: a user name, ':' and a crypt string, with room to spare. */
#define IMPORT_LINE_MAX 1024
/* Longest credentials line (creds_io.c): the tag, a name and base64 of the largest value. */
#define IMPORT_CREDS_LINE_MAX (64 + GK_USER_MAX + (GK_CREDS_VALUE_MAX + 2) / 3 * 4)

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

/* Length of the run of crypt(3) base64 characters [./0-9A-Za-z] at s. */
static size_t
crypt64_run(const char *s)
{
	size_t n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
	    (s[n] >= '0' && s[n] <= '9') || s[n] == '.' || s[n] == '/')
		n++;
	return n;
}

/* s is exactly: `field` chars of crypt base64 (min..max), then '$' (or the end if last). */
static const char *
crypt64_field(const char *s, size_t min, size_t max, bool last)
{
	size_t n = crypt64_run(s);

	if (n < min || n > max)
		return NULL;
	if (last)
		return s[n] == '\0' ? s + n : NULL;
	return s[n] == '$' ? s + n + 1 : NULL;
}

/* Structural checks: a truncated or mangled hash would lock its user out after import. */
static bool
bcrypt_ok(const char *h)
{
	/* $2y$NN$ + 22 salt + 31 hash characters */
	return strlen(h) == 60 && h[4] >= '0' && h[4] <= '3' && h[5] >= '0' && h[5] <= '9' &&
	    (h[4] - '0') * 10 + (h[5] - '0') >= 4 && (h[4] - '0') * 10 + (h[5] - '0') <= 31 &&
	    h[6] == '$' && crypt64_run(h + 7) == 53;
}

static bool
shacrypt_ok(const char *h, size_t hashlen)
{
	const char *p = h + 3;

	if (strncmp(p, "rounds=", 7) == 0) {
		p += 7;
		if (*p < '1' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p++ != '$')
			return false;
	}
	p = crypt64_field(p, 0, 16, false);
	return p != NULL && crypt64_field(p, hashlen, hashlen, true) != NULL;
}

static bool
yescrypt_ok(const char *h)
{
	const char *p = crypt64_field(h + 3, 1, 64, false);   /* parameters */

	if (p != NULL)
		p = crypt64_field(p, 1, 86, false);                /* salt */
	return p != NULL && crypt64_field(p, 43, 43, true) != NULL;
}

static bool
apr1_ok(const char *h)
{
	const char *p = crypt64_field(h + 6, 1, 8, false);

	return p != NULL && crypt64_field(p, 22, 22, true) != NULL;
}

static bool
sha1_ok(const char *h)
{
	size_t i;

	if (strlen(h) != 5 + 28 || h[32] != '=')
		return false;
	for (i = 5; i < 32; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') || h[i] == '+' || h[i] == '/'))
			return false;
	return true;
}

bool
pw_import_hash_ok(const char *hash)
{
	bool shape;

	/* The formats the issue lists; DES crypt, plaintext and $1$ are refused on purpose. */
	if (strncmp(hash, "$2y$", 4) == 0 || strncmp(hash, "$2b$", 4) == 0 ||
	    strncmp(hash, "$2a$", 4) == 0)
		shape = bcrypt_ok(hash);
	else if (strncmp(hash, "$5$", 3) == 0)
		shape = shacrypt_ok(hash, 43);
	else if (strncmp(hash, "$6$", 3) == 0)
		shape = shacrypt_ok(hash, 86);
	else if (strncmp(hash, "$y$", 3) == 0)
		shape = yescrypt_ok(hash);
	else if (strncmp(hash, "$apr1$", 6) == 0)
		shape = apr1_ok(hash);
	else if (strncmp(hash, "{SHA}", 5) == 0)
		shape = sha1_ok(hash);
	else
		shape = false;
	return shape && gk_pw_hash_supported(hash);
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

/* Without regard to case: a name found is the same one (twice in the file) or a clash. */
static int
name_cmp(const void *a, const void *b)
{
	return strcasecmp(a, b);
}

/* Imports one parsed line inside txn. */
static int
import_one(struct gk_userdb_txn *txn, const char *db, const char *where, const char *name,
    const char *hash, const struct pw_attrs *a, bool force, int64_t now, bool *replaced)
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
		if ((rc = pw_new_name_check(db, where, name)) != EX_PW_OK)
			goto out;
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
pw_import_file(const char *path, const char *db, struct gk_userdb_txn *txn,
    const struct pw_attrs *a, bool force, bool with_creds, int64_t now, size_t *added,
    size_t *replaced)
{
	FILE *fp;
	char *line = NULL, *key, **found;
	char name[GK_USER_MAX + 1], hash[GK_HASH_MAX], where[64 + GK_PATH_MAX];
	size_t cap = 0, len;
	ssize_t n;
	unsigned long lineno = 0;
	void *seen = NULL;
	struct gk_err err = { "" };
	bool was_replaced = false, is_creds, is_user, last_ok = false;
	struct gk_pw_ctx *pw = NULL;
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
		is_creds = len >= strlen(PW_CREDS_LINE) &&
		    strncmp(line, PW_CREDS_LINE, strlen(PW_CREDS_LINE)) == 0;
		is_user = len >= strlen(PW_USER_LINE) &&
		    strncmp(line, PW_USER_LINE, strlen(PW_USER_LINE)) == 0;
		if (len > (is_creds ? IMPORT_CREDS_LINE_MAX : IMPORT_LINE_MAX)) {
			pw_warnx("%s: line too long (at most %d bytes)", where, IMPORT_LINE_MAX);
			rc = EX_PW_INVALID;
			break;
		}
		/*
		 * A comment to Apache and to whoever reads the file, but credentials to us
		 * (an app token made under another secret passes): only when asked for.
		 */
		if ((is_creds || is_user) && !with_creds) {
			pw_warnx("%s: a '%s' line (written by --export --with-credentials) carries "
			    "%s: import it with --import --with-credentials, or remove the line", where,
			    is_creds ? PW_CREDS_LINE : PW_USER_LINE,
			    is_creds ? "credentials (app tokens, TOTP, recovery codes, passkeys)" :
			    "a created time and generation");
			rc = EX_PW_INVALID;
			break;
		}
		/* A user's credentials (--export --with-credentials), right after the user. */
		if (is_creds) {
			line[len] = '\0';
			rc = pw_creds_import_line(txn, where, line, last_ok ? name : NULL);
			last_ok = false;
			if (rc != EX_PW_OK)
				break;
			continue;
		}
		/* Its created time and generation (--export --with-credentials); its credentials may follow. */
		if (is_user) {
			line[len] = '\0';
			rc = pw_user_import_line(txn, where, line, last_ok ? name : NULL, was_replaced, now);
			if (rc != EX_PW_OK)
				break;
			continue;
		}
		/* Blank lines and '#' comments are skipped, as Apache's own parser does. */
		if (len == 0 || line[0] == '#')
			continue;
		rc = pw_import_parse_line(line, len, name, hash, &err);
		if (rc != EX_PW_OK) {
			pw_warnx("%s: %s", where, err.msg);
			break;
		}
		/* a cost over the bound would stall sign-ins; one libxcrypt cannot compute, lock out */
		if (pw == NULL && (pw = gk_pw_ctx_new(&err)) == NULL) {
			pw_warnx("%s", err.msg);
			rc = EX_PW_GENERAL;
			break;
		}
		if (gk_pw_hash_storable(pw, hash, &err) != GK_OK) {
			pw_warnx("%s: user '%s': %s", where, name, err.msg);
			rc = EX_PW_INVALID;
			break;
		}
		if ((found = tfind(name, &seen, name_cmp)) != NULL) {
			if (gk_extuser_names_clash(*found, name))
				pw_warnx("%s: user '%s' differs from '%s' earlier in the file only by "
				    "case (apps that fold user names would take one for the other): "
				    "name-case-clash", where, name, *found);
			else
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
		rc = import_one(txn, db, where, name, hash, a, force, now, &was_replaced);
		if (rc != EX_PW_OK)
			break;
		last_ok = true;
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
	gk_pw_ctx_free(pw);
	tdestroy(seen, free);
	if (fp != stdin)
		fclose(fp);
	return rc;
}
