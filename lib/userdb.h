/* userdb.h: the GDBM user database: lock-free readers, copy-and-rename writers. */
/* The parts: userdb.c (readers, the file format), userdb_write.c (writers), sharing userdb_file.h. */
#ifndef GK_USERDB_H
#define GK_USERDB_H

#include "common.h"
#include "record.h"

/*
 * Layout: key = user name bytes (no trailing NUL), value = gk_record_encode().
 * The key "\x01meta" (not a valid user name) holds the database's own metadata
 * (format version, creation time); a file without it is not a gatekeep database.
 *
 * Readers open the live file GDBM_READER|GDBM_NOLOCK|GDBM_CLOEXEC and never lock
 * it: writers never modify it in place. Before each lookup a reader stat()s the
 * path and reopens when the inode changed, so a long-lived process sees updates.
 * In a process that runs a lib/filewatch watcher (gatekeep-authz's event-core workers)
 * the stat() is skipped while the watcher has seen nothing happen to the path: a
 * replacement is then seen by every lookup after the watcher's next drain (see
 * filewatch.h for what that covers and the paths it stats every time for).
 *
 * Writers take an exclusive flock() on "<db>.lock", copy the live database to a
 * mkstemp() file beside it applying their changes, gdbm_sync + fsync, rename()
 * it over the live path and fsync the directory. kill -9 at any instant leaves
 * the old or the new database; a stale temp file is harmless and cleaned up by
 * the next writer.
 */

struct gk_userdb;

/* Opens the database read-only. GK_EIO if missing/unreadable, GK_ECORRUPT if not a valid gatekeep DB. */
int gk_userdb_open(const char *path, struct gk_userdb **out, struct gk_err *err);
void gk_userdb_close(struct gk_userdb *db);

/*
 * Looks a user up: GK_OK (u filled), GK_NOTFOUND, or an error (GK_EIO, GK_ECORRUPT) -> caller denies.
 * A name that can never be stored (gk_valid_user fails) is GK_NOTFOUND without touching the file.
 * Cost: one stat() of the path (none while a lib/filewatch watcher vouches for it) and one
 * gdbm_fetch (plus a reopen when the file was replaced).
 * After a failed reopen every lookup fails until a good file is back; it never serves stale data.
 */
int gk_userdb_lookup(struct gk_userdb *db, const char *name, struct gk_user *u, struct gk_err *err);

/* Reopens if the file on disk was replaced. Called by lookup; exposed for SIGHUP handling. */
int gk_userdb_refresh(struct gk_userdb *db, struct gk_err *err);

/* Number of users (excludes the metadata and credentials keys; walks the keys). */
int gk_userdb_count(struct gk_userdb *db, size_t *count, struct gk_err *err);

/*
 * Calls fn for each user (order unspecified); stops and returns fn's value if non-zero.
 * Lookups on db from fn (gk_userdb_lookup, gk_userdb_creds) read the snapshot being
 * walked: a file replaced meanwhile is seen after the walk, never under it.
 */
int gk_userdb_foreach(struct gk_userdb *db, int (*fn)(const struct gk_user *u, void *arg),
    void *arg, struct gk_err *err);

/*
 * Full integrity check: metadata present, every record and every credentials value
 * (lib/creds.h) decodes, no credentials without their user. Reports the first problem.
 */
int gk_userdb_check(struct gk_userdb *db, size_t *users, struct gk_err *err);

/* Creates a new empty database (mode 0600). GK_ERR if the path already exists. */
int gk_userdb_create(const char *path, struct gk_err *err);

/* A write transaction: changes are applied to a private copy and published atomically. */
struct gk_userdb_txn;

/*
 * Starts a write: takes the lock (waiting up to timeout_ms, GK_EBUSY after; 0 = try once,
 * < 0 = wait without limit), removes stale temp files of killed writers, opens the live
 * database (must exist unless create is true; a missing file is then created on commit).
 */
int gk_userdb_begin(const char *path, bool create, int timeout_ms,
    struct gk_userdb_txn **out, struct gk_err *err);

/* Reads within the transaction (sees its own earlier puts and deletes). */
int gk_userdb_txn_get(struct gk_userdb_txn *txn, const char *name, struct gk_user *u,
    struct gk_err *err);

/* Inserts or replaces a user (validated). */
int gk_userdb_txn_put(struct gk_userdb_txn *txn, const struct gk_user *u, struct gk_err *err);

/*
 * Deletes a user and their credentials: GK_OK or GK_NOTFOUND. A damaged record (GK_ECORRUPT
 * on get) can be deleted; so can credentials left without their user (a damaged file).
 */
int gk_userdb_txn_delete(struct gk_userdb_txn *txn, const char *name, struct gk_err *err);

/*
 * Publishes the changes (copy, fsync, rename, fsync dir) and frees txn, also on error.
 * On error the live file is untouched. A damaged live record that the txn neither
 * replaces nor deletes makes the commit fail (GK_ECORRUPT): it is never copied forward.
 * The new file gets the live file's owner, group and mode; if the owner/group cannot be
 * reproduced (not root) the commit fails rather than lock the readers out.
 */
int gk_userdb_commit(struct gk_userdb_txn *txn, struct gk_err *err);

/* Drops the changes and frees txn. */
void gk_userdb_abort(struct gk_userdb_txn *txn);

#endif
