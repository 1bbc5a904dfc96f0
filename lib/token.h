/* token.h: the session cookie: an HS256 JWT (RFC 7519) issued and verified with the secret file's key. */
#ifndef GK_TOKEN_H
#define GK_TOKEN_H

#include "common.h"
#include "secret.h"

/*
 * Wire format: base64url(header) "." base64url(payload) "." base64url(HMAC),
 * unpadded. We issue the header {"alg":"HS256","typ":"JWT"} and a payload
 * {"iss","sub","grp"?,"email"?,"name"?,"iat","exp","gen"} (empty optional
 * claims are left out). Any HS256 verifier (PyJWT, jose, Go jwt) configured
 * with the secret file's string as key accepts our tokens, and we accept
 * theirs if they satisfy the rules below.
 *
 * Verification order (SECURITY.md 1.5, rule 6):
 *  1. length <= GK_TOKEN_MAX, only base64url characters and exactly two dots;
 *  2. strict base64url of the signature (no padding, no '+' '/', no
 *     whitespace, canonical trailing bits), exactly 32 bytes;
 *  3. HMAC-SHA256 over "header.payload" compared in constant time, with the
 *     current key, then the previous key while gk_secret_prev_usable(now, ttl);
 *  4. only then JSON: header is an object with "alg":"HS256" and optionally
 *     "typ":"JWT", no other key (so no kid/jku/jwk/x5u/crit), no duplicates;
 *  5. payload: an object without duplicate keys, nesting <= 8 deep;
 *     sub: valid user name (gk_valid_user); iss: equal to the expected one;
 *     iat, exp: integers, 0 < iat < exp <= GK_TOKEN_TIME_MAX,
 *     exp - iat <= min(ttl, GK_TOKEN_LIFETIME_MAX), iat <= now + leeway,
 *     now < exp + leeway; gen: integer 0..UINT32_MAX;
 *     optional grp (string, gk_valid_group_list), email (string,
 *     gk_valid_email), name (string, gk_valid_display), nbf (integer,
 *     <= now + leeway); "aud" is refused (we have no audience to check it
 *     against, as PyJWT does); other claims are ignored.
 * The caller still has to compare gen with the user's current generation.
 */
#define GK_TOKEN_MAX          4096                 /* whole token, bytes, without NUL */
#define GK_TOKEN_ISSUER       "gatekeep"           /* iss of every session token: gatekeep-login issues, gatekeep-authz expects */
#define GK_TOKEN_ISS_MAX      127                  /* issuer string, bytes */
#define GK_TOKEN_LIFETIME_MAX (30 * 86400)         /* exp - iat, seconds */
#define GK_TOKEN_LEEWAY_MAX   300                  /* clock skew we are willing to allow */
#define GK_TOKEN_TIME_MAX     INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

struct gk_claims {
	char sub[GK_USER_MAX + 1];
	char grp[GK_GROUPS_MAX + 1];       /* comma list, "" = none */
	char email[GK_EMAIL_MAX + 1];      /* "" = none */
	char name[GK_DISPLAY_MAX + 1];     /* display name, "" = none */
	char iss[GK_TOKEN_ISS_MAX + 1];
	int64_t iat;
	int64_t exp;
	uint32_t gen;
	uint32_t amr;                      /* GK_AMR_* bits; 0 = no "amr" claim (an older cookie: password only) */
};

/*
 * "amr" (RFC 8176 values, a JSON array of strings): how the session was
 * authenticated. Issued only when not 0; on verification an absent claim is
 * 0, values we do not know are ignored, anything but an array of strings is
 * GK_TOKEN_BADCLAIMS. A second factor is "otp" (TOTP or a recovery code) or
 * "hwk" (a passkey).
 */
#define GK_AMR_PWD  0x1u       /* "pwd" */
#define GK_AMR_OTP  0x2u       /* "otp" */
#define GK_AMR_HWK  0x4u       /* "hwk" */
#define GK_AMR_SECOND_FACTOR (GK_AMR_OTP | GK_AMR_HWK)

/*
 * Why a token was refused. Distinct from enum gk_status values, all negative,
 * so "rc != GK_OK" still means "deny". Safe to log; the token itself never is.
 */
enum gk_token_result {
	GK_TOKEN_OK = GK_OK,
	GK_TOKEN_MALFORMED = -100,   /* size, characters, segments, base64url, JSON syntax */
	GK_TOKEN_BADSIG = -101,      /* HMAC does not match any usable key */
	GK_TOKEN_BADHEADER = -102,   /* alg other than HS256, unknown header key, duplicates */
	GK_TOKEN_BADCLAIMS = -103,   /* missing/mistyped/invalid claim, lifetime too long */
	GK_TOKEN_EXPIRED = -104,     /* now >= exp + leeway */
	GK_TOKEN_NOTYET = -105,      /* iat or nbf after now + leeway */
	GK_TOKEN_WRONGISS = -106,    /* iss differs from the expected issuer */
	GK_TOKEN_NOKEY = -107        /* no key, or a key shorter than GK_SECRET_MIN */
};

/* A short, fixed, loggable name for a gk_token_result ("bad-signature", ...). */
const char *gk_token_reason(int rc);

/*
 * Signs the claims in c with key (keylen >= GK_SECRET_MIN, else
 * GK_TOKEN_NOKEY; keylen <= GK_SECRET_MAX) and writes the NUL-terminated
 * token to out. c must itself pass the verification rules (valid sub, iss
 * non-empty, iat < exp, exp - iat <= GK_TOKEN_LIFETIME_MAX, ...): otherwise
 * GK_TOKEN_BADCLAIMS. GK_ETOOLONG if out (outsz) is too small; GK_TOKEN_MAX + 1
 * is always enough.
 */
int gk_token_issue(const unsigned char *key, size_t keylen, const struct gk_claims *c,
    char *out, size_t outsz, struct gk_err *err);

/*
 * Verifies token (NUL-terminated) against s (current key, then the previous
 * one during its window), as described above. expected_iss must be
 * non-empty; leeway is clamped to 0..GK_TOKEN_LEEWAY_MAX; ttl is the session
 * TTL: the largest exp - iat accepted (capped at GK_TOKEN_LIFETIME_MAX; <= 0
 * means the cap) and how long the previous key stays valid after rotation.
 * On GK_OK fills c; on failure c is zeroed and err says why (without the
 * token). Returns a gk_token_result.
 */
int gk_token_verify(const struct gk_secret *s, const char *token, const char *expected_iss,
    int64_t now, int64_t leeway, int64_t ttl, struct gk_claims *c, struct gk_err *err);

/* The same, and which key verified it: *by_prev false for s->key, true for s->prev (on GK_OK). */
int gk_token_verify_key(const struct gk_secret *s, const char *token, const char *expected_iss,
    int64_t now, int64_t leeway, int64_t ttl, struct gk_claims *c, bool *by_prev,
    struct gk_err *err);

#endif
