/* secret.h: the HMAC key file: creation (random, mode 0600), strict loading, rotation. */
#ifndef GK_SECRET_H
#define GK_SECRET_H

#include <sys/types.h>
#include <time.h>

#include "common.h"
#include "filewatch.h"

/*
 * File format: one line of text, the key itself (so a third-party JWT verifier
 * can be configured with the same string). Created as 43 characters of
 * base64url (32 random bytes from libsodium). The HMAC key is the file's bytes
 * without the trailing newline; at least GK_SECRET_MIN bytes.
 * Rotation: the previous key lives in "<path>.prev" and is accepted for one
 * session TTL after the rotation (the .prev file's mtime). A rotation because
 * the key leaked removes "<path>.prev": no old cookie is accepted any more.
 * The long-running programs follow the files (gk_secret_refresh): a rotation
 * takes effect at the next request, without a restart or a signal.
 */
#define GK_SECRET_MIN 32
#define GK_SECRET_MAX 256

/* What a key file looked like when it was last read; any difference means "read it again". */
struct gk_secret_stamp {
	int err;                            /* errno of stat(2) (ENOENT: no such file), 0 if found */
	dev_t dev;
	ino_t ino;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	off_t size;
	struct timespec mtim, ctim;         /* ctim: a chmod/chown changes nothing else */
};

struct gk_secret {
	unsigned char key[GK_SECRET_MAX];
	size_t len;
	unsigned char prev[GK_SECRET_MAX];   /* previous key, prev_len == 0 when none */
	size_t prev_len;
	int64_t prev_since;                 /* when the rotation happened (Unix seconds) */
	/* For gk_secret_refresh: the two files as they were just before the last read. */
	struct gk_secret_stamp key_stamp, prev_stamp;
	bool read;                          /* the files were read (well or not) at least once */
	bool broken;                        /* the last read failed: no key (len == 0) */
	uint64_t epoch;                     /* new at every (re)read: lib/sesscache empties on a change */
	struct gk_filewatch_tag key_watch, prev_watch;  /* lib/filewatch: no stat while quiet */
};

/*
 * Creates a new secret file (O_EXCL, mode 0600, fsync'd with its directory).
 * GK_ERR if it exists (also if it is a symlink, dangling or not).
 * Calls sodium_init().
 */
int gk_secret_create(const char *path, struct gk_err *err);

/*
 * Loads the key (and "<path>.prev" if present). Refuses: missing or unreadable
 * file, not a regular file, group-writable or accessible by "other"
 * (mode & 027: 0600 and 0640 are fine), shorter than GK_SECRET_MIN, longer
 * than GK_SECRET_MAX, NUL or control bytes (CR included; exactly one trailing
 * LF is stripped). Symlinks are followed and the checks apply to the target
 * (container secret mounts are symlinks). A "<path>.prev" that exists but
 * fails the same checks is an error, not "no previous key".
 * On failure the keys are wiped (len == 0, prev_len == 0) and s->broken is
 * set. Either way s remembers what the files looked like (stat before the
 * read), for gk_secret_refresh. Returns GK_OK or a negative gk_status.
 */
int gk_secret_load(const char *path, struct gk_secret *s, struct gk_err *err);

/*
 * The key that follows its file, for a long-running process: call it before
 * every use of s (two stat(2) calls when nothing changed). s must be zeroed
 * (never loaded: it is loaded now) or come from gk_secret_load/refresh of the
 * same path. In a process with a lib/filewatch watcher the two stat(2) calls are
 * skipped while it saw nothing happen to either path (filewatch.h). When the key file or "<path>.prev" changed since the last read
 * (a new inode after a rotation, size, mtime, ctime, mode, owner, appearing
 * or vanishing), both are read again with gk_secret_load's checks; the old
 * key material is wiped first, whatever the outcome.
 * GK_OK: s holds the keys to use now. Otherwise the key is unusable: len == 0,
 * s->broken, err says why; the caller refuses every cookie (fail closed, never
 * the stale key). A broken key is read again at every call, so a repair needs
 * no restart either.
 * *report (may be NULL) tells the caller to log this outcome, so that each
 * change is logged once and not at every request: true for a failure when the
 * files differ from the last read (the first failure included), and for a
 * success that replaced a key or ended a failure (the first load is quiet).
 */
int gk_secret_refresh(const char *path, struct gk_secret *s, bool *report, struct gk_err *err);

/*
 * Moves the current key to "<path>.prev" and writes a new one, atomically
 * (temp + fsync + rename, .prev first, so a crash never loses the current
 * key). Keeps the file's owner, group and mode. Refuses a symlinked path
 * (rotate the target) and returns GK_EBUSY while another rotation holds the
 * lock (flock on the key file). Calls sodium_init().
 *
 * leaked, for a key that leaked: removes "<path>.prev" instead, so no cookie
 * signed before is accepted any more, at the next request of every worker
 * (gk_secret_refresh). The current file must then be a regular file; its
 * content is not checked (a broken or world-readable key may be what leaked).
 * The new one keeps its owner and group and gets mode (old & 0750) | 0400.
 */
int gk_secret_rotate(const char *path, bool leaked, struct gk_err *err);

/*
 * True if s has a previous key that may still verify tokens at `now`: the
 * rotation (prev_since) happened less than `window` seconds ago (the session
 * TTL). False when window <= 0 or there is no previous key.
 */
bool gk_secret_prev_usable(const struct gk_secret *s, int64_t now, int64_t window);

/* Wipes the key material. */
void gk_secret_wipe(struct gk_secret *s);

#endif
