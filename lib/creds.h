/* creds.h: a user's second factors and machine credentials (TOTP, recovery codes, app tokens, passkeys), stored beside the user record. */
#ifndef GK_CREDS_H
#define GK_CREDS_H

#include <stdint.h>

#include "common.h"
#include "userdb.h"

/*
 * Storage: one value per user that has any, in the same GDBM file as the user
 * records, under the key "\x02" + user name (a control byte first, so it can
 * never be a user name, like the "\x01meta" key). Being in the same file, a
 * user and their credentials change in one transaction: deleting a user
 * deletes them, a rename moves them, kill -9 leaves both old or both new.
 * Walkers (foreach, check, count) skip these keys; gk_userdb_check decodes
 * them too and refuses a credentials value whose user does not exist.
 *
 * Value: versioned and checksummed like a user record (BLAKE2b-128 first,
 * refused when it does not match, when a field is over its cap, when a kind is
 * unknown, on truncation or trailing bytes): GK_ECORRUPT, and the caller
 * denies. Layout: docs/userdb-format.md.
 *
 * Nothing secret is stored in the clear except what a verifier needs in the
 * clear: a TOTP seed (RFC 6238 needs it) and a passkey's public key. App
 * tokens and recovery codes are stored only as keyed hashes (libsodium).
 *
 * Writes go through the user database's transaction (gk_userdb_begin ...
 * commit), which serialises every writer across processes: a check-and-set
 * done inside one transaction (a TOTP step used once, a passkey counter that
 * must grow) is atomic across all workers of all programs.
 */

#define GK_CREDS_MAX       32      /* per user, all kinds together */
#define GK_CRED_NAME_MAX   64      /* a label: [A-Za-z0-9._@+-], 1..64 */
#define GK_CRED_ID_MAX     255     /* passkey credential id (WebAuthn allows 1023; longer ones are refused) */
#define GK_CRED_DATA_MAX   160     /* TOTP seed, keyed hash, COSE public key (ES256 77 bytes, Ed25519 42) */
#define GK_CRED_SCOPE_MAX  255     /* a token's scope, "" = the user's own rights */
#define GK_CREDS_VALUE_MAX (GK_CREDS_MAX * 1024)   /* encoded size cap; decode refuses anything larger */

enum gk_cred_kind {
	GK_CRED_TOTP = 1,        /* data = seed; counter = last accepted time step (replay) */
	GK_CRED_RECOVERY = 2,    /* data = keyed hash of one recovery code; deleted when used */
	GK_CRED_TOKEN = 3,       /* app password / API token: id = lookup id, data = keyed hash */
	GK_CRED_PASSKEY = 4      /* id = credential id, data = COSE public key, counter = sign count */
};

struct gk_cred {
	enum gk_cred_kind kind;
	char name[GK_CRED_NAME_MAX + 1];    /* unique per (user, kind); recovery codes "r1".."r10" */
	int64_t created;                    /* Unix seconds */
	int64_t expires;                    /* 0 = never */
	int64_t last_used;                  /* 0 = never; app tokens: see lib/tokenuse.h */
	uint32_t generation;                /* the user's generation when created: a bump revokes tokens */
	uint32_t flags;                     /* kind-specific (e.g. passkey: user verified, backup state) */
	uint64_t counter;
	char scope[GK_CRED_SCOPE_MAX + 1];
	size_t idlen;
	unsigned char id[GK_CRED_ID_MAX];
	size_t datalen;
	unsigned char data[GK_CRED_DATA_MAX];
};

struct gk_creds {
	size_t n;
	struct gk_cred c[GK_CREDS_MAX];
};

/* Encodes (validated first) / decodes one value; decode is for user `name`'s key. */
int gk_creds_encode(const struct gk_creds *c, unsigned char *buf, size_t bufsz, size_t *len,
    struct gk_err *err);
int gk_creds_decode(const unsigned char *buf, size_t len, struct gk_creds *c, struct gk_err *err);

/* Validates every entry (kind, name charset, caps, unique (kind, name)). */
int gk_creds_validate(const struct gk_creds *c, struct gk_err *err);

/* A user's credentials from the live database: GK_OK (c->n may be 0: none), or an error. */
int gk_userdb_creds(struct gk_userdb *db, const char *user, struct gk_creds *c,
    struct gk_err *err);

/*
 * A user and their credentials from one snapshot of the live database (one refresh, two
 * fetches): GK_OK, GK_NOTFOUND (no such user) or an error; u and c as the two above.
 */
int gk_userdb_lookup_creds(struct gk_userdb *db, const char *user, struct gk_user *u,
    struct gk_creds *c, struct gk_err *err);

/* The same within a write transaction (sees its own earlier puts). */
int gk_userdb_txn_creds_get(struct gk_userdb_txn *txn, const char *user, struct gk_creds *c,
    struct gk_err *err);

/* Replaces a user's credentials (the user must exist in the txn); c->n == 0 deletes the value. */
int gk_userdb_txn_creds_put(struct gk_userdb_txn *txn, const char *user,
    const struct gk_creds *c, struct gk_err *err);

/* In-memory helpers. find: the entry of that kind and name, or NULL. */
struct gk_cred *gk_creds_find(struct gk_creds *c, enum gk_cred_kind kind, const char *name);
/* add: GK_OK, GK_EDUP (same kind and name), GK_ETOOLONG (GK_CREDS_MAX reached). */
int gk_creds_add(struct gk_creds *c, const struct gk_cred *one);
/* remove: GK_OK or GK_NOTFOUND; the removed entry is wiped. */
int gk_creds_remove(struct gk_creds *c, enum gk_cred_kind kind, const char *name);
/* count of entries of one kind */
size_t gk_creds_count(const struct gk_creds *c, enum gk_cred_kind kind);

#endif
