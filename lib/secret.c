/* secret.c: the HMAC key file: random creation, strict loading, following changes, rotation. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>

#include "secret.h"

/* 32 random bytes as unpadded base64url: 43 characters. */
#define SECRET_RAW_BYTES 32
#define SECRET_B64_SIZE sodium_base64_ENCODED_LEN(SECRET_RAW_BYTES, \
	sodium_base64_VARIANT_URLSAFE_NO_PADDING)

/* Room for "<path>.prev.XXXXXX". */
#define SECRET_PATH_SIZE (GK_PATH_MAX + 16)

static int
path_with_suffix(char *out, size_t outsz, const char *path, const char *suffix,
    struct gk_err *err)
{
	size_t pn = strlen(path), sn = strlen(suffix);

	/* every cookie's key check builds "<path>.prev": copies, not a snprintf */
	if (pn >= outsz || sn >= outsz - pn) {
		if (outsz > 0)
			out[0] = '\0';
		gk_err_set(err, "secret file path too long");
		return GK_ETOOLONG;
	}
	memcpy(out, path, pn);
	memcpy(out + pn, suffix, sn + 1);
	return GK_OK;
}

/* fsync the directory holding path, so a create or rename survives a crash. */
static int
sync_dir(const char *path, struct gk_err *err)
{
	char dir[SECRET_PATH_SIZE];
	char *slash;
	int fd, rc;

	if (gk_strcpy(dir, sizeof(dir), path) != GK_OK)
		return gk_err_set(err, "secret file path too long");
	slash = strrchr(dir, '/');
	if (slash == NULL)
		gk_strcpy(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return gk_err_set(err, "%s: %s", dir, strerror(errno));
	rc = fsync(fd);
	/* Some file systems cannot fsync a directory; that is not our failure. */
	if (rc < 0 && errno != EINVAL && errno != EROFS) {
		gk_err_set(err, "fsync %s: %s", dir, strerror(errno));
		close(fd);
		return GK_EIO;
	}
	close(fd);
	return GK_OK;
}

/* Writes the key and a newline to fd and makes it durable. */
static int
write_key_fd(int fd, const char *name, const unsigned char *key, size_t len,
    struct gk_err *err)
{
	if (gk_write_all(fd, key, len) < 0 || gk_write_all(fd, "\n", 1) < 0) {
		gk_err_set(err, "write %s: %s", name, strerror(errno));
		return GK_EIO;
	}
	if (fsync(fd) < 0) {
		gk_err_set(err, "fsync %s: %s", name, strerror(errno));
		return GK_EIO;
	}
	return GK_OK;
}

/* A fresh key: SECRET_RAW_BYTES from the system CSPRNG, base64url encoded. */
static int
new_key(char b64[SECRET_B64_SIZE], struct gk_err *err)
{
	unsigned char raw[SECRET_RAW_BYTES];

	if (sodium_init() < 0)
		return gk_err_set(err, "libsodium initialisation failed");
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(b64, SECRET_B64_SIZE, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	gk_wipe(raw, sizeof(raw));
	return GK_OK;
}

int
gk_secret_create(const char *path, struct gk_err *err)
{
	char b64[SECRET_B64_SIZE];
	int fd, rc;

	if (path == NULL || *path == '\0')
		return gk_err_set(err, "no secret file path");
	if (strlen(path) > GK_PATH_MAX)
		return gk_err_set(err, "secret file path too long");
	if ((rc = new_key(b64, err)) != GK_OK)
		return rc;
	/* O_EXCL (which also refuses a dangling symlink): never overwrite a key. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			gk_err_set(err, "%s: already exists (use rotation to replace a key)",
			    path);
		else
			gk_err_set(err, "%s: %s", path, strerror(errno));
		gk_wipe(b64, sizeof(b64));
		return GK_ERR;
	}
	rc = write_key_fd(fd, path, (const unsigned char *)b64, strlen(b64), err);
	gk_wipe(b64, sizeof(b64));
	if (close(fd) < 0 && rc == GK_OK)
		rc = gk_err_set(err, "close %s: %s", path, strerror(errno));
	if (rc == GK_OK)
		rc = sync_dir(path, err);
	if (rc != GK_OK)
		unlink(path);
	return rc;
}

/*
 * Reads and checks an open key file. The checks apply to what fd refers to,
 * so a symlinked path (container secret mounts) is judged by its target.
 */
static int
read_key_fd(int fd, const char *path, unsigned char *key, size_t *keylen,
    struct stat *st, struct gk_err *err)
{
	unsigned char buf[GK_SECRET_MAX + 2];
	size_t len = 0, i;
	int rc = GK_OK;

	*keylen = 0;
	if (fstat(fd, st) < 0)
		return gk_err_set(err, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st->st_mode))
		return gk_err_set(err, "%s: not a regular file", path);
	/* 0600 or 0640: others get nothing, the group may read but never write. */
	if ((st->st_mode & 0027) != 0)
		return gk_err_set(err, "%s: mode %04o is too open (use 0600 or 0640)",
		    path, (unsigned)(st->st_mode & 07777));
	if (st->st_size > (off_t)GK_SECRET_MAX + 1) {
		gk_err_set(err, "%s: longer than %d bytes", path, GK_SECRET_MAX);
		return GK_ETOOLONG;
	}
	/* Read one byte more than allowed, so a file that grew is still caught. */
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			gk_err_set(err, "read %s: %s", path, strerror(errno));
			rc = GK_EIO;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > GK_SECRET_MAX) {
		gk_err_set(err, "%s: longer than %d bytes", path, GK_SECRET_MAX);
		rc = GK_ETOOLONG;
		goto out;
	}
	if (len < GK_SECRET_MIN) {
		gk_err_set(err, "%s: key shorter than %d bytes", path, GK_SECRET_MIN);
		rc = GK_EINVAL;
		goto out;
	}
	/* NUL, CR, a second line, DEL: the key must be one line of text. */
	for (i = 0; i < len; i++) {
		if (buf[i] < 0x20 || buf[i] == 0x7f) {
			gk_err_set(err, "%s: control character in key", path);
			rc = GK_EINVAL;
			goto out;
		}
	}
	memcpy(key, buf, len);
	*keylen = len;
out:
	gk_wipe(buf, sizeof(buf));
	return rc;
}

/* Opens and reads a key file; GK_NOTFOUND (only) when missing_ok and it does not exist. */
static int
read_key_path(const char *path, bool missing_ok, unsigned char *key, size_t *keylen,
    struct stat *st, struct gk_err *err)
{
	int fd, rc;

	/* O_NONBLOCK: a FIFO planted at the path must not hang the reader. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return GK_NOTFOUND;
		gk_err_set(err, "%s: %s", path, strerror(errno));
		return GK_EIO;
	}
	rc = read_key_fd(fd, path, key, keylen, st, err);
	close(fd);
	return rc;
}

/* What path looks like now (its target's, for a symlink); err set when stat(2) fails. */
static void
stamp_of(const char *path, struct gk_secret_stamp *t)
{
	struct stat st;

	memset(t, 0, sizeof(*t));
	if (stat(path, &st) != 0) {
		t->err = errno != 0 ? errno : EIO;
		return;
	}
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	t->mode = st.st_mode;
	t->uid = st.st_uid;
	t->gid = st.st_gid;
	t->size = st.st_size;
	t->mtim = st.st_mtim;
	t->ctim = st.st_ctim;
}

static bool
stamp_same(const struct gk_secret_stamp *a, const struct gk_secret_stamp *b)
{
	return a->err == b->err && a->dev == b->dev && a->ino == b->ino &&
	    a->mode == b->mode && a->uid == b->uid && a->gid == b->gid && a->size == b->size &&
	    a->mtim.tv_sec == b->mtim.tv_sec && a->mtim.tv_nsec == b->mtim.tv_nsec &&
	    a->ctim.tv_sec == b->ctim.tv_sec && a->ctim.tv_nsec == b->ctim.tv_nsec;
}

/* The key material only: the stamps stay, so a broken file is not reported again. */
static void
wipe_keys(struct gk_secret *s)
{
	gk_wipe(s->key, sizeof(s->key));
	gk_wipe(s->prev, sizeof(s->prev));
	s->len = 0;
	s->prev_len = 0;
	s->prev_since = 0;
}

/*
 * Stamps both files, then reads them into s. Stamping first means a change
 * during the read shows up at the next refresh (one read too many, never one
 * too few).
 */
static int
load_files(const char *path, struct gk_secret *s, struct gk_err *err)
{
	char prev[SECRET_PATH_SIZE];
	struct stat st;
	int rc;

	static uint64_t reads;          /* per process: no two reads share an epoch */

	wipe_keys(s);
	s->epoch = ++reads;
	s->read = true;
	s->broken = true;
	if (path == NULL || *path == '\0')
		return gk_err_set(err, "no secret file path");
	if ((rc = path_with_suffix(prev, sizeof(prev), path, ".prev", err)) != GK_OK)
		return rc;
	stamp_of(path, &s->key_stamp);
	stamp_of(prev, &s->prev_stamp);
	rc = read_key_path(path, false, s->key, &s->len, &st, err);
	if (rc != GK_OK)
		goto fail;
	/* A broken .prev is an error, not "no previous key": deny rather than guess. */
	rc = read_key_path(prev, true, s->prev, &s->prev_len, &st, err);
	if (rc == GK_NOTFOUND) {
		s->prev_len = 0;
		s->prev_since = 0;
		s->broken = false;
		return GK_OK;
	}
	if (rc != GK_OK)
		goto fail;
	s->prev_since = (int64_t)st.st_mtime;
	s->broken = false;
	return GK_OK;
fail:
	wipe_keys(s);
	return rc;
}

int
gk_secret_load(const char *path, struct gk_secret *s, struct gk_err *err)
{
	if (s == NULL)
		return gk_err_set(err, "no secret buffer");
	memset(s, 0, sizeof(*s));
	return load_files(path, s, err);
}

int
gk_secret_refresh(const char *path, struct gk_secret *s, bool *report, struct gk_err *err)
{
	char prev[SECRET_PATH_SIZE];
	struct gk_secret_stamp k, p;
	bool same, was_read;
	int rc;

	if (report != NULL)
		*report = false;
	if (s == NULL)
		return gk_err_set(err, "no secret buffer");
	was_read = s->read;
	if (path == NULL || *path == '\0' ||
	    path_with_suffix(prev, sizeof(prev), path, ".prev", err) != GK_OK) {
		rc = load_files(path, s, err);     /* wipes and says why */
		if (report != NULL)
			*report = !was_read;
		return rc;
	}
	{
		/* lib/filewatch: both tags are asked every time (the first time registers them) */
		bool kq = gk_filewatch_unchanged(&s->key_watch, path);
		bool pq = gk_filewatch_unchanged(&s->prev_watch, prev);

		if (kq && pq && was_read && !s->broken)
			return GK_OK;
	}
	stamp_of(path, &k);
	stamp_of(prev, &p);
	same = was_read && stamp_same(&k, &s->key_stamp) && stamp_same(&p, &s->prev_stamp);
	if (same && !s->broken)
		return GK_OK;
	rc = load_files(path, s, err);
	if (report != NULL)
		*report = rc == GK_OK ? was_read : !same;
	return rc;
}

/*
 * Writes key to "<path>.XXXXXX" with old's mode and owner, then renames it
 * over dest. The temp file is removed on any failure.
 */
static int
replace_file(const char *dest, const unsigned char *key, size_t len, const struct stat *old,
    struct gk_err *err)
{
	char tmp[SECRET_PATH_SIZE];
	struct stat st;
	int fd, rc;

	if ((rc = path_with_suffix(tmp, sizeof(tmp), dest, ".XXXXXX", err)) != GK_OK)
		return rc;
	fd = mkostemp(tmp, O_CLOEXEC);   /* mode 0600 */
	if (fd < 0)
		return gk_err_set(err, "%s: %s", tmp, strerror(errno));
	/* Keep the owner and group, so a group-readable (0640) key stays readable by the web server. */
	if (fstat(fd, &st) < 0) {
		rc = gk_err_set(err, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if ((st.st_uid != old->st_uid || st.st_gid != old->st_gid) &&
	    fchown(fd, old->st_uid, old->st_gid) < 0) {
		rc = gk_err_set(err, "%s: cannot keep owner %lu:%lu: %s", tmp,
		    (unsigned long)old->st_uid, (unsigned long)old->st_gid, strerror(errno));
		goto fail;
	}
	if (fchmod(fd, (old->st_mode & 0750) | 0400) < 0) {
		rc = gk_err_set(err, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if ((rc = write_key_fd(fd, tmp, key, len, err)) != GK_OK)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		rc = gk_err_set(err, "close %s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dest) < 0) {
		rc = gk_err_set(err, "rename %s: %s", dest, strerror(errno));
		goto fail;
	}
	return GK_OK;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

/* Without leaked, the current key moves to .prev (accepted for one session TTL). */
int
gk_secret_rotate(const char *path, bool leaked, struct gk_err *err)
{
	char prev[SECRET_PATH_SIZE];
	char b64[SECRET_B64_SIZE];
	unsigned char cur[GK_SECRET_MAX];
	size_t curlen = 0;
	struct stat st;
	int fd, rc;

	if (path == NULL || *path == '\0')
		return gk_err_set(err, "no secret file path");
	if ((rc = path_with_suffix(prev, sizeof(prev), path, ".prev", err)) != GK_OK)
		return rc;
	/* rename() would replace a symlink by a file: rotate the link's target instead. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return gk_err_set(err, "%s: is a symlink; rotate the file it points to",
			    path);
		gk_err_set(err, "%s: %s", path, strerror(errno));
		return GK_EIO;
	}
	/* Two rotations at once would lose a key; the second one gives up. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			gk_err_set(err, "%s: another rotation is running", path);
			rc = GK_EBUSY;
		} else {
			gk_err_set(err, "lock %s: %s", path, strerror(errno));
			rc = GK_EIO;
		}
		close(fd);
		return rc;
	}
	if (!leaked)
		rc = read_key_fd(fd, path, cur, &curlen, &st, err);
	else if (fstat(fd, &st) < 0)
		rc = gk_err_set(err, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = gk_err_set(err, "%s: not a regular file", path);
	if (rc != GK_OK)
		goto out;
	if ((rc = new_key(b64, err)) != GK_OK)
		goto out;
	if (!leaked) {
		/*
		 * The old key goes to .prev first: if we die between the two renames
		 * both files hold the current key, and no session is lost.
		 */
		rc = replace_file(prev, cur, curlen, &st, err);
	} else if (unlink(prev) < 0 && errno != ENOENT) {
		/* .prev first: dying before the new key leaves the old one, and a failed command. */
		rc = gk_err_set(err, "remove %s: %s", prev, strerror(errno));
	}
	if (rc != GK_OK || (rc = sync_dir(prev, err)) != GK_OK)
		goto out;
	if ((rc = replace_file(path, (const unsigned char *)b64, strlen(b64), &st, err)) != GK_OK)
		goto out;
	rc = sync_dir(path, err);
out:
	gk_wipe(cur, sizeof(cur));
	gk_wipe(b64, sizeof(b64));
	close(fd);
	return rc;
}

bool
gk_secret_prev_usable(const struct gk_secret *s, int64_t now, int64_t window)
{
	if (s == NULL || s->prev_len < GK_SECRET_MIN || window <= 0)
		return false;
	/* A .prev dated slightly in the future (clock stepped back) still gets one window; far future, none. */
	if (s->prev_since > now)
		return s->prev_since - now < window;
	return now - s->prev_since < window;
}

void
gk_secret_wipe(struct gk_secret *s)
{
	if (s == NULL)
		return;
	gk_wipe(s, sizeof(*s));
}
