/* apptoken.h: app passwords / API tokens: the token format, its keyed hash, its scope, and adding, listing and revoking them in the user database. */
#ifndef GK_APPTOKEN_H
#define GK_APPTOKEN_H

#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "creds.h"
#include "method.h"
#include "pathread.h"
#include "record.h"

/*
 * A token is printed once and never stored:
 *
 *     gk1.<user>.<id>.<secret>
 *
 * <user> is the user name in base64url without padding (a Bearer token must
 * say whose it is; a Basic one must name the same user as the Basic name),
 * <id> 16 lowercase hex digits (8 random bytes: the lookup id, shown by
 * --token-list), <secret> 43 base64url characters (32 random bytes from
 * libsodium). At most 236 bytes, under GK_PASSWORD_MAX, so every client that
 * takes a password takes it. A password of exactly this shape is always
 * treated as a token (never as a password: a token cannot unlock the login
 * form, and a password cannot be tried twice per request).
 *
 * Stored (struct gk_cred, kind GK_CRED_TOKEN): id = the 8 id bytes, data = a
 * 16-byte random key || BLAKE2b-256 keyed with it (libsodium crypto_generichash)
 * of "gatekeep app token 1" NUL user NUL id secret. The key is per token and
 * lives beside its hash: a token does not depend on the session secret (it
 * survives --rotate-secret) nor on a database-wide pepper (the database file
 * stays format 1 and can be copied whole). The secret has 256 bits, so what
 * the keyed hash must give is that the stored value is not the token, cannot
 * be replayed as one, and binds user and id; a check is one hash and one
 * constant-time compare.
 */
#define GK_APPTOKEN_PREFIX       "gk1."
#define GK_APPTOKEN_ID_BYTES     8
#define GK_APPTOKEN_SECRET_BYTES 32
#define GK_APPTOKEN_KEY_BYTES    16
#define GK_APPTOKEN_HASH_BYTES   32
#define GK_APPTOKEN_MAX          236
/* A process records a token's use at most this often (seconds): never a write per request. */
#define GK_APPTOKEN_TOUCH_EVERY  60

struct gk_apptoken {
	char user[GK_USER_MAX + 1];
	unsigned char id[GK_APPTOKEN_ID_BYTES];
	unsigned char secret[GK_APPTOKEN_SECRET_BYTES];
};

/* Does s have the token's prefix (then it is a token or malformed, never a password)? */
bool gk_apptoken_shaped(const char *s);

/* Parses a token: GK_OK, or GK_EINVAL (malformed; t wiped). */
int gk_apptoken_parse(const char *s, struct gk_apptoken *t);

/*
 * The token check against a user's stored credentials, once u is looked up:
 * GK_OK (*match = the entry), GK_NOTFOUND (no token with that id, or a wrong
 * secret: one answer for both), or why a right token is refused:
 * GK_APPTOKEN_EXPIRED, GK_APPTOKEN_REVOKED (its generation is below the record's; one
 * above it is lib/auth's to check against the shared store: gk_auth_token).
 */
#define GK_APPTOKEN_EXPIRED 10
#define GK_APPTOKEN_REVOKED 11
int gk_apptoken_check(const struct gk_creds *c, const struct gk_user *u,
    const struct gk_apptoken *t, int64_t now, const struct gk_cred **match);

/*
 * Scope. Given on the command line as comma-separated "path=/p" (at most
 * one) and "method=M" (repeatable; also "method=GET+PROPFIND"); stored
 * canonical ("path=/p,method=GET+PROPFIND"); "" = the user's own rights.
 * The path is normalised as rules are (lib/pathnorm) and must be plain
 * ASCII. A request is in scope when EVERY reading of its path is under the
 * path (gk_path_readings_all_under: exact case, never an ambiguous path, as
 * a bypass) and every method reading (overrides included) is one of the
 * methods (ASCII case ignored, as rules do). The token never grants more
 * than its user has: the rules still apply after it.
 */
int gk_apptoken_scope_parse(const char *in, char *out, size_t outsz, struct gk_err *err);
bool gk_apptoken_scope_allows(const char *scope, const struct gk_path_readings *pr,
    const struct gk_methods *ms);

/*
 * An expiry as typed (gatekeep-passwd --expires, the account page):
 * "never" (*out = 0), N followed by s, m, h, d or w (N 1..36500, from now), or
 * YYYY-MM-DD (00:00 UTC). GK_OK, or GK_EINVAL with the reason in err (also for
 * a time not after now).
 */
int gk_apptoken_expires_parse(const char *s, int64_t now, int64_t *out, struct gk_err *err);

/*
 * Database commands (one write transaction each); messages in err.
 * add: a new token for user (must exist) named name (NULL: "token1", "token2"...),
 * expiring at expires (0: never), scope canonical; the token string (once!) into
 * token (GK_APPTOKEN_MAX + 1 bytes). GK_EDUP for a name in use, GK_ETOOLONG at
 * GK_CREDS_MAX, GK_NOTFOUND for no such user.
 */
int gk_apptoken_add(const char *dbpath, const char *user, const char *name, int64_t expires,
    const char *scope, int64_t now, char *token, struct gk_err *err);
/*
 * add_at: the same, the token's generation at least generation (with state_backend =
 * redis the store's, gk_auth_issue_generation: else a sign-out everywhere on another
 * machine, which raised only the store's, would leave the new token refused at once).
 */
int gk_apptoken_add_at(const char *dbpath, const char *user, const char *name, int64_t expires,
    const char *scope, uint32_t generation, int64_t now, char *token, struct gk_err *err);
/* revoke: GK_OK, GK_NOTFOUND (no such user or token; err says which). */
int gk_apptoken_revoke(const char *dbpath, const char *user, const char *name,
    struct gk_err *err);
/*
 * list: one line per token of user to out (name, id, times, scope, state at now);
 * last used is the later of the record's last_used and lib/tokenuse's time in
 * state_dir (NULL: the record's only).
 */
int gk_apptoken_list(const char *dbpath, const char *state_dir, const char *user, int64_t now,
    FILE *out, struct gk_err *err);

/*
 * Records that token used was used at now in state_dir's token-use file
 * (lib/tokenuse.h), never in the user database (whose every write is a
 * whole-file rewrite): one pwrite, at most once per token and
 * GK_APPTOKEN_TOUCH_EVERY in this process. The record's own last_used stays
 * as it was (older databases may hold one). GK_OK when written or skipped as
 * coalesced, else the error (the caller logs it; the time is a hint, never
 * worth a failed request).
 */
int gk_apptoken_touch(const char *state_dir, const struct gk_cred *used, int64_t now,
    struct gk_err *err);

#endif
