/* record.h: the versioned binary user record stored in the GDBM database, and its validation. */
#ifndef GK_RECORD_H
#define GK_RECORD_H

#include <stdint.h>

#include "common.h"

#define GK_RECORD_VERSION 1
#define GK_RECORD_VERSION_SUB 2    /* version 1 + the identity provider's subject; written only when there is one */
#define GK_SUB_MAX 255              /* OIDC "sub": at most 255 ASCII characters (OIDC Core 2) */
#define GK_RECORD_MAX 4096          /* encoded size cap; decode refuses anything larger */

enum gk_perm {
	GK_PERM_NONE = 0,
	GK_PERM_RO = 1,               /* GET, HEAD, OPTIONS */
	GK_PERM_RW = 2                /* all methods ("full" is an alias) */
};

#define GK_USER_DISABLED  0x01u
#define GK_USER_EXTERNAL  0x02u       /* passwordless, created by proxy/OIDC */

#define GK_LEVEL_ADMIN    0
#define GK_LEVEL_USER     998         /* Organizr: any logged-in user */
#define GK_LEVEL_GUEST    999

struct gk_user {
	char name[GK_USER_MAX + 1];
	char hash[GK_HASH_MAX];           /* crypt(3) string, "" for external users */
	char groups[GK_GROUPS_MAX + 1];   /* comma-separated */
	char email[GK_EMAIL_MAX + 1];
	char display[GK_DISPLAY_MAX + 1];
	char sub[GK_SUB_MAX + 1];         /* external users: the identity provider's subject, "" = none */
	enum gk_perm perm;
	uint32_t flags;
	uint32_t generation;              /* bumped to revoke every session */
	uint16_t level;                   /* 0 = admin .. 999 = guest */
	int64_t created, updated, pw_changed;   /* Unix seconds */
};

/* Fills u with a new user's defaults (perm rw, level 998, generation 1, times = now). */
void gk_user_init(struct gk_user *u, const char *name, int64_t now);

/* Validates every field (names, groups, e-mail, display, hash charset, perm, flags). */
int gk_user_validate(const struct gk_user *u, struct gk_err *err);

/* Encodes u (validated first) into buf; *len receives the size. GK_ETOOLONG if buf is small. */
int gk_record_encode(const struct gk_user *u, unsigned char *buf, size_t bufsz, size_t *len,
    struct gk_err *err);

/*
 * Decodes a record for user `name` (key bytes, not NUL-terminated) into u, refusing unknown
 * versions, truncation, trailing bytes, over-long fields and any field that fails validation,
 * a checksum mismatch (BLAKE2b-128 over the record, checked first) and a name in the record
 * that differs from the key. GK_ECORRUPT on any of these (u is then zeroed).
 * Layout: docs/userdb-format.md.
 */
int gk_record_decode(const char *name, size_t namelen, const unsigned char *buf, size_t len,
    struct gk_user *u, struct gk_err *err);

/* Permission names: "none", "ro", "rw" ("full" parses as rw). */
int gk_perm_parse(const char *s, enum gk_perm *out);
const char *gk_perm_name(enum gk_perm p);

/* True if group g (exact match) is in the comma-separated list. */
bool gk_groups_contains(const char *list, const char *g);

#endif
