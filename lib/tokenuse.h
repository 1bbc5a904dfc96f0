/* tokenuse.h: app tokens' last-use times in a small fixed-size file in state_dir, off the user database's write path. */
#ifndef GK_TOKENUSE_H
#define GK_TOKENUSE_H

#include <stdint.h>

#include "common.h"

/*
 * "<state_dir>/token-use.tbl": a 16-byte header then GK_TOKENUSE_SLOTS slots
 * of 16 bytes (the token's 8 random id bytes, its last use as big-endian
 * seconds), never grows. A record is one pwrite under flock(), so a token
 * use never rewrites the user database. A token id lives in slot
 * (first id bytes) mod GK_TOKENUSE_SLOTS or the next GK_TOKENUSE_PROBE; a
 * full neighbourhood gives its oldest slot away (ids are random: nobody aims
 * at a slot, and losing a time loses only a hint).
 *
 * Failing safe: the times are hints. A missing, foreign (not a regular file
 * of the effective uid, or writable by group/other), short or mis-headed
 * file is never written and reads as "never used"; it never denies a
 * request and never stops a listing. gk_tokenuse_get only reads (the admin
 * tool, maybe root, reads the services' file) and needs a regular file not
 * writable by group/other.
 */
#define GK_TOKENUSE_FILE   "token-use.tbl"
#define GK_TOKENUSE_SLOTS  4096u
#define GK_TOKENUSE_PROBE  8u
#define GK_TOKENUSE_ID     8

/* Records that token id was used at now (creating the file 0600 if missing): GK_OK or an error (err). */
int gk_tokenuse_record(const char *state_dir, const unsigned char id[GK_TOKENUSE_ID], int64_t now,
    struct gk_err *err);

/* The recorded last use of token id, 0 when none (or no readable file). */
int64_t gk_tokenuse_get(const char *state_dir, const unsigned char id[GK_TOKENUSE_ID]);

#endif
