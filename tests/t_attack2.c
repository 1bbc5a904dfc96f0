/* t_attack2.c: the attribute ldap_user_filter compares the name with, which the entry found must hold as its one value. */
#include <config.h>

#include <string.h>

#include "ldapconf.h"
#include "tap.h"

static const char *
attr(const char *tmpl)
{
	static char out[64];

	if (gk_ldap_name_attr(tmpl, out, sizeof(out)) != GK_OK)
		return "(refused)";
	return out;
}

int
main(void)
{
	is_str(attr("(uid=%s)"), "uid", "(uid=%%s): uid");
	is_str(attr("(&(objectClass=inetOrgPerson)(uid=%s))"), "uid", "inside an and: uid");
	is_str(attr("(&(objectClass=user)(sAMAccountName=%s)(!(x=1)))"), "sAMAccountName",
	    "AD's sAMAccountName, terms after it");
	is_str(attr("(uid=x%s)"), "(refused)", "a prefix before %%s: no whole assertion, refused");
	is_str(attr("(uid=%s*)"), "(refused)", "a substring assertion: refused");
	is_str(attr("(uid~=%s)"), "(refused)", "an approximate match: refused");
	is_str(attr("(=%s)"), "(refused)", "no attribute: refused");
	is_str(attr("(a)(uid=%s)(b=%s)"), "(refused)", "two %%s: refused");

	/* memberOf values count only under ldap_group_base_dn */
	ok(gk_ldap_dn_under("cn=admins,ou=groups,dc=gk", "ou=groups,dc=gk"), "a group under the base");
	ok(gk_ldap_dn_under("CN=admins, OU=Groups, DC=gk", "ou=groups,dc=gk"), "... spelt otherwise");
	ok(!gk_ldap_dn_under("cn=admins\\,ou=groups,dc=gk", "ou=groups,dc=gk"),
	    "an escaped comma is no boundary (one RDN under dc=gk)");
	ok(gk_ldap_dn_under("cn=admins\\\\,ou=groups,dc=gk", "ou=groups,dc=gk"),
	    "... an escaped backslash before a comma is one");
	ok(!gk_ldap_dn_under("cn=admins,ou=self,dc=gk", "ou=groups,dc=gk"), "another OU: no");
	ok(!gk_ldap_dn_under("cn=admins,ou=xgroups,dc=gk", "ou=groups,dc=gk"),
	    "a name ending like the base: no");
	ok(!gk_ldap_dn_under("ou=groups,dc=gk", "ou=groups,dc=gk"), "the base itself: no");
	ok(!gk_ldap_dn_under("not a dn", "ou=groups,dc=gk"), "garbage: no");
	return done_testing();
}
