/* policy.h: access requirements (rule, GATEKEEP_REQUIRE, auth_request path) and their evaluation. */
#ifndef GK_POLICY_H
#define GK_POLICY_H

#include "common.h"
#include "conf.h"
#include "method.h"
#include "pathread.h"
#include "record.h"

#define GK_ADMIN_GROUP "admins"    /* the group every requirement admits (and a level-0 user gets) */

enum gk_req_kind {
	GK_REQ_BYPASS = 1,     /* no authentication needed */
	GK_REQ_DENY,           /* nobody */
	GK_REQ_ANY,            /* any authenticated user */
	GK_REQ_GROUP,          /* member of one of the listed groups */
	GK_REQ_USER,           /* one of the listed users */
	GK_REQ_PERMISSION,     /* the user's permission is at least perm */
	GK_REQ_LEVEL           /* Organizr level: user level <= level */
};

/* A parsed requirement; list points into the parsed string (not owned). */
struct gk_requirement {
	enum gk_req_kind kind;
	const char *list;      /* GK_REQ_GROUP / GK_REQ_USER: comma-separated names */
	enum gk_perm perm;     /* GK_REQ_PERMISSION */
	unsigned level;        /* GK_REQ_LEVEL, 0..999 */
	bool second_factor;    /* written "2fa:REQ": a session signed in with a second factor too */
};

/*
 * Parses "bypass", "deny", "any", "group:A[,B]", "user:N[,M]",
 * "permission:ro|rw|full", "level:N" (0..999, no leading zero; 999 =
 * guest = bypass, Organizr's numbering). Also accepts a bare number "N" as
 * level:N (for "/auth/2", Organizr style). Any of these but bypass, deny and
 * level:999 may be written "2fa:REQ" (second_factor: lib/second_factor.h). GK_EINVAL for anything else,
 * including empty list elements, names that fail validation, a group named
 * twice and lists over GK_GROUPS_MAX bytes. The one grammar: the
 * configuration's rules (gk_requirement_valid) and GATEKEEP_REQUIRE alike.
 */
int gk_requirement_parse(const char *s, struct gk_requirement *out);

/* gk_requirement_parse without the result: is req a requirement (the configuration checks its rules so)? */
bool gk_requirement_valid(const char *req);

/* A rule's method names (matched case-insensitively there) and their GK_HTTP_* bits. */
struct gk_http_method_name {
	const char *name;
	unsigned bit;
};
extern const struct gk_http_method_name gk_http_method_names[];
extern const size_t gk_http_method_names_count;

/* GK_HTTP_* bit of a request method (GK_HTTP_OTHER for unknown tokens, 0 for NULL/""). */
unsigned gk_http_method_bit(const char *method);

/* True for GET, HEAD, OPTIONS (what permission ro allows). */
bool gk_http_method_safe(const char *method);

/* The first reading that is not GET, HEAD or OPTIONS, else m[0] (for a CSRF origin check). */
const char *gk_methods_least_safe(const struct gk_methods *ms);

/*
 * The first rule of cfg matching host (Host header value, may be NULL), the
 * normalised path and method; NULL when none does. Host globs use fnmatch
 * case-insensitively; a host pattern without a port (gk_host_pattern_has_port) also
 * matches "host:port".
 * Path: a pattern with '*', '?' or '[' is an fnmatch glob (FNM_PATHNAME
 * off, so '*' crosses '/'), otherwise a segment-aware prefix
 * (gk_path_prefix_match). With skip_bypass, rules whose requirement is
 * "bypass" (or level:999) are passed over (used for ambiguous paths).
 */
const struct gk_rule *gk_policy_match(const struct gk_config *cfg, const char *host,
    const char *path, const char *method, bool skip_bypass);

/*
 * Whether a host= pattern names a port: a ':' after its last ']' (an IPv6 literal's own
 * colons are inside the brackets, written "[[]::1]" since '[' opens a set).  Such a
 * rule matches that port only, and the client chooses the port (gk_config_warnings).
 */
bool gk_host_pattern_has_port(const char *pat);

/*
 * Is user u (NULL = nobody authenticated) allowed by requirement r for method?
 * The user's own permission is a floor everywhere except for bypass: "none"
 * is never allowed, "ro" only for safe methods. Group "admins" satisfies
 * group, user, permission and level requirements, never "deny".
 */
bool gk_policy_allows(const struct gk_requirement *r, const struct gk_user *u,
    const char *method);

/* True if the requirement can be met without a user (bypass, level:999). */
bool gk_requirement_anonymous(const struct gk_requirement *r);

/*
 * All the requirements one request must meet: the rule each reading of its
 * path selects, read as-is and ASCII-case-folded, plus the caller's default
 * (GATEKEEP_REQUIRE...) when some reading selects no rule. A user passes
 * only by meeting every one, so the most restrictive reading wins.
 */
#define GK_REQUIREMENTS_MAX (4 * GK_READINGS_MAX + 1)

struct gk_requirements {
	size_t count;
	bool unmatched;         /* some reading matched no rule: the caller adds its default */
	struct gk_requirement r[GK_REQUIREMENTS_MAX];
};

/*
 * Fills rs from the rules of cfg for host, method and every reading in pr
 * (bypass rules are passed over when pr is ambiguous, as with skip_bypass).
 * Returns GK_OK, or GK_EINVAL with *bad_where set to the rule whose
 * requirement does not parse.
 */
int gk_policy_requirements(const struct gk_config *cfg, const char *host,
    const struct gk_path_readings *pr, const char *method, struct gk_requirements *rs,
    const char **bad_where);

/*
 * The same for every method reading in ms (method.h): a rule that any of
 * them selects applies. GK_EINVAL (with *bad_where) also when ms is empty or
 * the readings select more rules than GK_REQUIREMENTS_MAX - 1 (a deny).
 */
int gk_policy_requirements_methods(const struct gk_config *cfg, const char *host,
    const struct gk_path_readings *pr, const struct gk_methods *ms,
    struct gk_requirements *rs, const char **bad_where);

/* Adds r to rs; GK_ETOOLONG when full. */
int gk_requirements_add(struct gk_requirements *rs, const struct gk_requirement *r);

/* Some requirement is "deny". */
bool gk_requirements_deny(const struct gk_requirements *rs);

/* Every requirement can be met without a user (and there is at least one). */
bool gk_requirements_anonymous(const struct gk_requirements *rs);

/* u meets every requirement for method (false for an empty set). */
bool gk_requirements_allow(const struct gk_requirements *rs, const struct gk_user *u,
    const char *method);

/* u meets every requirement for every method in ms (false when either is empty). */
bool gk_requirements_allow_methods(const struct gk_requirements *rs, const struct gk_user *u,
    const struct gk_methods *ms);

#endif
