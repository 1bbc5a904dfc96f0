/* ldapconn.h: one LDAP connection with the options gatekeep requires, and a user's bind on it. */
#ifndef GK_LDAPCONN_H
#define GK_LDAPCONN_H

#include <ldap.h>

#include "common.h"
#include "conf.h"
#include "log.h"
#include "password.h"

/*
 * Shared by lib/ldapusers (the worker's own connections) and the binds it hands to
 * lib/hashpool's threads (each thread its own connection: a libldap handle is never used by
 * two threads). Nothing here keeps state: the caller owns the LDAP handle and why.
 */

/* A connection with ldap_timeout, TLS as configured (never a fallback to plain): LDAP_SUCCESS or why not. */
int gk_ldap_connect(const struct gk_config *cfg, LDAP **out, char *why, size_t whysz);

/* Simple bind of dn with pw (len bytes) on ld. */
int gk_ldap_simple_bind(LDAP *ld, const char *dn, const char *pw, size_t len);

/* Whether rc says the connection (not the request) failed: worth a fresh connection. */
bool gk_ldap_conn_error(int rc);

/* Logs "directory ... cannot be reached" for what (search, bind) with libldap's why; clears why. */
void gk_ldap_down(const struct gk_config *cfg, const struct gk_log *log, char *why,
    const char *what, int rc);

/* A bind on *ld (connected on demand), retried once on a fresh connection. */
int gk_ldap_user_bind(const struct gk_config *cfg, LDAP **ld, const char *dn, const char *pw,
    size_t len, char *why, size_t whysz);

/*
 * The verdict of user's password by a bind as dn on *ld: GK_PW_MATCH only for LDAP_SUCCESS;
 * an empty password GK_PW_MISMATCH without any bind (RFC 4513 5.1.2); the directory out of
 * reach GK_PW_FAIL (logged), or GK_PW_MISMATCH under ldap_down_grace (see the .c).
 */
enum gk_pw_verdict gk_ldap_check(const struct gk_config *cfg, const struct gk_log *log,
    LDAP **ld, char *why, size_t whysz, const char *user, const char *dn, const char *password);

#endif
