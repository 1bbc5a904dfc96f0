/* auth.c: the one password check and the one session check, for every program that authenticates. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "apptoken.h"
#include "cookie.h"
#include "hashpool.h"
#include "validate.h"
#include "metrics.h"

static void
lockout_notice(struct gk_auth *a)
{
	char note[512];

	if (a->lk != NULL && gk_lockout_notice(a->lk, note, sizeof(note)))
		gk_log(a->log, LOG_WARNING, "%s", note);
}

/* A refusing lockout verdict as a status. */
static enum gk_auth_status
verdict_status(int verdict)
{
	switch (verdict) {
	case GK_LOCKOUT_LOCKED: return GK_AUTH_LOCKED;
	case GK_LOCKOUT_THROTTLED: return GK_AUTH_THROTTLED;
	default: return GK_AUTH_BANNED;
	}
}

static bool
memo_hit(const struct gk_auth *a, const char *user, const char *addr, int64_t now)
{
	size_t i;

	for (i = 0; i < sizeof(a->memo) / sizeof(a->memo[0]); i++)
		if (a->memo[i].until >= now && strcmp(a->memo[i].user, user) == 0 &&
		    strcmp(a->memo[i].addr, addr) == 0)
			return true;
	return false;
}

static void
memo_put(struct gk_auth *a, const char *user, const char *addr, int64_t now)
{
	unsigned i = a->memo_next++ % (sizeof(a->memo) / sizeof(a->memo[0]));

	if (gk_strcpy(a->memo[i].user, sizeof(a->memo[i].user), user) != GK_OK ||
	    gk_strcpy(a->memo[i].addr, sizeof(a->memo[i].addr), addr) != GK_OK) {
		a->memo[i].until = 0;
		return;
	}
	a->memo[i].until = now + 1;
}

/*
 * Before any hashing: may this user (NULL: an invalid name, the address
 * alone), from this address, try a password now? GK_AUTH_OK, GK_AUTH_BANNED
 * or GK_AUTH_LOCKOUT_ERROR (a table we cannot read: fail safe).
 */
static enum gk_auth_status
lockout_admits(struct gk_auth *a, const char *user, const char *addr, int64_t now, bool cached)
{
	struct gk_err err = { "" };
	const char *maddr = addr != NULL ? addr : "";
	int rc;

	if (!a->lockout_on)
		return GK_AUTH_OK;
	/*
	 * A password this process verified (a cache hit) from a pair it found
	 * unbanned within the last second: skip the table. Guesses are never
	 * cache hits, so they always meet the table; a ban set by another
	 * process reaches good cached passwords at most a second or two late.
	 */
	if (cached && memo_hit(a, user, maddr, now))
		return GK_AUTH_OK;
	if (a->lk == NULL)
		return GK_AUTH_LOCKOUT_ERROR;
	rc = gk_lockout_check(a->lk, user, addr, now, NULL, &err);
	lockout_notice(a);
	if (rc == GK_LOCKOUT_ALLOW) {
		if (cached)
			memo_put(a, user, maddr, now);
		return GK_AUTH_OK;
	}
	if (rc < 0) {
		gk_log(a->log, LOG_ERR, "%s", err.msg);
		return GK_AUTH_LOCKOUT_ERROR;
	}
	return verdict_status(rc);
}

/*
 * Every attempt that will be hashed is counted first, as a failure, under the
 * table's exclusive lock: N workers hashing at once cannot each pass the
 * check (about N-1 extra guesses with check-then-count). GK_AUTH_OK,
 * GK_AUTH_BANNED (nothing counted) or GK_AUTH_LOCKOUT_ERROR.
 */
static enum gk_auth_status
lockout_reserve(struct gk_auth *a, const char *user, const char *addr, int64_t now)
{
	struct gk_err err = { "" };
	int rc;

	if (!a->lockout_on)
		return GK_AUTH_OK;
	if (a->lk == NULL)
		return GK_AUTH_LOCKOUT_ERROR;
	memset(a->memo, 0, sizeof(a->memo));
	rc = gk_lockout_reserve(a->lk, user, addr, now, &err);
	lockout_notice(a);
	if (rc == GK_LOCKOUT_ALLOW)
		return GK_AUTH_OK;
	if (rc < 0) {
		gk_log(a->log, LOG_ERR, "%s", err.msg);
		return GK_AUTH_LOCKOUT_ERROR;
	}
	return verdict_status(rc);
}

/*
 * The reserved attempt was no guess after all: a password really checked
 * (not a cache hit) clears the user's counter, and the address gets its
 * reserved failure back -- never more, so one good account cannot launder
 * guesses at others. With refund_user (an internal error, the client's
 * fault in nothing) the user's reservation is merely taken back.
 */
static void
lockout_settle(struct gk_auth *a, const char *user, const char *addr, int64_t now,
    bool refund_user)
{
	struct gk_err err = { "" };

	if (!a->lockout_on || a->lk == NULL)
		return;
	if ((refund_user ? gk_lockout_refund(a->lk, user, addr, now, &err) :
	    gk_lockout_success(a->lk, user, addr, now, &err)) < 0)
		gk_log(a->log, LOG_ERR, "%s", err.msg);
	else if (!refund_user && addr != NULL && gk_lockout_refund(a->lk, NULL, addr, now, &err) < 0)
		gk_log(a->log, LOG_ERR, "%s", err.msg);
	lockout_notice(a);
}

/* The dummy hash, timed: what a failure must cost whatever the stored method. */
static void
dummy_hash(struct gk_auth *a, const char *password)
{
	int64_t t0 = gk_mono_ns();

	gk_pw_verify_dummy(a->pw, password);
	a->dummy_ns = gk_mono_ns() - t0;
	gk_metrics_password(NULL, a->dummy_ns);
}

/*
 * A failure against a stored hash of another method or cost than the dummy's
 * that took less than half the dummy (a sha-crypt, apr1 or {SHA} hash is ~30
 * times cheaper than yescrypt) also pays the dummy, so that an imported user's
 * wrong password costs what an unknown user's does and user names cannot be
 * told apart by timing. Real hashing rather than a sleep: it scales with the
 * machine's load exactly as the dummy does. A hash like the dummy's never pays
 * twice, not even in a fresh CGI process that has not timed the dummy yet.
 */
static void
cost_like_dummy(struct gk_auth *a, const char *stored, const char *password, int64_t t0)
{
	if (gk_pw_costs_like_dummy(a->pw, stored))
		return;
	if (a->dummy_ns == 0 || gk_mono_ns() - t0 < a->dummy_ns / 2)
		dummy_hash(a, password);
}

/*
 * A refusal decided before any stored hash was checked (a user name that is not one, a
 * token that did not verify): one failure counted for user (NULL: the address alone) and
 * addr, and the dummy hash paid as for a wrong password, through pool when there is one
 * (GK_AUTH_PENDING first, nothing counted). Returns st, or the lockout's own refusal.
 */
static enum gk_auth_status
refuse_unverified(struct gk_auth *a, struct gk_hashpool *pool, const char *user,
    const char *secret, const char *addr, int64_t now, enum gk_auth_status st)
{
	enum gk_hashpool_state hs;
	enum gk_auth_status ls;
	enum gk_pw_verdict v;

	/* a ban first, as in line: the pool spends no hash on a banned pair or address */
	if (pool != NULL && (ls = lockout_admits(a, user, addr, now, false)) != GK_AUTH_OK)
		return ls;
	hs = gk_hashpool_verify(pool, GK_HASHPOOL_DUMMY, user != NULL ? user : "", secret, NULL,
	    false, now, &v);
	if (hs == GK_HASHPOOL_PENDING)
		return GK_AUTH_PENDING;
	if ((ls = lockout_reserve(a, user, addr, now)) != GK_AUTH_OK)
		return ls;
	if (hs != GK_HASHPOOL_DONE)
		dummy_hash(a, secret);
	return st;
}

enum gk_auth_status
gk_auth_password(struct gk_auth *a, const char *user, const char *password, const char *addr,
    int64_t now, struct gk_user *u)
{
	enum gk_auth_status st;
	enum gk_pw_verdict v;
	/* a backend's own check (an LDAP bind): in the pool when it gave a binder */
	struct gk_hashpool *pool = a->verify == NULL || (a->binder != NULL && a->bind_dn != NULL) ?
	    gk_hashpool_current() : NULL;
	enum gk_hashpool_state hs = GK_HASHPOOL_INLINE;
	bool cached = false;
	char dn[GK_HASHPOOL_STORED_MAX];
	int64_t t0;
	int rc;

	memset(u, 0, sizeof(*u));
	if (password == NULL)
		password = "";
	if (user == NULL || !gk_valid_user(user, strlen(user))) {
		/* Never looked up; the address alone counts. */
		return refuse_unverified(a, pool, NULL, password, addr, now, GK_AUTH_BAD_NAME);
	}
	/*
	 * The record is read first (no hashing) only to tell a cached good
	 * password; the ban still comes before any hashing.
	 */
	rc = a->lookup(a->lookup_arg, user, u);
	if (rc == GK_OK) {
		cached = !(u->flags & GK_USER_DISABLED) && gk_credcache_check(a->cache, u->name,
		    password, u->hash, u->generation, u->updated, now);
	} else if (rc != GK_NOTFOUND) {
		gk_wipe(u, sizeof(*u));
		return GK_AUTH_DB_ERROR;
	}
	/* A miss: the pool hashes (first run: nothing counted yet) or has hashed (re-run). */
	if (!cached && pool != NULL) {
		/* a ban first, as in line: the pool spends no hash on a banned pair or address */
		if ((st = lockout_admits(a, user, addr, now, false)) != GK_AUTH_OK) {
			gk_wipe(u, sizeof(*u));
			return st;
		}
		if (a->verify != NULL)  /* the DN not to be had: in line, as verify fails */
			hs = rc != GK_OK ? gk_hashpool_bind(pool, a->binder, user, password, NULL,
			    false, now, &v) : a->bind_dn(a->lookup_arg, u, dn, sizeof(dn)) == GK_OK ?
			    gk_hashpool_bind(pool, a->binder, u->name, password, dn,
			    (u->flags & GK_USER_DISABLED) != 0, now, &v) : GK_HASHPOOL_INLINE;
		else
			hs = rc == GK_OK ? gk_hashpool_verify(pool, GK_HASHPOOL_VERIFY, u->name,
			    password, u->hash, (u->flags & GK_USER_DISABLED) != 0, now, &v) :
			    gk_hashpool_verify(pool, GK_HASHPOOL_DUMMY, user, password, NULL, false,
			    now, &v);
		gk_wipe(dn, sizeof(dn));
		if (hs == GK_HASHPOOL_PENDING) {
			if (rc == GK_OK && !(u->flags & GK_USER_DISABLED))
				gk_metrics_basic_cache(false);
			gk_wipe(u, sizeof(*u));
			return GK_AUTH_PENDING;
		}
	}
	/* One cache lookup per request: not again when the pool's verdict decides it (DONE). */
	if (rc == GK_OK && !(u->flags & GK_USER_DISABLED) && hs != GK_HASHPOOL_DONE)
		gk_metrics_basic_cache(cached);
	/* A cache hit is a password verified before: checked against bans, never counted. */
	st = cached ? lockout_admits(a, user, addr, now, true) : lockout_reserve(a, user, addr, now);
	if (st != GK_AUTH_OK) {
		gk_wipe(u, sizeof(*u));
		return st;
	}
	if (cached)
		return GK_AUTH_OK;
	if (rc == GK_NOTFOUND) {
		if (a->verify_dummy != NULL && hs != GK_HASHPOOL_DONE)
			a->verify_dummy(a->lookup_arg, password);       /* what a bind costs */
		if (hs != GK_HASHPOOL_DONE)
			dummy_hash(a, password);        /* unknown users count too: no enumeration by ban */
		return GK_AUTH_UNKNOWN_USER;
	}
	t0 = gk_mono_ns();
	if (hs == GK_HASHPOOL_DONE)
		;                               /* the pool's bind or hash gave v */
	else if (a->verify != NULL)
		v = a->verify(a->lookup_arg, u, password);
	else {
		v = gk_pw_verify(a->pw, password, u->hash);
		gk_metrics_password(u->hash, gk_mono_ns() - t0);
	}
	if (v == GK_PW_MATCH && !(u->flags & GK_USER_DISABLED)) {
		gk_credcache_put(a->cache, u->name, password, u->hash, u->generation, u->updated, now);
		lockout_settle(a, u->name, addr, now, false);
		return GK_AUTH_OK;
	}
	if (v == GK_PW_FAIL && !(u->flags & GK_USER_DISABLED)) {
		lockout_settle(a, user, addr, now, true);
		st = GK_AUTH_INTERNAL;
	} else {
		/* Disabled (whatever the password) or wrong: the reservation stays a failure. */
		if (a->verify == NULL && !(u->flags & GK_USER_DISABLED) && !gk_pw_cost_bounded(u->hash))
			gk_log(a->log, LOG_WARNING, "user %s: password hash cost over the limit: "
			    "re-set this password (gatekeep-passwd)", u->name);
		if (a->verify != NULL && hs != GK_HASHPOOL_DONE)
			dummy_hash(a, password);        /* as an unknown user's bind + dummy */
		else if (hs != GK_HASHPOOL_DONE)     /* the pool's job paid it already */
			cost_like_dummy(a, u->hash, password, t0);
		st = (u->flags & GK_USER_DISABLED) ? GK_AUTH_DISABLED : GK_AUTH_BAD_PASSWORD;
	}
	gk_wipe(u, sizeof(*u));
	return st;
}

/* --- credentials checked by their own code (passkeys): the password's lockout --- */

enum gk_auth_status
gk_auth_attempt_begin(struct gk_auth *a, const char *user, const char *addr, int64_t now)
{
	if (user != NULL && !gk_valid_user(user, strlen(user)))
		user = NULL;
	return lockout_reserve(a, user, addr, now);
}

void
gk_auth_attempt_end(struct gk_auth *a, const char *user, const char *addr, int64_t now,
    enum gk_auth_status outcome)
{
	if (user != NULL && !gk_valid_user(user, strlen(user)))
		user = NULL;
	if (outcome == GK_AUTH_OK && user != NULL)
		lockout_settle(a, user, addr, now, false);
	else if (outcome == GK_AUTH_DB_ERROR || outcome == GK_AUTH_INTERNAL)
		lockout_settle(a, user, addr, now, true);
	/* any other refusal: the reservation stays a failure */
}

/* --- token generations, shared through the state store (state_backend = redis) --- */

/*
 * The generation a token must carry: the record's, or with the store
 * max(record, store) -- a revocation anywhere raises the store's above
 * every token issued so far (gk_auth_revoke_everywhere). A worker trusts a
 * generation it read for state_generation_cache_ms; a token newer than that
 * (issued elsewhere since) makes it read again. The store unreadable: deny.
 */
static enum gk_auth_status
generation_check(struct gk_auth *a, const struct gk_user *u, uint32_t gen, const char *what)
{
	struct gk_statestore *store = gk_lockout_store(a->lk);
	struct gk_err err = { "" };
	uint32_t sg;

	if (store == NULL)
		return u->generation == gen ? GK_AUTH_OK : GK_AUTH_REVOKED;
	if (gk_statestore_generation(store, u->name, false, &sg, &err) != GK_OK ||
	    (gen > u->generation && gen > sg &&
	    gk_statestore_generation(store, u->name, true, &sg, &err) != GK_OK)) {
		gk_log(a->log, LOG_ERR, "%s of user=%s refused: %s", what, u->name, err.msg);
		return GK_AUTH_LOCKOUT_ERROR;
	}
	return gen == (sg > u->generation ? sg : u->generation) ? GK_AUTH_OK : GK_AUTH_REVOKED;
}

uint32_t
gk_auth_issue_generation(struct gk_auth *a, const struct gk_user *u, const char *what)
{
	struct gk_statestore *store = gk_lockout_store(a->lk);
	struct gk_err err = { "" };
	uint32_t g;

	if (store == NULL)
		return u->generation;
	/* The store keeps up with every token issued, so the next revocation passes them all. */
	if (gk_statestore_raise(store, u->name, u->generation, false, &g, &err) != GK_OK) {
		gk_log(a->log, LOG_WARNING, "new %s of user=%s carries the record's generation: "
		    "%s", what, u->name, err.msg);
		return u->generation;
	}
	return g;
}

int
gk_auth_revoke_everywhere(struct gk_auth *a, const char *user, uint32_t record_gen)
{
	struct gk_statestore *store = gk_lockout_store(a->lk);
	struct gk_err err = { "" };
	uint32_t g;

	if (store == NULL)
		return GK_OK;
	if (gk_statestore_raise(store, user, record_gen, true, &g, &err) != GK_OK) {
		gk_log(a->log, LOG_ERR, "sign-out everywhere of user=%s not shared: %s", user,
		    err.msg);
		return GK_ERR;
	}
	return GK_OK;
}

enum gk_auth_status
gk_auth_session(struct gk_auth *a, const struct gk_auth_session_conf *sc, const char *cookies,
    int64_t now, struct gk_user *u, struct gk_claims *c)
{
	const struct gk_secret *secret;
	char token[GK_TOKEN_MAX + 1];
	struct gk_err err = { "" };
	enum gk_auth_status st;
	int rc;

	memset(u, 0, sizeof(*u));
	memset(c, 0, sizeof(*c));
	if (cookies == NULL)
		return GK_AUTH_NONE;
	rc = gk_cookie_get(cookies, sc->cookie_name, token, sizeof(token));
	if (rc == GK_NOTFOUND)
		return GK_AUTH_NONE;
	if (rc != GK_OK)
		return rc == GK_EDUP ? GK_AUTH_DUPLICATE : GK_AUTH_MALFORMED;
	/* gk_cookie_get wrote the cookie octets and a NUL, nothing else: wiped that far, not 4 KB */
	if ((secret = sc->secret(sc->secret_arg)) == NULL) {
		gk_wipe(token, strnlen(token, sizeof(token) - 1) + 1);
		return GK_AUTH_SECRET_ERROR;
	}
	/* the signature and claims, or their answer remembered; the user below always */
	rc = gk_sesscache_verify(a->sessions, secret, token, sc->issuer, now, GK_AUTH_SESSION_LEEWAY,
	    sc->session_ttl, c,
	    NULL, &err);
	gk_wipe(token, strnlen(token, sizeof(token) - 1) + 1);
	if (rc == GK_TOKEN_EXPIRED) {
		gk_wipe(c, sizeof(*c));
		return GK_AUTH_NONE;    /* stale, not forged: let another method or the login run */
	}
	if (rc != GK_OK) {
		gk_log(a->log, LOG_INFO, "session cookie refused: %s", gk_token_reason(rc));
		gk_wipe(c, sizeof(*c));
		return GK_AUTH_INVALID;
	}
	switch (a->lookup(a->lookup_arg, c->sub, u)) {
	case GK_OK:
		if (u->flags & GK_USER_DISABLED)
			st = GK_AUTH_DISABLED;
		else if (gk_auth_issued_before_user(c->iat, u))
			st = GK_AUTH_REVOKED;   /* a deleted namesake's: generations restart at 1 */
		else if ((st = generation_check(a, u, c->gen, "session")) == GK_AUTH_OK)
			return GK_AUTH_OK;
		break;
	case GK_NOTFOUND:
		st = GK_AUTH_UNKNOWN_USER;
		break;
	default:
		st = GK_AUTH_DB_ERROR;
		break;
	}
	gk_wipe(u, sizeof(*u));
	/* c->sub stays: the caller logs whom the refused cookie named. */
	return st;
}

const char *
gk_auth_reason(enum gk_auth_status st)
{
	switch (st) {
	case GK_AUTH_OK: return "ok";
	case GK_AUTH_NONE: return "no-credentials";
	case GK_AUTH_BANNED: return "banned";
	case GK_AUTH_LOCKED: return "account-locked";
	case GK_AUTH_THROTTLED: return "throttled";
	case GK_AUTH_LOCKOUT_ERROR: return "lockout-error";
	case GK_AUTH_BAD_NAME: return "bad-user-name";
	case GK_AUTH_UNKNOWN_USER: return "unknown-user";
	case GK_AUTH_DISABLED: return "disabled";
	case GK_AUTH_BAD_PASSWORD: return "bad-password";
	case GK_AUTH_DB_ERROR: return "database";
	case GK_AUTH_INTERNAL: return "password-check";
	case GK_AUTH_MALFORMED: return "session-malformed";
	case GK_AUTH_DUPLICATE: return "session-duplicate";
	case GK_AUTH_INVALID: return "session-invalid";
	case GK_AUTH_REVOKED: return "session-revoked";
	case GK_AUTH_SECRET_ERROR: return "secret";
	case GK_AUTH_PENDING: return "pending";
	case GK_AUTH_BAD_TOKEN: return "bad-token";
	case GK_AUTH_TOKEN_EXPIRED: return "token-expired";
	case GK_AUTH_TOKEN_REVOKED: return "token-revoked";
	}
	return "unknown";
}

/* ---- app tokens (lib/apptoken.h) ------------------------------------------- */

/*
 * A token that did not verify: one failure counted and the dummy hash paid, as for a
 * wrong password. Without it the time would tell an unknown user (one failed fetch) from
 * a real one with credentials (their value decoded), the enumeration the password
 * check's dummy hash prevents.
 */
static enum gk_auth_status
token_failed(struct gk_auth *a, const char *user, const char *token, const char *addr,
    int64_t now, enum gk_auth_status st)
{
	if (user != NULL && !gk_valid_user(user, strlen(user)))
		user = NULL;
	return refuse_unverified(a, gk_hashpool_current(), user, token, addr, now, st);
}

enum gk_auth_status
gk_auth_token(struct gk_auth *a, const char *user, const char *token, const char *addr,
    int64_t now, struct gk_user *u, struct gk_cred *used)
{
	struct gk_apptoken t;
	struct gk_creds *c;
	const struct gk_cred *m;
	enum gk_auth_status st;
	int rc;

	memset(u, 0, sizeof(*u));
	memset(used, 0, sizeof(*used));
	if (gk_apptoken_parse(token, &t) != GK_OK || (user != NULL && strcmp(user, t.user) != 0)) {
		gk_wipe(&t, sizeof(t));
		return token_failed(a, user, token, addr, now, GK_AUTH_BAD_TOKEN);
	}
	if ((st = lockout_admits(a, t.user, addr, now, true)) != GK_AUTH_OK) {
		gk_wipe(&t, sizeof(t));
		return st;
	}
	if (a->creds == NULL || (c = malloc(sizeof(*c))) == NULL) {
		gk_wipe(&t, sizeof(t));
		return GK_AUTH_INTERNAL;
	}
	rc = a->creds(a->creds_arg, t.user, u, c);
	if (rc == GK_NOTFOUND) {
		st = token_failed(a, t.user, token, addr, now, GK_AUTH_UNKNOWN_USER);
	} else if (rc != GK_OK) {
		st = GK_AUTH_DB_ERROR;
	} else {
		rc = gk_apptoken_check(c, u, &t, now, &m);
		if (rc == GK_NOTFOUND)
			st = token_failed(a, t.user, token, addr, now, GK_AUTH_BAD_TOKEN);
		else if (u->flags & GK_USER_DISABLED)
			st = GK_AUTH_DISABLED;
		else if (rc == GK_APPTOKEN_REVOKED)
			st = GK_AUTH_TOKEN_REVOKED;
		else if (rc == GK_APPTOKEN_EXPIRED)
			st = GK_AUTH_TOKEN_EXPIRED;
		/* the session's rule: max(record, store); the store unreadable: deny */
		else if ((st = generation_check(a, u, m->generation, "app token")) != GK_AUTH_OK)
			st = st == GK_AUTH_REVOKED ? GK_AUTH_TOKEN_REVOKED : st;
		else {
			*used = *m;
			gk_wipe(used->data, sizeof(used->data));
			used->datalen = 0;
			st = GK_AUTH_OK;
		}
	}
	gk_wipe(c, sizeof(*c));
	free(c);
	gk_wipe(&t, sizeof(t));
	if (st != GK_AUTH_OK)
		gk_wipe(u, sizeof(*u));
	return st;
}

/* --- the parts a program owns (gk_auth_open) --- */

static int
backend_lookup(void *arg, const char *name, struct gk_user *u)
{
	return gk_userbackend_lookup(((struct gk_auth *)arg)->users, name, u);
}

static enum gk_pw_verdict
backend_verify(void *arg, const struct gk_user *u, const char *password)
{
	return gk_userbackend_verify(((struct gk_auth *)arg)->users, u, password);
}

static void
backend_verify_dummy(void *arg, const char *password)
{
	gk_userbackend_verify_dummy(((struct gk_auth *)arg)->users, password);
}

static int
backend_bind_dn(void *arg, const struct gk_user *u, char *dn, size_t dnsz)
{
	return gk_userbackend_bind_dn(((struct gk_auth *)arg)->users, u, dn, dnsz);
}

int
gk_auth_open(struct gk_auth *a, const struct gk_config *cfg, const struct gk_log *log,
    bool with_cache, struct gk_err *err)
{
	memset(a, 0, sizeof(*a));
	a->log = log;
	if ((a->pw = gk_pw_ctx_new(err)) == NULL)
		return GK_ERR;
	if (with_cache && cfg->basic_cache_ttl > 0 && (a->cache = gk_credcache_new(
	    GK_CREDCACHE_DEFAULT_SIZE, cfg->basic_cache_ttl, err)) == NULL)
		goto fail;
	if (with_cache && (a->sessions = gk_sesscache_new(GK_SESSCACHE_DEFAULT_SIZE, err)) == NULL)
		goto fail;
	if (gk_userbackend_open(cfg, log, &a->users, err) != GK_OK)
		goto fail;
	a->lookup = backend_lookup;
	a->lookup_arg = a;
	if (gk_userbackend_verifies(a->users)) {        /* LDAP: a bind checks the password */
		a->verify = backend_verify;
		a->verify_dummy = backend_verify_dummy;
		a->bind_dn = backend_bind_dn;           /* the event core's pool binds */
		a->binder = gk_userbackend_binder(a->users);
	}
	return GK_OK;
fail:
	gk_auth_close(a);
	return GK_ERR;
}

void
gk_auth_close(struct gk_auth *a)
{
	gk_userbackend_close(a->users);
	gk_credcache_free(a->cache);
	gk_sesscache_free(a->sessions);
	gk_pw_ctx_free(a->pw);
	gk_lockout_close(a->lk);
	a->users = NULL;
	a->cache = NULL;
	a->sessions = NULL;
	a->pw = NULL;
	a->lk = NULL;
}
