/* config.c: the gatekeep.conf "key = value" file plus GATEKEEP_* environment overrides, validated. */
/* <config.h> is autoconf's; "config.h" below, from this directory, is lib/config.h. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "policy.h"
#include "validate.h"

#define CONFIG_FILE_MAX   (1024 * 1024)  /* bytes; a config file is never this big */
#define CONFIG_LINE_MAX   8192           /* bytes per line, without the line end */
#define STRLIST_MAX       1024           /* items per list */
#define DURATION_MAX      2147483647L    /* seconds (68 years): keeps time_t sums far from overflow */
#define ENV_PREFIX        "GATEKEEP_"

/* Enum fields are written through an int: make sure that is their size. */
_Static_assert(sizeof(enum gk_unauth) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gk_samesite) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gk_frontend) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gk_perm) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gk_oidc_provider) == sizeof(int), "enum size");

enum ktype {
	K_PATH,         /* absolute path, required */
	K_PATH_OPT,     /* absolute path or empty */
	K_REALM,        /* printable ASCII without '"' and '\\' */
	K_URL,          /* "/local" or http(s)://... */
	K_COOKIE_NAME,  /* RFC 6265 token */
	K_DOMAIN_OPT,   /* host name, optional leading '.', or empty */
	K_HEADER,       /* header name: letters, digits and '-' only */
	K_HEADER_OPT,   /* the same, or empty */
	K_USER_OPT,     /* a valid user name or empty */
	K_GROUPS,       /* comma-separated group list */
	K_SYSNAME_OPT,  /* a system user/group name or empty */
	K_BOOL,
	K_DURATION,     /* long seconds within [min, max] */
	K_INT,          /* long within [min, max] */
	K_CIDRS,
	K_PATHLIST,     /* list of "/..." prefixes */
	K_HOSTLIST,     /* list of host[:port] */
	K_DOMAINLIST,   /* list of host or .suffix */
	K_ORIGINLIST,   /* list of scheme://host[:port] */
	K_METHODS,
	K_ENUM,
	K_LOGLEVEL,
	K_RULES,
	K_TEXT_OPT      /* UTF-8 text without control characters, <= 2048 bytes, or empty */
};

struct kname {
	const char *name;
	int value;
};

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	const char *def;            /* default, in the file's own syntax */
	long min, max;              /* K_INT, K_DURATION */
	const struct kname *names;  /* K_ENUM, ends with a NULL name */
};

static const struct kname unauth_names[] = {
	{ "auto", GK_UNAUTH_AUTO }, { "basic", GK_UNAUTH_BASIC },
	{ "redirect", GK_UNAUTH_REDIRECT }, { NULL, 0 }
};
static const struct kname samesite_names[] = {
	{ "lax", GK_SAMESITE_LAX }, { "strict", GK_SAMESITE_STRICT },
	{ "none", GK_SAMESITE_NONE }, { NULL, 0 }
};
static const struct kname perm_names[] = {
	{ "none", GK_PERM_NONE }, { "ro", GK_PERM_RO }, { "rw", GK_PERM_RW },
	{ "full", GK_PERM_RW }, { NULL, 0 }
};
static const struct kname target_names[] = {
	{ "syslog", GK_LOG_SYSLOG }, { "stderr", GK_LOG_STDERR }, { NULL, 0 }
};
static const struct kname frontend_names[] = {
	{ "generic", GK_FRONTEND_GENERIC }, { "caddy", GK_FRONTEND_CADDY }, { NULL, 0 }
};
static const struct kname method_names[] = {
	{ "bypass", GK_M_BYPASS }, { "proxy", GK_M_PROXY }, { "session", GK_M_SESSION },
	{ "basic", GK_M_BASIC }, { NULL, 0 }
};
static const struct kname oidc_provider_names[] = {
	{ "none", GK_OIDC_NONE }, { "oidc", GK_OIDC_GENERIC }, { "google", GK_OIDC_GOOGLE },
	{ "gitlab", GK_OIDC_GITLAB }, { "github", GK_OIDC_GITHUB }, { NULL, 0 }
};
static const struct kname loglevel_names[] = {
	{ "err", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO }, { "debug", LOG_DEBUG }, { NULL, 0 }
};

#define F(field) offsetof(struct gk_config, field)

/*
 * Every key: adding one is one line here plus its field in struct gk_config
 * (and its entry in gatekeep.conf.5 and contrib/gatekeep.conf).
 */
static const struct key keys[] = {
	{ "database", K_PATH, F(database), "/var/lib/gatekeep/users.db", 0, 0, NULL },
	{ "secret_file", K_PATH, F(secret_file), "/var/lib/gatekeep/secret", 0, 0, NULL },
	{ "realm", K_REALM, F(realm), "gatekeep", 0, 0, NULL },
	{ "methods", K_METHODS, F(methods), "bypass,proxy,session,basic", 0, 0, method_names },
	{ "on_unauthenticated", K_ENUM, F(on_unauthenticated), "auto", 0, 0, unauth_names },
	{ "login_url", K_URL, F(login_url), "/gatekeep/login", 0, 0, NULL },
	{ "default_redirect", K_URL, F(default_redirect), "/", 0, 0, NULL },
	{ "redirect_domains", K_DOMAINLIST, F(redirect_domains), "", 0, 0, NULL },
	{ "cookie_name", K_COOKIE_NAME, F(cookie_name), "gatekeep_session", 0, 0, NULL },
	{ "cookie_domain", K_DOMAIN_OPT, F(cookie_domain), "", 0, 0, NULL },
	{ "cookie_secure", K_BOOL, F(cookie_secure), "true", 0, 0, NULL },
	{ "cookie_samesite", K_ENUM, F(cookie_samesite), "lax", 0, 0, samesite_names },
	{ "session_ttl", K_DURATION, F(session_ttl), "12h", 60, DURATION_MAX, NULL },
	{ "zero_hop_ticket_ttl", K_DURATION, F(zero_hop_ticket_ttl), "0", 0, 300, NULL },
	{ "proxy_trusted", K_CIDRS, F(proxy_trusted), "", 0, 0, NULL },
	{ "proxy_user_header", K_HEADER, F(proxy_user_header), "Remote-User", 0, 0, NULL },
	{ "proxy_email_header", K_HEADER_OPT, F(proxy_email_header), "", 0, 0, NULL },
	{ "proxy_groups_header", K_HEADER_OPT, F(proxy_groups_header), "", 0, 0, NULL },
	{ "proxy_auto_create", K_BOOL, F(proxy_auto_create), "false", 0, 0, NULL },
	{ "proxy_auto_create_groups", K_GROUPS, F(proxy_auto_create_groups), "", 0, 0, NULL },
	{ "proxy_auto_create_permission", K_ENUM, F(proxy_auto_create_permission), "rw", 0, 0,
	  perm_names },
	{ "bypass_paths", K_PATHLIST, F(bypass_paths), "", 0, 0, NULL },
	{ "bypass_networks", K_CIDRS, F(bypass_networks), "", 0, 0, NULL },
	{ "bypass_hosts", K_HOSTLIST, F(bypass_hosts), "", 0, 0, NULL },
	{ "bypass_hosts_on", K_CIDRS, F(bypass_hosts_on), "", 0, 0, NULL },
	{ "bypass_hosts_from", K_CIDRS, F(bypass_hosts_from), "", 0, 0, NULL },
	{ "bypass_user", K_USER_OPT, F(bypass_user), "", 0, 0, NULL },
	{ "rule", K_RULES, F(rules), NULL, 0, 0, NULL },
	{ "allowed_origins", K_ORIGINLIST, F(allowed_origins), "", 0, 0, NULL },
	{ "max_failures", K_INT, F(max_failures), "5", 0, 100, NULL },
	{ "find_time", K_DURATION, F(find_time), "10m", 1, DURATION_MAX, NULL },
	{ "ban_time", K_DURATION, F(ban_time), "15m", 1, DURATION_MAX, NULL },
	{ "lockout_address_failures", K_INT, F(lockout_address_failures), "20", 1, 100000, NULL },
	{ "lockout_user_throttle", K_INT, F(lockout_user_throttle), "10", 1, 100000, NULL },
	{ "lockout_user_lock", K_INT, F(lockout_user_lock), "100", 100, 100000, NULL },
	{ "lockout_throttle_max", K_DURATION, F(lockout_throttle_max), "1m", 1, 3600, NULL },
	{ "basic_cache_ttl", K_DURATION, F(basic_cache_ttl), "5m", 0, 3600, NULL },
	{ "log_level", K_LOGLEVEL, F(log_level), "info", 0, 0, loglevel_names },
	{ "log_target", K_ENUM, F(log_target), "syslog", 0, 0, target_names },
	{ "frontend", K_ENUM, F(frontend), "generic", 0, 0, frontend_names },
	{ "state_dir", K_PATH_OPT, F(state_dir), "", 0, 0, NULL },
	{ "run_user", K_SYSNAME_OPT, F(run_user), "", 0, 0, NULL },
	{ "run_group", K_SYSNAME_OPT, F(run_group), "", 0, 0, NULL },
	{ "login_template", K_PATH_OPT, F(login_template), "", 0, 0, NULL },
	{ "oidc_provider", K_ENUM, F(oidc_provider), "none", 0, 0, oidc_provider_names },
	{ "oidc_issuer", K_TEXT_OPT, F(oidc_issuer), "", 0, 0, NULL },
	{ "oidc_client_id", K_TEXT_OPT, F(oidc_client_id), "", 0, 0, NULL },
	{ "oidc_client_secret_file", K_PATH_OPT, F(oidc_client_secret_file), "", 0, 0, NULL },
	{ "oidc_redirect_uri", K_TEXT_OPT, F(oidc_redirect_uri), "", 0, 0, NULL },
	{ "oidc_scopes", K_TEXT_OPT, F(oidc_scopes), "", 0, 0, NULL },
	{ "oidc_authorization_endpoint", K_TEXT_OPT, F(oidc_authorization_endpoint), "", 0, 0, NULL },
	{ "oidc_token_endpoint", K_TEXT_OPT, F(oidc_token_endpoint), "", 0, 0, NULL },
	{ "oidc_userinfo_endpoint", K_TEXT_OPT, F(oidc_userinfo_endpoint), "", 0, 0, NULL },
	{ "oidc_jwks_uri", K_TEXT_OPT, F(oidc_jwks_uri), "", 0, 0, NULL },
	{ "oidc_authorized_domains", K_TEXT_OPT, F(oidc_authorized_domains), "", 0, 0, NULL },
	{ "oidc_authorized_users", K_TEXT_OPT, F(oidc_authorized_users), "", 0, 0, NULL },
	{ "oidc_groups_claim", K_TEXT_OPT, F(oidc_groups_claim), "", 0, 0, NULL },
	{ "oidc_username_claim", K_TEXT_OPT, F(oidc_username_claim), "email", 0, 0, NULL },
	{ "oidc_button_label", K_TEXT_OPT, F(oidc_button_label), "", 0, 0, NULL },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* What a bad value should have looked like, for the error message. */
static const char *
type_hint(const struct key *k)
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
	case K_RULES: return "a rule";
	case K_TEXT_OPT: return "text without control characters, at most 2048 bytes";
	}
	return "?";
}

/* ---- small checks ---- */

static bool
has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
all_chars(const char *s, const char *extra)
{
	for (; *s != '\0'; s++)
		if (!is_alnum(*s) && strchr(extra, *s) == NULL)
			return false;
	return true;
}

static bool
path_ok(const char *s)
{
	return s[0] == '/' && strlen(s) < GK_PATH_MAX && !has_ctl(s);
}

/*
 * Proxy header names: letters, digits and '-' only. Servers map '_' and (lighttpd)
 * every other non-alphanumeric byte to '_' in HTTP_* names, so any other byte
 * would name a header that an attacker can spell differently.
 */
static bool
header_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && all_chars(s, "-") && s[0] != '-' && s[n - 1] != '-' &&
	    gk_valid_header_name(s, n);
}

/* host name: dot-separated labels of [A-Za-z0-9-]; leading '.' only if dot_ok. */
static bool
hostname_ok(const char *s, bool dot_ok)
{
	size_t n = strlen(s), label = 0;

	if (dot_ok && s[0] == '.')
		s++, n--;
	if (n == 0 || n > 253 || !all_chars(s, ".-"))
		return false;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > 63)
			return false;
	}
	return label > 0;
}

/* host, host:port, [v6] or [v6]:port */
static bool
hostport_ok(const char *s)
{
	char host[256];
	const char *colon, *end;
	size_t hlen;

	if (s[0] == '[') {
		unsigned char a6[16];

		end = strchr(s, ']');
		if (end == NULL || gk_memcpy_str(host, sizeof(host), s + 1,
		    (size_t)(end - s - 1)) != GK_OK || inet_pton(AF_INET6, host, a6) != 1)
			return false;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return false;
	} else {
		colon = strchr(s, ':');
		hlen = colon != NULL ? (size_t)(colon - s) : strlen(s);
		if (gk_memcpy_str(host, sizeof(host), s, hlen) != GK_OK || !hostname_ok(host, false))
			return false;
	}
	if (colon != NULL) {
		long port = 0;
		const char *p = colon + 1;

		if (*p == '\0')
			return false;
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				return false;
			port = port * 10 + (*p - '0');
			if (port > 65535)
				return false;
		}
		if (port == 0)
			return false;
	}
	return true;
}

static bool
origin_ok(const char *s)
{
	if (strncmp(s, "https://", 8) == 0)
		return hostport_ok(s + 8);
	if (strncmp(s, "http://", 7) == 0)
		return hostport_ok(s + 7);
	return false;
}

/* A local path with one leading '/' (never "//" or "/\": those leave the site), or an absolute http(s) URL. */
static bool
url_ok(const char *s)
{
	const char *rest;

	if (strlen(s) > 2048 || has_ctl(s) || strchr(s, ' ') != NULL || strchr(s, '\\') != NULL)
		return false;
	if (s[0] == '/')
		return s[1] != '/';
	if (strncmp(s, "https://", 8) == 0)
		rest = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		rest = s + 7;
	else
		return false;
	return *rest != '\0' && *rest != '/' && *rest != '?' && *rest != '#';
}

static bool
realm_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128)
		return false;
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return false;
	return true;
}

static bool
sysname_ok(const char *s)
{
	size_t n = strlen(s);

	return n == 0 || (n <= 32 && s[0] != '-' && all_chars(s, "._-"));
}

/* Strict decimal with no sign, space or suffix, within [min, max]. */
static bool
parse_long(const char *s, long min, long max, long *out)
{
	long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (LONG_MAX - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* ---- public value parsers ---- */

int
gk_parse_duration(const char *s, long *seconds)
{
	char num[24];
	size_t n;
	long v, mult = 1;

	if (s == NULL || (n = strlen(s)) == 0 || n >= sizeof(num))
		return GK_EINVAL;
	switch (s[n - 1]) {
	case 's': mult = 1; n--; break;
	case 'm': mult = 60; n--; break;
	case 'h': mult = 3600; n--; break;
	case 'd': mult = 86400; n--; break;
	case 'w': mult = 604800; n--; break;
	default: break;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	if (!parse_long(num, 0, DURATION_MAX, &v) || v > DURATION_MAX / mult)
		return GK_EINVAL;
	*seconds = v * mult;
	return GK_OK;
}

int
gk_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	if (s == NULL)
		return GK_EINVAL;
	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return GK_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return GK_OK;
		}
	}
	return GK_EINVAL;
}

void
gk_strlist_free(struct gk_strlist *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

int
gk_strlist_parse(const char *s, struct gk_strlist *list)
{
	struct gk_strlist l = { NULL, 0 };
	const char *p = s != NULL ? s : "";
	const char *seps = ", \t\r\n";

	for (;;) {
		size_t len;
		char **grown;

		p += strspn(p, seps);
		if (*p == '\0')
			break;
		len = strcspn(p, seps);
		if (l.count >= STRLIST_MAX) {
			gk_strlist_free(&l);
			return GK_ETOOLONG;
		}
		grown = realloc(l.items, (l.count + 1) * sizeof(*l.items));
		if (grown == NULL) {
			gk_strlist_free(&l);
			return GK_ERR;
		}
		l.items = grown;
		if ((l.items[l.count] = strndup(p, len)) == NULL) {
			gk_strlist_free(&l);
			return GK_ERR;
		}
		l.count++;
		p += len;
	}
	*list = l;
	return GK_OK;
}

/* The one requirement grammar is lib/policy's: what a rule may say is what the policy evaluates. */
bool
gk_requirement_valid(const char *req)
{
	struct gk_requirement r;

	return gk_requirement_parse(req, &r) == GK_OK;
}

/* ---- rules ---- */

static const struct {
	const char *name;
	unsigned bit;
} http_methods[] = {
	{ "GET", GK_HTTP_GET }, { "HEAD", GK_HTTP_HEAD }, { "POST", GK_HTTP_POST },
	{ "PUT", GK_HTTP_PUT }, { "DELETE", GK_HTTP_DELETE }, { "PATCH", GK_HTTP_PATCH },
	{ "OPTIONS", GK_HTTP_OPTIONS }, { "OTHER", GK_HTTP_OTHER }, { "ALL", GK_HTTP_ALL },
	{ "*", GK_HTTP_ALL },
};
#define NHTTP (sizeof(http_methods) / sizeof(http_methods[0]))

static bool
parse_http_methods(const char *s, unsigned *mask)
{
	unsigned m = 0;
	const char *p = s;

	if (*s == '\0')
		return false;
	for (;;) {
		size_t len = strcspn(p, ","), i;
		bool found = false;

		for (i = 0; i < NHTTP; i++) {
			if (strlen(http_methods[i].name) == len &&
			    strncasecmp(p, http_methods[i].name, len) == 0) {
				m |= http_methods[i].bit;
				found = true;
				break;
			}
		}
		if (!found)
			return false;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*mask = m;
	return true;
}

static void
rule_free(struct gk_rule *r)
{
	free(r->host);
	free(r->path);
	free(r->require);
	free(r->where);
	memset(r, 0, sizeof(*r));
}

static void
rules_free(struct gk_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->rules_count; i++)
		rule_free(&cfg->rules[i]);
	free(cfg->rules);
	cfg->rules = NULL;
	cfg->rules_count = 0;
}

/* Escaped, shortened copy of a value for an error message. */
static const char *
shown(const char *s, char *buf, size_t bufsz)
{
	return gk_log_escape(s, buf, bufsz);
}

/*
 * rule text: whitespace-separated NAME=VALUE fields; a VALUE may be written
 * in double quotes to hold spaces (require="user:Jane Doe").
 */
static int
parse_rule(const char *text, const char *where, struct gk_rule *out, struct gk_err *err)
{
	struct gk_rule r;
	const char *p = text;
	char sb[80];
	bool methods_seen = false;

	memset(&r, 0, sizeof(r));
	r.methods = GK_HTTP_ALL;
	for (;;) {
		const char *name, *val;
		size_t nlen, vlen;
		char *v;
		char **slot = NULL;

		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		name = p;
		nlen = strcspn(p, "= \t");
		if (p[nlen] != '=' || nlen == 0) {
			gk_err_set(err, "%s: rule: expected NAME=VALUE, got '%s'", where,
			    shown(p, sb, 48));
			goto fail;
		}
		p += nlen + 1;
		if (*p == '"') {
			val = ++p;
			vlen = strcspn(p, "\"");
			if (p[vlen] != '"' || (p[vlen + 1] != '\0' && p[vlen + 1] != ' ' &&
			    p[vlen + 1] != '\t')) {
				gk_err_set(err, "%s: rule: unbalanced quote in '%.*s'", where,
				    (int)nlen, name);
				goto fail;
			}
			p += vlen + 1;
		} else {
			val = p;
			vlen = strcspn(p, " \t");
			p += vlen;
		}
		if ((v = strndup(val, vlen)) == NULL) {
			gk_err_set(err, "out of memory");
			goto fail;
		}
#define FIELD_IS(s) (nlen == sizeof(s) - 1 && strncmp(name, s, nlen) == 0)
		if (FIELD_IS("host"))
			slot = &r.host;
		else if (FIELD_IS("path"))
			slot = &r.path;
		else if (FIELD_IS("require"))
			slot = &r.require;
		else if (FIELD_IS("methods")) {
			if (methods_seen) {
				free(v);
				gk_err_set(err, "%s: rule: methods= given twice", where);
				goto fail;
			}
			methods_seen = true;
			if (!parse_http_methods(v, &r.methods)) {
				gk_err_set(err, "%s: rule: bad methods '%s' (GET, HEAD, POST, PUT, "
				    "DELETE, PATCH, OPTIONS, OTHER or ALL)", where, shown(v, sb, 48));
				free(v);
				goto fail;
			}
			free(v);
			continue;
		} else {
			gk_err_set(err, "%s: rule: unknown field '%.*s' (host, path, methods, "
			    "require)", where, (int)(nlen > 32 ? 32 : nlen), name);
			free(v);
			goto fail;
		}
#undef FIELD_IS
		if (*slot != NULL) {
			gk_err_set(err, "%s: rule: %.*s= given twice", where, (int)nlen, name);
			free(v);
			goto fail;
		}
		*slot = v;
	}
	if (r.require == NULL) {
		gk_err_set(err, "%s: rule: require= is missing", where);
		goto fail;
	}
	if (!gk_requirement_valid(r.require)) {
		gk_err_set(err, "%s: rule: bad requirement '%s' (bypass, deny, any, group:A[,B], "
		    "user:N[,N], permission:ro|rw|full, level:0-999)", where, shown(r.require, sb, 48));
		goto fail;
	}
	if (r.host != NULL && (r.host[0] == '\0' || strlen(r.host) > 255 || has_ctl(r.host) ||
	    !all_chars(r.host, ".-:[]*?"))) {
		gk_err_set(err, "%s: rule: bad host glob '%s'", where, shown(r.host, sb, 48));
		goto fail;
	}
	if (r.path != NULL && (!path_ok(r.path) || strchr(r.path, ' ') != NULL)) {
		gk_err_set(err, "%s: rule: bad path '%s' (must start with '/')", where,
		    shown(r.path, sb, 48));
		goto fail;
	}
	if ((r.where = strdup(where)) == NULL) {
		gk_err_set(err, "out of memory");
		goto fail;
	}
	*out = r;
	return GK_OK;
fail:
	rule_free(&r);
	return GK_EINVAL;
}

static int
add_rule(struct gk_config *cfg, const char *text, const char *where, struct gk_err *err)
{
	struct gk_rule r, *grown;

	if (parse_rule(text, where, &r, err) != GK_OK)
		return GK_EINVAL;
	grown = realloc(cfg->rules, (cfg->rules_count + 1) * sizeof(*cfg->rules));
	if (grown == NULL) {
		rule_free(&r);
		return gk_err_set(err, "out of memory");
	}
	cfg->rules = grown;
	cfg->rules[cfg->rules_count++] = r;
	return GK_OK;
}

/* ---- setting one key ---- */

static const struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static bool
list_items_ok(const struct gk_strlist *l, enum ktype t)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		const char *s = l->items[i];

		switch (t) {
		case K_PATHLIST:
			if (!path_ok(s))
				return false;
			break;
		case K_HOSTLIST:
			if (!hostport_ok(s))
				return false;
			break;
		case K_DOMAINLIST:
			if (!hostname_ok(s, true))
				return false;
			break;
		case K_ORIGINLIST:
			if (!origin_ok(s))
				return false;
			break;
		default:
			return false;
		}
	}
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

static int
bad_value(const struct key *k, const char *value, const char *where, struct gk_err *err,
    const char *why)
{
	char sb[80];

	gk_err_set(err, "%s: bad value for %s: '%s' (%s)", where, k->name,
	    shown(value, sb, 64), why != NULL ? why : type_hint(k));
	return GK_EINVAL;
}

static int
set_methods(struct gk_config *cfg, const struct key *k, const char *value, const char *where,
    struct gk_err *err)
{
	struct gk_strlist l;
	enum gk_method m[GK_METHODS_MAX];
	size_t i, j, n = 0;
	int rc = GK_EINVAL;

	if (gk_strlist_parse(value, &l) != GK_OK)
		return bad_value(k, value, where, err, NULL);
	if (l.count == 0 || l.count > GK_METHODS_MAX)
		goto out;
	for (i = 0; i < l.count; i++) {
		const struct kname *kn;

		for (kn = k->names; kn->name != NULL; kn++)
			if (strcmp(kn->name, l.items[i]) == 0)
				break;
		if (kn->name == NULL)
			goto out;
		for (j = 0; j < n; j++)
			if (m[j] == (enum gk_method)kn->value)
				goto out;
		m[n++] = (enum gk_method)kn->value;
	}
	memcpy(cfg->methods, m, n * sizeof(m[0]));
	cfg->methods_count = n;
	rc = GK_OK;
out:
	gk_strlist_free(&l);
	if (rc != GK_OK)
		return bad_value(k, value, where, err, NULL);
	return GK_OK;
}

static int
set_key(struct gk_config *cfg, const struct key *k, const char *value, const char *where,
    struct gk_err *err)
{
	void *field = (char *)cfg + k->off;
	char **sp = field;

	if (strlen(value) > CONFIG_LINE_MAX)
		return gk_err_set(err, "%s: value for %s is longer than %d bytes", where, k->name,
		    CONFIG_LINE_MAX);
	if (has_ctl(value))
		return bad_value(k, value, where, err, "control characters are not allowed");
	switch (k->type) {
	case K_PATH:
	case K_PATH_OPT:
		if (!(k->type == K_PATH_OPT && *value == '\0') && !path_ok(value))
			return bad_value(k, value, where, err, NULL);
		break;
	case K_REALM:
		if (!realm_ok(value))
			return bad_value(k, value, where, err, NULL);
		break;
	case K_URL:
		if (!url_ok(value))
			return bad_value(k, value, where, err, NULL);
		break;
	case K_COOKIE_NAME:
		if (*value == '\0' || strlen(value) > 64 || !all_chars(value, "!#$%&'*+-.^_`|~"))
			return bad_value(k, value, where, err, NULL);
		break;
	case K_DOMAIN_OPT:
		if (*value != '\0' && !hostname_ok(value, true))
			return bad_value(k, value, where, err, NULL);
		break;
	case K_HEADER:
	case K_HEADER_OPT:
		if (!(k->type == K_HEADER_OPT && *value == '\0') && !header_ok(value))
			return bad_value(k, value, where, err, strchr(value, '_') != NULL ?
			    "'_' is refused: servers turn '_' and '-' into the same variable" : NULL);
		break;
	case K_USER_OPT:
		if (*value != '\0' && !gk_valid_user(value, strlen(value)))
			return bad_value(k, value, where, err, NULL);
		break;
	case K_SYSNAME_OPT:
		if (!sysname_ok(value))
			return bad_value(k, value, where, err, NULL);
		break;
	case K_TEXT_OPT:
		if (strlen(value) > 2048 || !gk_valid_utf8(value, strlen(value)))
			return bad_value(k, value, where, err, NULL);
		break;
	case K_GROUPS: {
		struct gk_strlist l;
		char buf[GK_GROUPS_MAX + 1];
		size_t i, pos = 0;
		bool fits = true;

		/* "a, b" and "a,b" are the same list; store the canonical "a,b". */
		if (gk_strlist_parse(value, &l) != GK_OK)
			return bad_value(k, value, where, err, NULL);
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
			return bad_value(k, value, where, err, NULL);
		if (set_string(sp, buf) != GK_OK)
			return gk_err_set(err, "out of memory");
		return GK_OK;
	}
	case K_BOOL:
		if (gk_parse_bool(value, (bool *)field) != GK_OK)
			return bad_value(k, value, where, err, NULL);
		return GK_OK;
	case K_DURATION: {
		long v;
		char why[96];

		if (gk_parse_duration(value, &v) != GK_OK)
			return bad_value(k, value, where, err, NULL);
		if (v < k->min || v > k->max) {
			snprintf(why, sizeof(why), "must be between %lds and %lds", k->min, k->max);
			return bad_value(k, value, where, err, why);
		}
		*(long *)field = v;
		return GK_OK;
	}
	case K_INT: {
		long v;
		char why[96];

		if (!parse_long(value, k->min, k->max, &v)) {
			snprintf(why, sizeof(why), "an integer from %ld to %ld", k->min, k->max);
			return bad_value(k, value, where, err, why);
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
			return bad_value(k, value, where, err, "too many items");
		if (!list_items_ok(&l, k->type)) {
			gk_strlist_free(&l);
			return bad_value(k, value, where, err, NULL);
		}
		gk_strlist_free(field);
		*(struct gk_strlist *)field = l;
		return GK_OK;
	}
	case K_METHODS:
		return set_methods(cfg, k, value, where, err);
	case K_ENUM:
	case K_LOGLEVEL: {
		const struct kname *kn;

		for (kn = k->names; kn->name != NULL; kn++) {
			if (strcmp(kn->name, value) == 0) {
				*(int *)field = kn->value;
				return GK_OK;
			}
		}
		if (k->type == K_LOGLEVEL) {
			int lv;

			/* Also the aliases gk_log_level_parse knows (error, warn). */
			if (gk_log_level_parse(value, &lv) == GK_OK) {
				*(int *)field = lv;
				return GK_OK;
			}
			return bad_value(k, value, where, err, NULL);
		}
		{
			char why[128];
			size_t pos = 0;

			for (kn = k->names; kn->name != NULL && pos < sizeof(why); kn++) {
				int w = snprintf(why + pos, sizeof(why) - pos, "%s%s",
				    pos == 0 ? "one of: " : ", ", kn->name);
				if (w < 0)
					break;
				pos += (size_t)w;
			}
			return bad_value(k, value, where, err, why);
		}
	}
	case K_RULES:
		return add_rule(cfg, value, where, err);
	}
	/* The string types that passed their check above. */
	if (set_string(sp, value) != GK_OK)
		return gk_err_set(err, "out of memory");
	return GK_OK;
}

/* Strips one pair of double quotes around the whole value; a lone or inner quote is an error. */
static int
unquote(const char *value, char *out, size_t outsz)
{
	size_t n = strlen(value);

	if (n > 0 && value[0] == '"') {
		if (n < 2 || value[n - 1] != '"' || memchr(value + 1, '"', n - 2) != NULL)
			return GK_EINVAL;
		return gk_memcpy_str(out, outsz, value + 1, n - 2);
	}
	return gk_strcpy(out, outsz, value);
}

static int
set_text(struct gk_config *cfg, const struct key *k, const char *value, const char *where,
    struct gk_err *err)
{
	char buf[CONFIG_LINE_MAX + 1];

	if (k->type == K_RULES)
		return set_key(cfg, k, value, where, err);
	switch (unquote(value, buf, sizeof(buf))) {
	case GK_OK:
		return set_key(cfg, k, buf, where, err);
	case GK_ETOOLONG:
		return gk_err_set(err, "%s: value for %s is too long", where, k->name);
	default:
		return bad_value(k, value, where, err, "unbalanced double quote");
	}
}

int
gk_config_set(struct gk_config *cfg, const char *key, const char *value, const char *where,
    struct gk_err *err)
{
	const struct key *k = key != NULL ? find_key(key) : NULL;
	char sb[80];

	if (where == NULL)
		where = "setting";
	if (k == NULL)
		return gk_err_set(err, "%s: unknown key '%s'", where, shown(key, sb, 48)), GK_EINVAL;
	return set_text(cfg, k, value != NULL ? value : "", where, err);
}

/* ---- whole configuration ---- */

void
gk_config_free(struct gk_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		void *field = (char *)cfg + keys[i].off;

		switch (keys[i].type) {
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
			rules_free(cfg);
			break;
		default:
			break;
		}
	}
	memset(cfg, 0, sizeof(*cfg));
}

int
gk_config_defaults(struct gk_config *cfg, struct gk_err *err)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		if (set_key(cfg, &keys[i], keys[i].def, "default", err) != GK_OK) {
			gk_config_free(cfg);
			return GK_ERR;
		}
	}
	return GK_OK;
}

/* Reads the whole file (bounded). GK_NOTFOUND only for a missing file we may skip. */
static int
read_file(const char *path, bool must_exist, char **bufp, size_t *lenp, struct gk_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = GK_EIO;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return GK_NOTFOUND;
		return gk_err_set(err, "%s: %s", path, strerror(errno)), GK_EIO;
	}
	if (fstat(fd, &st) != 0) {
		gk_err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		gk_err_set(err, "%s: not a regular file", path);
		goto out;
	}
	/* Whoever can write the file decides who gets in: refuse a world-writable one. */
	if (st.st_mode & S_IWOTH) {
		gk_err_set(err, "%s: writable by every user; refusing it (chmod o-w)", path);
		goto out;
	}
	if ((buf = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		gk_err_set(err, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			gk_err_set(err, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > CONFIG_FILE_MAX) {
			gk_err_set(err, "%s: larger than %d bytes", path, CONFIG_FILE_MAX);
			goto out;
		}
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	rc = GK_OK;
out:
	free(buf);
	close(fd);
	return rc;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static const char *env_lookup(char *const *envp, const char *name, int *count);

/*
 * ${NAME} in a file value: replaced by NAME's value from envp (never getenv:
 * the caller decides which environment counts), "$$" is one literal '$',
 * and any other '$' is an error, so a shell-style "$NAME" is not silently
 * kept as text. The result is not scanned again: a '$' that comes from a
 * variable stays literal (no recursion, no injection of further names).
 * In a rule line (in_rule) a variable may not hold a blank or '"', which
 * would change the rule's fields rather than fill one. An unset variable,
 * a variable set twice in envp, and a control character in a value are
 * errors naming where (file:line) and the variable.
 */
static int
expand_vars(const char *in, char *out, size_t outsz, char *const *envp, bool in_rule,
    const char *where, struct gk_err *err)
{
	size_t o = 0;
	char sb[80];

	while (*in != '\0') {
		const char *v, *close;
		char name[129];
		size_t n, vlen, i;
		int count;

		if (*in != '$') {
			if (o + 1 >= outsz)
				goto toolong;
			out[o++] = *in++;
			continue;
		}
		if (in[1] == '$') {
			if (o + 1 >= outsz)
				goto toolong;
			out[o++] = '$';
			in += 2;
			continue;
		}
		if (in[1] != '{')
			return gk_err_set(err, "%s: stray '$' (write ${NAME} for an environment "
			    "variable, $$ for a literal '$')", where), GK_EINVAL;
		close = strchr(in + 2, '}');
		if (close == NULL)
			return gk_err_set(err, "%s: '${' without a closing '}'", where), GK_EINVAL;
		n = (size_t)(close - (in + 2));
		if (n == 0 || n >= sizeof(name) || !(is_alnum(in[2]) || in[2] == '_') ||
		    (in[2] >= '0' && in[2] <= '9'))
			goto badname;
		for (i = 0; i < n; i++)
			if (!is_alnum(in[2 + i]) && in[2 + i] != '_')
				goto badname;
		memcpy(name, in + 2, n);
		name[n] = '\0';
		v = env_lookup(envp, name, &count);
		if (v == NULL)
			return gk_err_set(err, "%s: ${%s} is not set in the environment", where, name),
			    GK_EINVAL;
		if (count > 1)
			return gk_err_set(err, "%s: ${%s} is set more than once in the environment",
			    where, name), GK_EINVAL;
		if (has_ctl(v))
			return gk_err_set(err, "%s: ${%s} holds a control character", where, name),
			    GK_EINVAL;
		if (in_rule && strpbrk(v, " \t\"") != NULL)
			return gk_err_set(err, "%s: ${%s} holds a blank or '\"', which a rule field "
			    "cannot take from a variable", where, name), GK_EINVAL;
		vlen = strlen(v);
		if (vlen >= outsz - o)
			goto toolong;
		memcpy(out + o, v, vlen);
		o += vlen;
		in = close + 1;
		continue;
badname:
		return gk_err_set(err, "%s: bad variable name in '%s' (letters, digits and '_', "
		    "not starting with a digit)", where, shown(in, sb, 48)), GK_EINVAL;
	}
	out[o] = '\0';
	return GK_OK;
toolong:
	return gk_err_set(err, "%s: value longer than %d bytes after ${...} expansion", where,
	    CONFIG_LINE_MAX), GK_ETOOLONG;
}

/* One file line's value: unquote, expand ${NAME}, set (rules: expand, then their own parser). */
static int
set_file_value(struct gk_config *cfg, const struct key *k, const char *value, char *const *envp,
    const char *where, struct gk_err *err)
{
	char raw[CONFIG_LINE_MAX + 1], buf[CONFIG_LINE_MAX + 1];
	int rc;

	if (strchr(value, '$') == NULL)
		return set_text(cfg, k, value, where, err);
	if (k->type == K_RULES) {
		if ((rc = expand_vars(value, buf, sizeof(buf), envp, true, where, err)) != GK_OK)
			return rc;
		rc = set_key(cfg, k, buf, where, err);
	} else {
		switch (unquote(value, raw, sizeof(raw))) {
		case GK_OK:
			break;
		case GK_ETOOLONG:
			return gk_err_set(err, "%s: value for %s is too long", where, k->name);
		default:
			return bad_value(k, value, where, err, "unbalanced double quote");
		}
		/* Quotes first, then variables: a variable's value is taken as it is. */
		if ((rc = expand_vars(raw, buf, sizeof(buf), envp, false, where, err)) != GK_OK)
			return rc;
		rc = set_key(cfg, k, buf, where, err);
	}
	gk_wipe(raw, sizeof(raw));      /* may hold a secret from the environment */
	gk_wipe(buf, sizeof(buf));
	return rc;
}

static int
parse_buffer(struct gk_config *cfg, const char *path, char *buf, size_t len, char *const *envp,
    struct gk_err *err)
{
	unsigned seen[NKEYS];
	unsigned lineno = 0;
	size_t pos = 0;

	memset(seen, 0, sizeof(seen));
	/* A UTF-8 byte order mark from a Windows editor is not part of the first key. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		char *line = buf + pos, *nl, *eq, *key, *value, *p;
		size_t linelen;
		const struct key *k;
		char where[64 + 4096], sb[80];

		lineno++;
		nl = memchr(line, '\n', len - pos);
		linelen = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += linelen + (nl != NULL ? 1 : 0);
		if (linelen > 0 && line[linelen - 1] == '\r')
			linelen--;
		if (linelen > CONFIG_LINE_MAX)
			return gk_err_set(err, "%s:%u: line longer than %d bytes", path, lineno,
			    CONFIG_LINE_MAX), GK_ETOOLONG;
		if (memchr(line, '\0', linelen) != NULL)
			return gk_err_set(err, "%s:%u: NUL byte", path, lineno), GK_EINVAL;
		line[linelen] = '\0';
		for (p = line; *p != '\0'; p++)
			if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
				return gk_err_set(err, "%s:%u: control character 0x%02x", path,
				    lineno, (unsigned char)*p), GK_EINVAL;
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL)
			return gk_err_set(err, "%s:%u: expected 'key = value'", path, lineno),
			    GK_EINVAL;
		*eq = '\0';
		key = trim(line);
		value = trim(eq + 1);
		if ((k = find_key(key)) == NULL)
			return gk_err_set(err, "%s:%u: unknown key '%s'", path, lineno,
			    shown(key, sb, 48)), GK_EINVAL;
		if (k->type != K_RULES && seen[k - keys] != 0)
			return gk_err_set(err, "%s:%u: duplicate key '%s' (first set at line %u)",
			    path, lineno, k->name, seen[k - keys]), GK_EDUP;
		seen[k - keys] = lineno;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (set_file_value(cfg, k, value, envp, where, err) != GK_OK)
			return GK_EINVAL;
	}
	return GK_OK;
}

static const char *
env_lookup(char *const *envp, const char *name, int *count)
{
	size_t n = strlen(name);
	const char *found = NULL;

	*count = 0;
	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=') {
			if (found == NULL)
				found = *envp + n + 1;
			(*count)++;
		}
	}
	return found;
}

/*
 * GATEKEEP_RULE: several rules separated by newlines (LF or CR LF) or ';'
 * (outside double quotes); it replaces every rule from the file.
 */
static int
env_rules(struct gk_config *cfg, const char *value, struct gk_err *err)
{
	const char *p = value;
	unsigned n = 0;

	rules_free(cfg);
	while (*p != '\0') {
		char text[CONFIG_LINE_MAX + 1], where[64];
		size_t i = 0;
		bool inq = false;
		char *t;

		for (; *p != '\0' && (inq || (*p != ';' && *p != '\n' && *p != '\r')); p++) {
			if (*p == '"')
				inq = !inq;
			if (i >= CONFIG_LINE_MAX)
				return gk_err_set(err, "environment GATEKEEP_RULE: rule too long"),
				    GK_ETOOLONG;
			text[i++] = *p;
		}
		if (*p != '\0')
			p++;
		text[i] = '\0';
		t = trim(text);
		if (*t == '\0')
			continue;
		n++;    /* rules are numbered as the admin sees them: empty pieces do not count */
		snprintf(where, sizeof(where), "environment GATEKEEP_RULE (rule %u)", n);
		if (has_ctl(t))
			return gk_err_set(err, "%s: control character in the rule", where), GK_EINVAL;
		if (add_rule(cfg, t, where, err) != GK_OK)
			return GK_EINVAL;
	}
	return GK_OK;
}

static int
apply_env(struct gk_config *cfg, char *const *envp, struct gk_err *err)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		char name[64], where[96];
		const char *v;
		size_t j;
		int count;

		snprintf(name, sizeof(name), ENV_PREFIX "%s", keys[i].name);
		for (j = sizeof(ENV_PREFIX) - 1; name[j] != '\0'; j++)
			if (name[j] >= 'a' && name[j] <= 'z')
				name[j] = (char)(name[j] - 'a' + 'A');
		if ((v = env_lookup(envp, name, &count)) == NULL)
			continue;
		if (count > 1)
			return gk_err_set(err, "environment %s: set more than once", name), GK_EDUP;
		if (keys[i].type == K_RULES) {
			if (env_rules(cfg, v, err) != GK_OK)
				return GK_EINVAL;
			continue;
		}
		snprintf(where, sizeof(where), "environment %s", name);
		if (set_text(cfg, &keys[i], v, where, err) != GK_OK)
			return GK_EINVAL;
	}
	return GK_OK;
}

/*
 * state_dir left empty: "state" beside the database. For the default database
 * that is /var/lib/gatekeep/state; an instance with a database of its own
 * (tests, containers, several sites) gets a lockout table of its own, and
 * gatekeep-authz and gatekeep-login sharing a database share their bans.
 */
static int
default_state_dir(struct gk_config *cfg, struct gk_err *err)
{
	const char *slash;
	char *dir;
	size_t n;

	if (cfg->state_dir != NULL && cfg->state_dir[0] != '\0')
		return GK_OK;
	/* Beside the database; a bare file name (only from a caller, config paths are absolute) means ".". */
	cfg->state_dir_derived = true;
	slash = strrchr(cfg->database, '/');
	n = slash == NULL ? 1 : (size_t)(slash - cfg->database);
	if ((dir = malloc(n + sizeof("/state"))) == NULL)
		return gk_err_set(err, "out of memory");
	memcpy(dir, slash == NULL ? "." : cfg->database, n);
	memcpy(dir + n, "/state", sizeof("/state"));
	free(cfg->state_dir);
	cfg->state_dir = dir;
	return GK_OK;
}

int
gk_config_load(struct gk_config *cfg, const char *path, char *const *envp, struct gk_err *err)
{
	const char *file = path;
	bool must_exist = path != NULL;
	char *buf = NULL;
	size_t len = 0;
	int count, rc;

	if (gk_config_defaults(cfg, err) != GK_OK)
		return GK_ERR;
	if (file == NULL) {
		file = env_lookup(envp, ENV_PREFIX "CONFIG", &count);
		if (file != NULL && *file == '\0')
			file = NULL;
		must_exist = file != NULL;
		if (file == NULL)
			file = GK_CONFIG_DEFAULT_PATH;
	}
	rc = read_file(file, must_exist, &buf, &len, err);
	if (rc == GK_OK) {
		rc = parse_buffer(cfg, file, buf, len, envp, err);
		gk_wipe(buf, len);
		free(buf);
	} else if (rc == GK_NOTFOUND)
		rc = GK_OK;
	if (rc == GK_OK)
		rc = apply_env(cfg, envp, err);
	if (rc == GK_OK)
		rc = default_state_dir(cfg, err);
	if (rc == GK_OK)
		rc = gk_config_validate(cfg, err);
	if (rc != GK_OK) {
		gk_config_free(cfg);
		return rc < 0 ? rc : GK_ERR;
	}
	return GK_OK;
}

int
gk_config_validate(const struct gk_config *cfg, struct gk_err *err)
{
	size_t i, j;

	if (cfg->methods_count == 0 || cfg->methods_count > GK_METHODS_MAX)
		return gk_err_set(err, "methods: at least one method is needed");
	for (i = 0; i < cfg->methods_count; i++) {
		if (cfg->methods[i] < GK_M_BYPASS || cfg->methods[i] > GK_M_BASIC)
			return gk_err_set(err, "methods: unknown method");
		for (j = 0; j < i; j++)
			if (cfg->methods[i] == cfg->methods[j])
				return gk_err_set(err, "methods: a method is listed twice");
	}
	if (gk_cidr_list_has_everything(&cfg->proxy_trusted))
		return gk_err_set(err, "proxy_trusted trusts every address (a /0 network): "
		    "anyone could claim any user; list only the proxy's own address");
	if (gk_cidr_list_has_everything(&cfg->bypass_networks))
		return gk_err_set(err, "bypass_networks covers every address (a /0 network): "
		    "that switches authentication off");
	if (cfg->bypass_hosts.count > 0 && cfg->bypass_hosts_on.count == 0 &&
	    cfg->bypass_hosts_from.count == 0)
		return gk_err_set(err, "bypass_hosts is bound to nothing: any client can send any "
		    "Host; set bypass_hosts_on (the local addresses, SERVER_ADDR) and/or "
		    "bypass_hosts_from (the client networks)");
	if (gk_cidr_list_has_everything(&cfg->bypass_hosts_on) ||
	    gk_cidr_list_has_everything(&cfg->bypass_hosts_from))
		return gk_err_set(err, "bypass_hosts_on and bypass_hosts_from must not cover every "
		    "address (a /0 network): that binds bypass_hosts to nothing");
	if (cfg->cookie_samesite == GK_SAMESITE_NONE && !cfg->cookie_secure)
		return gk_err_set(err, "cookie_samesite = none requires cookie_secure = true "
		    "(browsers drop such cookies)");
	if (cfg->cookie_name != NULL && strncmp(cfg->cookie_name, "__Host-", 7) == 0 &&
	    (!cfg->cookie_secure || (cfg->cookie_domain != NULL && *cfg->cookie_domain != '\0')))
		return gk_err_set(err, "cookie_name with the __Host- prefix requires "
		    "cookie_secure = true and no cookie_domain");
	if (cfg->cookie_name != NULL && strncmp(cfg->cookie_name, "__Secure-", 9) == 0 &&
	    !cfg->cookie_secure)
		return gk_err_set(err, "cookie_name with the __Secure- prefix requires "
		    "cookie_secure = true");
	if (cfg->login_url == NULL || !url_ok(cfg->login_url))
		return gk_err_set(err, "login_url must start with '/' or http(s)://");
	if (cfg->default_redirect == NULL || !url_ok(cfg->default_redirect))
		return gk_err_set(err, "default_redirect must start with '/' or http(s)://");
	if (cfg->session_ttl <= 0)
		return gk_err_set(err, "session_ttl must be positive");
	if (cfg->find_time <= 0 || cfg->ban_time <= 0)
		return gk_err_set(err, "find_time and ban_time must be positive");
	if (cfg->basic_cache_ttl < 0)
		return gk_err_set(err, "basic_cache_ttl must not be negative");
	if (cfg->proxy_user_header == NULL || !header_ok(cfg->proxy_user_header))
		return gk_err_set(err, "proxy_user_header must name a header");
	if (cfg->proxy_email_header != NULL &&
	    strcasecmp(cfg->proxy_email_header, cfg->proxy_user_header) == 0)
		return gk_err_set(err, "proxy_email_header must differ from proxy_user_header");
	if (cfg->proxy_groups_header != NULL &&
	    (strcasecmp(cfg->proxy_groups_header, cfg->proxy_user_header) == 0 ||
	    (cfg->proxy_email_header != NULL && *cfg->proxy_groups_header != '\0' &&
	    strcasecmp(cfg->proxy_groups_header, cfg->proxy_email_header) == 0)))
		return gk_err_set(err, "proxy_groups_header must differ from the other proxy headers");
	for (i = 0; i < cfg->rules_count; i++)
		if (!gk_requirement_valid(cfg->rules[i].require))
			return gk_err_set(err, "%s: rule: bad requirement",
			    cfg->rules[i].where != NULL ? cfg->rules[i].where : "rule");
	return GK_OK;
}

/* ---- printing ---- */

/* Writes v with every '$' doubled: the loader reads "$$" as one literal '$' (see expand_vars). */
static void
put_literal(FILE *out, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '$')
			fputc('$', out);
		fputc(*v, out);
	}
}

static void
print_value(FILE *out, const char *name, const char *v)
{
	/* Quote what the parser would otherwise trim or misread. */
	size_t n = strlen(v);
	bool quote = n == 0 || v[0] == ' ' || v[0] == '\t' || v[0] == '"' || v[n - 1] == ' ' ||
	    v[n - 1] == '\t';

	fprintf(out, quote ? "%s = \"" : "%s = ", name);
	put_literal(out, v);
	fputs(quote ? "\"\n" : "\n", out);
}

static void
print_duration(FILE *out, const char *name, long s)
{
	static const struct { long mult; char unit; } units[] = {
		{ 604800, 'w' }, { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (s != 0 && s % units[i].mult == 0) {
			fprintf(out, "%s = %ld%c\n", name, s / units[i].mult, units[i].unit);
			return;
		}
	}
	fprintf(out, "%s = %lds\n", name, s);
}

static void
print_list(FILE *out, const char *name, const struct gk_strlist *l)
{
	size_t i;

	fprintf(out, "%s = ", name);
	if (l->count == 0)
		fputs("\"\"", out);
	for (i = 0; i < l->count; i++) {
		if (i > 0)
			fputc(',', out);
		put_literal(out, l->items[i]);
	}
	fputc('\n', out);
}

static void
print_cidrs(FILE *out, const char *name, const struct gk_cidr_list *l)
{
	size_t i;

	fprintf(out, "%s = ", name);
	if (l->count == 0)
		fputs("\"\"", out);
	for (i = 0; i < l->count; i++) {
		const struct gk_cidr *c = &l->items[i];
		char a[INET6_ADDRSTRLEN];

		if (i > 0)
			fputc(',', out);
		if (c->family == AF_UNIX)
			fputc('@', out);
		else if (inet_ntop(c->family, c->addr, a, sizeof(a)) != NULL)
			fprintf(out, "%s/%u", a, c->prefix);
	}
	fputc('\n', out);
}

static void
print_rule_field(FILE *out, const char *name, const char *v)
{
	bool quote = strpbrk(v, " \t") != NULL;

	fprintf(out, quote ? " %s=\"" : " %s=", name);
	put_literal(out, v);
	if (quote)
		fputc('"', out);
}

static void
print_rules(FILE *out, const struct gk_config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->rules_count; i++) {
		const struct gk_rule *r = &cfg->rules[i];

		fputs("rule =", out);
		if (r->host != NULL)
			print_rule_field(out, "host", r->host);
		if (r->path != NULL)
			print_rule_field(out, "path", r->path);
		if (r->methods != GK_HTTP_ALL) {
			bool first = true;

			fputs(" methods=", out);
			for (j = 0; j < NHTTP; j++) {
				if (http_methods[j].bit == GK_HTTP_ALL ||
				    (r->methods & http_methods[j].bit) == 0)
					continue;
				fprintf(out, "%s%s", first ? "" : ",", http_methods[j].name);
				first = false;
			}
		}
		print_rule_field(out, "require", r->require);
		fputc('\n', out);
	}
}

void
gk_config_print(const struct gk_config *cfg, FILE *out)
{
	size_t i, j;

	fputs("# gatekeep effective configuration (defaults, file, then GATEKEEP_* environment)\n",
	    out);
	for (i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		const void *field = (const char *)cfg + k->off;

		switch (k->type) {
		case K_PATH: case K_PATH_OPT: case K_REALM: case K_URL: case K_COOKIE_NAME:
		case K_DOMAIN_OPT: case K_HEADER: case K_HEADER_OPT: case K_USER_OPT:
		case K_GROUPS: case K_SYSNAME_OPT: case K_TEXT_OPT: {
			/* secret_file is only a path: the key itself is never read here. */
			const char *v = *(char *const *)field;

			print_value(out, k->name, v != NULL ? v : "");
			break;
		}
		case K_BOOL:
			fprintf(out, "%s = %s\n", k->name, *(const bool *)field ? "true" : "false");
			break;
		case K_DURATION:
			print_duration(out, k->name, *(const long *)field);
			break;
		case K_INT:
			fprintf(out, "%s = %ld\n", k->name, *(const long *)field);
			break;
		case K_CIDRS:
			print_cidrs(out, k->name, field);
			break;
		case K_PATHLIST: case K_HOSTLIST: case K_DOMAINLIST: case K_ORIGINLIST:
			print_list(out, k->name, field);
			break;
		case K_METHODS:
			fprintf(out, "%s = ", k->name);
			for (j = 0; j < cfg->methods_count; j++) {
				const struct kname *kn;

				for (kn = k->names; kn->name != NULL; kn++)
					if (kn->value == (int)cfg->methods[j])
						fprintf(out, "%s%s", j > 0 ? "," : "", kn->name);
			}
			fputc('\n', out);
			break;
		case K_ENUM:
		case K_LOGLEVEL: {
			const struct kname *kn;
			int v = *(const int *)field;

			for (kn = k->names; kn->name != NULL; kn++)
				if (kn->value == v)
					break;
			fprintf(out, "%s = %s\n", k->name, kn->name != NULL ? kn->name : "?");
			break;
		}
		case K_RULES:
			print_rules(out, cfg);
			break;
		}
	}
}
