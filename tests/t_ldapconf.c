/* t_ldapconf.c: the LDAP backend's pure parts: RFC 4515 escaping (injection), filters, group names, levels, the config check. */
#include <config.h>

#include <string.h>

#include "conf.h"
#include "ldapconf.h"
#include "tap.h"

static const char *
esc(const char *v, size_t len)
{
	static char out[256];

	if (gk_ldap_escape(v, len, out, sizeof(out)) != GK_OK)
		return "(error)";
	return out;
}

static const char *
filt(const char *t, const char *v)
{
	static char out[256];

	if (gk_ldap_filter(t, v, strlen(v), out, sizeof(out)) != GK_OK)
		return "(error)";
	return out;
}

/* A configuration with user_backend = ldap and one key changed (NULL: none). */
static int
check_with(const char *key, const char *value, struct gk_err *err)
{
	struct gk_config cfg;
	int rc;

	if (gk_config_defaults(&cfg, err) != GK_OK ||
	    gk_config_set(&cfg, "user_backend", "ldap", "t", err) != GK_OK ||
	    gk_config_set(&cfg, "ldap_uri", "ldap://127.0.0.1:389", "t", err) != GK_OK ||
	    gk_config_set(&cfg, "ldap_base_dn", "dc=gk,dc=test", "t", err) != GK_OK ||
	    (key != NULL && gk_config_set(&cfg, key, value, "t", err) != GK_OK)) {
		gk_config_free(&cfg);
		return -100;
	}
	rc = gk_ldapconf_check(&cfg, err);
	gk_config_free(&cfg);
	return rc;
}

int
main(void)
{
	struct gk_err err = { "" };
	char small[8], g[GK_GROUP_MAX + 1];
	uint16_t lv;
	bool tls, lo;

	/* RFC 4515 3: the five that must be escaped, and what is left alone */
	is_str(esc("alice", 5), "alice", "a plain name is unchanged");
	is_str(esc("*", 1), "\\2a", "'*' -> \\2a (no wildcard)");
	is_str(esc("(", 1), "\\28", "'(' -> \\28");
	is_str(esc(")", 1), "\\29", "')' -> \\29");
	is_str(esc("\\", 1), "\\5c", "'\\' -> \\5c");
	is_str(esc("a\0b", 3), "a\\00b", "NUL -> \\00, and the value goes on after it");
	is_str(esc("\xc3\xa9", 2), "\\c3\\a9", "UTF-8 bytes escaped one by one (still the same value)");
	is_str(esc("a\nb", 3), "a\\0ab", "a line feed is escaped");
	is_str(esc("John Doe-1.x@y", 14), "John Doe-1.x@y", "space, '-', '.', '@' stay");
	ok(gk_ldap_escape("****", 4, small, sizeof(small)) == GK_ETOOLONG,
	    "an escaped value that does not fit: GK_ETOOLONG (never cut)");
	ok(gk_ldap_escape("abcdefg", 7, small, sizeof(small)) == GK_OK && strcmp(small, "abcdefg") == 0,
	    "exactly fitting value with its NUL");

	/* the classic injections stay one assertion value */
	is_str(filt("(uid=%s)", "*"), "(uid=\\2a)", "'*' cannot match everybody");
	is_str(filt("(&(objectClass=inetOrgPerson)(uid=%s))", "alice)(uid=*"),
	    "(&(objectClass=inetOrgPerson)(uid=alice\\29\\28uid=\\2a))", "')(' cannot add a term");
	is_str(filt("(uid=%s)", "*)(|(uid=*"), "(uid=\\2a\\29\\28|\\28uid=\\2a)", "'|' group stays a value");
	is_str(filt("(uid=%s)", "ali\\2a"), "(uid=ali\\5c2a)", "an escape sent by the client is escaped again");
	is_str(filt("(member=%s)", "uid=a\\,b,ou=p"), "(member=uid=a\\5c,b,ou=p)", "a DN's backslash escaped");
	ok(gk_ldap_filter("uid=%s", "a", 1, small, sizeof(small)) == GK_EINVAL, "unparenthesised template refused");
	ok(gk_ldap_filter("(uid=%s)(cn=%s)", "a", 1, small, sizeof(small)) == GK_EINVAL, "two %%s refused");
	ok(gk_ldap_filter("(uid=%d)", "a", 1, small, sizeof(small)) == GK_EINVAL, "%%d refused");
	ok(gk_ldap_filter("(uid=%s)", "abcdef", 6, small, sizeof(small)) == GK_ETOOLONG, "too long: refused");

	/* group names */
	ok(gk_ldap_group_name("cn=admins,ou=groups,dc=gk,dc=test", g, sizeof(g)) == GK_OK &&
	    strcmp(g, "admins") == 0, "a DN's first RDN value");
	ok(gk_ldap_group_name("staff", g, sizeof(g)) == GK_OK && strcmp(g, "staff") == 0, "a plain name");
	ok(gk_ldap_group_name("cn=a\\2cb,ou=g", g, sizeof(g)) != GK_OK, "escapes: skipped, never a rule's group");
	ok(gk_ldap_group_name("cn=,ou=g", g, sizeof(g)) != GK_OK, "empty RDN value: skipped");
	ok(gk_ldap_group_name("cn=x y,ou=g", g, sizeof(g)) != GK_OK, "a space: no valid group");

	/* levels */
	ok(gk_ldap_level("admins=0,staff=500", "users,staff", 998, &lv) == GK_OK && lv == 500, "staff -> 500");
	ok(gk_ldap_level("admins=0,staff=500", "staff,admins", 998, &lv) == GK_OK && lv == 0, "the lowest wins");
	ok(gk_ldap_level("admins=0", "", 998, &lv) == GK_OK && lv == 998, "no group: the default");
	ok(gk_ldap_level("", "admins", 7, &lv) == GK_OK && lv == 7, "no map: the default");
	ok(gk_ldap_level("admins", "admins", 7, &lv) == GK_EINVAL, "a pair without '=' refused");
	ok(gk_ldap_level("admins=1000", "admins", 7, &lv) == GK_EINVAL, "a level over 999 refused");

	/* URIs */
	ok(gk_ldap_uri_host("ldap://127.0.0.1:389", &tls, &lo) == GK_OK && !tls && lo, "ldap://127.0.0.1: loopback");
	ok(gk_ldap_uri_host("LDAPS://dir.example.org", &tls, &lo) == GK_OK && tls && !lo, "ldaps:// remote");
	ok(gk_ldap_uri_host("ldap://[::1]:10389/", &tls, &lo) == GK_OK && lo, "[::1] is loopback");
	ok(gk_ldap_uri_host("ldap:///", &tls, &lo) != GK_OK, "no host (ldap.conf's default) refused");
	ok(gk_ldap_uri_host("ldap://a ldap://b", &tls, &lo) != GK_OK, "a list refused");
	ok(gk_ldap_uri_host("ldapi:///run/x", &tls, &lo) != GK_OK, "ldapi refused");

	/* the configuration check */
	is_int(check_with(NULL, NULL, &err), GK_OK, "a minimal ldap configuration passes");
	is_int(check_with("ldap_uri", "ldap://dir.example.org", &err), GK_ERR,
	    "plain ldap:// to a remote host refused (passwords in clear)");
	ok(strstr(err.msg, "in clear") != NULL, "... saying why");
	is_int(check_with("ldap_uri", "ldaps://dir.example.org", &err), GK_OK, "ldaps:// remote passes");
	is_int(check_with("ldap_user_filter", "(uid=*)", &err), GK_ERR, "a filter without %%s refused");
	is_int(check_with("ldap_user_filter", "(uid=%s%s)", &err), GK_ERR, "two %%s refused");
	is_int(check_with("ldap_bind_dn", "cn=svc,dc=gk", &err), GK_ERR, "bind_dn without its password file refused");
	is_int(check_with("ldap_level_groups", "admins=x", &err), GK_ERR, "a bad level map refused");
	is_int(check_with("proxy_auto_create", "true", &err), GK_ERR, "proxy_auto_create refused (read-only)");
	is_int(check_with("oidc_provider", "google", &err), GK_ERR, "oidc_provider refused (writes users)");
	is_int(check_with("ldap_base_dn", "", &err), GK_ERR, "no base DN refused");
	return done_testing();
}
