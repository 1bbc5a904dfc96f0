/* extuser.h: the rules every auto-created (external, passwordless) user follows, whoever vouches for it. */
#ifndef GK_EXTUSER_H
#define GK_EXTUSER_H

#include "common.h"
#include "record.h"

struct gk_userdb;

/*
 * Would a NEW user called name differ from an existing one only by case
 * ("Alice" beside "alice")? Many apps fold user names, so the newcomer could
 * become the other user there: refuse to create it. Reads the live database
 * at path; call it while holding the writer lock (gk_userdb_begin) so the
 * answer holds until commit. GK_OK with *clash (and the existing name in
 * other, when given), or an error in err (deny).
 */
int gk_extuser_name_clash(const char *path, const char *name, bool *clash, char *other,
    size_t othersz, struct gk_err *err);

/* Do a and b differ only by case? The rule gk_extuser_name_clash applies, for names held already (an import file's). */
bool gk_extuser_names_clash(const char *a, const char *b);

/*
 * Does a stored external user belong to the identity provider's subject sub?
 * A user bound to a subject belongs to that subject only; a user with none
 * (created before subjects were stored, or by a proxy header) belongs to
 * whoever else vouches for it, and is bound on the next write.
 */
bool gk_extuser_subject_ok(const struct gk_user *u, const char *sub);

/*
 * Is email (compared without regard to case, as 2FAuth's unique check does)
 * the address of a user other than self? Scans db. GK_OK with *taken, or an
 * error in err.
 */
int gk_extuser_email_taken(struct gk_userdb *db, const char *self, const char *email, bool *taken,
    struct gk_err *err);

/* What the party that vouches for the user (a trusted proxy header, an OIDC provider) says. */
struct gk_extuser_want {
	const char *name;               /* valid user name */
	const char *email;              /* NULL: keep the stored one */
	const char *display;            /* NULL or "": keep */
	const char *groups;             /* NULL: keep */
	const char *sub;                /* the provider's subject (gk_extuser_subject_ok); NULL: unchecked */
	bool set_perm;                  /* store perm */
	enum gk_perm perm;
	/*
	 * The e-mail is the verified identity (OIDC): a stored address that
	 * differs (without regard to case) refuses the user, and so does a
	 * disabled user, before anything is written.
	 */
	bool email_is_identity;
	/* An e-mail another user has is dropped, not stored (a proxy header is not verified). */
	bool email_unique;
	/*
	 * Navidrome's rule: the first user of an empty database is created at
	 * level 0 (admin), and a level-0 user keeps the admin group on every
	 * re-synchronisation of its groups.
	 */
	bool first_user_admin;
	int lock_ms;                    /* how long to wait for the writer lock */
};

enum gk_extuser_status {
	GK_EXTUSER_OK = 0,              /* *u is the user as stored now */
	GK_EXTUSER_LOCAL,               /* a local (password) user has the name (*u): not taken over */
	GK_EXTUSER_DISABLED,            /* email_is_identity and the user is disabled: nothing written */
	GK_EXTUSER_EMAIL_MISMATCH,      /* email_is_identity and the stored address differs */
	GK_EXTUSER_SUBJECT_MISMATCH,    /* bound to another subject at the provider */
	GK_EXTUSER_NAME_CLASH,          /* a new name that differs from an existing one only by case */
	GK_EXTUSER_INVALID,             /* the resulting record is not valid (err says why) */
	GK_EXTUSER_DB_ERROR             /* the database failed (err says why): deny */
};

/* What an upsert did, for the caller's log line. */
struct gk_extuser_result {
	bool created;
	bool written;                   /* false: nothing had changed, nothing was written */
	bool made_admin;                /* created as the first user of an empty database */
	bool email_dropped;             /* email_unique: the address belongs to another user */
	char other[GK_USER_MAX + 1];    /* GK_EXTUSER_NAME_CLASH: the existing user */
};

/*
 * Creates the external user w->name or re-synchronises it with w, in the
 * database at path. stored is the record as the caller just read it (NULL:
 * not found): when it is already external and nothing would change, nothing
 * is written (a write copies the whole database). Otherwise every check is
 * made again under the writer lock, where the live file is the transaction's
 * base, so no other writer can slip in between check and commit. now stamps
 * created/updated. *u is filled for GK_EXTUSER_OK and GK_EXTUSER_LOCAL (the
 * caller wipes it), wiped otherwise; *res is always filled. u may be stored.
 */
enum gk_extuser_status gk_extuser_upsert(const char *path, const struct gk_extuser_want *w,
    const struct gk_user *stored, int64_t now, struct gk_user *u, struct gk_extuser_result *res,
    struct gk_err *err);

#endif
