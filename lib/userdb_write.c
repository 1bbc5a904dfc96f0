/* userdb_write.c: the user database's writers: one lock, changes held in memory, a new file built beside the live one and renamed over it. */
#include <config.h>

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gdbm.h>
#include <sodium.h>

#include "userdb.h"
#include "userdb_file.h"
#include "validate.h"

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
		return udb_sys_fail(err, lockpath, "cannot open lock file", errno);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(t->lockfd, timeout_ms < 0 ? LOCK_EX : LOCK_EX | LOCK_NB) == 0)
			return GK_OK;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return udb_sys_fail(err, lockpath, "cannot lock", errno);
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
		rc = udb_sys_fail(err, t->dir, "cannot open directory", errno);
		goto fail;
	}
	sweep_stale(t);
	rc = udb_open_file(path, &t->live, &t->live_st, &t->created, &missing, err);
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
	int rc;

	if ((rc = udb_lookup_name(name, u, &len, err)) != GK_OK)
		return rc;
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
	return udb_fetch_user(t->live, t->path, name, len, u, err);
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

/* Deletes the credentials of user name (a no-op when there are none), even damaged ones. */
static int
creds_delete(struct gk_userdb_txn *t, const char *name, size_t len, struct gk_err *err)
{
	char key[CREDS_KEY_MAX];
	size_t klen = udb_creds_key(key, name, len);
	datum k = { key, (int)klen };
	struct pend *p = pend_find(t, key, klen);

	if (p != NULL ? p->val == NULL : t->live == NULL || !gdbm_exists(t->live, k))
		return GK_OK;
	return pend_set(t, key, klen, NULL, 0, err);
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
	/* Orphaned credentials (a damaged file, never written so) are deleted by the user's name. */
	if (len <= GK_USER_MAX && gk_valid_stored_user(name, len) && pend_find(t, name, len) == NULL &&
	    t->live != NULL && !gdbm_exists(t->live, (datum){ (char *)name, (int)len })) {
		char key[CREDS_KEY_MAX];
		size_t klen = udb_creds_key(key, name, len);

		if (gdbm_exists(t->live, (datum){ key, (int)klen }) &&
		    pend_find(t, key, klen) == NULL)
			return pend_set(t, key, klen, NULL, 0, err);
	}
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
		rc = udb_fetch_user(t->live, t->path, name, len, &u, err);
		gk_wipe(&u, sizeof(u));
		if (rc == GK_NOTFOUND || (rc != GK_OK && rc != GK_ECORRUPT))
			return rc;
	}
	/* The user's credentials go with the user, in the same commit. */
	if ((rc = creds_delete(t, name, len, err)) != GK_OK)
		return rc;
	return pend_set(t, name, len, NULL, 0, err);
}

int
udb_txn_fetch(struct gk_userdb_txn *t, const char *key, size_t klen, unsigned char **val,
    size_t *vallen, struct gk_err *err)
{
	struct pend *p;
	datum k = { (char *)key, (int)klen }, v;
	int rc;

	*val = NULL;
	*vallen = 0;
	if ((p = pend_find(t, key, klen)) != NULL) {
		if (p->val == NULL)
			return GK_NOTFOUND;
		if ((*val = malloc(p->vallen)) == NULL)
			return gk_err_set(err, "out of memory"), GK_ERR;
		memcpy(*val, p->val, p->vallen);
		*vallen = p->vallen;
		return GK_OK;
	}
	if (t->live == NULL)
		return GK_NOTFOUND;
	if ((rc = udb_fetch(t->live, t->path, k, &v, "cannot read", err)) != GK_OK)
		return rc;
	*val = (unsigned char *)v.dptr;
	*vallen = (size_t)v.dsize;
	return GK_OK;
}

int
udb_txn_set(struct gk_userdb_txn *t, const char *key, size_t klen, const unsigned char *val,
    size_t vallen, struct gk_err *err)
{
	return pend_set(t, key, klen, val, vallen, err);
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
		return udb_handle_fail(err, dbf, tmp, "cannot write new database");
	return GK_OK;
}

/* Does user name exist after this transaction (a credentials value may stay)? */
static bool
live_user_stays(struct gk_userdb_txn *t, const char *name, size_t len)
{
	struct pend *p = pend_find(t, name, len);

	if (p != NULL)
		return p->val != NULL;
	return gdbm_exists(t->live, (datum){ (char *)name, (int)len }) != 0;
}

/* Copies the live users and credentials into ndb, skipping those with a pending change. */
static int
copy_live(struct gk_userdb_txn *t, GDBM_FILE ndb, const char *tmp, struct gk_err *err)
{
	struct gk_user u;
	datum key, next, val;
	int rc = GK_OK;

	gdbm_clear_error(t->live);
	for (key = gdbm_firstkey(t->live); key.dptr != NULL; key = next) {
		if (!udb_is_meta(key) && pend_find(t, key.dptr, (size_t)key.dsize) == NULL) {
			val = gdbm_fetch(t->live, key);
			if (val.dptr == NULL) {
				rc = udb_handle_fail(err, t->live, t->path, "cannot read user");
			} else if (udb_is_creds(key)) {
				/* Checked like a record; and never carried forward without its user. */
				rc = udb_creds_check(t->path, key, (unsigned char *)val.dptr,
				    (size_t)val.dsize, err);
				if (rc == GK_OK && !live_user_stays(t, key.dptr + 1,
				    (size_t)key.dsize - 1)) {
					gk_err_set(err, "%s: credentials of user \"%.*s\" without the "
					    "user: delete that user", t->path, key.dsize - 1,
					    key.dptr + 1);
					rc = GK_ECORRUPT;
				}
				if (rc == GK_OK)
					rc = store(ndb, tmp, key.dptr, (size_t)key.dsize, val.dptr,
					    (size_t)val.dsize, err);
				gk_wipe(val.dptr, (size_t)val.dsize);
				free(val.dptr);
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
	return udb_walk_end(t->live, t->path, "cannot list users", err);
}

/* Builds the complete new database in ndb. */
static int
fill_new(struct gk_userdb_txn *t, GDBM_FILE ndb, const char *tmp, struct gk_err *err)
{
	unsigned char meta[META_LEN];
	size_t i;
	int rc;

	udb_meta_encode(meta, t->created);
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
			return udb_sys_fail(err, tmp, "cannot stat", errno);
		/*
		 * Readers (the authorizer's group) must keep their access; if we cannot
		 * reproduce the ownership, refuse rather than publish a file they cannot read.
		 */
		if ((st.st_uid != t->live_st.st_uid || st.st_gid != t->live_st.st_gid) &&
		    fchown(fd, t->live_st.st_uid, t->live_st.st_gid) != 0)
			return udb_sys_fail(err, t->path,
			    "cannot give the new database the owner/group of the live one", errno);
		mode = t->live_st.st_mode & 07777;
	}
	if (fchmod(fd, mode) != 0)
		return udb_sys_fail(err, tmp, "cannot set mode", errno);
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
		rc = udb_sys_fail(err, tmp, "cannot create temporary file", errno);
		txn_free(t);
		return rc;
	}
	/* GDBM owns (and closes) gfd; fd stays ours for fsync, fchown and fchmod. */
	if ((gfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		rc = udb_sys_fail(err, tmp, "cannot duplicate descriptor", errno);
		goto fail;
	}
	ndb = gdbm_fd_open(gfd, tmp, 0, GDBM_NEWDB | GDBM_NOLOCK | GDBM_CLOEXEC | GDBM_CLOERROR,
	    NULL);
	if (ndb == NULL) {
		rc = udb_gdbm_fail(err, tmp, "cannot create new database", gdbm_errno, errno);
		goto fail;
	}
	if ((rc = fill_new(t, ndb, tmp, err)) != GK_OK) {
		gdbm_close(ndb);
		goto fail;
	}
	if (gdbm_sync(ndb) != 0) {
		rc = udb_handle_fail(err, ndb, tmp, "cannot write new database");
		gdbm_close(ndb);
		goto fail;
	}
	if (gdbm_close(ndb) != 0) {
		rc = udb_gdbm_fail(err, tmp, "cannot write new database", gdbm_errno, errno);
		goto fail;
	}
	if (fsync(fd) != 0) {
		rc = udb_sys_fail(err, tmp, "cannot flush new database", errno);
		goto fail;
	}
	if ((rc = set_attrs(t, fd, tmp, err)) != GK_OK)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		rc = udb_sys_fail(err, tmp, "cannot write new database", errno);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, t->path) != 0) {
		rc = udb_sys_fail(err, t->path, "cannot replace user database", errno);
		goto fail;
	}
	/* Published; the directory entry must reach the disk before we report success. */
	rc = GK_OK;
	if (fsync(t->dirfd) != 0)
		rc = udb_sys_fail(err, t->dir, "database replaced, but flushing the directory failed",
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
	if (t == NULL)
		return gk_err_set(err, "%s: no transaction", path);
	if (t->live != NULL) {
		gk_userdb_abort(t);
		gk_err_set(err, "%s: already exists", path);
		return GK_ERR;
	}
	return gk_userdb_commit(t, err);
}
