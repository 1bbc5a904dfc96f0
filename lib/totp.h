/* totp.h: TOTP (RFC 6238) codes over liboath and one-time recovery codes: seeds, otpauth:// URIs, checks with a step window and replay refusal. */
#ifndef GK_TOTP_H
#define GK_TOTP_H

#include <stdint.h>

#include "common.h"

/*
 * Parameters every authenticator app takes without asking: HMAC-SHA1, six
 * digits, 30-second steps from the Unix epoch. A seed is 20 random bytes
 * (RFC 4226 recommends 160 bits). A code is accepted for the current step and
 * one step either side (clock skew), and only for a step later than the last
 * one accepted: each step's code works once (RFC 6238 section 5.2).
 */
#define GK_TOTP_SEED_LEN   20
#define GK_TOTP_STEP       30
#define GK_TOTP_DIGITS     6
#define GK_TOTP_WINDOW     1
#define GK_TOTP_URI_MAX    512
#define GK_TOTP_B32_MAX    64      /* base32 of a seed, with NUL */

/*
 * Recovery codes: GK_RECOVERY_COUNT per enrolment, each 10 random bytes shown
 * as 16 lower-case base32 letters in four dash-separated groups
 * ("abcd-efgh-ijkl-mnop", 80 bits). Stored as a 16-byte random salt followed by
 * BLAKE2b-256 keyed with that salt (libsodium crypto_generichash): 80 bits
 * cannot be guessed offline even at a fast hash's speed, so no slow hash is
 * needed, and no server key either (a rotated secret_file never voids them).
 */
#define GK_RECOVERY_COUNT  10
#define GK_RECOVERY_LEN    19      /* "abcd-efgh-ijkl-mnop" */
#define GK_RECOVERY_HASH_LEN 48    /* salt (16) + hash (32) */

/* Fills seed with GK_TOTP_SEED_LEN random bytes. */
void gk_totp_seed_new(unsigned char seed[GK_TOTP_SEED_LEN]);

/* The seed in base32 (RFC 4648, unpadded, as apps take it). GK_ETOOLONG if out is too small. */
int gk_totp_seed_b32(const unsigned char *seed, size_t len, char *out, size_t outsz);

/*
 * otpauth://totp/ISSUER:USER?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30,
 * issuer and user percent-encoded. GK_EINVAL for an empty issuer or user,
 * GK_ETOOLONG if out is too small.
 */
int gk_totp_uri(const unsigned char *seed, size_t len, const char *issuer, const char *user,
    char *out, size_t outsz);

/* Is s shaped like a TOTP code (exactly GK_TOTP_DIGITS ASCII digits)? */
bool gk_totp_code_shape(const char *s);

/*
 * Checks code against seed at time now: GK_OK with *step set to the time step
 * it belongs to (now's step, or one either side) when that step is later than
 * last_step; GK_NOTFOUND for a wrong code or one whose step was already used
 * (*replay true then); GK_EINVAL for a code that is not six digits or a bad seed.
 */
int gk_totp_check(const unsigned char *seed, size_t len, int64_t now, const char *code,
    uint64_t last_step, uint64_t *step, bool *replay);

/* The code for time now (tests, and the enrolment page's self-check). */
int gk_totp_code(const unsigned char *seed, size_t len, int64_t now, char out[GK_TOTP_DIGITS + 1]);

/* A new random recovery code (text, GK_RECOVERY_LEN + 1 bytes). */
void gk_recovery_new(char code[GK_RECOVERY_LEN + 1]);

/* The stored form of code (a fresh salt and the hash, GK_RECOVERY_HASH_LEN bytes); GK_EINVAL if code is malformed. */
int gk_recovery_hash(const char *code, unsigned char *out, size_t outsz, size_t *len);

/*
 * Does the typed code (case, spaces and dashes ignored) match stored (its
 * GK_RECOVERY_HASH_LEN bytes)? Constant time in the stored value.
 */
bool gk_recovery_match(const char *typed, const unsigned char *stored, size_t storedlen);

/* The typed recovery code without case, spaces and dashes (16 base32 letters), or false. */
bool gk_recovery_norm(const char *typed, char out[GK_RECOVERY_LEN + 1]);

/* Is s shaped like a recovery code once normalised (16 base32 letters)? */
bool gk_recovery_shape(const char *typed);

#endif
