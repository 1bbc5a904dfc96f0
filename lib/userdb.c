/* userdb.c: the GDBM user database: lock-free readers, copy-and-rename writers (see userdb.h). */
#include <config.h>

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gdbm.h>
#include <sodium.h>

#include "userdb.h"
#include "validate.h"

/* The metadata key: starts with a control byte, so it can never be a valid user name. */
#define META_KEY      "\x01meta"
#define META_KEYLEN   5
/* Metadata value: "GKDB" | u8 database format | i64 creation time (big-endian). */
#define META_MAGIC    "GKDB"
#define META_FORMAT   1
#define META_LEN      13

/* Temp files are "<db>" TMP_INFIX "XXXXXX"; the stale-file sweep matches exactly this. */
#define TMP_INFIX     ".gktmp."
#define TMP_SUFFIXLEN 6
#define LOCK_SUFFIX   ".lock"

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
static int
gdbm_fail(struct gk_err *err, const char *path, const char *what, int ec, int syserr)
{
	if (gdbm_check_syserr(ec) && syserr != 0)
		gk_err_set(err, "%s: %s: %s: %s", path, what, gdbm_strerror(ec), strerror(syserr));
	else
		gk_err_set(err, "%s: %s: %s", path, what, gdbm_strerror(ec));
	return gdbm_err_is_corrupt(ec) ? GK_ECORRUPT : GK_EIO;
}

static int
handle_fail(struct gk_err *err, GDBM_FILE dbf, const char *path, const char *what)
{
	return gdbm_fail(err, path, what, gdbm_last_errno(dbf), gdbm_last_syserr(dbf));
}

static int
sys_fail(struct gk_err *err, const char *path, const char *what, int e)
{
	gk_err_set(err, "%s: %s: %s", path, what, strerror(e));
	return GK_EIO;
}

/* ---- metadata -------------------------------------------------------------- */

static void
meta_encode(unsigned char out[META_LEN], int64_t created)
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
	int i, rc = GK_OK;

	val = gdbm_fetch(dbf, key);
	if (val.dptr == NULL) {
		if (gdbm_last_errno(dbf) == GDBM_ITEM_NOT_FOUND) {
			gk_err_set(err, "%s: not a gatekeep user database (no metadata key)", path);
			return GK_ECORRUPT;
		}
		return handle_fail(err, dbf, path, "cannot read metadata");
	}
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
static int
open_file(const char *path, GDBM_FILE *out, struct stat *st, int64_t *created, bool *missing,
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
		return sys_fail(err, path, "cannot open user database", errno);
	}
	if (fstat(fd, st) != 0) {
		rc = sys_fail(err, path, "cannot stat user database", errno);
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
		rc = sys_fail(err, path, "cannot open user database", errno);
		close(fd);
		return rc;
	}
	/* GDBM owns fd from here: gdbm_close closes it, GDBM_CLOERROR closes it on failure. */
	dbf = gdbm_fd_open(fd, path, 0, READER_FLAGS | GDBM_CLOERROR, NULL);
	if (dbf == NULL)
		return gdbm_fail(err, path, "cannot open user database", gdbm_errno, errno);
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
	if ((db = calloc(1, sizeof(*db))) == NULL || (db->path = strdup(path)) == NULL) {
		free(db);
		return gk_err_set(err, "out of memory"), GK_ERR;
	}
	if ((rc = open_file(path, &db->dbf, &st, &db->created, NULL, err)) != GK_OK) {
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

	if (stat(db->path, &st) != 0) {
		/* Fail closed: a database that vanished must not keep granting access. */
		rc = sys_fail(err, db->path, "cannot stat user database", errno);
		goto drop;
	}
	if (db->dbf != NULL && st.st_dev == db->dev && st.st_ino == db->ino &&
	    st.st_size == db->size && st.st_mtim.tv_sec == db->mtim.tv_sec &&
	    st.st_mtim.tv_nsec == db->mtim.tv_nsec)
		return GK_OK;
	if ((rc = open_file(db->path, &ndbf, &st, &created, NULL, err)) != GK_OK)
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

/* Fetches and decodes one user from dbf. The fetched copy is wiped: it holds the hash. */
static int
fetch_user(GDBM_FILE dbf, const char *path, const char *name, size_t len, struct gk_user *u,
    struct gk_err *err)
{
	datum key, val;
	int rc;

	key.dptr = (char *)name;
	key.dsize = (int)len;
	val = gdbm_fetch(dbf, key);
	if (val.dptr == NULL) {
		if (gdbm_last_errno(dbf) == GDBM_ITEM_NOT_FOUND) {
			gk_err_set(err, "no such user");
			return GK_NOTFOUND;
		}
		return handle_fail(err, dbf, path, "cannot read user");
	}
	rc = gk_record_decode(name, len, (const unsigned char *)val.dptr, (size_t)val.dsize, u,
	    err);
	gk_wipe(val.dptr, (size_t)val.dsize);
	free(val.dptr);
	return rc;
}

int
gk_userdb_lookup(struct gk_userdb *db, const char *name, struct gk_user *u, struct gk_err *err)
{
	size_t len;
	int rc;

	memset(u, 0, sizeof(*u));
	if (name == NULL)
		return gk_err_set(err, "no user name"), GK_EINVAL;
	/* A name that could never be stored cannot exist: not found, without touching the file. */
	len = strnlen(name, GK_USER_MAX + 1);
	if (len > GK_USER_MAX || !gk_valid_user(name, len)) {
		gk_err_set(err, "no such user");
		return GK_NOTFOUND;
	}
	if ((rc = gk_userdb_refresh(db, err)) != GK_OK)
		return rc;
	return fetch_user(db->dbf, db->path, name, len, u, err);
}

static bool
is_meta(datum k)
{
	return k.dsize == META_KEYLEN && memcmp(k.dptr, META_KEY, META_KEYLEN) == 0;
}

/*
 * Walks every user of dbf: decodes each record (so a damaged one is reported) and calls
 * fn when it is non-NULL. Returns GK_OK, an error, or fn's non-zero value.
 */
static int
walk(GDBM_FILE dbf, const char *path, int (*fn)(const struct gk_user *, void *), void *arg,
    size_t *users, struct gk_err *err)
{
	struct gk_user u;
	datum key, next;
	size_t n = 0;
	int rc = GK_OK;

	gdbm_clear_error(dbf);
	key = gdbm_firstkey(dbf);
	while (key.dptr != NULL) {
		if (!is_meta(key)) {
			if (key.dsize <= 0 || key.dsize > GK_USER_MAX) {
				gk_err_set(err, "%s: key of %d bytes is not a user name", path,
				    key.dsize);
				rc = GK_ECORRUPT;
			} else {
				rc = fetch_user(dbf, path, key.dptr, (size_t)key.dsize, &u, err);
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
	if (gdbm_last_errno(dbf) != GDBM_ITEM_NOT_FOUND && gdbm_last_errno(dbf) != GDBM_NO_ERROR)
		return handle_fail(err, dbf, path, "cannot list users");
	if (users != NULL)
		*users = n;
	return GK_OK;
}

int
gk_userdb_count(struct gk_userdb *db, size_t *count, struct gk_err *err)
{
	gdbm_count_t n;
	int rc;

	if ((rc = gk_userdb_refresh(db, err)) != GK_OK)
		return rc;
	if (gdbm_count(db->dbf, &n) != 0)
		return handle_fail(err, db->dbf, db->path, "cannot count users");
	*count = n > 0 ? (size_t)n - 1 : 0;   /* the metadata key was checked at open */
	return GK_OK;
}

int
gk_userdb_foreach(struct gk_userdb *db, int (*fn)(const struct gk_user *u, void *arg),
    void *arg, struct gk_err *err)
{
	int rc;

	if ((rc = gk_userdb_refresh(db, err)) != GK_OK)
		return rc;
	return walk(db->dbf, db->path, fn, arg, NULL, err);
}

int
gk_userdb_check(struct gk_userdb *db, size_t *users, struct gk_err *err)
{
	gdbm_count_t n;
	size_t found = 0;
	int rc;

	if ((rc = gk_userdb_refresh(db, err)) != GK_OK)
		return rc;
	if ((rc = walk(db->dbf, db->path, NULL, NULL, &found, err)) != GK_OK)
		return rc;
	/* A second, independent pass over the buckets must agree with the walk. */
	if (gdbm_count(db->dbf, &n) != 0)
		return handle_fail(err, db->dbf, db->path, "cannot count users");
	if (n != (gdbm_count_t)found + 1) {
		gk_err_set(err, "%s: %llu keys but %zu users walked", db->path, n, found);
		return GK_ECORRUPT;
	}
	if (users != NULL)
		*users = found;
	return GK_OK;
}

/* ---- writers --------------------------------------------------------------- */

/* A pending change: a put (val != NULL) or a delete (val == NULL). */
struct pend {
	char *name;
	size_t namelen;
	unsigned char *val;
	size_t vallen;
};

struct gk_userdb_txn {
	char *path, *dir, *base;
	int lockfd, dirfd;
	GDBM_FILE live;         /* NULL when creating a new database */
	struct stat live_st;
	int64_t created;
	bool dirty;
	/* Open-addressing hash table of pending changes, keyed with SipHash (libsodium). */
	struct pend **tab;
	size_t cap, used;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
};

static int64_t
now_seconds(void)
{
	return (int64_t)time(NULL);
}

static size_t
slot_of(const struct gk_userdb_txn *t, const char *name, size_t len)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	int i;

	crypto_shorthash(h, (const unsigned char *)name, len, t->hkey);
	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return (size_t)v & (t->cap - 1);
}

/* The slot holding name, or the empty slot where it belongs. */
static struct pend **
pend_slot(struct gk_userdb_txn *t, const char *name, size_t len)
{
	size_t i = slot_of(t, name, len);

	while (t->tab[i] != NULL && (t->tab[i]->namelen != len ||
	    memcmp(t->tab[i]->name, name, len) != 0))
		i = (i + 1) & (t->cap - 1);
	return &t->tab[i];
}

static int
pend_grow(struct gk_userdb_txn *t)
{
	struct pend **old = t->tab;
	size_t oldcap = t->cap, i;

	t->cap = oldcap == 0 ? 64 : oldcap * 2;
	if ((t->tab = calloc(t->cap, sizeof(*t->tab))) == NULL) {
		t->tab = old;
		t->cap = oldcap;
		return GK_ERR;
	}
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			*pend_slot(t, old[i]->name, old[i]->namelen) = old[i];
	free(old);
	return GK_OK;
}

static struct pend *
pend_find(struct gk_userdb_txn *t, const char *name, size_t len)
{
	return t->cap == 0 ? NULL : *pend_slot(t, name, len);
}

/* Records a put (val != NULL, copied) or a delete for name, replacing an earlier change. */
static int
pend_set(struct gk_userdb_txn *t, const char *name, size_t len, const unsigned char *val,
    size_t vallen, struct gk_err *err)
{
	struct pend **slot, *p;
	unsigned char *copy = NULL;

	if ((t->used + 1) * 2 > t->cap && pend_grow(t) != GK_OK)
		return gk_err_set(err, "out of memory"), GK_ERR;
	if (val != NULL) {
		if ((copy = malloc(vallen)) == NULL)
			return gk_err_set(err, "out of memory"), GK_ERR;
		memcpy(copy, val, vallen);
	}
	slot = pend_slot(t, name, len);
	if ((p = *slot) == NULL) {
		if ((p = calloc(1, sizeof(*p))) == NULL || (p->name = malloc(len)) == NULL) {
			free(p);
			free(copy);
			return gk_err_set(err, "out of memory"), GK_ERR;
		}
		memcpy(p->name, name, len);
		p->namelen = len;
		*slot = p;
		t->used++;
	} else if (p->val != NULL) {
		gk_wipe(p->val, p->vallen);
		free(p->val);
	}
	p->val = copy;
	p->vallen = vallen;
	t->dirty = true;
	return GK_OK;
}

static void
pend_free_all(struct gk_userdb_txn *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++) {
		struct pend *p = t->tab[i];

		if (p == NULL)
			continue;
		if (p->val != NULL) {
			gk_wipe(p->val, p->vallen);
			free(p->val);
		}
		free(p->name);
		free(p);
	}
	free(t->tab);
	t->tab = NULL;
	t->cap = t->used = 0;
}

static void
txn_free(struct gk_userdb_txn *t)
{
	if (t == NULL)
		return;
	pend_free_all(t);
	if (t->live != NULL)
		gdbm_close(t->live);
	if (t->dirfd >= 0)
		close(t->dirfd);
	if (t->lockfd >= 0)
		close(t->lockfd);   /* releases the flock */
	gk_wipe(t->hkey, sizeof(t->hkey));
	free(t->path);
	free(t->dir);
	free(t->base);
	free(t);
}

/* Takes the writer lock, waiting up to timeout_ms (< 0: forever) in short sleeps. */
static int
take_lock(struct gk_userdb_txn *t, int timeout_ms, struct gk_err *err)
{
	char lockpath[PATH_MAX];
	struct timespec start, now, nap = { 0, 5 * 1000 * 1000 };
	long waited_ms;

	if ((size_t)snprintf(lockpath, sizeof(lockpath), "%s%s", t->path, LOCK_SUFFIX) >=
	    sizeof(lockpath))
		return gk_err_set(err, "%s: path too long", t->path), GK_ETOOLONG;
	t->lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (t->lockfd < 0)
		return sys_fail(err, lockpath, "cannot open lock file", errno);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(t->lockfd, timeout_ms < 0 ? LOCK_EX : LOCK_EX | LOCK_NB) == 0)
			return GK_OK;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return sys_fail(err, lockpath, "cannot lock", errno);
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited_ms = (now.tv_sec - start.tv_sec) * 1000L +
		    (now.tv_nsec - start.tv_nsec) / 1000000L;
		if (waited_ms >= timeout_ms) {
			gk_err_set(err, "%s: another writer holds the lock (waited %d ms)", t->path,
			    timeout_ms);
			return GK_EBUSY;
		}
		nanosleep(&nap, NULL);
	}
}

/* True for "<base>.gktmp.XXXXXX" exactly, X being mkstemp's alphabet [A-Za-z0-9]. */
static bool
is_our_temp(const char *base, const char *name)
{
	size_t bl = strlen(base), il = strlen(TMP_INFIX), i;

	if (strlen(name) != bl + il + TMP_SUFFIXLEN || strncmp(name, base, bl) != 0 ||
	    strncmp(name + bl, TMP_INFIX, il) != 0)
		return false;
	for (i = bl + il; name[i] != '\0'; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

/* Removes temp files left by a killed writer. Only called while holding the lock. */
static void
sweep_stale(struct gk_userdb_txn *t)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	int fd;

	if ((fd = dup(t->dirfd)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_our_temp(t->base, de->d_name))
			continue;
		if (fstatat(t->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			(void)unlinkat(t->dirfd, de->d_name, 0);
	}
	closedir(d);
}

static int
split_path(struct gk_userdb_txn *t, const char *path, struct gk_err *err)
{
	const char *slash = strrchr(path, '/');

	if (*path == '\0' || strlen(path) >= PATH_MAX - sizeof(TMP_INFIX) - TMP_SUFFIXLEN)
		return gk_err_set(err, "bad user database path"), GK_EINVAL;
	t->path = strdup(path);
	if (slash == NULL) {
		t->dir = strdup(".");
		t->base = strdup(path);
	} else {
		t->dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
		t->base = strdup(slash + 1);
	}
	if (t->path == NULL || t->dir == NULL || t->base == NULL)
		return gk_err_set(err, "out of memory"), GK_ERR;
	if (*t->base == '\0')
		return gk_err_set(err, "%s: user database path names a directory", path), GK_EINVAL;
	return GK_OK;
}

int
gk_userdb_begin(const char *path, bool create, int timeout_ms, struct gk_userdb_txn **out,
    struct gk_err *err)
{
	struct gk_userdb_txn *t;
	bool missing;
	int rc;

	*out = NULL;
	if (path == NULL)
		return gk_err_set(err, "no user database path"), GK_EINVAL;
	if (sodium_init() < 0)
		return gk_err_set(err, "libsodium failed to initialise"), GK_ERR;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return gk_err_set(err, "out of memory"), GK_ERR;
	t->lockfd = t->dirfd = -1;
	randombytes_buf(t->hkey, sizeof(t->hkey));
	if ((rc = split_path(t, path, err)) != GK_OK || (rc = take_lock(t, timeout_ms, err)) != GK_OK)
		goto fail;
	t->dirfd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->dirfd < 0) {
		rc = sys_fail(err, t->dir, "cannot open directory", errno);
		goto fail;
	}
	sweep_stale(t);
	rc = open_file(path, &t->live, &t->live_st, &t->created, &missing, err);
	if (rc != GK_OK) {
		if (!(missing && create))
			goto fail;
		t->live = NULL;
		t->created = now_seconds();
		t->dirty = true;        /* committing creates the file even with no users */
	}
	*out = t;
	return GK_OK;

fail:
	txn_free(t);
	return rc;
}

int
gk_userdb_txn_get(struct gk_userdb_txn *t, const char *name, struct gk_user *u,
    struct gk_err *err)
{
	struct pend *p;
	size_t len;

	memset(u, 0, sizeof(*u));
	if (name == NULL)
		return gk_err_set(err, "no user name"), GK_EINVAL;
	len = strnlen(name, GK_USER_MAX + 1);
	if (len > GK_USER_MAX || !gk_valid_user(name, len)) {
		gk_err_set(err, "no such user");
		return GK_NOTFOUND;
	}
	if ((p = pend_find(t, name, len)) != NULL) {
		if (p->val == NULL) {
			gk_err_set(err, "no such user");
			return GK_NOTFOUND;
		}
		return gk_record_decode(name, len, p->val, p->vallen, u, err);
	}
	if (t->live == NULL) {
		gk_err_set(err, "no such user");
		return GK_NOTFOUND;
	}
	return fetch_user(t->live, t->path, name, len, u, err);
}

int
gk_userdb_txn_put(struct gk_userdb_txn *t, const struct gk_user *u, struct gk_err *err)
{
	unsigned char buf[GK_RECORD_MAX];
	size_t len;
	int rc;

	if ((rc = gk_record_encode(u, buf, sizeof(buf), &len, err)) != GK_OK)
		return rc;
	rc = pend_set(t, u->name, strlen(u->name), buf, len, err);
	gk_wipe(buf, len);
	return rc;
}

int
gk_userdb_txn_delete(struct gk_userdb_txn *t, const char *name, struct gk_err *err)
{
	struct gk_user u;
	struct pend *p;
	size_t len;
	int rc;

	if (name == NULL)
		return gk_err_set(err, "no user name"), GK_EINVAL;
	len = strnlen(name, GK_USER_MAX + 1);
	if ((p = pend_find(t, name, len)) != NULL && p->val == NULL) {
		gk_err_set(err, "no such user");
		return GK_NOTFOUND;
	}
	if (p == NULL) {
		/* Must exist in the live file; a damaged record may still be deleted. */
		if (len > GK_USER_MAX || !gk_valid_stored_user(name, len) || t->live == NULL) {
			gk_err_set(err, "no such user");
			return GK_NOTFOUND;
		}
		rc = fetch_user(t->live, t->path, name, len, &u, err);
		gk_wipe(&u, sizeof(u));
		if (rc == GK_NOTFOUND || (rc != GK_OK && rc != GK_ECORRUPT))
			return rc;
	}
	return pend_set(t, name, len, NULL, 0, err);
}

void
gk_userdb_abort(struct gk_userdb_txn *t)
{
	txn_free(t);
}

static int
store(GDBM_FILE dbf, const char *tmp, const char *k, size_t klen, const void *v, size_t vlen,
    struct gk_err *err)
{
	datum key = { (char *)k, (int)klen }, val = { (char *)v, (int)vlen };

	if (gdbm_store(dbf, key, val, GDBM_REPLACE) != 0)
		return handle_fail(err, dbf, tmp, "cannot write new database");
	return GK_OK;
}

/* Copies the live users into ndb, skipping those with a pending change. */
static int
copy_live(struct gk_userdb_txn *t, GDBM_FILE ndb, const char *tmp, struct gk_err *err)
{
	struct gk_user u;
	datum key, next, val;
	int rc = GK_OK;

	gdbm_clear_error(t->live);
	for (key = gdbm_firstkey(t->live); key.dptr != NULL; key = next) {
		if (!is_meta(key) && pend_find(t, key.dptr, (size_t)key.dsize) == NULL) {
			val = gdbm_fetch(t->live, key);
			if (val.dptr == NULL) {
				rc = handle_fail(err, t->live, t->path, "cannot read user");
			} else {
				/* Never carry a damaged record forward; replace or delete it instead. */
				rc = gk_record_decode(key.dptr, (size_t)key.dsize,
				    (unsigned char *)val.dptr, (size_t)val.dsize, &u, err);
				gk_wipe(&u, sizeof(u));
				/* Name the user only if the key is printable (it goes to a log). */
				if (rc != GK_OK && key.dsize <= GK_USER_MAX &&
				    gk_valid_stored_user(key.dptr, (size_t)key.dsize))
					gk_err_set(err, "%s: user \"%.*s\" is damaged: delete or "
					    "replace it", t->path, key.dsize, key.dptr);
				else if (rc != GK_OK)
					gk_err_set(err, "%s: a damaged key (%d bytes) blocks writes: "
					    "restore the database", t->path, key.dsize);
				else
					rc = store(ndb, tmp, key.dptr, (size_t)key.dsize, val.dptr,
					    (size_t)val.dsize, err);
				gk_wipe(val.dptr, (size_t)val.dsize);
				free(val.dptr);
			}
			if (rc != GK_OK) {
				free(key.dptr);
				return rc;
			}
		}
		next = gdbm_nextkey(t->live, key);
		free(key.dptr);
	}
	if (gdbm_last_errno(t->live) != GDBM_ITEM_NOT_FOUND &&
	    gdbm_last_errno(t->live) != GDBM_NO_ERROR)
		return handle_fail(err, t->live, t->path, "cannot list users");
	return GK_OK;
}

/* Builds the complete new database in ndb. */
static int
fill_new(struct gk_userdb_txn *t, GDBM_FILE ndb, const char *tmp, struct gk_err *err)
{
	unsigned char meta[META_LEN];
	size_t i;
	int rc;

	meta_encode(meta, t->created);
	if ((rc = store(ndb, tmp, META_KEY, META_KEYLEN, meta, META_LEN, err)) != GK_OK)
		return rc;
	if (t->live != NULL && (rc = copy_live(t, ndb, tmp, err)) != GK_OK)
		return rc;
	for (i = 0; i < t->cap; i++) {
		struct pend *p = t->tab[i];

		if (p != NULL && p->val != NULL &&
		    (rc = store(ndb, tmp, p->name, p->namelen, p->val, p->vallen, err)) != GK_OK)
			return rc;
	}
	return GK_OK;
}

/* Gives the new file the live file's owner, group and mode (0600 for a new database). */
static int
set_attrs(struct gk_userdb_txn *t, int fd, const char *tmp, struct gk_err *err)
{
	struct stat st;
	mode_t mode = 0600;

	if (t->live != NULL) {
		if (fstat(fd, &st) != 0)
			return sys_fail(err, tmp, "cannot stat", errno);
		/*
		 * Readers (the authorizer's group) must keep their access; if we cannot
		 * reproduce the ownership, refuse rather than publish a file they cannot read.
		 */
		if ((st.st_uid != t->live_st.st_uid || st.st_gid != t->live_st.st_gid) &&
		    fchown(fd, t->live_st.st_uid, t->live_st.st_gid) != 0)
			return sys_fail(err, t->path,
			    "cannot give the new database the owner/group of the live one", errno);
		mode = t->live_st.st_mode & 07777;
	}
	if (fchmod(fd, mode) != 0)
		return sys_fail(err, tmp, "cannot set mode", errno);
	return GK_OK;
}

int
gk_userdb_commit(struct gk_userdb_txn *t, struct gk_err *err)
{
	char tmp[PATH_MAX];
	GDBM_FILE ndb;
	int fd, gfd, rc;

	if (!t->dirty) {
		txn_free(t);
		return GK_OK;
	}
	snprintf(tmp, sizeof(tmp), "%s%sXXXXXX", t->path, TMP_INFIX);  /* length checked in begin */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = sys_fail(err, tmp, "cannot create temporary file", errno);
		txn_free(t);
		return rc;
	}
	/* GDBM owns (and closes) gfd; fd stays ours for fsync, fchown and fchmod. */
	if ((gfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		rc = sys_fail(err, tmp, "cannot duplicate descriptor", errno);
		goto fail;
	}
	ndb = gdbm_fd_open(gfd, tmp, 0, GDBM_NEWDB | GDBM_NOLOCK | GDBM_CLOEXEC | GDBM_CLOERROR,
	    NULL);
	if (ndb == NULL) {
		rc = gdbm_fail(err, tmp, "cannot create new database", gdbm_errno, errno);
		goto fail;
	}
	if ((rc = fill_new(t, ndb, tmp, err)) != GK_OK) {
		gdbm_close(ndb);
		goto fail;
	}
	if (gdbm_sync(ndb) != 0) {
		rc = handle_fail(err, ndb, tmp, "cannot write new database");
		gdbm_close(ndb);
		goto fail;
	}
	if (gdbm_close(ndb) != 0) {
		rc = gdbm_fail(err, tmp, "cannot write new database", gdbm_errno, errno);
		goto fail;
	}
	if (fsync(fd) != 0) {
		rc = sys_fail(err, tmp, "cannot flush new database", errno);
		goto fail;
	}
	if ((rc = set_attrs(t, fd, tmp, err)) != GK_OK)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		rc = sys_fail(err, tmp, "cannot write new database", errno);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, t->path) != 0) {
		rc = sys_fail(err, t->path, "cannot replace user database", errno);
		goto fail;
	}
	/* Published; the directory entry must reach the disk before we report success. */
	rc = GK_OK;
	if (fsync(t->dirfd) != 0)
		rc = sys_fail(err, t->dir, "database replaced, but flushing the directory failed",
		    errno);
	txn_free(t);
	return rc;

fail:
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	txn_free(t);
	return rc;
}

int
gk_userdb_create(const char *path, struct gk_err *err)
{
	struct gk_userdb_txn *t;
	struct stat st;
	int rc;

	if (path != NULL && lstat(path, &st) == 0) {
		gk_err_set(err, "%s: already exists", path);
		return GK_ERR;
	}
	if ((rc = gk_userdb_begin(path, true, 5000, &t, err)) != GK_OK)
		return rc;
	if (t->live != NULL) {
		gk_userdb_abort(t);
		gk_err_set(err, "%s: already exists", path);
		return GK_ERR;
	}
	return gk_userdb_commit(t, err);
}
