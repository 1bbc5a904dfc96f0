/* auth.h: the one password check and the one session check, for every program that authenticates. */
#ifndef GK_AUTH_H
#define GK_AUTH_H

#include "common.h"
#include "credcache.h"
#include "creds.h"
#include "lockout.h"
#include "log.h"
#include "password.h"
#include "record.h"
#include "secret.h"
#include "sesscache.h"
#include "token.h"
#include "userbackend.h"

/*
 * Every password a client sends -- Basic, Apache's REMOTE_USER/REMOTE_PASSWD
 * pair, the login form -- goes through gk_auth_password(), as every password
 * in OpenSSH goes through auth_password(); every session cookie goes through
 * gk_auth_session(). The programs only map the status to their answer.
 *
 * Nothing here reads the clock: callers pass `now`, so the checks can be
 * driven in-process by a test.
 */

enum gk_auth_status {
	GK_AUTH_OK = 0,
	GK_AUTH_NONE,           /* session: no cookie, or an expired one (not forged) */
	GK_AUTH_BANNED,         /* the pair or the address is banned: the password was not looked at */
	GK_AUTH_LOCKED,         /* the account reached lockout_user_lock failures: not looked at either */
	GK_AUTH_THROTTLED,      /* the user's next attempt is not due yet: not looked at either */
	GK_AUTH_LOCKOUT_ERROR,  /* the failure table cannot be read or written: deny */
	GK_AUTH_BAD_NAME,       /* not a valid user name (never looked up) */
	GK_AUTH_UNKNOWN_USER,
	GK_AUTH_DISABLED,
	GK_AUTH_BAD_PASSWORD,
	GK_AUTH_DB_ERROR,       /* the user database failed (logged by the lookup) */
	GK_AUTH_INTERNAL,       /* hashing failed internally (out of memory, ...) */
	GK_AUTH_MALFORMED,      /* session: malformed cookie */
	GK_AUTH_DUPLICATE,      /* session: the cookie sent twice (cookie tossing) */
	GK_AUTH_INVALID,        /* session: bad signature, issuer, claims, ... (reason logged) */
	GK_AUTH_REVOKED,        /* session: the user's generation moved on (logout everywhere) */
	GK_AUTH_SECRET_ERROR,   /* session: the signing key cannot be had (logged by the getter) */
	GK_AUTH_PENDING,        /* the hash runs in lib/hashpool: nothing counted, the request is
	                         * decided again when it ends (its answer now is thrown away) */
	/* app tokens (gk_auth_token) */
	GK_AUTH_BAD_TOKEN,      /* malformed, another user's, unknown id or wrong secret (counted) */
	GK_AUTH_TOKEN_EXPIRED,  /* a right token past its expiry (not counted: no guess) */
	GK_AUTH_TOKEN_REVOKED   /* a right token of an older generation of its user (not counted) */
};

/* Looks a user up: GK_OK, GK_NOTFOUND, or another status (the lookup logs it). */
typedef int (*gk_auth_lookup_fn)(void *arg, const char *name, struct gk_user *u);
/* A user and their credentials from one snapshot (gk_userdb_lookup_creds); statuses as lookup. */
typedef int (*gk_auth_creds_fn)(void *arg, const char *name, struct gk_user *u,
    struct gk_creds *c);

/*
 * Per process (or per worker); holds nothing about a request. gk_auth_open
 * makes pw, cache and users and wires the backend in (lookup, and verify,
 * bind_dn and binder for a backend that checks passwords itself); the
 * caller adds its lockout table (lk, lockout_on) and creds, and
 * gk_auth_close frees all of them. A test may fill the public fields by
 * hand instead (zero the rest).
 */
struct gk_hashpool_binder;

struct gk_auth {
	struct gk_pw_ctx *pw;           /* required */
	bool lockout_on;                /* count failures and honour bans */
	struct gk_lockout *lk;          /* the table; NULL with lockout_on = every password refused */
	struct gk_credcache *cache;     /* verified passwords; NULL = none */
	struct gk_sesscache *sessions;  /* verified session tokens (lib/sesscache.h); NULL = none */
	struct gk_userbackend *users;   /* where the users come from (gk_auth_open); NULL = lookup's own */
	const struct gk_log *log;       /* lockout notices and errors */
	gk_auth_lookup_fn lookup;
	void *lookup_arg;
	gk_auth_creds_fn creds;         /* app tokens; NULL = every token refused */
	void *creds_arg;
	/*
	 * A user backend that checks passwords itself (lib/userbackend.h: an
	 * LDAP bind), called with lookup_arg; NULL: the crypt hash in the record.
	 * Every failure (unknown user: after verify_dummy) pays the dummy hash, so
	 * failures cost the same. With binder and bind_dn too (lib/userbackend's),
	 * an event core's hash pool runs the bind and that hash (lib/hashpool.h);
	 * without them, or without a pool, verify runs in line.
	 */
	enum gk_pw_verdict (*verify)(void *arg, const struct gk_user *u, const char *password);
	void (*verify_dummy)(void *arg, const char *password);
	int (*bind_dn)(void *arg, const struct gk_user *u, char *dn, size_t dnsz);
	const struct gk_hashpool_binder *binder;

	/* private */
	int64_t dummy_ns;               /* what the last dummy hash cost (CLOCK_MONOTONIC) */
	/*
	 * (user, address) pairs found unbanned in the last second, so a cached
	 * good password does not take the table's lock on every request. Any
	 * failure counted here clears it.
	 */
	struct {
		char user[GK_USER_MAX + 1];
		char addr[64];
		int64_t until;
	} memo[32];
	unsigned memo_next;
};

/*
 * The password check: name, lockout, database, hash, in that order.
 *  - user need not be valid: an invalid name is never looked up, costs the
 *    dummy hash and counts a failure against the address only;
 *  - every attempt that will be hashed is counted as a failure BEFORE
 *    hashing (gk_lockout_reserve), so parallel workers cannot pass more
 *    guesses than max_failures; a right password takes the reservation back
 *    and clears the user's counter (never the address's other failures);
 *  - a banned user or address gets GK_AUTH_BANNED before any hashing, whatever
 *    the password, so a ban is no oracle; a table that cannot be read gets
 *    GK_AUTH_LOCKOUT_ERROR (deny);
 *  - every failure costs at least the dummy hash: unknown users, disabled
 *    users and wrong passwords alike, whatever the stored method (a cheap
 *    sha-crypt/apr1/{SHA} hash is followed by the dummy), so timing tells no
 *    user names apart;
 *  - a password found in the cache (right password, unchanged record) skips
 *    hashing and counting, but not a ban;
 *  - in a process with a hash pool (gk_hashpool_current(), the event core's
 *    workers), a hash is not done here: the first call queues it and returns
 *    GK_AUTH_PENDING before counting anything; the call of the re-run takes the
 *    pool's verdict and goes on as if it had hashed (the order above holds).
 * addr is the client's address (REMOTE_ADDR), NULL when there is none.
 * GK_AUTH_OK fills *u (the caller wipes it); any other status leaves *u wiped.
 */
/*
 * The parts both FastCGI programs own, opened one way: the hash context, a
 * credential cache when with_cache and basic_cache_ttl > 0, a session token
 * cache when with_cache (lib/sesscache.h), and cfg's user
 * backend as the lookup (and, for LDAP, its bind as verify). Zeroes a first;
 * GK_OK, or an error in err with nothing left open. cfg and log must outlive a.
 */
int gk_auth_open(struct gk_auth *a, const struct gk_config *cfg, const struct gk_log *log,
    bool with_cache, struct gk_err *err);
/* Frees pw, cache, sessions, users and lk (also the caller's lockout table); NULLs them. */
void gk_auth_close(struct gk_auth *a);

enum gk_auth_status gk_auth_password(struct gk_auth *a, const char *user, const char *password,
    const char *addr, int64_t now, struct gk_user *u);

/*
 * The app token check (lib/apptoken.h), the one path for a token sent as the
 * Basic password (user = the Basic name, which must be the token's user) and
 * as "Authorization: Bearer" (user NULL: the token names its user). Never
 * called for the login form: a token is not the account's password.
 *  - a ban comes first for the token's user and address (as for a cached
 *    password: a pair found unbanned in the last second skips the table);
 *  - a token that does not verify -- malformed, another user's, an unknown
 *    id or a wrong secret -- counts one failure, as a wrong password does
 *    (the user when the name is valid, and the address) and pays the dummy
 *    hash as a wrong password does (through lib/hashpool when there is one:
 *    GK_AUTH_PENDING first, nothing counted), so that its time does not tell
 *    whether its user exists or has credentials; a right token that
 *    is expired or revoked (its generation is not the user's: with the
 *    shared store max(record, store), as for sessions; the store unreadable:
 *    GK_AUTH_LOCKOUT_ERROR) or whose user is disabled is refused without
 *    counting: it is no guess;
 *  - a good token neither counts nor clears the user's failures (it cannot
 *    launder guesses at the password), and costs one keyed hash: no cache,
 *    no hash pool, no dummy.
 * GK_AUTH_OK fills *u (the caller wipes it) and *used (the entry, its data
 * wiped: name, scope, id, last_used for the caller's scope check and
 * gk_apptoken_touch); any other status leaves both wiped.
 */
enum gk_auth_status gk_auth_token(struct gk_auth *a, const char *user, const char *token,
    const char *addr, int64_t now, struct gk_user *u, struct gk_cred *used);

/*
 * A credential checked by its own code, not by a hash (a passkey's assertion,
 * lib/login_passkey.c), through the same lockout as passwords:
 * gk_auth_attempt_begin() before the check -- a ban, lock or throttle of the
 * user (NULL or an invalid name: the address alone) at addr refuses with the
 * status the password check gives (GK_AUTH_BANNED, ...; GK_AUTH_LOCKOUT_ERROR:
 * deny), else one failure is reserved as for a password -- and
 * gk_auth_attempt_end() with the outcome: GK_AUTH_OK does what a right
 * password does (clears the user's and the pair's counts, gives the address
 * its reservation back), GK_AUTH_DB_ERROR or GK_AUTH_INTERNAL (nobody's
 * fault) takes the reservation back, any other refusal leaves it counted.
 */
enum gk_auth_status gk_auth_attempt_begin(struct gk_auth *a, const char *user, const char *addr,
    int64_t now);
void gk_auth_attempt_end(struct gk_auth *a, const char *user, const char *addr, int64_t now,
    enum gk_auth_status outcome);

/* What one session check needs besides the auth context. */
struct gk_auth_session_conf {
	/* The signing key, asked for only once a cookie is there; NULL: cannot be had. */
	const struct gk_secret *(*secret)(void *arg);
	void *secret_arg;
	const char *cookie_name;
	const char *issuer;             /* GK_TOKEN_ISSUER */
	long session_ttl;               /* longest lifetime accepted */
};

/*
 * The session check: the cookie named cookie_name in the Cookie header value
 * `cookies` (NULL: none) -> a signed token from issuer, not expired -> a user
 * that exists, is enabled and whose generation equals the token's (with the
 * shared store: max(record, store); the store unreadable: GK_AUTH_LOCKOUT_ERROR) and that
 * was created before the token was issued (iat + GK_AUTH_SESSION_LEEWAY >= created: a user
 * deleted and created again under the same name starts at generation 1 again, and the
 * sessions of the deleted one must not become the newcomer's: GK_AUTH_REVOKED). GK_AUTH_OK
 * fills *u and *c (the caller wipes both); GK_AUTH_NONE when there is no
 * cookie or it merely expired; otherwise why it was refused (a refused
 * signature or claim is logged with gk_token_reason()). A token found in
 * a->sessions skips its signature and claims (their answer is the same,
 * lib/sesscache.h), never the user's checks: a revocation or a disabled user
 * is refused at the next request. After a refusal of a
 * token that verified, c->sub still names its user, for the log: the caller
 * wipes *c in every case.
 */
#define GK_AUTH_SESSION_LEEWAY 60     /* seconds of clock skew between the machines */

/*
 * Was a token issued at iat before user u was created? Then it is a deleted namesake's
 * (generations restart at 1): every token bound to a user (session, pending second factor)
 * is refused on it.
 */
static inline bool
gk_auth_issued_before_user(int64_t iat, const struct gk_user *u)
{
	return iat + GK_AUTH_SESSION_LEEWAY < u->created;
}

enum gk_auth_status gk_auth_session(struct gk_auth *a, const struct gk_auth_session_conf *sc,
    const char *cookies, int64_t now, struct gk_user *u, struct gk_claims *c);

/*
 * Token generations with state_backend = redis (lib/statestore.h): a token
 * is valid while its generation equals max(record, store).
 * gk_auth_issue_generation: the generation a new token for u carries (the
 * record's without the store, or if the store cannot be reached: such a
 * token may be refused later, never wrongly accepted; the warning names
 * what is issued: "session", "app token").
 * gk_auth_revoke_everywhere: after the record's generation was bumped to
 * record_gen, raises the store's above every token issued so far; GK_OK
 * without the store, GK_ERR (logged) if the store cannot be reached.
 */
uint32_t gk_auth_issue_generation(struct gk_auth *a, const struct gk_user *u, const char *what);
int gk_auth_revoke_everywhere(struct gk_auth *a, const char *user, uint32_t record_gen);

/*
 * The second-factor check (lib/auth_code.c): a TOTP or recovery code for
 * user, counted in the same lockout as passwords: a ban, lock or throttle
 * refuses before the code is looked at; the attempt is reserved as a failure
 * first (parallel workers cannot pass extra guesses); a right code settles it
 * like a right password. The code itself is checked and its step or
 * recovery code used up in one transaction of the database at dbpath
 * (gk_totp_store_verify). *verdict says what the store found (for the log);
 * GK_AUTH_OK for a right code, GK_AUTH_BAD_PASSWORD for a wrong, replayed or
 * not enrolled one, GK_AUTH_DB_ERROR when the store failed.
 */
enum gk_auth_status gk_auth_code(struct gk_auth *a, const char *dbpath, const char *user,
    const char *code, const char *addr, int64_t now, int *verdict);

/*
 * Once across machines (lib/auth_code.c): with a shared store (state_backend = redis)
 * claims (kind, user, what) there for ttl seconds, so that a use another machine's copy
 * of the database never saw still counts. GK_OK: the first claim (or no store: the
 * database's own record is all there is); GK_EDUP: claimed before (a replay); GK_EIO
 * (err set): the store could not say, the caller refuses. Kinds: 'c' second-factor
 * codes, 'w' passkey challenges (the lockout uses a, p, k, u; generations g).
 */
int gk_auth_claim_once(struct gk_auth *a, char kind, const char *user, const char *what,
    long ttl, struct gk_err *err);

/*
 * The lockout key of user's codes: a right password clears the user's own
 * count (gk_auth_password), so codes count on this key as well, which only a
 * right code clears -- else whoever knows the password could guess codes
 * without end, a fresh password between every few guesses. Not a user name
 * ("\x01" first). The admin's --unban and --lockout-status of USER use it too.
 */
void gk_auth_code_key(const char *user, char out[GK_USER_MAX + 1]);

/* The deny reason for the log ("bad-password", "banned", "session-revoked", ...). */
const char *gk_auth_reason(enum gk_auth_status st);

#endif
