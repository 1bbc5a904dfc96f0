/* ldapusers.h: the LDAP user backend: users and groups from a directory, passwords checked by binding as the user. */
#ifndef GK_LDAPUSERS_H
#define GK_LDAPUSERS_H

#include "common.h"
#include "conf.h"
#include "log.h"
#include "userbackend.h"

/*
 * Behind lib/userbackend (user_backend = ldap; the keys: gatekeep.conf(5),
 * checked by lib/ldapconf). Per worker: a service connection for searches
 * (bound as ldap_bind_dn, or anonymous) and a second connection for the
 * users' binds, both opened on first use and reused; after a fork the child
 * drops the parent's (ldap_destroy: no unbind on a shared socket).
 *
 *  - lookup: ldap_user_filter with the name escaped (RFC 4515) under
 *    ldap_base_dn, subtree, at most one entry (two: refused as ambiguous);
 *    groups from ldap_group_attribute on the entry and/or a search under
 *    ldap_group_base_dn; level from ldap_level_groups; perm rw; generation 1;
 *    updated = modifyTimestamp, so a changed entry drops cached passwords.
 *    Found and not-found answers are reused for ldap_cache_ttl seconds.
 *  - verify: a simple bind as the entry's DN. An empty password is refused
 *    before any bind (RFC 4513 5.1.2: an unauthenticated bind "succeeds"
 *    without proving anything); only LDAP_SUCCESS is a match.
 *  - verify_dummy: a bind as a DN that does not exist, so an unknown user
 *    costs a round trip to the directory as a known one does.
 *  - bind_dn + binder: the same binds in lib/hashpool's threads (the event
 *    core), each thread on its own connection (lib/ldapconn's verdict code).
 *    The binder's search does the lookup's search there too, when a pool
 *    runs (the event core): the request waits parked, the thread searches on
 *    its own service connection, the answer goes into the worker's cache
 *    before the request is decided again (failures: as in line).
 *  - TLS: ldaps:// or StartTLS (never a fallback to plain), the certificate
 *    and host name always checked (LDAP_OPT_X_TLS_DEMAND), TLS 1.2 at least,
 *    ldap_ca_file as the trust anchors (else the system's).
 *  - Timeouts: ldap_timeout for the connection and for each operation.
 *  - Down: a failed operation is retried once on a fresh connection; then
 *    it is logged ("ldap: directory ... cannot be reached ...") and the
 *    lookup fails (the caller denies), unless ldap_down_grace allows an
 *    entry fetched that many seconds ago. The next lookup tries again.
 * Opening reads ldap_bind_password_file (one line) and talks to nobody; it gives the
 * handle, its operations and the binder (which lives in the handle).
 */
int gk_ldapusers_open(const struct gk_config *cfg, const struct gk_log *log, void **impl,
    const struct gk_userbackend_ops **ops, const struct gk_hashpool_binder **binder,
    struct gk_err *err);

/*
 * GeneralizedTime as directories write createTimestamp and modifyTimestamp (RFC 4517
 * 3.3.13, with the seconds): YYYYMMDDHHMMSS, an optional fraction ('.' or ',' and at
 * least one digit; ignored), then "Z" or an offset +HH, +HHMM, -HH, -HHMM (applied).
 * Unix seconds; 0 ("no time") for anything else: a field out of range (month 13,
 * 30 February, hour 24, offset minutes 60), a sign or a space among the digits, no zone
 * (the local time of an unknown place), trailing bytes, a time not after 1970-01-01
 * 00:00:00Z, or one after not_after.
 */
int64_t gk_ldap_gentime(const char *s, int64_t not_after);

/* Readiness: a connection, the service bind and a read of ldap_base_dn. GK_OK or why not (not logged). */
int gk_ldapusers_probe(const struct gk_config *cfg, struct gk_err *err);

#endif
