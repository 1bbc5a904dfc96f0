/* conf_keys.h: the key table and the value checks that conf.c, conf_value.c, conf_rules.c, conf_load.c, conf_check.c and conf_print.c share; programs use conf.h. */
#ifndef GK_CONF_KEYS_H
#define GK_CONF_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

#define CONFIG_LINE_MAX   8192           /* bytes per line, without the line end */
#define DURATION_MAX      2147483647L    /* seconds (68 years): keeps time_t sums far from overflow */
#define CONF_KEYS_MAX     128            /* bound on the key table (conf.c asserts it) */

enum conf_ktype {
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
	K_LOGLEVEL,     /* a syslog priority by its name in log.c */
	K_PERM,         /* a permission by its name in record.c */
	K_RULES,
	K_TEXT_OPT      /* UTF-8 text without control characters, <= 2048 bytes, or empty */
};

/* One name of an enum key's value (conf.c's table of them). */
struct conf_kname {
	const char *key;
	const char *name;
	int value;
};

struct conf_key {
	const char *name;
	enum conf_ktype type;
	size_t off;
	const char *def;            /* default, in the file's own syntax */
	long min, max;              /* K_INT; K_DURATION, where max 0 is the syntax's DURATION_MAX */
};

/* conf.c: every key, in the order gk_config_print writes them. */
extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

/* conf.c: the value of a K_ENUM or K_METHODS key that name names; false for no such name. */
bool conf_name_value(const struct conf_key *k, const char *name, int *value);
/* conf.c: the name of value among k's names, or NULL. */
const char *conf_value_name(const struct conf_key *k, int value);
/* conf.c: one key. NULL for a name that is no key. */
const struct conf_key *conf_find_key(const char *name);
/* Checks and stores value (already unquoted and expanded); "rule" appends. Messages name where. */
int conf_set_key(struct gk_config *cfg, const struct conf_key *k, const char *value,
    const char *where, struct gk_err *err);
/* conf_set_key after stripping one pair of double quotes (a rule's value is taken as it is). */
int conf_set_text(struct gk_config *cfg, const struct conf_key *k, const char *value,
    const char *where, struct gk_err *err);
/* Copies value without one pair of surrounding double quotes; GK_EINVAL for a lone or inner quote. */
int conf_unquote(const char *value, char *out, size_t outsz);
/* Sets err to "where: bad value for KEY: 'value' (why, or the key type's hint)"; GK_EINVAL. */
int conf_bad_value(const struct conf_key *k, const char *value, const char *where,
    struct gk_err *err, const char *why);

/* conf_value.c: the syntax of single values. */
bool conf_has_ctl(const char *s);                       /* a byte < 0x20 or 0x7f */
bool conf_is_alnum(char c);                             /* ASCII only, whatever the locale */
bool conf_all_chars(const char *s, const char *extra);  /* letters, digits and extra */
bool conf_path_ok(const char *s);                       /* "/...", shorter than GK_PATH_MAX */
bool conf_header_ok(const char *s);                     /* letters, digits and inner '-' */
bool conf_hostname_ok(const char *s, bool dot_ok);      /* dot_ok: a leading '.' (a suffix) */
bool conf_hostport_ok(const char *s);                   /* host, host:port, [v6], [v6]:port */
bool conf_origin_ok(const char *s);                     /* http(s)://host[:port] */
bool conf_url_ok(const char *s);                        /* "/local" (never "//") or http(s)://host... */
bool conf_realm_ok(const char *s);
bool conf_sysname_ok(const char *s);                    /* a system user/group name, or empty */
/* Strict decimal with no sign, space or suffix, within [min, max]. */
bool conf_parse_long(const char *s, long min, long max, long *out);

/* conf_rules.c: rule lines (method names: gk_http_method_names, policy.h). */
/* Parses one rule's text and appends it to cfg->rules; messages name where. */
int conf_rule_add(struct gk_config *cfg, const char *text, const char *where, struct gk_err *err);
void conf_rules_free(struct gk_config *cfg);

#endif
