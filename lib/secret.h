/* secret.h: the HMAC key file: creation (random, mode 0600), strict loading, rotation. */
#ifndef GK_SECRET_H
#define GK_SECRET_H

#include "common.h"

/*
 * File format: one line of text, the key itself (so a third-party JWT verifier
 * can be configured with the same string). Created as 43 characters of
 * base64url (32 random bytes from libsodium). The HMAC key is the file's bytes
 * without the trailing newline; at least GK_SECRET_MIN bytes.
 * Rotation: the previous key lives in "<path>.prev" and is accepted for one
 * session TTL after the rotation (the .prev file's mtime).
 */
#define GK_SECRET_MIN 32
#define GK_SECRET_MAX 256

struct gk_secret {
	unsigned char key[GK_SECRET_MAX];
	size_t len;
	unsigned char prev[GK_SECRET_MAX];   /* previous key, prev_len == 0 when none */
	size_t prev_len;
	int64_t prev_since;                 /* when the rotation happened (Unix seconds) */
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
 * On failure s is wiped (len == 0). Returns GK_OK or a negative gk_status.
 */
int gk_secret_load(const char *path, struct gk_secret *s, struct gk_err *err);

/*
 * Moves the current key to "<path>.prev" and writes a new one, atomically
 * (temp + fsync + rename, .prev first, so a crash never loses the current
 * key). Keeps the file's owner, group and mode. Refuses a symlinked path
 * (rotate the target) and returns GK_EBUSY while another rotation holds the
 * lock (flock on the key file). Calls sodium_init().
 */
int gk_secret_rotate(const char *path, struct gk_err *err);

/*
 * True if s has a previous key that may still verify tokens at `now`: the
 * rotation (prev_since) happened less than `window` seconds ago (the session
 * TTL). False when window <= 0 or there is no previous key.
 */
bool gk_secret_prev_usable(const struct gk_secret *s, int64_t now, int64_t window);

/* Wipes the key material. */
void gk_secret_wipe(struct gk_secret *s);

#endif
