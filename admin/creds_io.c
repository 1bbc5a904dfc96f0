/* creds_io.c: a user's credentials as one "#gatekeep-creds" line for --export --with-credentials, and back for --import. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "creds.h"
#include "passwd.h"
#include "userdb.h"
#include "validate.h"

/*
 * The line, right after the user's htpasswd line (Apache and older gatekeep skip it as a
 * comment):   #gatekeep-creds <user> <base64 (RFC 4648, padded) of lib/creds' encoding>
 * Revoked app tokens (generation not the user's) are left out; an import stamps the
 * remaining tokens with the imported user's generation, so they stay valid there.
 */
#define B64_VARIANT sodium_base64_VARIANT_ORIGINAL

/* Wipes what both directions hold (the credentials, their encoding, the user) and frees it. */
static void
free_scratch(struct gk_creds *c, unsigned char *buf, struct gk_user *u)
{
	if (buf != NULL)
		gk_wipe(buf, GK_CREDS_VALUE_MAX);
	if (c != NULL)
		gk_wipe(c, sizeof(*c));
	gk_wipe(u, sizeof(*u));
	free(buf);
	free(c);
}

int
pw_creds_export_line(struct gk_userdb *db, const char *name, FILE *out, bool *had)
{
	struct gk_err err = { "" };
	struct gk_creds *c = calloc(1, sizeof(*c));
	unsigned char *buf = malloc(GK_CREDS_VALUE_MAX);
	char *b64 = malloc(sodium_base64_ENCODED_LEN(GK_CREDS_VALUE_MAX, B64_VARIANT));
	struct gk_user u;
	size_t i, len;
	int rc = EX_PW_OK;

	*had = false;
	if (c == NULL || buf == NULL || b64 == NULL) {
		pw_warnx("out of memory");
		rc = EX_PW_GENERAL;
		goto out;
	}
	if (gk_userdb_lookup_creds(db, name, &u, c, &err) != GK_OK) {
		pw_warnx("user '%s': credentials: %s", name, err.msg);
		rc = EX_PW_INVALID;
		goto out;
	}
	for (i = 0; i < c->n;)
		if (c->c[i].kind == GK_CRED_TOKEN && c->c[i].generation != u.generation)
			gk_creds_remove(c, GK_CRED_TOKEN, c->c[i].name);
		else
			i++;
	if (c->n == 0)
		goto out;
	if (gk_creds_encode(c, buf, GK_CREDS_VALUE_MAX, &len, &err) != GK_OK) {
		pw_warnx("user '%s': credentials: %s", name, err.msg);
		rc = EX_PW_INVALID;
		goto out;
	}
	sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(GK_CREDS_VALUE_MAX, B64_VARIANT), buf, len,
	    B64_VARIANT);
	fprintf(out, "%s %s %s\n", PW_CREDS_LINE, name, b64);
	*had = true;
out:
	if (b64 != NULL)
		gk_wipe(b64, strlen(b64));
	free(b64);
	free_scratch(c, buf, &u);
	return rc;
}

const char *
pw_line_user(const char *where, const char *p, const char *last_user, const char *kind,
    const char *shape)
{
	const char *sp;

	if (*p++ != ' ' || (sp = strchr(p, ' ')) == NULL) {
		pw_warnx("%s: a %s line is \"#gatekeep-... %s\"", where, kind, shape);
		return NULL;
	}
	/* Only right after that user's own line: a stray line must not change someone else. */
	if (last_user == NULL || strlen(last_user) != (size_t)(sp - p) ||
	    memcmp(last_user, p, (size_t)(sp - p)) != 0) {
		pw_warnx("%s: a %s line must follow its user's htpasswd line", where, kind);
		return NULL;
	}
	return sp;
}

int
pw_creds_import_line(struct gk_userdb_txn *txn, const char *where, const char *line,
    const char *last_user)
{
	struct gk_err err = { "" };
	struct gk_creds *c = calloc(1, sizeof(*c));
	unsigned char *buf = malloc(GK_CREDS_VALUE_MAX);
	const char *p = line + strlen(PW_CREDS_LINE), *sp;
	struct gk_user u;
	size_t i, len;
	int rc = EX_PW_INVALID;

	memset(&u, 0, sizeof(u));
	if (c == NULL || buf == NULL) {
		pw_warnx("out of memory");
		rc = EX_PW_GENERAL;
		goto out;
	}
	if ((sp = pw_line_user(where, p, last_user, "credentials", "USER BASE64")) == NULL)
		goto out;
	if (sodium_base642bin(buf, GK_CREDS_VALUE_MAX, sp + 1, strlen(sp + 1), NULL, &len, NULL,
	    B64_VARIANT) != 0) {
		pw_warnx("%s: user '%s': credentials are not valid base64", where, last_user);
		goto out;
	}
	if (gk_creds_decode(buf, len, c, &err) != GK_OK || gk_creds_validate(c, &err) != GK_OK) {
		pw_warnx("%s: user '%s': credentials: %s", where, last_user, err.msg);
		goto out;
	}
	if (gk_userdb_txn_get(txn, last_user, &u, &err) != GK_OK) {
		pw_warnx("%s: user '%s': %s", where, last_user, err.msg);
		goto out;
	}
	for (i = 0; i < c->n; i++)
		if (c->c[i].kind == GK_CRED_TOKEN)
			c->c[i].generation = u.generation;
	if (gk_userdb_txn_creds_put(txn, last_user, c, &err) != GK_OK) {
		pw_warnx("%s: user '%s': credentials: %s", where, last_user, err.msg);
		goto out;
	}
	rc = EX_PW_OK;
out:
	free_scratch(c, buf, &u);
	return rc;
}
