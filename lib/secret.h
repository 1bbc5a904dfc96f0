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

/* Creates a new secret file (O_EXCL, mode 0600). GK_ERR if it exists. */
int gk_secret_create(const char *path, struct gk_err *err);

/*
 * Loads the key (and "<path>.prev" if present). Refuses: missing or unreadable
 * file, not a regular file, readable or writable by "other" (mode & 007),
 * shorter than GK_SECRET_MIN, longer than GK_SECRET_MAX, NUL or control bytes.
 */
int gk_secret_load(const char *path, struct gk_secret *s, struct gk_err *err);

/* Moves the current key to "<path>.prev" and writes a new one, atomically (temp + rename). */
int gk_secret_rotate(const char *path, struct gk_err *err);

/* Wipes the key material. */
void gk_secret_wipe(struct gk_secret *s);

#endif
