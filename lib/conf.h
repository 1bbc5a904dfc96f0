/* conf.h: the gatekeep.conf "key = value" file plus GATEKEEP_* environment overrides, validated. */
/* The parts: conf.c (the keys), conf_value.c, conf_rules.c, conf_load.c, conf_check.c, conf_print.c. */
#ifndef GK_CONF_H
#define GK_CONF_H

#include <stdio.h>

#include "cidr.h"
#include "common.h"
#include "record.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define GK_CONFIG_DEFAULT_PATH SYSCONFDIR "/gatekeep/gatekeep.conf"

/* A list of strings (split on commas and/or whitespace, empty items dropped). */
struct gk_strlist {
	char **items;
	size_t count;
};

enum gk_method { GK_M_BYPASS = 1, GK_M_PROXY, GK_M_SESSION, GK_M_BASIC };
#define GK_METHODS_MAX 4

enum gk_unauth { GK_UNAUTH_AUTO = 0, GK_UNAUTH_BASIC, GK_UNAUTH_REDIRECT };
enum gk_samesite { GK_SAMESITE_LAX = 0, GK_SAMESITE_STRICT, GK_SAMESITE_NONE };
enum gk_frontend { GK_FRONTEND_GENERIC = 0, GK_FRONTEND_CADDY };
/* OpenID Connect / OAuth2 sign-in on the login page (gatekeep-login only). */
/* Where bans, failure counts and token generations live (lib/statestore.h). */
enum gk_state_backend { GK_STATE_BACKEND_FILE = 0, GK_STATE_BACKEND_REDIS };
/* Who enrols a second factor: the user on the account page, or only the admin (gatekeep-passwd --totp-enrol). */
enum gk_sf_enrol { GK_SF_ENROL_SELF = 0, GK_SF_ENROL_ADMIN };
enum gk_oidc_provider { GK_OIDC_NONE = 0, GK_OIDC_GENERIC, GK_OIDC_GOOGLE, GK_OIDC_GITLAB, GK_OIDC_GITHUB };

/* HTTP method bits for rules. */
#define GK_HTTP_GET     0x001u
#define GK_HTTP_HEAD    0x002u
#define GK_HTTP_POST    0x004u
#define GK_HTTP_PUT     0x008u
#define GK_HTTP_DELETE  0x010u
#define GK_HTTP_PATCH   0x020u
#define GK_HTTP_OPTIONS 0x040u
#define GK_HTTP_OTHER   0x080u
#define GK_HTTP_ALL     0x0ffu

/*
 * rule = [host=GLOB] [path=PREFIX|GLOB] [methods=GET,POST] require=REQUIREMENT
 * REQUIREMENT: bypass | deny | any | group:A[,B] | user:NAME[,NAME] | permission:ro|rw|full | level:N
 * A VALUE may be double-quoted to hold spaces: require="user:Jane Doe".
 * A path ending in '*' or holding '*'/'?' is a glob (fnmatch), otherwise a segment-aware prefix.
 */
struct gk_rule {
	char *host;          /* NULL = any host */
	char *path;          /* NULL = any path */
	unsigned methods;    /* GK_HTTP_* mask; GK_HTTP_ALL when absent */
	char *require;       /* validated with gk_requirement_valid (policy.h) */
	char *where;         /* "file:line" for messages */
};

/*
 * After gk_config_defaults/gk_config_load every char * field is non-NULL
 * ("" = unset), except gk_rule host/path (NULL = any).
 */
struct gk_config {
	char *database;
	char *secret_file;
	char *realm;
	enum gk_method methods[GK_METHODS_MAX];
	size_t methods_count;
	enum gk_unauth on_unauthenticated;
	char *login_url;
	char *default_redirect;
	struct gk_strlist redirect_domains;
	char *cookie_name;
	char *cookie_domain;
	bool cookie_secure;
	enum gk_samesite cookie_samesite;
	long session_ttl;                 /* seconds */
	long zero_hop_ticket_ttl;         /* seconds, 0 = no zero-hop tickets (lib/ticket.h) */
	struct gk_cidr_list proxy_trusted;
	char *proxy_user_header;
	char *proxy_email_header;         /* NULL/"" = unused */
	char *proxy_groups_header;
	bool proxy_auto_create;
	char *proxy_auto_create_groups;   /* comma list */
	enum gk_perm proxy_auto_create_permission;
	struct gk_strlist bypass_paths;
	struct gk_cidr_list bypass_networks;
	struct gk_strlist bypass_hosts;
	struct gk_cidr_list bypass_hosts_on;    /* local addresses (SERVER_ADDR) a bypass host must come in on */
	struct gk_cidr_list bypass_hosts_from;  /* client networks (REMOTE_ADDR) a bypass host must come from */
	char *bypass_user;
	struct gk_rule *rules;
	size_t rules_count;
	struct gk_strlist allowed_origins;
	long max_failures;
	long find_time;                   /* seconds */
	long ban_time;                    /* seconds */
	long lockout_address_failures;    /* per address, any users (max_failures: per pair) */
	long lockout_user_throttle;       /* consecutive failures of a user before throttling */
	long lockout_user_lock;           /* consecutive failures that lock the account (>= 100) */
	long lockout_throttle_max;        /* seconds, longest throttle interval */
	long basic_cache_ttl;             /* seconds, 0 = no cache */
	int log_level;                    /* syslog priority */
	int log_target;                   /* enum gk_log_target */
	int log_format;                   /* enum gk_log_format */
	char *metrics_path;               /* "" = off; Prometheus exposition (lib/opsanswer) */
	char *health_path;                /* "" = off; liveness */
	char *ready_path;                 /* "" = off; readiness */
	struct gk_cidr_list metrics_allow_from;  /* who may read the three paths (REMOTE_ADDR) */
	enum gk_frontend frontend;        /* caddy: believe X-Forwarded-Method/-Host/-Uri */
	char *state_dir;                  /* failure counters (login lockout) */
	bool state_dir_derived;           /* state_dir unset: "state" beside database */
	/* Shared state through Redis/Valkey (lib/statestore.h, docs/two-machines.md). */
	enum gk_state_backend state_backend;
	char *redis_url;                  /* redis://HOST[:PORT][/DB] or unix:/PATH */
	char *redis_password_file;        /* "" = no AUTH */
	char *redis_key_file;             /* "" = the name-hash key lives in the store */
	char *redis_prefix;
	long redis_timeout_ms;            /* connect and each command */
	long state_generation_cache_ms;   /* how long a worker trusts a generation it read */
	int state_store_down;             /* enum gk_store_down: deny | local (bans only) */
	char *run_user;                   /* privilege drop target (gatekeep-authz) */
	char *run_group;
	char *login_template;             /* HTML template override for the login page */
	/* OIDC/OAuth2 sign-in (gatekeep-login checks them further at start-up). */
	enum gk_oidc_provider oidc_provider;
	char *oidc_issuer;
	char *oidc_client_id;
	char *oidc_client_secret_file;    /* or GATEKEEP_OIDC_CLIENT_SECRET, read by gatekeep-login */
	char *oidc_redirect_uri;
	char *oidc_scopes;                /* "" = the provider's default */
	char *oidc_authorization_endpoint;
	char *oidc_token_endpoint;
	char *oidc_userinfo_endpoint;
	char *oidc_jwks_uri;
	char *oidc_authorized_domains;    /* list of domains, "*" = any verified e-mail */
	char *oidc_authorized_users;      /* list of e-mail addresses */
	char *oidc_groups_claim;          /* "" = no group mapping */
	char *oidc_username_claim;        /* email | preferred_username */
	char *oidc_button_label;
	/* Where the users come from (lib/userbackend.h); LDAP directory users (lib/ldapusers.h). */
	int user_backend;                 /* enum gk_userbackend_kind: 0 gdbm, 1 ldap */
	char *ldap_uri;                   /* ldap://host[:port] or ldaps://host[:port] */
	char *ldap_base_dn;
	char *ldap_user_filter;           /* %s = the user name, escaped (RFC 4515) */
	char *ldap_bind_dn;               /* "" = anonymous searches */
	char *ldap_bind_password_file;
	char *ldap_group_attribute;       /* on the user entry: group DNs or names ("" = none) */
	char *ldap_group_base_dn;         /* "" = no group search */
	char *ldap_group_filter;          /* %s = the user's DN, escaped */
	char *ldap_level_groups;          /* "group=level,..." */
	long ldap_default_level;
	bool ldap_starttls;
	char *ldap_ca_file;
	long ldap_timeout;                /* seconds: connect, each operation */
	long ldap_cache_ttl;              /* seconds a looked-up entry is reused per worker */
	long ldap_down_grace;             /* seconds an entry outlives an unreachable directory */
	/* Second factor (TOTP): lib/second_factor, lib/totp_store. */
	char *second_factor_groups;       /* comma list: members always need a second factor */
	char *totp_issuer;                /* the issuer an authenticator app shows */
	enum gk_sf_enrol second_factor_enrol;   /* self: the account page enrols; admin: gatekeep-passwd only */
	/* Passkeys (WebAuthn; gatekeep-login checks them further at start-up). */
	bool passkeys;                    /* the passkey pages and the second factor */
	char *passkey_origin;             /* the login page's origin, scheme://host[:port] */
	char *passkey_rp_id;              /* "" = the host of passkey_origin */
	bool passkey_user_verification;   /* require UV (PIN, biometrics), not only presence */
	bool passkey_second_factor;       /* a user with a passkey must use it after the password */
};

/* Fills cfg with the documented defaults (see gatekeep.conf.5); cfg need not be initialised. */
int gk_config_defaults(struct gk_config *cfg, struct gk_err *err);

/* Whether the methods key lists m (in any position). */
bool gk_config_uses_method(const struct gk_config *cfg, enum gk_method m);

/*
 * Loads defaults, then the file at path (NULL: $GATEKEEP_CONFIG, else
 * GK_CONFIG_DEFAULT_PATH; a missing default file is not an error, a missing
 * explicit one is), then GATEKEEP_<KEY> overrides from envp. Unknown keys,
 * bad values and repeated non-repeatable keys are errors reported as
 * "file:line: message" (or "environment GATEKEEP_X: message").
 * GATEKEEP_RULE holds rules separated by newlines or ';' (outside double
 * quotes) and replaces the file's rules. gk_config_validate runs last.
 * On error cfg is freed (zeroed); on success the caller frees it.
 */
int gk_config_load(struct gk_config *cfg, const char *path, char *const *envp, struct gk_err *err);

/* Sets one key from text (the same parser the file uses; "rule" appends); where names the source. */
int gk_config_set(struct gk_config *cfg, const char *key, const char *value, const char *where,
    struct gk_err *err);

/* Cross-key validation (e.g. proxy_trusted must not trust everything). */
int gk_config_validate(const struct gk_config *cfg, struct gk_err *err);

/*
 * What loads and validates but may not do what it says: warnings for the start-up log and
 * --check-config, not refusals.  A host= rule naming a port (admin.example:8443) is
 * skipped by a request on any other port or none, and the client chooses the Host's port:
 * a stricter rule so pinned protects nothing (a looser one, require=bypass, only narrows,
 * and a refusal would stop a deployment that starts today).  Calls warn(arg, message) once
 * per finding (message: "file:line: ..."); returns how many.
 */
int gk_config_warnings(const struct gk_config *cfg, void (*warn)(void *arg, const char *msg),
    void *arg);

/* Prints the effective configuration as a config file, secrets masked. */
void gk_config_print(const struct gk_config *cfg, FILE *out);

void gk_config_free(struct gk_config *cfg);

/* Value parsers shared with the programs. */
int gk_parse_duration(const char *s, long *seconds);   /* "90", "90s", "15m", "12h", "7d", "1w" */
int gk_parse_bool(const char *s, bool *out);           /* true/false yes/no on/off 1/0 */
/* Overwrites *list (does not free it) on success; GK_ETOOLONG over 1024 items. */
int gk_strlist_parse(const char *s, struct gk_strlist *list);
void gk_strlist_free(struct gk_strlist *list);

#endif
