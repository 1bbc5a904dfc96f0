/* totp_store.h: a user's TOTP seed and recovery codes in the credentials store (lib/creds): enrol, remove, and the one-transaction check of a code. */
#ifndef GK_TOTP_STORE_H
#define GK_TOTP_STORE_H

#include "creds.h"
#include "totp.h"
#include "userdb.h"

/* What one enrolment hands out, once: shown to the user, never stored in the clear. */
struct gk_totp_enrolment {
	unsigned char seed[GK_TOTP_SEED_LEN];
	char recovery[GK_RECOVERY_COUNT][GK_RECOVERY_LEN + 1];
};

/* Fills e with a fresh seed and fresh recovery codes (in memory only; the caller wipes e). */
void gk_totp_enrolment_new(struct gk_totp_enrolment *e);

/*
 * Stores e for user (who must exist) in one transaction of the database at
 * dbpath: the TOTP seed (name "totp", counter last_step: 0, or the step of the
 * code that confirmed it so that code cannot be used again) and the recovery
 * codes r1..r10, replacing any earlier ones of both kinds. GK_NOTFOUND: no
 * such user; GK_EDUP with replace false: already enrolled; other errors in err.
 */
int gk_totp_store_enrol(const char *dbpath, const char *user, const struct gk_totp_enrolment *e,
    uint64_t last_step, bool replace, int64_t now, struct gk_err *err);

/* Replaces only the recovery codes (new ones in e->recovery). GK_NOTFOUND: not enrolled. */
int gk_totp_store_recovery(const char *dbpath, const char *user, const struct gk_totp_enrolment *e,
    int64_t now, struct gk_err *err);

/* Removes the seed and every recovery code. GK_NOTFOUND: not enrolled (or no such user). */
int gk_totp_store_remove(const char *dbpath, const char *user, struct gk_err *err);

/* Is the user enrolled (live database, no transaction)? *n_recovery: unused recovery codes left. */
int gk_totp_store_status(struct gk_userdb *db, const char *user, bool *enrolled,
    size_t *n_recovery, struct gk_err *err);

enum gk_totp_verdict {
	GK_TOTP_ACCEPTED = 0,    /* a TOTP code for a new step: the step is now used */
	GK_TOTP_RECOVERY,        /* a recovery code: it is now deleted */
	GK_TOTP_WRONG,           /* neither */
	GK_TOTP_REPLAY,          /* a right code for a step already used */
	GK_TOTP_NOT_ENROLLED,
	GK_TOTP_ERROR            /* the database failed (err says why): deny */
};

/*
 * The second-factor check: in ONE write transaction of the user database
 * (serialising every worker of every program), reads the user's seed, checks
 * code (six digits: TOTP with the +-1 step window; else a recovery code) and
 * writes back the step it used, or deletes the recovery code it matched.
 * Two workers given the same code: one commits, the other sees the new step
 * and gets GK_TOTP_REPLAY. Counting failures is the caller's (lib/auth).
 */
enum gk_totp_verdict gk_totp_store_verify(const char *dbpath, const char *user, const char *code,
    int64_t now, struct gk_err *err);

/* "accepted", "recovery-code", "wrong-code", "replayed-code", "no-totp", "error". */
const char *gk_totp_verdict_name(enum gk_totp_verdict v);

#endif
