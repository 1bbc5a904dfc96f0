/* auth_code.c: the second-factor code check (TOTP or recovery code) through the same lockout as every password. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "statestore.h"
#include "totp_store.h"
#include "validate.h"

static void
notice(struct gk_auth *a)
{
	char note[512];

	if (a->lk != NULL && gk_lockout_notice(a->lk, note, sizeof(note)))
		gk_log(a->log, LOG_WARNING, "%s", note);
}

void
gk_auth_code_key(const char *user, char out[GK_USER_MAX + 1])
{
	snprintf(out, GK_USER_MAX + 1, "\x01%.*s", GK_USER_MAX - 1, user);
}

/* The reservation's verdict as a status (the one mapping lib/auth uses). */
static enum gk_auth_status
refusal(int rc)
{
	if (rc == GK_LOCKOUT_LOCKED)
		return GK_AUTH_LOCKED;
	if (rc == GK_LOCKOUT_THROTTLED)
		return GK_AUTH_THROTTLED;
	return GK_AUTH_BANNED;
}

int
gk_auth_claim_once(struct gk_auth *a, char kind, const char *user, const char *what, long ttl,
    struct gk_err *err)
{
	static const char script[] =
	    "if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return {1} end return {0}";
	struct gk_statestore *st = a->lk != NULL ? gk_lockout_store(a->lk) : NULL;
	char key[GK_STORE_KEY_MAX], secs[24];
	const char *keys[1] = { key }, *args[1] = { secs };
	long long won = 0;
	int rc;

	if (st == NULL)
		return GK_OK;
	snprintf(secs, sizeof(secs), "%ld", ttl > 0 ? ttl : 1);
	rc = gk_statestore_key(st, kind, user, what, key, err);
	if (rc == GK_OK)
		rc = gk_statestore_eval(st, script, 1, keys, 1, args, &won, 1, err);
	if (rc != 1) {
		if (err->msg[0] == '\0')
			gk_err_set(err, "the use could not be recorded in the state store");
		return GK_EIO;
	}
	return won == 1 ? GK_OK : GK_EDUP;
}

/*
 * With a shared store (state_backend = redis) a code this database accepted is claimed
 * there too: each machine's copy of the database remembers only its own uses, the store
 * those of every machine. A claim already made is a replay; a store that cannot be asked
 * refuses (GK_TOTP_ERROR, fail closed). Keys are keyed hashes of user and code; a TOTP
 * code's claim outlives its +-1 step window, a recovery code's its database copies.
 */
static enum gk_totp_verdict
claim(struct gk_auth *a, const char *user, const char *code, enum gk_totp_verdict v,
    struct gk_err *err)
{
	char norm[GK_RECOVERY_LEN + 1];
	int rc = GK_EIO;

	if ((v != GK_TOTP_ACCEPTED && v != GK_TOTP_RECOVERY) || gk_lockout_store(a->lk) == NULL)
		return v;
	if (v == GK_TOTP_RECOVERY ? gk_recovery_norm(code, norm) :
	    gk_strcpy(norm, sizeof(norm), code) == GK_OK)
		rc = gk_auth_claim_once(a, 'c', user, norm, v == GK_TOTP_RECOVERY ? 34560000 : 120,
		    err);
	gk_wipe(norm, sizeof(norm));
	if (rc == GK_EIO && err->msg[0] == '\0')
		gk_err_set(err, "the code's use could not be recorded in the state store");
	return rc == GK_OK ? v : rc == GK_EDUP ? GK_TOTP_REPLAY : GK_TOTP_ERROR;
}

enum gk_auth_status
gk_auth_code(struct gk_auth *a, const char *dbpath, const char *user, const char *code,
    const char *addr, int64_t now, int *verdict)
{
	struct gk_err err = { "" };
	enum gk_totp_verdict v;
	char key[GK_USER_MAX + 1];
	int rc;

	*verdict = GK_TOTP_ERROR;
	if (user == NULL || !gk_valid_user(user, strlen(user)))
		return GK_AUTH_BAD_NAME;
	gk_auth_code_key(user, key);
	if (a->lockout_on) {
		if (a->lk == NULL)
			return GK_AUTH_LOCKOUT_ERROR;
		memset(a->memo, 0, sizeof(a->memo));
		/* The codes' own count first (nothing counted when it refuses), then the password's keys. */
		rc = gk_lockout_reserve(a->lk, key, NULL, now, &err);
		if (rc == GK_LOCKOUT_ALLOW) {
			rc = gk_lockout_reserve(a->lk, user, addr, now, &err);
			if (rc != GK_LOCKOUT_ALLOW && gk_lockout_refund(a->lk, key, NULL, now, &err) < 0)
				rc = GK_ERR;
		}
		notice(a);
		if (rc < 0) {
			gk_log(a->log, LOG_ERR, "%s", err.msg);
			return GK_AUTH_LOCKOUT_ERROR;
		}
		if (rc != GK_LOCKOUT_ALLOW)
			return refusal(rc);
	}
	v = claim(a, user, code, gk_totp_store_verify(dbpath, user, code, now, &err), &err);
	*verdict = (int)v;
	if (v == GK_TOTP_ERROR) {
		gk_log(a->log, LOG_ERR, "second factor of user %s: %s", user, err.msg);
		if (a->lockout_on && (gk_lockout_refund(a->lk, user, addr, now, &err) < 0 ||
		    gk_lockout_refund(a->lk, key, NULL, now, &err) < 0))
			gk_log(a->log, LOG_ERR, "%s", err.msg);
		return GK_AUTH_DB_ERROR;
	}
	if (v != GK_TOTP_ACCEPTED && v != GK_TOTP_RECOVERY)
		return GK_AUTH_BAD_PASSWORD;    /* the reservations stay failures */
	if (a->lockout_on) {
		if (gk_lockout_success(a->lk, user, addr, now, &err) < 0 ||
		    gk_lockout_success(a->lk, key, NULL, now, &err) < 0 ||
		    (addr != NULL && gk_lockout_refund(a->lk, NULL, addr, now, &err) < 0))
			gk_log(a->log, LOG_ERR, "%s", err.msg);
		notice(a);
	}
	return GK_AUTH_OK;
}
