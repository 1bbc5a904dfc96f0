/* ticket.h: the zero-hop ticket: a short-lived cookie, bound to one session token, that lets nginx pass a session without asking gatekeep-authz. */
#ifndef GK_TICKET_H
#define GK_TICKET_H

#include "common.h"
#include "conf.h"
#include "record.h"
#include "secret.h"
#include "token.h"

/*
 * contrib/nginx/gatekeep.js verifies the session cookie inside nginx and
 * passes the request without a FastCGI hop only when it also carries a valid
 * ticket for that very cookie. gatekeep-authz issues the ticket (cookie
 * "<cookie_name>_ticket") whenever it allows a session, so the ticket's
 * lifetime, zero_hop_ticket_ttl, bounds how long a revocation (generation
 * bump), a disabled or deleted user, or a group change can go unseen by nginx.
 *
 * Wire format: base64url(payload) "." base64url(mac), unpadded, where
 *   payload = {"sub":..., "grp":..., "email":..., "exp":N} (grp/email only if set)
 *   mac     = HMAC-SHA256(K_t, session_token "." base64url(payload))
 *   K_t     = HMAC-SHA256(secret file's key, "gatekeep zero-hop ticket v1")
 * The derived key keeps tickets and session tokens apart: neither can ever be
 * taken for the other. The mac covers the whole session token, so a ticket is
 * worth nothing with any other cookie. exp = min(now + ttl, the token's exp).
 */
#define GK_TICKET_TTL_MAX   300         /* zero_hop_ticket_ttl upper bound, seconds */
#define GK_TICKET_MAX       1024        /* one ticket, bytes without NUL */
#define GK_TICKET_SUFFIX    "_ticket"   /* cookie name = cookie_name + this */
#define GK_TICKET_KEY_LABEL "gatekeep zero-hop ticket v1"
#define GK_TICKET_HEADER_MAX 1536       /* the whole "Set-Cookie: ...\r\n" line */

struct gk_ticket {
	char sub[GK_USER_MAX + 1];
	char grp[GK_GROUPS_MAX + 1];
	char email[GK_EMAIL_MAX + 1];
	int64_t exp;
};

/*
 * Does cfg allow tickets for user u? Only with zero_hop_ticket_ttl > 0, no
 * `rule` (the njs check cannot apply per-path requirements: with rules every
 * request goes to gatekeep-authz), no `allowed_origins` (gatekeep-authz then
 * checks the Origin of every unsafe method, which njs does not) and a user
 * whose permission allows every method (rw).
 */
bool gk_ticket_wanted(const struct gk_config *cfg, const struct gk_user *u);

/*
 * Signs a ticket for session token `token` (as sent) naming u, valid until
 * exp; writes the NUL-terminated ticket to out. GK_EINVAL for a missing key
 * or token, GK_ETOOLONG if out is too small.
 */
int gk_ticket_issue(const unsigned char *key, size_t keylen, const char *token,
    const struct gk_user *u, int64_t exp, char *out, size_t outsz, struct gk_err *err);

/*
 * The reference check (what gatekeep.js does, for tests and tools): the
 * ticket's strict shape, its mac for `token` compared in constant time, then
 * its payload; GK_OK with t filled only when now < exp. Any failure is
 * GK_EINVAL (or GK_ETOOLONG) with err set, and t zeroed.
 */
int gk_ticket_verify(const unsigned char *key, size_t keylen, const char *token,
    const char *ticket, int64_t now, struct gk_ticket *t, struct gk_err *err);

/*
 * The gatekeep-authz hook, after a session was allowed: when gk_ticket_wanted,
 * writes "Set-Cookie: <cookie_name>_ticket=...; Max-Age=...; ...\r\n" into out
 * (the session cookie's Domain, Secure and SameSite, HttpOnly, Path=/); "" in
 * every other case (and on any error, which is only logged by the caller's
 * normal decision line: a missing ticket costs a hop, never access).
 */
void gk_ticket_answer_header(const struct gk_config *cfg, const struct gk_secret *s,
    const char *cookies, const struct gk_user *u, const struct gk_claims *c, int64_t now,
    char *out, size_t outsz);

/*
 * nginx's copy of K_t (contrib/nginx/gatekeep.js verifies tickets with it and
 * nothing else; it never sees the session secret, so it cannot mint session
 * cookies): 64 lower-case hex digits and a NUL into hex. GK_EINVAL for a bad key.
 */
#define GK_TICKET_KEY_HEX 64
int gk_ticket_key_hex(const unsigned char *key, size_t keylen, char hex[GK_TICKET_KEY_HEX + 1],
    struct gk_err *err);

/*
 * Writes the nginx include "js_var $gatekeep_ticket_key <hex>;\n" to path:
 * a new file beside it (mode 0600, fsync'd) renamed over it, so nginx never
 * reads half a key. nginx's master reads includes as root; its workers need
 * nothing. GK_EINVAL for a bad key, GK_ERR for any other failure (err set
 * either way); path is then unchanged.
 */
int gk_ticket_nginx_key_write(const unsigned char *key, size_t keylen, const char *path,
    struct gk_err *err);

/* The same for the native module (contrib/nginx/gatekeep-module): "gatekeep_ticket_key <hex>;\n". */
int gk_ticket_nginx_module_key_write(const unsigned char *key, size_t keylen, const char *path,
    struct gk_err *err);

#endif
