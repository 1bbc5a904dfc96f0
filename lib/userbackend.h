/* userbackend.h: where the users come from (the GDBM database or an LDAP directory), behind one handle. */
#ifndef GK_USERBACKEND_H
#define GK_USERBACKEND_H

#include "common.h"
#include "conf.h"
#include "hashpool.h"
#include "log.h"
#include "password.h"
#include "record.h"
#include "userdb.h"

/*
 * user_backend = gdbm (the default) reads the GDBM database exactly as
 * lib/userdb does: lookups only, passwords checked against the stored crypt
 * hash by lib/auth. user_backend = ldap (lib/ldapusers.h) looks users up in a
 * directory and checks passwords by binding as the user; it is read-only.
 *
 * One handle per process (or worker): not thread-safe. Opening never touches
 * the database or the directory; the first lookup does, and a failure there
 * is retried by the next lookup (a directory that comes back is used again
 * without a restart). Every error is logged here, with the backend's name.
 */
struct gk_userbackend;

enum gk_userbackend_kind { GK_USERBACKEND_GDBM = 0, GK_USERBACKEND_LDAP };

/* A handle for cfg's user_backend (cfg must outlive it). GK_OK or an error in err. */
int gk_userbackend_open(const struct gk_config *cfg, const struct gk_log *log,
    struct gk_userbackend **out, struct gk_err *err);
void gk_userbackend_close(struct gk_userbackend *b);

/*
 * Looks a user up: GK_OK (u filled), GK_NOTFOUND, or an error (logged):
 * the caller denies. An invalid name is GK_NOTFOUND without any I/O.
 */
int gk_userbackend_lookup(struct gk_userbackend *b, const char *name, struct gk_user *u);

/* True when the backend checks passwords itself (LDAP: a bind); false: the crypt hash in u. */
bool gk_userbackend_verifies(const struct gk_userbackend *b);

/*
 * For a backend that verifies: the password of u (as the lookup filled it).
 * GK_PW_MATCH, GK_PW_MISMATCH (wrong, or empty: never an unauthenticated bind)
 * or GK_PW_FAIL (the directory cannot be asked: logged, the caller denies).
 */
enum gk_pw_verdict gk_userbackend_verify(struct gk_userbackend *b, const struct gk_user *u,
    const char *password);

/*
 * For a backend that verifies, the same check in lib/hashpool's threads: the DN to bind as
 * for u (GK_OK; else the check fails as gk_userbackend_verify's would: GK_PW_FAIL), and the
 * binder the threads use (NULL: the backend checks in line only).
 */
int gk_userbackend_bind_dn(struct gk_userbackend *b, const struct gk_user *u, char *dn,
    size_t dnsz);
const struct gk_hashpool_binder *gk_userbackend_binder(struct gk_userbackend *b);

/* For an unknown user: the work a verify would have cost (LDAP: a bind that must fail). */
void gk_userbackend_verify_dummy(struct gk_userbackend *b, const char *password);

/* False for a backend gatekeep cannot write (LDAP): no hash upgrades, no generation bumps. */
bool gk_userbackend_writable(const struct gk_userbackend *b);

/*
 * Readiness, with a handle of its own (not logged): gdbm opens the database and
 * looks a probe name up; ldap connects, binds and reads ldap_base_dn.
 * GK_OK, or GK_ERR with "database: ..." or "ldap: ..." in err.
 */
int gk_userbackend_probe(const struct gk_config *cfg, struct gk_err *err);

/* "gdbm" or "ldap". */
const char *gk_userbackend_name(const struct gk_userbackend *b);

/* The GDBM database under b (opened on first use), NULL for another backend or on error. */
struct gk_userdb *gk_userbackend_gdbm(struct gk_userbackend *b);

/*
 * The operations a backend implements (lib/userbackend.c holds the GDBM one,
 * lib/ldapusers.c the LDAP one). verify NULL: compare the stored crypt hash.
 */
struct gk_userbackend_ops {
	const char *name;
	bool writable;
	int (*lookup)(void *impl, const char *name, struct gk_user *u);
	enum gk_pw_verdict (*verify)(void *impl, const struct gk_user *u, const char *password);
	void (*verify_dummy)(void *impl, const char *password);
	void (*close)(void *impl);
	int (*bind_dn)(void *impl, const struct gk_user *u, char *dn, size_t dnsz);
};

#endif
