/* conf.c: the gatekeep.conf keys (names, types, defaults) and setting one key from text; loading is conf_load.c. */
#include <config.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_keys.h"
#include "log.h"
#include "statestore.h"	/* enum gk_store_down */
#include "userbackend.h"	/* enum gk_userbackend_kind */
#include "validate.h"

/* Enum fields are written through an int: make sure that is their size. */
_Static_assert(sizeof(enum gk_unauth) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gk_samesite) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gk_frontend) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gk_perm) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gk_oidc_provider) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gk_state_backend) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gk_sf_enrol) == sizeof(int), "enum size");

/* The names of the K_ENUM and K_METHODS keys' values: the key, a name, its value. */
static const struct conf_kname kname_table[] = {
	{ "methods", "bypass", GK_M_BYPASS },
	{ "methods", "proxy", GK_M_PROXY },
	{ "methods", "session", GK_M_SESSION },
	{ "methods", "basic", GK_M_BASIC },
	{ "on_unauthenticated", "auto", GK_UNAUTH_AUTO },
	{ "on_unauthenticated", "basic", GK_UNAUTH_BASIC },
	{ "on_unauthenticated", "redirect", GK_UNAUTH_REDIRECT },
	{ "cookie_samesite", "lax", GK_SAMESITE_LAX },
	{ "cookie_samesite", "strict", GK_SAMESITE_STRICT },
	{ "cookie_samesite", "none", GK_SAMESITE_NONE },
	{ "log_target", "syslog", GK_LOG_SYSLOG },
	{ "log_target", "stderr", GK_LOG_STDERR },
	{ "log_format", "text", GK_LOG_FORMAT_TEXT },
	{ "log_format", "json", GK_LOG_FORMAT_JSON },
	{ "frontend", "generic", GK_FRONTEND_GENERIC },
	{ "frontend", "caddy", GK_FRONTEND_CADDY },
	{ "state_backend", "file", GK_STATE_BACKEND_FILE },
	{ "state_backend", "redis", GK_STATE_BACKEND_REDIS },
	{ "state_store_down", "deny", GK_STORE_DOWN_DENY },
	{ "state_store_down", "local", GK_STORE_DOWN_LOCAL },
	{ "oidc_provider", "none", GK_OIDC_NONE },
	{ "oidc_provider", "oidc", GK_OIDC_GENERIC },
	{ "oidc_provider", "google", GK_OIDC_GOOGLE },
	{ "oidc_provider", "gitlab", GK_OIDC_GITLAB },
	{ "oidc_provider", "github", GK_OIDC_GITHUB },
	{ "user_backend", "gdbm", GK_USERBACKEND_GDBM },
	{ "user_backend", "ldap", GK_USERBACKEND_LDAP },
	{ "second_factor_enrol", "self", GK_SF_ENROL_SELF },
	{ "second_factor_enrol", "admin", GK_SF_ENROL_ADMIN },
};

/* The next of k's names after *kn (from the first when *kn is NULL); false after the last. */
static bool
kname_next(const struct conf_key *k, const struct conf_kname **kn)
{
	const struct conf_kname *end = kname_table + sizeof(kname_table) / sizeof(kname_table[0]);
	const struct conf_kname *p = *kn == NULL ? kname_table : *kn + 1;

	for (; p < end; p++) {
		if (strcmp(p->key, k->name) == 0) {
			*kn = p;
			return true;
		}
	}
	return false;
}

bool
conf_name_value(const struct conf_key *k, const char *name, int *value)
{
	const struct conf_kname *kn = NULL;

	while (kname_next(k, &kn)) {
		if (strcmp(kn->name, name) == 0) {
			*value = kn->value;
			return true;
		}
	}
	return false;
}

const char *
conf_value_name(const struct conf_key *k, int value)
{
	const struct conf_kname *kn = NULL;

	while (kname_next(k, &kn))
		if (kn->value == value)
			return kn->name;
	return NULL;
}

#define F(field) offsetof(struct gk_config, field)

/*
 * Every key: adding one is one line here plus its field in struct gk_config
 * (and its entry in gatekeep.conf.5 and contrib/gatekeep.conf).
 */
const struct conf_key conf_keys[] = {
	{ "database", K_PATH, F(database), "/var/lib/gatekeep/users.db", 0, 0 },
	{ "secret_file", K_PATH, F(secret_file), "/var/lib/gatekeep/secret", 0, 0 },
	{ "realm", K_REALM, F(realm), "gatekeep", 0, 0 },
	{ "methods", K_METHODS, F(methods), "bypass,proxy,session,basic", 0, 0 },
	{ "on_unauthenticated", K_ENUM, F(on_unauthenticated), "auto", 0, 0 },
	{ "login_url", K_URL, F(login_url), "/gatekeep/login", 0, 0 },
	{ "default_redirect", K_URL, F(default_redirect), "/", 0, 0 },
	{ "redirect_domains", K_DOMAINLIST, F(redirect_domains), "", 0, 0 },
	{ "cookie_name", K_COOKIE_NAME, F(cookie_name), "gatekeep_session", 0, 0 },
	{ "cookie_domain", K_DOMAIN_OPT, F(cookie_domain), "", 0, 0 },
	{ "cookie_secure", K_BOOL, F(cookie_secure), "true", 0, 0 },
	{ "cookie_samesite", K_ENUM, F(cookie_samesite), "lax", 0, 0 },
	{ "session_ttl", K_DURATION, F(session_ttl), "12h", 60, 0 },
	{ "zero_hop_ticket_ttl", K_DURATION, F(zero_hop_ticket_ttl), "0", 0, 300 },
	{ "proxy_trusted", K_CIDRS, F(proxy_trusted), "", 0, 0 },
	{ "proxy_user_header", K_HEADER, F(proxy_user_header), "Remote-User", 0, 0 },
	{ "proxy_email_header", K_HEADER_OPT, F(proxy_email_header), "", 0, 0 },
	{ "proxy_groups_header", K_HEADER_OPT, F(proxy_groups_header), "", 0, 0 },
	{ "proxy_auto_create", K_BOOL, F(proxy_auto_create), "false", 0, 0 },
	{ "proxy_auto_create_groups", K_GROUPS, F(proxy_auto_create_groups), "", 0, 0 },
	{ "proxy_auto_create_permission", K_PERM, F(proxy_auto_create_permission), "rw", 0, 0 },
	{ "bypass_paths", K_PATHLIST, F(bypass_paths), "", 0, 0 },
	{ "bypass_networks", K_CIDRS, F(bypass_networks), "", 0, 0 },
	{ "bypass_hosts", K_HOSTLIST, F(bypass_hosts), "", 0, 0 },
	{ "bypass_hosts_on", K_CIDRS, F(bypass_hosts_on), "", 0, 0 },
	{ "bypass_hosts_from", K_CIDRS, F(bypass_hosts_from), "", 0, 0 },
	{ "bypass_user", K_USER_OPT, F(bypass_user), "", 0, 0 },
	{ "rule", K_RULES, F(rules), NULL, 0, 0 },
	{ "allowed_origins", K_ORIGINLIST, F(allowed_origins), "", 0, 0 },
	{ "max_failures", K_INT, F(max_failures), "5", 0, 100 },
	{ "find_time", K_DURATION, F(find_time), "10m", 1, 0 },
	{ "ban_time", K_DURATION, F(ban_time), "15m", 1, 0 },
	{ "lockout_address_failures", K_INT, F(lockout_address_failures), "20", 1, 100000 },
	{ "lockout_user_throttle", K_INT, F(lockout_user_throttle), "10", 1, 100000 },
	{ "lockout_user_lock", K_INT, F(lockout_user_lock), "100", 100, 100000 },
	{ "lockout_throttle_max", K_DURATION, F(lockout_throttle_max), "1m", 1, 3600 },
	{ "basic_cache_ttl", K_DURATION, F(basic_cache_ttl), "5m", 0, 3600 },
	{ "log_level", K_LOGLEVEL, F(log_level), "notice", 0, 0 },
	{ "log_target", K_ENUM, F(log_target), "syslog", 0, 0 },
	{ "log_format", K_ENUM, F(log_format), "text", 0, 0 },
	{ "metrics_path", K_PATH_OPT, F(metrics_path), "", 0, 0 },
	{ "health_path", K_PATH_OPT, F(health_path), "", 0, 0 },
	{ "ready_path", K_PATH_OPT, F(ready_path), "", 0, 0 },
	{ "metrics_allow_from", K_CIDRS, F(metrics_allow_from), "127.0.0.0/8 ::1", 0, 0 },
	{ "frontend", K_ENUM, F(frontend), "generic", 0, 0 },
	{ "state_dir", K_PATH_OPT, F(state_dir), "", 0, 0 },
	/* Shared state through Redis/Valkey (lib/statestore.h). */
	{ "state_backend", K_ENUM, F(state_backend), "file", 0, 0 },
	{ "redis_url", K_TEXT_OPT, F(redis_url), "", 0, 0 },
	{ "redis_password_file", K_PATH_OPT, F(redis_password_file), "", 0, 0 },
	{ "redis_key_file", K_PATH_OPT, F(redis_key_file), "", 0, 0 },
	{ "redis_prefix", K_TEXT_OPT, F(redis_prefix), "gatekeep:", 0, 0 },
	{ "redis_timeout_ms", K_INT, F(redis_timeout_ms), "500", 1, 60000 },
	{ "state_generation_cache_ms", K_INT, F(state_generation_cache_ms), "1000", 0, 2000 },
	{ "state_store_down", K_ENUM, F(state_store_down), "deny", 0, 0 },
	{ "run_user", K_SYSNAME_OPT, F(run_user), "", 0, 0 },
	{ "run_group", K_SYSNAME_OPT, F(run_group), "", 0, 0 },
	{ "login_template", K_PATH_OPT, F(login_template), "", 0, 0 },
	{ "oidc_provider", K_ENUM, F(oidc_provider), "none", 0, 0 },
	{ "oidc_issuer", K_TEXT_OPT, F(oidc_issuer), "", 0, 0 },
	{ "oidc_client_id", K_TEXT_OPT, F(oidc_client_id), "", 0, 0 },
	{ "oidc_client_secret_file", K_PATH_OPT, F(oidc_client_secret_file), "", 0, 0 },
	{ "oidc_redirect_uri", K_TEXT_OPT, F(oidc_redirect_uri), "", 0, 0 },
	{ "oidc_scopes", K_TEXT_OPT, F(oidc_scopes), "", 0, 0 },
	{ "oidc_authorization_endpoint", K_TEXT_OPT, F(oidc_authorization_endpoint), "", 0, 0 },
	{ "oidc_token_endpoint", K_TEXT_OPT, F(oidc_token_endpoint), "", 0, 0 },
	{ "oidc_userinfo_endpoint", K_TEXT_OPT, F(oidc_userinfo_endpoint), "", 0, 0 },
	{ "oidc_jwks_uri", K_TEXT_OPT, F(oidc_jwks_uri), "", 0, 0 },
	{ "oidc_authorized_domains", K_TEXT_OPT, F(oidc_authorized_domains), "", 0, 0 },
	{ "oidc_authorized_users", K_TEXT_OPT, F(oidc_authorized_users), "", 0, 0 },
	{ "oidc_groups_claim", K_TEXT_OPT, F(oidc_groups_claim), "", 0, 0 },
	{ "oidc_username_claim", K_TEXT_OPT, F(oidc_username_claim), "email", 0, 0 },
	{ "oidc_button_label", K_TEXT_OPT, F(oidc_button_label), "", 0, 0 },
	/* Directory users: user_backend and the LDAP backend (lib/userbackend, lib/ldapusers). */
	{ "user_backend", K_ENUM, F(user_backend), "gdbm", 0, 0 },
	{ "ldap_uri", K_TEXT_OPT, F(ldap_uri), "", 0, 0 },
	{ "ldap_base_dn", K_TEXT_OPT, F(ldap_base_dn), "", 0, 0 },
	{ "ldap_user_filter", K_TEXT_OPT, F(ldap_user_filter),
	  "(&(objectClass=inetOrgPerson)(uid=%s))", 0, 0 },
	{ "ldap_bind_dn", K_TEXT_OPT, F(ldap_bind_dn), "", 0, 0 },
	{ "ldap_bind_password_file", K_PATH_OPT, F(ldap_bind_password_file), "", 0, 0 },
	{ "ldap_group_attribute", K_TEXT_OPT, F(ldap_group_attribute), "memberOf", 0, 0 },
	{ "ldap_group_base_dn", K_TEXT_OPT, F(ldap_group_base_dn), "", 0, 0 },
	{ "ldap_group_filter", K_TEXT_OPT, F(ldap_group_filter), "(member=%s)", 0, 0 },
	{ "ldap_level_groups", K_TEXT_OPT, F(ldap_level_groups), "", 0, 0 },
	{ "ldap_default_level", K_INT, F(ldap_default_level), "998", 0, 999 },
	{ "ldap_starttls", K_BOOL, F(ldap_starttls), "false", 0, 0 },
	{ "ldap_ca_file", K_PATH_OPT, F(ldap_ca_file), "", 0, 0 },
	{ "ldap_timeout", K_DURATION, F(ldap_timeout), "5s", 1, 60 },
	{ "ldap_cache_ttl", K_DURATION, F(ldap_cache_ttl), "30s", 0, 3600 },
	{ "ldap_down_grace", K_DURATION, F(ldap_down_grace), "0", 0, 3600 },
	/* Second factor (TOTP). */
	{ "second_factor_groups", K_GROUPS, F(second_factor_groups), "", 0, 0 },
	{ "totp_issuer", K_REALM, F(totp_issuer), "gatekeep", 0, 0 },
	{ "second_factor_enrol", K_ENUM, F(second_factor_enrol), "self", 0, 0 },
	/* passkeys (WebAuthn): lib/login_passkey*.c checks origin and rp id at start-up */
	{ "passkeys", K_BOOL, F(passkeys), "false", 0, 0 },
	{ "passkey_origin", K_TEXT_OPT, F(passkey_origin), "", 0, 0 },
	{ "passkey_rp_id", K_TEXT_OPT, F(passkey_rp_id), "", 0, 0 },
	{ "passkey_user_verification", K_BOOL, F(passkey_user_verification), "false", 0, 0 },
	{ "passkey_second_factor", K_BOOL, F(passkey_second_factor), "true", 0, 0 },
};
const size_t conf_nkeys = sizeof(conf_keys) / sizeof(conf_keys[0]);
_Static_assert(sizeof(conf_keys) / sizeof(conf_keys[0]) <= CONF_KEYS_MAX, "raise CONF_KEYS_MAX");

/* What a bad value should have looked like, for the error message. */
static const char *
type_hint(const struct conf_key *k)
{
	switch (k->type) {
	case K_PATH: return "an absolute path";
	case K_PATH_OPT: return "an absolute path or empty";
	case K_REALM: return "1-128 printable ASCII characters without '\"' or '\\'";
	case K_URL: return "a local path starting with a single '/' or an http(s):// URL";
	case K_COOKIE_NAME: return "a cookie name (letters, digits, !#$%&'*+-.^_`|~)";
	case K_DOMAIN_OPT: return "a host name, optionally with a leading '.'";
	case K_HEADER: return "a header name of letters, digits and '-'";
	case K_HEADER_OPT: return "a header name of letters, digits and '-', or empty";
	case K_USER_OPT: return "a valid user name or empty";
	case K_GROUPS: return "a comma-separated list of group names";
	case K_SYSNAME_OPT: return "a system user or group name";
	case K_BOOL: return "true/false, yes/no, on/off or 1/0";
	case K_DURATION: return "a duration such as 90, 90s, 15m, 12h, 7d or 1w";
	case K_INT: return "an integer";
	case K_CIDRS: return "addresses or networks such as 10.0.0.0/8, ::1 or @";
	case K_PATHLIST: return "paths starting with '/'";
	case K_HOSTLIST: return "host or host:port names";
	case K_DOMAINLIST: return "host names or .suffix names";
	case K_ORIGINLIST: return "origins such as https://example.com:8443";
	case K_METHODS: return "a list of bypass, proxy, session, basic without repeats";
	case K_ENUM: return "one of the names listed in gatekeep.conf(5)";
	case K_LOGLEVEL: return "err, warning, notice, info or debug";
	case K_PERM: return "none, ro or rw (full = rw)";
	case K_RULES: return "a rule";
	case K_TEXT_OPT: return "text without control characters, at most 2048 bytes";
	}
	return "?";
}

/* ---- setting one key ---- */

const struct conf_key *
conf_find_key(const char *name)
{
	size_t i;

	for (i = 0; i < conf_nkeys; i++)
		if (strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}

/* The rule for the value of a string key, or for one item of a list key, of type t. */
static bool
value_ok(enum conf_ktype t, const char *s)
{
	switch (t) {
	case K_PATH:
	case K_PATHLIST:
		return conf_path_ok(s);
	case K_PATH_OPT:
		return *s == '\0' || conf_path_ok(s);
	case K_REALM:
		return conf_realm_ok(s);
	case K_URL:
		return conf_url_ok(s);
	case K_COOKIE_NAME:
		return *s != '\0' && strlen(s) <= 64 && conf_all_chars(s, "!#$%&'*+-.^_`|~");
	case K_DOMAIN_OPT:
		return *s == '\0' || conf_hostname_ok(s, true);
	case K_DOMAINLIST:
		return conf_hostname_ok(s, true);
	case K_HEADER:
		return conf_header_ok(s);
	case K_HEADER_OPT:
		return *s == '\0' || conf_header_ok(s);
	case K_USER_OPT:
		return *s == '\0' || gk_valid_user(s, strlen(s));
	case K_SYSNAME_OPT:
		return conf_sysname_ok(s);
	case K_TEXT_OPT:
		return strlen(s) <= 2048 && gk_valid_utf8(s, strlen(s));
	case K_HOSTLIST:
		return conf_hostport_ok(s);
	case K_ORIGINLIST:
		return conf_origin_ok(s);
	default:
		return false;
	}
}

static bool
list_items_ok(const struct gk_strlist *l, enum conf_ktype t)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (!value_ok(t, l->items[i]))
			return false;
	return true;
}

static int
set_string(char **slot, const char *v)
{
	char *copy = strdup(v);

	if (copy == NULL)
		return GK_ERR;
	free(*slot);
	*slot = copy;
	return GK_OK;
}

int
conf_bad_value(const struct conf_key *k, const char *value, const char *where, struct gk_err *err,
    const char *why)
{
	char sb[80];

	gk_err_set(err, "%s: bad value for %s: '%s' (%s)", where, k->name,
	    gk_log_escape(value, sb, 64), why != NULL ? why : type_hint(k));
	return GK_EINVAL;
}

static int
set_methods(struct gk_config *cfg, const struct conf_key *k, const char *value, const char *where,
    struct gk_err *err)
{
	struct gk_strlist l;
	enum gk_method m[GK_METHODS_MAX];
	size_t i, j, n = 0;
	int rc = GK_EINVAL;

	if (gk_strlist_parse(value, &l) != GK_OK)
		return conf_bad_value(k, value, where, err, NULL);
	if (l.count == 0 || l.count > GK_METHODS_MAX)
		goto out;
	for (i = 0; i < l.count; i++) {
		int v;

		if (!conf_name_value(k, l.items[i], &v))
			goto out;
		for (j = 0; j < n; j++)
			if (m[j] == (enum gk_method)v)
				goto out;
		m[n++] = (enum gk_method)v;
	}
	memcpy(cfg->methods, m, n * sizeof(m[0]));
	cfg->methods_count = n;
	rc = GK_OK;
out:
	gk_strlist_free(&l);
	if (rc != GK_OK)
		return conf_bad_value(k, value, where, err, NULL);
	return GK_OK;
}

int
conf_set_key(struct gk_config *cfg, const struct conf_key *k, const char *value, const char *where,
    struct gk_err *err)
{
	void *field = (char *)cfg + k->off;
	char **sp = field;

	if (strlen(value) > CONFIG_LINE_MAX)
		return gk_err_set(err, "%s: value for %s is longer than %d bytes", where, k->name,
		    CONFIG_LINE_MAX);
	if (conf_has_ctl(value))
		return conf_bad_value(k, value, where, err, "control characters are not allowed");
	switch (k->type) {
	case K_PATH: case K_PATH_OPT: case K_REALM: case K_URL: case K_COOKIE_NAME:
	case K_DOMAIN_OPT: case K_HEADER: case K_HEADER_OPT: case K_USER_OPT:
	case K_SYSNAME_OPT: case K_TEXT_OPT:
		if (!value_ok(k->type, value))
			return conf_bad_value(k, value, where, err,
			    (k->type == K_HEADER || k->type == K_HEADER_OPT) &&
			    strchr(value, '_') != NULL ?
			    "'_' is refused: servers turn '_' and '-' into the same variable" : NULL);
		break;
	case K_GROUPS: {
		struct gk_strlist l;
		char buf[GK_GROUPS_MAX + 1];
		size_t i, pos = 0;
		bool fits = true;

		/* "a, b" and "a,b" are the same list; store the canonical "a,b". */
		if (gk_strlist_parse(value, &l) != GK_OK)
			return conf_bad_value(k, value, where, err, NULL);
		buf[0] = '\0';
		for (i = 0; i < l.count && fits; i++) {
			size_t len = strlen(l.items[i]);

			if (pos + len + 1 >= sizeof(buf))
				fits = false;
			else {
				if (i > 0)
					buf[pos++] = ',';
				memcpy(buf + pos, l.items[i], len + 1);
				pos += len;
			}
		}
		gk_strlist_free(&l);
		if (!fits || !gk_valid_group_list(buf, pos))
			return conf_bad_value(k, value, where, err, NULL);
		if (set_string(sp, buf) != GK_OK)
			return gk_err_set(err, "out of memory");
		return GK_OK;
	}
	case K_BOOL:
		if (gk_parse_bool(value, (bool *)field) != GK_OK)
			return conf_bad_value(k, value, where, err, NULL);
		return GK_OK;
	case K_DURATION: {
		long v, max = k->max != 0 ? k->max : DURATION_MAX;
		char why[96];

		if (gk_parse_duration(value, &v) != GK_OK)
			return conf_bad_value(k, value, where, err, NULL);
		if (v < k->min || v > max) {
			snprintf(why, sizeof(why), "must be between %lds and %lds", k->min, max);
			return conf_bad_value(k, value, where, err, why);
		}
		*(long *)field = v;
		return GK_OK;
	}
	case K_INT: {
		long v;
		char why[96];

		if (!conf_parse_long(value, k->min, k->max, &v)) {
			snprintf(why, sizeof(why), "an integer from %ld to %ld", k->min, k->max);
			return conf_bad_value(k, value, where, err, why);
		}
		*(long *)field = v;
		return GK_OK;
	}
	case K_CIDRS: {
		struct gk_cidr_list l;
		struct gk_err e;

		if (gk_cidr_list_parse(value, &l, &e) != GK_OK)
			return gk_err_set(err, "%s: bad value for %s: %s", where, k->name, e.msg);
		gk_cidr_list_free(field);
		*(struct gk_cidr_list *)field = l;
		return GK_OK;
	}
	case K_PATHLIST:
	case K_HOSTLIST:
	case K_DOMAINLIST:
	case K_ORIGINLIST: {
		struct gk_strlist l;

		if (gk_strlist_parse(value, &l) != GK_OK)
			return conf_bad_value(k, value, where, err, "too many items");
		if (!list_items_ok(&l, k->type)) {
			gk_strlist_free(&l);
			return conf_bad_value(k, value, where, err, NULL);
		}
		gk_strlist_free(field);
		*(struct gk_strlist *)field = l;
		return GK_OK;
	}
	case K_METHODS:
		return set_methods(cfg, k, value, where, err);
	case K_LOGLEVEL:
		/* The names are log.c's, which also prints them. */
		if (gk_log_level_parse(value, field) != GK_OK)
			return conf_bad_value(k, value, where, err, NULL);
		return GK_OK;
	case K_PERM:
		/* The names are record.c's, as for a user's permission. */
		if (gk_perm_parse(value, field) != GK_OK)
			return conf_bad_value(k, value, where, err, NULL);
		return GK_OK;
	case K_ENUM: {
		const struct conf_kname *kn = NULL;
		char why[128];
		size_t pos = 0;

		if (conf_name_value(k, value, (int *)field))
			return GK_OK;
		while (pos < sizeof(why) && kname_next(k, &kn)) {
			int w = snprintf(why + pos, sizeof(why) - pos, "%s%s",
			    pos == 0 ? "one of: " : ", ", kn->name);
			if (w < 0)
				break;
			pos += (size_t)w;
		}
		return conf_bad_value(k, value, where, err, why);
	}
	case K_RULES:
		return conf_rule_add(cfg, value, where, err);
	}
	/* The string types that passed their check above. */
	if (set_string(sp, value) != GK_OK)
		return gk_err_set(err, "out of memory");
	return GK_OK;
}

/* Strips one pair of double quotes around the whole value; a lone or inner quote is an error. */
int
conf_unquote(const char *value, char *out, size_t outsz)
{
	size_t n = strlen(value);

	if (n > 0 && value[0] == '"') {
		if (n < 2 || value[n - 1] != '"' || memchr(value + 1, '"', n - 2) != NULL)
			return GK_EINVAL;
		return gk_memcpy_str(out, outsz, value + 1, n - 2);
	}
	return gk_strcpy(out, outsz, value);
}

int
conf_set_text(struct gk_config *cfg, const struct conf_key *k, const char *value, const char *where,
    struct gk_err *err)
{
	char buf[CONFIG_LINE_MAX + 1];

	if (k->type == K_RULES)
		return conf_set_key(cfg, k, value, where, err);
	switch (conf_unquote(value, buf, sizeof(buf))) {
	case GK_OK:
		return conf_set_key(cfg, k, buf, where, err);
	case GK_ETOOLONG:
		return gk_err_set(err, "%s: value for %s is too long", where, k->name);
	default:
		return conf_bad_value(k, value, where, err, "unbalanced double quote");
	}
}

int
gk_config_set(struct gk_config *cfg, const char *key, const char *value, const char *where,
    struct gk_err *err)
{
	const struct conf_key *k = key != NULL ? conf_find_key(key) : NULL;
	char sb[80];

	if (where == NULL)
		where = "setting";
	if (k == NULL)
		return gk_err_set(err, "%s: unknown key '%s'", where, gk_log_escape(key, sb, 48)), GK_EINVAL;
	return conf_set_text(cfg, k, value != NULL ? value : "", where, err);
}

/* ---- whole configuration ---- */

void
gk_config_free(struct gk_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < conf_nkeys; i++) {
		void *field = (char *)cfg + conf_keys[i].off;

		switch (conf_keys[i].type) {
		case K_PATH: case K_PATH_OPT: case K_REALM: case K_URL: case K_COOKIE_NAME:
		case K_DOMAIN_OPT: case K_HEADER: case K_HEADER_OPT: case K_USER_OPT:
		case K_GROUPS: case K_SYSNAME_OPT: case K_TEXT_OPT:
			free(*(char **)field);
			break;
		case K_CIDRS:
			gk_cidr_list_free(field);
			break;
		case K_PATHLIST: case K_HOSTLIST: case K_DOMAINLIST: case K_ORIGINLIST:
			gk_strlist_free(field);
			break;
		case K_RULES:
			conf_rules_free(cfg);
			break;
		default:
			break;
		}
	}
	memset(cfg, 0, sizeof(*cfg));
}

bool
gk_config_uses_method(const struct gk_config *cfg, enum gk_method m)
{
	size_t i;

	for (i = 0; i < cfg->methods_count; i++)
		if (cfg->methods[i] == m)
			return true;
	return false;
}

int
gk_config_defaults(struct gk_config *cfg, struct gk_err *err)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < conf_nkeys; i++) {
		if (conf_keys[i].def == NULL)
			continue;
		if (conf_set_key(cfg, &conf_keys[i], conf_keys[i].def, "default", err) != GK_OK) {
			gk_config_free(cfg);
			return GK_ERR;
		}
	}
	return GK_OK;
}
