/* t_attack4.c: a configuration of directory users with passkeys is refused (their passkeys would be read from a GDBM file that is not their user list). */
#include <config.h>

#include <string.h>

#include "conf.h"
#include "ldapconf.h"
#include "tap.h"

/* The configuration of keys k[i] = v[i] (NULL-ended), validated: GK_OK or the error. */
static int
check(const char *const *kv, char *why, size_t whysz)
{
	struct gk_config cfg;
	struct gk_err err = { "" };
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	rc = gk_config_defaults(&cfg, &err);
	for (; rc == GK_OK && kv[0] != NULL; kv += 2)
		rc = gk_config_set(&cfg, kv[0], kv[1], "test", &err);
	if (rc == GK_OK)
		rc = gk_config_validate(&cfg, &err);
	gk_strcpy(why, whysz, err.msg);
	gk_config_free(&cfg);
	return rc;
}

int
main(void)
{
	static const char *const ldap[] = { "user_backend", "ldap", "ldap_uri", "ldap://127.0.0.1:389",
	    "ldap_base_dn", "dc=gk", "ldap_user_filter", "(uid=%s)", NULL };
	static const char *const ldap_pk[] = { "user_backend", "ldap", "ldap_uri", "ldap://127.0.0.1:389",
	    "ldap_base_dn", "dc=gk", "ldap_user_filter", "(uid=%s)", "passkeys", "true",
	    "passkey_origin", "https://login.gk.test", NULL };
	static const char *const gdbm_pk[] = { "passkeys", "true", "passkey_origin",
	    "https://login.gk.test", NULL };
	char why[512];

	is_int(check(ldap, why, sizeof(why)), GK_OK, "user_backend = ldap alone: accepted (%s)", why);
	is_int(check(gdbm_pk, why, sizeof(why)), GK_OK, "passkeys with the GDBM users: accepted (%s)", why);
	ok(check(ldap_pk, why, sizeof(why)) != GK_OK, "passkeys with user_backend = ldap: refused");
	ok(strstr(why, "passkeys") != NULL, "... saying why (%s)", why);
	return done_testing();
}
