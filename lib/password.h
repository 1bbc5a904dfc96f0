/* password.h: password hashing and verification through libxcrypt (and apr-util for $apr1$/{SHA}). */
#ifndef GK_PASSWORD_H
#define GK_PASSWORD_H

#include "common.h"

enum gk_pw_method {
	GK_PW_PREFERRED = 0,  /* crypt_preferred_method(): yescrypt on Debian 12 */
	GK_PW_YESCRYPT,
	GK_PW_BCRYPT,         /* $2b$, default cost 12 (libxcrypt's default 5 is too cheap) */
	GK_PW_SHA512,         /* $6$ */
	GK_PW_SHA256          /* $5$ (legacy in libxcrypt's classification, allowed on request) */
};

enum gk_pw_verdict {
	GK_PW_MATCH = 0,
	GK_PW_MISMATCH = 1,   /* wrong password, locked ('!'/'*') or unusable hash */
	GK_PW_FAIL = -1       /* internal error (out of memory, entropy) */
};

/*
 * The most a password hash may cost to check, new (gk_pw_hash, gatekeep-passwd -C) or
 * stored (gk_pw_cost_bounded): about 2 s of one core each, what yescrypt's largest cost
 * takes. A dearer stored hash would hold a hash thread that long for any guess at its user.
 */
#define GK_PW_YESCRYPT_COST_MAX   11            /* crypt_gensalt's most: N = 2^18, r = 32, 1 GiB */
#define GK_PW_BCRYPT_COST_MAX     15            /* 2^15 rounds */
#define GK_PW_SHACRYPT_ROUNDS_MAX 5000000UL     /* 1000 times the default 5000 */
#define GK_PW_BSDICRYPT_COUNT_MAX (1UL << 22)   /* bsdicrypt's "_" count: ~1 s (2^24 - 1: ~4 s) */

/*
 * Per-process state: the 32 KiB crypt_data (heap, wiped after every use) and
 * the dummy hash for unknown users. One context per thread.
 */
struct gk_pw_ctx;

/* Creates a context; its dummy hash uses the preferred method at default cost. NULL on error. */
struct gk_pw_ctx *gk_pw_ctx_new(struct gk_err *err);
void gk_pw_ctx_free(struct gk_pw_ctx *ctx);

/*
 * Re-makes the dummy hash with method/cost (cost 0 = default, bcrypt: 12), so
 * that a program whose configured default is not the preferred method spends
 * the same time for unknown users as for real ones.
 */
int gk_pw_ctx_set_dummy(struct gk_pw_ctx *ctx, enum gk_pw_method method, unsigned long cost,
    struct gk_err *err);

/*
 * Checks a password against the chosen method before hashing: length 1..GK_PASSWORD_MAX
 * (256) bytes, not beginning with "gk1." (an app token's prefix: Basic would never try it as
 * a password), and for bcrypt at most 72 bytes (bcrypt would silently truncate).
 * GK_EINVAL for NULL/empty, GK_ETOOLONG for too long; message in err.
 */
int gk_pw_policy_check(enum gk_pw_method method, const char *password, struct gk_err *err);

/*
 * Hashes password with method; cost 0 = method default (bcrypt: 12; other
 * costs are passed to crypt_gensalt_rn unchanged). bcrypt costs below 10 are
 * refused (GK_EINVAL), as are costs over the bounds above and costs libxcrypt
 * rejects. out must hold GK_HASH_MAX bytes. Applies gk_pw_policy_check first. Salt from OS entropy.
 */
int gk_pw_hash(struct gk_pw_ctx *ctx, enum gk_pw_method method, unsigned long cost,
    const char *password, char *out, size_t outsz, struct gk_err *err);

/*
 * Verifies password against a stored hash in constant time. Empty, locked
 * ('!' or '*' prefix) or unparsable stored hashes never match, but still
 * spend the dummy-hash time; so do empty passwords, passwords over
 * GK_PASSWORD_MAX and passwords over 72 bytes against a bcrypt hash ($2a$,
 * $2b$, $2y$ are all accepted). $apr1$ and {SHA} go through apr-util when
 * built with it (without it they never match).
 */
enum gk_pw_verdict gk_pw_verify(struct gk_pw_ctx *ctx, const char *password, const char *stored);

/*
 * True when verifying against stored costs what the dummy hash costs: the same
 * method and cost parameters ("$y$j9T$", "$2b$12$"), or a locked/unusable
 * hash or one over the cost bounds (gk_pw_verify spends the dummy on it). No hashing.
 */
bool gk_pw_costs_like_dummy(const struct gk_pw_ctx *ctx, const char *stored);

/* Spends the same time as a real verification, for unknown users. Always GK_PW_MISMATCH. */
enum gk_pw_verdict gk_pw_verify_dummy(struct gk_pw_ctx *ctx, const char *password);

/*
 * True when a stored hash should be re-hashed with the preferred method on the
 * next login: libxcrypt LEGACY methods (DES, md5crypt, sha256crypt, ...),
 * $apr1$ and {SHA}, and bcrypt below cost 10 (htpasswd -B defaults to 5).
 */
bool gk_pw_needs_upgrade(const char *stored);

/*
 * True when checking a password against stored costs no more than the bounds above:
 * yescrypt ($y$, $gy$) of crypt_gensalt's flavor with 128 * r * N at most 1 GiB and no
 * further parameters, bcrypt cost at most GK_PW_BCRYPT_COST_MAX, sha-crypt rounds at most
 * GK_PW_SHACRYPT_ROUNDS_MAX, bsdicrypt's count at most GK_PW_BSDICRYPT_COUNT_MAX, or a
 * format of a fixed cost (DES, $1$, $3$, $apr1$, {SHA}). False for the other methods of a settable cost ($7$, $sha1$, $md5) and for what
 * cannot be read; gk_pw_verify never computes those (it spends the dummy and mismatches).
 * No hashing.
 */
bool gk_pw_cost_bounded(const char *stored);

/*
 * Whether a given hash may be stored (gatekeep-passwd --import): a format gk_pw_verify
 * takes, of a bounded cost, and one libxcrypt computes (a dummy password hashed with it as
 * the setting is no failure token, "$y$j.T$" is one, and is as long as stored, which
 * gk_pw_verify requires of a match). GK_OK, or GK_EINVAL with the reason in err. Spends
 * one hash.
 */
int gk_pw_hash_storable(struct gk_pw_ctx *ctx, const char *stored, struct gk_err *err);

/* True if the stored hash is in a format we can verify (libxcrypt crypt_checksalt OK/LEGACY, or apr). */
bool gk_pw_hash_supported(const char *stored);

#endif
