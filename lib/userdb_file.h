/* userdb_file.h: the user database file's format and the GDBM helpers that userdb.c (readers) and userdb_write.c (writers) share; programs use userdb.h. */
#ifndef GK_USERDB_FILE_H
#define GK_USERDB_FILE_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>

#include <gdbm.h>

#include "userdb.h"

/* The metadata key: starts with a control byte, so it can never be a valid user name. */
#define META_KEY      "\x01meta"
#define META_KEYLEN   5
/* Metadata value: "GKDB" | u8 database format | i64 creation time (big-endian). */
#define META_MAGIC    "GKDB"
#define META_FORMAT   1
#define META_LEN      13

/*
 * A user's credentials (lib/creds.h): CREDS_PREFIX + user name. Like META_KEY it starts
 * with a control byte, so it is never a user name. The key and the walkers' check: userdb.c;
 * reading and writing the value: userdb_creds.c.
 */
#define CREDS_PREFIX  '\x02'
#define CREDS_KEY_MAX (1 + GK_USER_MAX)

/* Temp files are "<db>" TMP_INFIX "XXXXXX"; the stale-file sweep matches exactly this. */
#define TMP_INFIX     ".gktmp."
#define TMP_SUFFIXLEN 6
#define LOCK_SUFFIX   ".lock"

/* GK_ECORRUPT or GK_EIO from a GDBM error code (and errno when GDBM says it is relevant), err filled. */
int udb_gdbm_fail(struct gk_err *err, const char *path, const char *what, int ec, int syserr);
/* The same for the last error on dbf. */
int udb_handle_fail(struct gk_err *err, GDBM_FILE dbf, const char *path, const char *what);
/*
 * gdbm_fetch of k: GK_OK and *val (malloc'd; the caller wipes and frees it), GK_NOTFOUND
 * for no such key (err untouched), or udb_handle_fail's status with what.
 */
int udb_fetch(GDBM_FILE dbf, const char *path, datum k, datum *val, const char *what,
    struct gk_err *err);
/* After a gdbm_firstkey/gdbm_nextkey walk: GK_OK if it stopped at the end, else the error. */
int udb_walk_end(GDBM_FILE dbf, const char *path, const char *what, struct gk_err *err);
/* GK_EIO with "path: what: strerror(e)". */
int udb_sys_fail(struct gk_err *err, const char *path, const char *what, int e);

/* The metadata value for a database created at created (seconds). */
void udb_meta_encode(unsigned char out[META_LEN], int64_t created);
/* Is k the metadata key (not a user)? */
bool udb_is_meta(datum k);

/*
 * Opens path read-only, checks it is a regular file holding a gatekeep database,
 * and fills *out, *st (the file GDBM reads) and *created. *missing (may be NULL)
 * is set when the file does not exist. GK_EIO or GK_ECORRUPT, err filled.
 */
int udb_open_file(const char *path, GDBM_FILE *out, struct stat *st, int64_t *created,
    bool *missing, struct gk_err *err);

/*
 * What every lookup checks first: u zeroed, GK_EINVAL for a NULL name, GK_NOTFOUND
 * ("no such user") for a name that could never be stored; else GK_OK and *len.
 */
int udb_lookup_name(const char *name, struct gk_user *u, size_t *len, struct gk_err *err);

/* Fetches and decodes one user: GK_OK, GK_NOTFOUND or an error. The fetched copy is wiped. */
int udb_fetch_user(GDBM_FILE dbf, const char *path, const char *name, size_t len,
    struct gk_user *u, struct gk_err *err);

/* Is k a credentials key? */
bool udb_is_creds(datum k);
/* Writes CREDS_PREFIX + name into key (CREDS_KEY_MAX bytes); returns its length. */
size_t udb_creds_key(char *key, const char *name, size_t len);
/*
 * Checks the credentials value val stored under k (a credentials key): the user part
 * is a stored user name and the value decodes. GK_OK or GK_ECORRUPT, err naming the user.
 */
int udb_creds_check(const char *path, datum k, const unsigned char *val, size_t vallen,
    struct gk_err *err);
/* The walkers' check of one credentials key of dbf: udb_creds_check and its user exists. */
int udb_creds_walk_one(GDBM_FILE dbf, const char *path, datum k, struct gk_err *err);

/* Readers: refreshes db and gives its current file (for userdb_creds.c). */
int udb_reader_file(struct gk_userdb *db, GDBM_FILE *dbf, const char **path,
    struct gk_err *err);

/*
 * Writers, raw keys (for userdb_creds.c): fetch gives a malloc'd copy of the value as the
 * transaction sees it (GK_OK, GK_NOTFOUND or an error); set records a put (val != NULL)
 * or a delete.
 */
int udb_txn_fetch(struct gk_userdb_txn *t, const char *key, size_t klen, unsigned char **val,
    size_t *vallen, struct gk_err *err);
int udb_txn_set(struct gk_userdb_txn *t, const char *key, size_t klen, const unsigned char *val,
    size_t vallen, struct gk_err *err);

#endif
