/* userdb.c: the GDBM user database's readers (lock-free, reopening a replaced file) and its file format; writers are userdb_write.c. */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gdbm.h>

#include "filewatch.h"
#include "creds.h"
#include "userdb.h"
#include "userdb_file.h"
#include "validate.h"

/*
 * Readers never lock (the live file is never written in place) and use mmap, which is
 * safe because a published file never changes. GDBM_XVERIFY costs little and makes a
 * damaged file fail with an error instead of a wild read.
 */
#define READER_FLAGS  (GDBM_READER | GDBM_NOLOCK | GDBM_CLOEXEC | GDBM_XVERIFY)

struct gk_userdb {
	char *path;
	GDBM_FILE dbf;          /* NULL after a failed reopen: every lookup fails closed */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim;
	int64_t created;
	struct gk_filewatch_tag watch;  /* lib/filewatch: skip the stat() while nothing happened */
	unsigned walking;       /* inside gk_userdb_foreach: lookups keep the walked snapshot */
	struct udb_memo *memo;  /* the last records decoded (udb_fetch_user); NULL = none */
};

/*
 * A record decoded before, by name, with the bytes it was decoded from. A lookup still
 * fetches the record every time (a change on disk shows at the next lookup, as always); only
 * when the fetched bytes are the remembered ones, byte for byte, are their checksum and
 * decode -- a function of those bytes -- skipped: a quarter of a cached decision's CPU.
 */
#define UDB_MEMO_WAYS 8
struct udb_memo {
	struct {
		size_t namelen, len;
		char name[GK_USER_MAX];
		unsigned char raw[GK_RECORD_MAX];
		struct gk_user u;
	} e[UDB_MEMO_WAYS];
};

/* ---- errors ---------------------------------------------------------------- */

/* GDBM errors that mean "this file is not a sound database" rather than "I/O failed". */
static bool
gdbm_err_is_corrupt(int ec)
{
	switch (ec) {
	case GDBM_BAD_MAGIC_NUMBER:
	case GDBM_EMPTY_DATABASE:
	case GDBM_BYTE_SWAPPED:
	case GDBM_BAD_FILE_OFFSET:
	case GDBM_FILE_EOF:
	case GDBM_NEED_RECOVERY:
	case GDBM_DIR_OVERFLOW:
	case GDBM_BAD_BUCKET:
	case GDBM_BAD_HEADER:
	case GDBM_BAD_AVAIL:
	case GDBM_BAD_HASH_TABLE:
	case GDBM_BAD_DIR_ENTRY:
	case GDBM_BUCKET_CACHE_CORRUPTED:
	case GDBM_BAD_HASH_ENTRY:
	case GDBM_MALFORMED_DATA:
		return true;
	default:
		return false;
	}
}

/* Fills err from a GDBM error code (and errno when GDBM says it is relevant). */
int
udb_gdbm_fail(struct gk_err *err, const char *path, const char *what, int ec, int syserr)
{
	if (gdbm_check_syserr(ec) && syserr != 0)
		gk_err_set(err, "%s: %s: %s: %s", path, what, gdbm_strerror(ec), strerror(syserr));
	else
		gk_err_set(err, "%s: %s: %s", path, what, gdbm_strerror(ec));
	return gdbm_err_is_corrupt(ec) ? GK_ECORRUPT : GK_EIO;
}

int
udb_handle_fail(struct gk_err *err, GDBM_FILE dbf, const char *path, const char *what)
{
	return udb_gdbm_fail(err, path, what, gdbm_last_errno(dbf), gdbm_last_syserr(dbf));
}

int
udb_fetch(GDBM_FILE dbf, const char *path, datum k, datum *val, const char *what,
    struct gk_err *err)
{
	*val = gdbm_fetch(dbf, k);
	if (val->dptr != NULL)
		return GK_OK;
	if (gdbm_last_errno(dbf) == GDBM_ITEM_NOT_FOUND)
		return GK_NOTFOUND;
	return udb_handle_fail(err, dbf, path, what);
}

/* udb_fetch of a key the file must hold: its absence is GK_ECORRUPT, err "path: missing". */
static int
fetch_present(GDBM_FILE dbf, const char *path, datum k, datum *val, const char *what,
    const char *missing, struct gk_err *err)
{
	int rc = udb_fetch(dbf, path, k, val, what, err);

	if (rc == GK_NOTFOUND) {
		gk_err_set(err, "%s: %s", path, missing);
		return GK_ECORRUPT;
	}
	return rc;
}

int
udb_walk_end(GDBM_FILE dbf, const char *path, const char *what, struct gk_err *err)
{
	int ec = gdbm_last_errno(dbf);

	if (ec == GDBM_ITEM_NOT_FOUND || ec == GDBM_NO_ERROR)
		return GK_OK;
	return udb_handle_fail(err, dbf, path, what);
}

int
udb_sys_fail(struct gk_err *err, const char *path, const char *what, int e)
{
	gk_err_set(err, "%s: %s: %s", path, what, strerror(e));
	return GK_EIO;
}

/* ---- metadata -------------------------------------------------------------- */

void
udb_meta_encode(unsigned char out[META_LEN], int64_t created)
{
	uint64_t v = (uint64_t)created;
	int i;

	memcpy(out, META_MAGIC, 4);
	out[4] = META_FORMAT;
	for (i = 12; i >= 5; i--) {
		out[i] = (unsigned char)v;
		v >>= 8;
	}
}

static int
meta_read(GDBM_FILE dbf, const char *path, int64_t *created, struct gk_err *err)
{
	datum key = { META_KEY, META_KEYLEN }, val;
	uint64_t v = 0;
	int i, rc;

	rc = fetch_present(dbf, path, key, &val, "cannot read metadata",
	    "not a gatekeep user database (no metadata key)", err);
	if (rc != GK_OK)
		return rc;
	if (val.dsize != META_LEN || memcmp(val.dptr, META_MAGIC, 4) != 0) {
		gk_err_set(err, "%s: not a gatekeep user database (bad metadata)", path);
		rc = GK_ECORRUPT;
	} else if ((unsigned char)val.dptr[4] != META_FORMAT) {
		gk_err_set(err, "%s: unsupported database format %u", path,
		    (unsigned char)val.dptr[4]);
		rc = GK_ECORRUPT;
	} else {
		for (i = 5; i < META_LEN; i++)
			v = v << 8 | (unsigned char)val.dptr[i];
		*created = (int64_t)v;
	}
	free(val.dptr);
	return rc;
}

/* ---- opening --------------------------------------------------------------- */

/*
 * Opens path read-only with our own fd (so the identity we record is the file GDBM
 * reads, even if a rename happens in between) and validates the metadata.
 * *missing is set when the file does not exist.
 */
int
udb_open_file(const char *path, GDBM_FILE *out, struct stat *st, int64_t *created, bool *missing,
    struct gk_err *err)
{
	GDBM_FILE dbf;
	int fd, rc;

	*out = NULL;
	if (missing != NULL)
		*missing = false;
	/* O_NONBLOCK: a FIFO planted at the path must not hang the reader (or gatekeep-passwd). */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT && missing != NULL)
			*missing = true;
		return udb_sys_fail(err, path, "cannot open user database", errno);
	}
	if (fstat(fd, st) != 0) {
		rc = udb_sys_fail(err, path, "cannot stat user database", errno);
		close(fd);
		return rc;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		gk_err_set(err, "%s: user database is not a regular file", path);
		return GK_EIO;
	}
	/* A regular file ignores O_NONBLOCK, but GDBM gets the descriptor as a plain one. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		rc = udb_sys_fail(err, path, "cannot open user database", errno);
		close(fd);
		return rc;
	}
	/* GDBM owns fd from here: gdbm_close closes it, GDBM_CLOERROR closes it on failure. */
	dbf = gdbm_fd_open(fd, path, 0, READER_FLAGS | GDBM_CLOERROR, NULL);
	if (dbf == NULL)
		return udb_gdbm_fail(err, path, "cannot open user database", gdbm_errno, errno);
	if (gdbm_needs_recovery(dbf)) {
		gdbm_close(dbf);
		gk_err_set(err, "%s: user database needs recovery", path);
		return GK_ECORRUPT;
	}
	if ((rc = meta_read(dbf, path, created, err)) != GK_OK) {
		gdbm_close(dbf);
		return rc;
	}
	*out = dbf;
	return GK_OK;
}

static void
remember(struct gk_userdb *db, const struct stat *st)
{
	db->dev = st->st_dev;
	db->ino = st->st_ino;
	db->size = st->st_size;
	db->mtim = st->st_mtim;
}

int
gk_userdb_open(const char *path, struct gk_userdb **out, struct gk_err *err)
{
	struct gk_userdb *db;
	struct stat st;
	int rc;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return gk_err_set(err, "no user database path"), GK_EINVAL;
	if ((db = calloc(1, sizeof(*db))) == NULL || (db->path = strdup(path)) == NULL ||
	    (db->memo = calloc(1, sizeof(*db->memo))) == NULL) {
		if (db != NULL)
			free(db->path);
		free(db);
		return gk_err_set(err, "out of memory"), GK_ERR;
	}
	if ((rc = udb_open_file(path, &db->dbf, &st, &db->created, NULL, err)) != GK_OK) {
		gk_userdb_close(db);
		return rc;
	}
	remember(db, &st);
	*out = db;
	return GK_OK;
}

void
gk_userdb_close(struct gk_userdb *db)
{
	if (db == NULL)
		return;
	if (db->dbf != NULL)
		gdbm_close(db->dbf);
	if (db->memo != NULL)
		gk_wipe(db->memo, sizeof(*db->memo));   /* it holds password hashes */
	free(db->memo);
	free(db->path);
	free(db);
}

int
gk_userdb_refresh(struct gk_userdb *db, struct gk_err *err)
{
	struct stat st;
	GDBM_FILE ndbf;
	int64_t created;
	int rc;

	if (db->dbf != NULL && gk_filewatch_unchanged(&db->watch, db->path))
		return GK_OK;
	/*
	 * A lookup from a gk_userdb_foreach callback reads the snapshot being walked:
	 * reopening here would close the file under the walk.
	 */
	if (db->dbf != NULL && db->walking > 0)
		return GK_OK;
	if (stat(db->path, &st) != 0) {
		/* Fail closed: a database that vanished must not keep granting access. */
		rc = udb_sys_fail(err, db->path, "cannot stat user database", errno);
		goto drop;
	}
	if (db->dbf != NULL && st.st_dev == db->dev && st.st_ino == db->ino &&
	    st.st_size == db->size && st.st_mtim.tv_sec == db->mtim.tv_sec &&
	    st.st_mtim.tv_nsec == db->mtim.tv_nsec)
		return GK_OK;
	if ((rc = udb_open_file(db->path, &ndbf, &st, &created, NULL, err)) != GK_OK)
		goto drop;
	if (db->dbf != NULL)
		gdbm_close(db->dbf);
	db->dbf = ndbf;
	db->created = created;
	remember(db, &st);
	return GK_OK;

drop:
	if (db->dbf != NULL)
		gdbm_close(db->dbf);
	db->dbf = NULL;
	return rc;
}

/* Fetches and decodes one user from dbf (through memo when not NULL). The fetched copy is wiped: it holds the hash. */
static int
fetch_user(GDBM_FILE dbf, const char *path, const char *name, size_t len, struct udb_memo *memo,
    struct gk_user *u, struct gk_err *err)
{
	datum key, val;
	size_t w = 0;
	int rc;

	key.dptr = (char *)name;
	key.dsize = (int)len;
	rc = udb_fetch(dbf, path, key, &val, "cannot read user", err);
	if (rc == GK_NOTFOUND)
		gk_err_set(err, "no such user");
	if (rc != GK_OK)
		return rc;
	if (memo != NULL && len > 0 && len <= GK_USER_MAX) {
		w = ((unsigned char)name[0] + (unsigned char)name[len - 1] + len) % UDB_MEMO_WAYS;
		if (memo->e[w].namelen == len && memo->e[w].len == (size_t)val.dsize &&
		    memcmp(memo->e[w].name, name, len) == 0 &&
		    memcmp(memo->e[w].raw, val.dptr, (size_t)val.dsize) == 0) {
			*u = memo->e[w].u;
			gk_wipe(val.dptr, (size_t)val.dsize);
			free(val.dptr);
			return GK_OK;
		}
	}
	rc = gk_record_decode(name, len, (const unsigned char *)val.dptr, (size_t)val.dsize, u,
	    err);
	if (memo != NULL && len > 0 && len <= GK_USER_MAX) {
		gk_wipe(&memo->e[w], sizeof(memo->e[w]));
		if (rc == GK_OK && (size_t)val.dsize <= sizeof(memo->e[w].raw)) {
			memcpy(memo->e[w].name, name, len);
			memo->e[w].namelen = len;
			memcpy(memo->e[w].raw, val.dptr, (size_t)val.dsize);
			memo->e[w].len = (size_t)val.dsize;
			memo->e[w].u = *u;
		}
	}
	gk_wipe(val.dptr, (size_t)val.dsize);
	free(val.dptr);
	return rc;
}

int
udb_fetch_user(GDBM_FILE dbf, const char *path, const char *name, size_t len, struct gk_user *u,
    struct gk_err *err)
{
	return fetch_user(dbf, path, name, len, NULL, u, err);
}

int
udb_lookup_name(const char *name, struct gk_user *u, size_t *len, struct gk_err *err)
{
	memset(u, 0, sizeof(*u));
	if (name == NULL)
		return gk_err_set(err, "no user name"), GK_EINVAL;
	/* A name that could never be stored cannot exist: not found, without touching the file. */
	*len = strnlen(name, GK_USER_MAX + 1);
	if (*len > GK_USER_MAX || !gk_valid_user(name, *len)) {
		gk_err_set(err, "no such user");
		return GK_NOTFOUND;
	}
	return GK_OK;
}

int
gk_userdb_lookup(struct gk_userdb *db, const char *name, struct gk_user *u, struct gk_err *err)
{
	size_t len;
	int rc;

	if ((rc = udb_lookup_name(name, u, &len, err)) != GK_OK)
		return rc;
	if ((rc = gk_userdb_refresh(db, err)) != GK_OK)
		return rc;
	return fetch_user(db->dbf, db->path, name, len, db->memo, u, err);
}

int
udb_reader_file(struct gk_userdb *db, GDBM_FILE *dbf, const char **path, struct gk_err *err)
{
	int rc;

	if ((rc = gk_userdb_refresh(db, err)) != GK_OK)
		return rc;
	*dbf = db->dbf;
	*path = db->path;
	return GK_OK;
}

bool
udb_is_meta(datum k)
{
	return k.dsize == META_KEYLEN && memcmp(k.dptr, META_KEY, META_KEYLEN) == 0;
}

/*
 * Walks every user of dbf: decodes each record (so a damaged one is reported) and calls
 * fn when it is non-NULL. Credentials keys are skipped, or with creds != NULL checked
 * (userdb_creds.c) and counted. Returns GK_OK, an error, or fn's non-zero value.
 */
static int
walk(GDBM_FILE dbf, const char *path, int (*fn)(const struct gk_user *, void *), void *arg,
    size_t *users, size_t *creds, struct gk_err *err)
{
	struct gk_user u;
	datum key, next;
	size_t n = 0, nc = 0;
	int rc = GK_OK;

	gdbm_clear_error(dbf);
	key = gdbm_firstkey(dbf);
	while (key.dptr != NULL) {
		if (udb_is_creds(key)) {
			nc++;
			if (creds != NULL &&
			    (rc = udb_creds_walk_one(dbf, path, key, err)) != GK_OK) {
				free(key.dptr);
				return rc;
			}
		} else if (!udb_is_meta(key)) {
			if (key.dsize <= 0 || key.dsize > GK_USER_MAX) {
				gk_err_set(err, "%s: key of %d bytes is not a user name", path,
				    key.dsize);
				rc = GK_ECORRUPT;
			} else {
				rc = udb_fetch_user(dbf, path, key.dptr, (size_t)key.dsize, &u, err);
				if (rc == GK_NOTFOUND) {
					gk_err_set(err, "%s: key listed but not fetchable", path);
					rc = GK_ECORRUPT;
				} else if (rc == GK_OK) {
					n++;
					if (fn != NULL)
						rc = fn(&u, arg);
				}
				gk_wipe(&u, sizeof(u));
			}
			if (rc != GK_OK) {
				free(key.dptr);
				return rc;
			}
		}
		next = gdbm_nextkey(dbf, key);
		free(key.dptr);
		key = next;
	}
	if ((rc = udb_walk_end(dbf, path, "cannot list users", err)) != GK_OK)
		return rc;
	if (users != NULL)
		*users = n;
	if (creds != NULL)
		*creds = nc;
	return GK_OK;
}

int
gk_userdb_count(struct gk_userdb *db, size_t *count, struct gk_err *err)
{
	datum key, next;
	size_t n = 0;
	int rc;

	if ((rc = gk_userdb_refresh(db, err)) != GK_OK)
		return rc;
	/* Keys only (no values): users are the keys that are neither metadata nor credentials. */
	gdbm_clear_error(db->dbf);
	for (key = gdbm_firstkey(db->dbf); key.dptr != NULL; key = next) {
		if (!udb_is_meta(key) && !udb_is_creds(key))
			n++;
		next = gdbm_nextkey(db->dbf, key);
		free(key.dptr);
	}
	if ((rc = udb_walk_end(db->dbf, db->path, "cannot count users", err)) != GK_OK)
		return rc;
	*count = n;
	return GK_OK;
}

int
gk_userdb_foreach(struct gk_userdb *db, int (*fn)(const struct gk_user *u, void *arg),
    void *arg, struct gk_err *err)
{
	int rc;

	if ((rc = gk_userdb_refresh(db, err)) != GK_OK)
		return rc;
	db->walking++;
	rc = walk(db->dbf, db->path, fn, arg, NULL, NULL, err);
	db->walking--;
	return rc;
}

int
gk_userdb_check(struct gk_userdb *db, size_t *users, struct gk_err *err)
{
	gdbm_count_t n;
	size_t found = 0, creds = 0;
	int rc;

	if ((rc = gk_userdb_refresh(db, err)) != GK_OK)
		return rc;
	if ((rc = walk(db->dbf, db->path, NULL, NULL, &found, &creds, err)) != GK_OK)
		return rc;
	/* A second, independent pass over the buckets must agree with the walk. */
	if (gdbm_count(db->dbf, &n) != 0)
		return udb_handle_fail(err, db->dbf, db->path, "cannot count users");
	if (n != (gdbm_count_t)(found + creds) + 1) {
		gk_err_set(err, "%s: %llu keys but %zu users walked", db->path, n, found);
		return GK_ECORRUPT;
	}
	if (users != NULL)
		*users = found;
	return GK_OK;
}

/* ---- credentials keys ("\x02" + name, lib/creds.h): the key and the walkers' check ---- */

bool
udb_is_creds(datum k)
{
	return k.dsize >= 1 && k.dptr[0] == CREDS_PREFIX;
}

size_t
udb_creds_key(char *key, const char *name, size_t len)
{
	key[0] = CREDS_PREFIX;
	memcpy(key + 1, name, len);
	return len + 1;
}

/* The user part of a credentials key, if it is a name a record can be stored under. */
static bool
creds_key_user(datum k, const char **name, size_t *len)
{
	if (k.dsize < 2 || k.dsize - 1 > GK_USER_MAX ||
	    !gk_valid_stored_user(k.dptr + 1, (size_t)k.dsize - 1))
		return false;
	*name = k.dptr + 1;
	*len = (size_t)k.dsize - 1;
	return true;
}

int
udb_creds_check(const char *path, datum k, const unsigned char *val, size_t vallen,
    struct gk_err *err)
{
	struct gk_creds *c;
	struct gk_err derr;
	const char *name;
	size_t len;
	int rc;

	if (!creds_key_user(k, &name, &len)) {
		gk_err_set(err, "%s: a credentials key (%d bytes) names no valid user: restore the "
		    "database", path, k.dsize);
		return GK_ECORRUPT;
	}
	if ((c = malloc(sizeof(*c))) == NULL)
		return gk_err_set(err, "out of memory"), GK_ERR;
	rc = gk_creds_decode(val, vallen, c, &derr);
	gk_wipe(c, sizeof(*c));
	free(c);
	if (rc != GK_OK)
		gk_err_set(err, "%s: credentials of user \"%.*s\" are damaged (%s): delete them or "
		    "the user", path, (int)len, name, derr.msg);
	return rc;
}

int
udb_creds_walk_one(GDBM_FILE dbf, const char *path, datum k, struct gk_err *err)
{
	const char *name = NULL;
	size_t len = 0;
	datum v;
	int rc;

	rc = fetch_present(dbf, path, k, &v, "cannot read credentials",
	    "key listed but not fetchable", err);
	if (rc != GK_OK)
		return rc;
	rc = udb_creds_check(path, k, (const unsigned char *)v.dptr, (size_t)v.dsize, err);
	gk_wipe(v.dptr, (size_t)v.dsize);
	free(v.dptr);
	if (rc != GK_OK)
		return rc;
	if (!creds_key_user(k, &name, &len) || !gdbm_exists(dbf, (datum){ (char *)name, (int)len })) {
		gk_err_set(err, "%s: credentials of user \"%.*s\" without the user: delete that "
		    "user", path, (int)len, name);
		return GK_ECORRUPT;
	}
	return GK_OK;
}
