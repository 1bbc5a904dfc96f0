/* ldapconf.c: the LDAP backend's pure parts: its configuration check, RFC 4515 filter escaping, group names and levels. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "ldapconf.h"
#include "userbackend.h"
#include "validate.h"

int
gk_ldap_escape(const char *value, size_t len, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];
		bool esc = c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c >= 0x7f;

		if (o + (esc ? 3 : 1) >= outsz)
			return GK_ETOOLONG;
		if (esc) {
			out[o++] = '\\';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else
			out[o++] = (char)c;
	}
	if (o >= outsz)
		return GK_ETOOLONG;
	out[o] = '\0';
	return GK_OK;
}

/* One "%s", no other '%', parenthesised: what a filter template must be. */
static bool
template_ok(const char *t)
{
	const char *p = strchr(t, '%');
	size_t n = strlen(t);

	return n >= 3 && t[0] == '(' && t[n - 1] == ')' && p != NULL && p[1] == 's' &&
	    strchr(p + 2, '%') == NULL;
}

int
gk_ldap_filter(const char *tmpl, const char *value, size_t len, char *out, size_t outsz)
{
	const char *p;
	size_t pre, used;
	int rc;

	if (!template_ok(tmpl))
		return GK_EINVAL;
	p = strchr(tmpl, '%');
	pre = (size_t)(p - tmpl);
	if (pre >= outsz)
		return GK_ETOOLONG;
	memcpy(out, tmpl, pre);
	if ((rc = gk_ldap_escape(value, len, out + pre, outsz - pre)) != GK_OK)
		return rc;
	used = pre + strlen(out + pre);
	if (used + strlen(p + 2) >= outsz)
		return GK_ETOOLONG;
	memcpy(out + used, p + 2, strlen(p + 2) + 1);
	return GK_OK;
}

int
gk_ldap_name_attr(const char *tmpl, char *out, size_t outsz)
{
	const char *p = strstr(tmpl, "=%s)"), *a;
	size_t n;

	if (p == NULL || !template_ok(tmpl))
		return GK_EINVAL;
	for (a = p; a > tmpl && (isalnum((unsigned char)a[-1]) || a[-1] == '-' || a[-1] == '.' ||
	    a[-1] == ';'); a--)
		;
	n = (size_t)(p - a);
	if (a == tmpl || a[-1] != '(' || n == 0 || n >= outsz)
		return GK_EINVAL;
	memcpy(out, a, n);
	out[n] = '\0';
	return GK_OK;
}

bool
gk_ldap_dn_under(const char *dn, const char *base)
{
	char *nd = NULL, *nb = NULL;
	size_t ld, lb;
	bool under = false;

	if (ldap_dn_normalize(dn, LDAP_DN_FORMAT_LDAPV3, &nd, LDAP_DN_FORMAT_LDAPV3) ==
	    LDAP_SUCCESS && ldap_dn_normalize(base, LDAP_DN_FORMAT_LDAPV3, &nb,
	    LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS && nd != NULL && nb != NULL) {
		ld = strlen(nd);
		lb = strlen(nb);
		/* a whole RDN boundary, not "cn=x,ou=xgroups"; normalized, an escaped ',' is "\\2C" */
		under = lb > 0 && ld > lb + 1 && nd[ld - lb - 1] == ',' &&
		    strcasecmp(nd + ld - lb, nb) == 0;
	}
	ldap_memfree(nd);
	ldap_memfree(nb);
	return under;
}

int
gk_ldap_group_name(const char *value, char *out, size_t outsz)
{
	const char *eq = strchr(value, '='), *start = value, *end;
	size_t n;

	if (eq != NULL) {
		start = eq + 1;
		end = strchr(start, ',');
		if (end == NULL)
			end = start + strlen(start);
	} else
		end = value + strlen(value);
	n = (size_t)(end - start);
	if (n == 0 || n >= outsz || !gk_valid_group(start, n))
		return GK_EINVAL;
	memcpy(out, start, n);
	out[n] = '\0';
	return GK_OK;
}

/* Calls fn on each "group=level" of map; stops at the first non-zero answer. */
static int
level_each(const char *map, int (*fn)(const char *g, size_t glen, long level, void *arg),
    void *arg)
{
	const char *p = map;

	while (*p != '\0') {
		const char *item = p, *eq, *end = strchr(p, ',');
		char num[8];
		long lv;
		size_t n;
		int rc;

		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(item, '=', (size_t)(end - item));
		if (eq == NULL || eq == item || !gk_valid_group(item, (size_t)(eq - item)))
			return GK_EINVAL;
		n = (size_t)(end - eq - 1);
		if (n == 0 || n >= sizeof(num))
			return GK_EINVAL;
		memcpy(num, eq + 1, n);
		num[n] = '\0';
		if (strspn(num, "0123456789") != n || (lv = strtol(num, NULL, 10)) > GK_LEVEL_GUEST)
			return GK_EINVAL;
		if ((rc = fn(item, (size_t)(eq - item), lv, arg)) != 0)
			return rc;
		p = *end == ',' ? end + 1 : end;
	}
	return GK_OK;
}

static int
level_ok(const char *g, size_t glen, long level, void *arg)
{
	(void)g;
	(void)glen;
	(void)level;
	(void)arg;
	return 0;
}

struct level_find {
	const char *groups;
	long best;
};

static int
level_min(const char *g, size_t glen, long level, void *arg)
{
	struct level_find *f = arg;
	char name[GK_GROUP_MAX + 1];

	if (glen < sizeof(name)) {
		memcpy(name, g, glen);
		name[glen] = '\0';
		if (gk_groups_contains(f->groups, name) && level < f->best)
			f->best = level;
	}
	return 0;
}

int
gk_ldap_level(const char *map, const char *groups, long def, uint16_t *level)
{
	struct level_find f = { groups, def };

	if (level_each(map, level_min, &f) != GK_OK)
		return GK_EINVAL;
	*level = (uint16_t)f.best;
	return GK_OK;
}

int
gk_ldap_uri_host(const char *uri, bool *tls, bool *loopback)
{
	const char *h;
	size_t n;

	if (strncasecmp(uri, "ldap://", 7) == 0) {
		*tls = false;
		h = uri + 7;
	} else if (strncasecmp(uri, "ldaps://", 8) == 0) {
		*tls = true;
		h = uri + 8;
	} else
		return GK_EINVAL;
	if (strpbrk(uri, " \t,") != NULL)
		return GK_EINVAL;       /* one server: a list would hide which one answered */
	if (*h == '[') {
		const char *e = strchr(h, ']');

		if (e == NULL)
			return GK_EINVAL;
		n = (size_t)(e + 1 - h);
	} else
		n = strcspn(h, ":/?");
	if (n == 0)
		return GK_EINVAL;       /* "ldap:///": libldap's default host, whatever ldap.conf says */
	*loopback = (n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    (n == 5 && strncmp(h, "[::1]", 5) == 0) || strncmp(h, "127.", 4) == 0;
	return GK_OK;
}

int
gk_ldapconf_check(const struct gk_config *cfg, struct gk_err *err)
{
	bool tls, loopback;
	char attr[64];

	if (cfg->user_backend != GK_USERBACKEND_LDAP)
		return GK_OK;
	if (cfg->ldap_uri == NULL || gk_ldap_uri_host(cfg->ldap_uri, &tls, &loopback) != GK_OK)
		return gk_err_set(err, "user_backend = ldap: ldap_uri must be one ldap://host[:port] "
		    "or ldaps://host[:port] URL");
	if (tls && cfg->ldap_starttls)
		return gk_err_set(err, "ldap_starttls = true with an ldaps:// URL: choose one");
	if (!tls && !cfg->ldap_starttls && !loopback)
		return gk_err_set(err, "ldap_uri %s would send every password in clear: use "
		    "ldaps:// or ldap_starttls = true (plain ldap:// only to a loopback host)",
		    cfg->ldap_uri);
	if (cfg->ldap_base_dn == NULL || cfg->ldap_base_dn[0] == '\0')
		return gk_err_set(err, "user_backend = ldap: ldap_base_dn must be set");
	if (cfg->ldap_user_filter == NULL || !template_ok(cfg->ldap_user_filter) ||
	    gk_ldap_name_attr(cfg->ldap_user_filter, attr, sizeof(attr)) != GK_OK)
		return gk_err_set(err, "ldap_user_filter must be a parenthesised filter holding "
		    "exactly one %%s (the user name), as a whole assertion (uid=%%s), and no other %%");
	if (cfg->ldap_group_base_dn != NULL && cfg->ldap_group_base_dn[0] != '\0' &&
	    (cfg->ldap_group_filter == NULL || !template_ok(cfg->ldap_group_filter)))
		return gk_err_set(err, "ldap_group_filter must be a parenthesised filter holding "
		    "exactly one %%s (the user's DN) and no other %%");
	if ((cfg->ldap_bind_dn[0] == '\0') != (cfg->ldap_bind_password_file[0] == '\0'))
		return gk_err_set(err, "ldap_bind_dn and ldap_bind_password_file go together "
		    "(both empty: anonymous searches)");
	if (level_each(cfg->ldap_level_groups, level_ok, NULL) != GK_OK)
		return gk_err_set(err, "ldap_level_groups must be group=level pairs (level 0-999) "
		    "separated by commas, e.g. admins=0,staff=500");
	if (cfg->proxy_auto_create)
		return gk_err_set(err, "proxy_auto_create cannot be used with user_backend = ldap: "
		    "the directory is read-only to gatekeep");
	if (cfg->oidc_provider != GK_OIDC_NONE)
		return gk_err_set(err, "oidc_provider cannot be used with user_backend = ldap: "
		    "OIDC users are written to the GDBM database");
	if (cfg->passkeys)
		return gk_err_set(err, "passkeys cannot be used with user_backend = ldap: "
		    "passkeys are kept in the GDBM database's credentials store");
	return GK_OK;
}
