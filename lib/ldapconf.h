/* ldapconf.h: the LDAP backend's pure parts: its configuration check, RFC 4515 filter escaping, group names and levels. */
#ifndef GK_LDAPCONF_H
#define GK_LDAPCONF_H

#include <stdint.h>

#include "common.h"
#include "conf.h"

/*
 * Nothing here talks to a directory (lib/ldapusers.c does), so all of it is
 * unit-tested without one (tests/t_ldapconf.c).
 */

/*
 * With user_backend = ldap: ldap_uri is one ldap:// or ldaps:// URL whose
 * host is named; plain ldap:// without ldap_starttls only to a loopback host
 * (passwords travel in every bind); starttls not with ldaps://; ldap_base_dn
 * set; ldap_user_filter and ldap_group_filter are parenthesised and hold
 * exactly one "%s" and no other '%'; ldap_bind_dn and
 * ldap_bind_password_file come together; ldap_level_groups parses; and
 * nothing that writes users is on (proxy_auto_create, oidc_provider): the
 * directory is read-only to gatekeep. GK_OK, or GK_ERR with the reason.
 * With user_backend = gdbm: GK_OK, the ldap_* keys are ignored.
 */
int gk_ldapconf_check(const struct gk_config *cfg, struct gk_err *err);

/*
 * RFC 4515 3: value bytes into a filter assertion value. '*', '(', ')', '\\'
 * and NUL must be escaped ("\2a" ...); so is every byte outside printable
 * ASCII (allowed by the RFC, and keeps the filter plain text for the logs).
 * len bytes of value are read (a NUL among them is escaped, not an end).
 * GK_OK, or GK_ETOOLONG when out (outsz bytes with the NUL) is too small.
 */
int gk_ldap_escape(const char *value, size_t len, char *out, size_t outsz);

/* tmpl with its one "%s" replaced by value escaped (gk_ldap_escape). GK_OK, GK_EINVAL, GK_ETOOLONG. */
int gk_ldap_filter(const char *tmpl, const char *value, size_t len, char *out, size_t outsz);

/*
 * The attribute the user filter compares the name with: "uid" of
 * "(&(objectClass=person)(uid=%s))". The %s must be a whole equality
 * assertion, "(ATTR=%s)": the entry found must then hold the name as that
 * attribute's one value, byte for byte (lib/ldapusers), since the directory
 * matches "ALICE" to alice's entry and the name becomes Remote-User.
 * GK_OK, or GK_EINVAL (no such assertion, or ATTR too long for out).
 */
int gk_ldap_name_attr(const char *tmpl, char *out, size_t outsz);

/*
 * Whether dn lies under base (a descendant, not base itself), both as LDAPv3
 * strings compared after ldap_dn_normalize, attribute values ignoring case.
 * False for a DN that does not parse.
 */
bool gk_ldap_dn_under(const char *dn, const char *base);

/*
 * A group's name from a group attribute value: a DN's first RDN value
 * ("cn=admins,ou=groups,dc=example,dc=org" -> "admins") or a plain name.
 * GK_OK when the name is a valid group (lib/validate.h), else GK_EINVAL
 * (the caller skips that group: a name with escapes never matches a rule).
 */
int gk_ldap_group_name(const char *value, char *out, size_t outsz);

/*
 * The level of a user in groups (comma list) under map ("admins=0,staff=500"):
 * the lowest level of a listed group the user is in, else def. map must have
 * passed gk_ldapconf_check (GK_EINVAL otherwise).
 */
int gk_ldap_level(const char *map, const char *groups, long def, uint16_t *level);

/* An ldap:// or ldaps:// URL with a host (*tls: ldaps), and whether that host is loopback. GK_OK or GK_EINVAL. */
int gk_ldap_uri_host(const char *uri, bool *tls, bool *loopback);

#endif
