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
	return done_testing();
}
