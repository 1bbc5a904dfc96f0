/* policy.c: parsing and evaluating access requirements, and choosing the first matching rule. */
#include <config.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pathnorm.h"
#include "policy.h"
#include "validate.h"

#define GK_HOST_READING_MAX 256     /* a Host read without its trailing dot, with port */

/* Checks each element of a comma list with valid(); no empty elements. */
static bool
list_valid(const char *s, bool (*valid)(const char *, size_t))
{
	if (*s == '\0')
		return false;
	for (;;) {
		size_t n = strcspn(s, ",");

		if (n == 0 || !valid(s, n))
			return false;
		if (s[n] == '\0')
			return true;
		s += n + 1;
	}
}

/* Is name (exact bytes) an element of comma list? */
static bool
list_has(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (;;) {
		size_t n = strcspn(list, ",");

		if (n == len && memcmp(list, name, n) == 0)
			return true;
		if (list[n] == '\0')
			return false;
		list += n + 1;
	}
}

/* 0..999 in at most three digits, no sign and no leading zero ("007" is refused, not read as 7). */
static int
parse_level(const char *s, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (s[0] == '\0' || strlen(s) > 3 || (s[0] == '0' && s[1] != '\0'))
		return GK_EINVAL;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return GK_EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return GK_OK;
}

static int requirement_base(const char *s, struct gk_requirement *out);

/* "2fa:" before a requirement asks for a second factor too (lib/second_factor). */
int
gk_requirement_parse(const char *s, struct gk_requirement *out)
{
	int rc;

	if (s == NULL || strncmp(s, "2fa:", 4) != 0)
		return requirement_base(s, out);
	rc = requirement_base(s + 4, out);
	if (rc == GK_OK && (out->kind == GK_REQ_BYPASS || out->kind == GK_REQ_DENY ||
	    gk_requirement_anonymous(out)))
		rc = GK_EINVAL;         /* nobody to ask, or nobody to let in: a mistake */
	out->second_factor = rc == GK_OK;
	return rc;
}

static int
requirement_base(const char *s, struct gk_requirement *out)
{
	size_t n;

	memset(out, 0, sizeof(*out));
	if (s == NULL || (n = strlen(s)) == 0 || n > GK_GROUPS_MAX + 16)
		return GK_EINVAL;
	if (strcmp(s, "bypass") == 0)
		out->kind = GK_REQ_BYPASS;
	else if (strcmp(s, "deny") == 0)
		out->kind = GK_REQ_DENY;
	else if (strcmp(s, "any") == 0)
		out->kind = GK_REQ_ANY;
	else if (strncmp(s, "group:", 6) == 0) {
		out->kind = GK_REQ_GROUP;
		out->list = s + 6;
		/* gk_valid_group_list also bounds the length and refuses a group named twice. */
		if (out->list[0] == '\0' || !gk_valid_group_list(out->list, n - 6))
			return GK_EINVAL;
	} else if (strncmp(s, "user:", 5) == 0) {
		out->kind = GK_REQ_USER;
		out->list = s + 5;
		if (n - 5 > GK_GROUPS_MAX || !list_valid(out->list, gk_valid_user))
			return GK_EINVAL;
	} else if (strncmp(s, "permission:", 11) == 0) {
		out->kind = GK_REQ_PERMISSION;
		if (gk_perm_parse(s + 11, &out->perm) != GK_OK || out->perm == GK_PERM_NONE)
			return GK_EINVAL;
	} else if (strncmp(s, "level:", 6) == 0) {
		out->kind = GK_REQ_LEVEL;
		if (parse_level(s + 6, &out->level) != GK_OK)
			return GK_EINVAL;
	} else if (parse_level(s, &out->level) == GK_OK) {
		out->kind = GK_REQ_LEVEL;
	} else {
		return GK_EINVAL;
	}
	return GK_OK;
}

/* The one requirement grammar: what a rule may say is what the policy evaluates. */
bool
gk_requirement_valid(const char *req)
{
	struct gk_requirement r;

	return gk_requirement_parse(req, &r) == GK_OK;
}

/* The seven methods first: gk_http_method_bit reads them; a rule may also say OTHER, ALL or "*". */
const struct gk_http_method_name gk_http_method_names[] = {
	{ "GET", GK_HTTP_GET }, { "HEAD", GK_HTTP_HEAD }, { "POST", GK_HTTP_POST },
	{ "PUT", GK_HTTP_PUT }, { "DELETE", GK_HTTP_DELETE }, { "PATCH", GK_HTTP_PATCH },
	{ "OPTIONS", GK_HTTP_OPTIONS }, { "OTHER", GK_HTTP_OTHER }, { "ALL", GK_HTTP_ALL },
	{ "*", GK_HTTP_ALL },
};
const size_t gk_http_method_names_count =
    sizeof(gk_http_method_names) / sizeof(gk_http_method_names[0]);

unsigned
gk_http_method_bit(const char *m)
{
	size_t i;

	if (m == NULL || *m == '\0')
		return 0;
	/*
	 * Methods are case-sensitive (RFC 9110 9.1): "get" is not GET, so is not
	 * safe. Rule selection also sees the upper-cased reading (method.h).
	 * A request method spelt "OTHER", "ALL" or "*" is just another method.
	 */
	for (i = 0; i < gk_http_method_names_count; i++)
		if (gk_http_method_names[i].bit != GK_HTTP_OTHER &&
		    gk_http_method_names[i].bit != GK_HTTP_ALL &&
		    strcmp(m, gk_http_method_names[i].name) == 0)
			return gk_http_method_names[i].bit;
	return GK_HTTP_OTHER;
}

bool
gk_http_method_safe(const char *m)
{
	unsigned b = gk_http_method_bit(m);

	return b == GK_HTTP_GET || b == GK_HTTP_HEAD || b == GK_HTTP_OPTIONS;
}

const char *
gk_methods_least_safe(const struct gk_methods *ms)
{
	for (size_t i = 0; i < ms->count; i++)
		if (!gk_http_method_safe(ms->m[i]))
			return ms->m[i];
	return ms->count > 0 ? ms->m[0] : "";
}

/* Where a bracket expression of fnmatch opening at p ('[') ends (its ']'), or NULL: a literal '['. */
static const char *
set_end(const char *p)
{
	const char *q = p + 1;

	if (*q == '!' || *q == '^')
		q++;
	if (*q == ']')                  /* a ']' first in the set is a member */
		q++;
	for (; *q != '\0' && *q != ']'; q++) {
		/* "[:digit:]", "[=a=]", "[.-.]" inside a set: their ']' does not end it */
		if (*q == '[' && (q[1] == ':' || q[1] == '=' || q[1] == '.')) {
			const char *c = q + 2;

			while (*c != '\0' && !(c[0] == q[1] && c[1] == ']'))
				c++;
			if (*c == '\0')
				return NULL;
			q = c + 1;
		}
	}
	return *q == ']' ? q : NULL;
}

/*
 * A ':' after the pattern's last literal ']' (an IPv6 literal's end, written "[[]::1]") or, with
 * none, anywhere: "admin.example:8443" and "admin.example:84[0-9][0-9]" name a port.
 */
bool
gk_host_pattern_has_port(const char *pat)
{
	const char *p, *after = pat, *e;

	for (p = pat; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			if (*++p == ']')
				after = p + 1;
		} else if (*p == '[' && (e = set_end(p)) != NULL) {
			p = e;
		} else if (*p == ']') {
			after = p + 1;
		}
	}
	return strchr(after, ':') != NULL;
}

static bool
host_match(const char *pat, const char *host)
{
	char bare[256];
	size_t n;

	if (host == NULL || *host == '\0')
		return false;
	if (fnmatch(pat, host, FNM_CASEFOLD) == 0)
		return true;
	/* "example.com" also matches "example.com:8080" unless the pattern names a port. */
	if (gk_host_pattern_has_port(pat))
		return false;
	if (host[0] == '[') {
		const char *rb = strchr(host, ']');

		if (rb == NULL)
			return false;
		n = (size_t)(rb - host) + 1;
	} else {
		n = strcspn(host, ":");
	}
	if (host[n] != ':' || gk_memcpy_str(bare, sizeof(bare), host, n) != GK_OK)
		return false;
	return fnmatch(pat, bare, FNM_CASEFOLD) == 0;
}

static bool
path_match(const char *pat, const char *path, bool nocase)
{
	if (strpbrk(pat, "*?[") != NULL)
		return fnmatch(pat, path, nocase ? FNM_CASEFOLD : 0) == 0;
	return gk_path_prefix_match(pat, path, nocase);
}

/*
 * The first HOSTS_MEMO rules' host verdicts for one Host reading, found when first needed:
 * a decision tries the rules once per path reading, each case and method reading, and the
 * host's verdict (two fnmatch calls for a pattern without a port) is the same every time.
 */
#define HOSTS_MEMO 256
enum { HOST_UNKNOWN = 0, HOST_YES, HOST_NO };

static bool
host_match_memo(const struct gk_rule *r, size_t i, const char *host, unsigned char *memo)
{
	if (memo == NULL || i >= HOSTS_MEMO)
		return host_match(r->host, host);
	if (memo[i] == HOST_UNKNOWN)
		memo[i] = host_match(r->host, host) ? HOST_YES : HOST_NO;
	return memo[i] == HOST_YES;
}

static const struct gk_rule *
policy_match(const struct gk_config *cfg, const char *host, const char *path,
    const char *method, bool skip_bypass, bool nocase, unsigned char *memo)
{
	unsigned mbit = gk_http_method_bit(method);
	size_t i;

	for (i = 0; i < cfg->rules_count; i++) {
		const struct gk_rule *r = &cfg->rules[i];

		if (r->host != NULL && !host_match_memo(r, i, host, memo))
			continue;
		if (r->path != NULL && (path == NULL || !path_match(r->path, path, nocase)))
			continue;
		if ((r->methods & mbit) == 0)
			continue;
		if (skip_bypass) {
			struct gk_requirement q;

			if (gk_requirement_parse(r->require, &q) != GK_OK ||
			    gk_requirement_anonymous(&q))
				continue;
		}
		return r;
	}
	return NULL;
}

const struct gk_rule *
gk_policy_match(const struct gk_config *cfg, const char *host, const char *path,
    const char *method, bool skip_bypass)
{
	return policy_match(cfg, host, path, method, skip_bypass, false, NULL);
}

int
gk_requirements_add(struct gk_requirements *rs, const struct gk_requirement *r)
{
	if (rs->count >= GK_REQUIREMENTS_MAX)
		return GK_ETOOLONG;
	rs->r[rs->count++] = *r;
	return GK_OK;
}

/* Adds the rule each reading of pr selects for method to rs, once per rule (seen: those added). */
static int
add_requirements(const struct gk_config *cfg, const char *host,
    const struct gk_path_readings *pr, const char *method, struct gk_requirements *rs,
    const struct gk_rule **seen, size_t *nseen, const char **bad_where, unsigned char *memo)
{
	bool skip_bypass = (pr->flags & GK_PATH_AMBIGUOUS) != 0;
	size_t i, j;

	for (i = 0; i < 2 * pr->count && i < 2 * GK_READINGS_MAX; i++) {
		const struct gk_rule *rule = policy_match(cfg, host, pr->path[i / 2], method,
		    skip_bypass, i % 2 == 1, memo);
		struct gk_requirement q;

		if (rule == NULL) {
			rs->unmatched = true;
			continue;
		}
		for (j = 0; j < *nseen && seen[j] != rule; j++)
			;
		if (j < *nseen)
			continue;
		/* One place is kept for the caller's default. */
		if (*nseen == GK_REQUIREMENTS_MAX - 1 || gk_requirement_parse(rule->require, &q) !=
		    GK_OK || gk_requirements_add(rs, &q) != GK_OK) {
			*bad_where = rule->where;
			return GK_EINVAL;
		}
		seen[(*nseen)++] = rule;
	}
	return GK_OK;
}

/*
 * The readings of a Host an app may take for one site: as sent, and without one trailing
 * dot on the name ("admin.test." and "admin.test.:8080" are admin.test to Apache's
 * vhosts, which hand us the header as sent). Rules are selected by each, the strictest
 * wins, as with the path's readings. Two dots or more: the servers refuse or keep them.
 */
static size_t
host_readings(const char *host, char bare[GK_HOST_READING_MAX], const char *out[2])
{
	size_t n;

	out[0] = host;
	if (host == NULL || host[0] == '[')
		return 1;
	n = strcspn(host, ":");
	if (n < 2 || host[n - 1] != '.' || host[n - 2] == '.' ||
	    strlen(host) >= GK_HOST_READING_MAX)
		return 1;
	snprintf(bare, GK_HOST_READING_MAX, "%.*s%s", (int)(n - 1), host, host + n);
	out[1] = bare;
	return 2;
}

int
gk_policy_requirements(const struct gk_config *cfg, const char *host,
    const struct gk_path_readings *pr, const char *method, struct gk_requirements *rs,
    const char **bad_where)
{
	const struct gk_rule *seen[GK_REQUIREMENTS_MAX];
	const char *hosts[2];
	char bare[GK_HOST_READING_MAX];
	size_t nseen = 0, h, nh = host_readings(host, bare, hosts);
	int rc = GK_OK;

	memset(rs, 0, sizeof(*rs));
	*bad_where = NULL;
	for (h = 0; h < nh && rc == GK_OK; h++)
		rc = add_requirements(cfg, hosts[h], pr, method, rs, seen, &nseen, bad_where, NULL);
	return rc;
}

int
gk_policy_requirements_methods(const struct gk_config *cfg, const char *host,
    const struct gk_path_readings *pr, const struct gk_methods *ms,
    struct gk_requirements *rs, const char **bad_where)
{
	const struct gk_rule *seen[GK_REQUIREMENTS_MAX];
	const char *hosts[2];
	char bare[GK_HOST_READING_MAX];
	size_t i, nseen = 0, h, nh = host_readings(host, bare, hosts);
	int rc = GK_OK;

	memset(rs, 0, sizeof(*rs));
	*bad_where = NULL;
	if (ms->count == 0) {
		*bad_where = "no method";
		return GK_EINVAL;
	}
	for (h = 0; h < nh && rc == GK_OK; h++) {
		unsigned char memo[HOSTS_MEMO];    /* this host reading's verdicts */

		memset(memo, HOST_UNKNOWN, cfg->rules_count < HOSTS_MEMO ? cfg->rules_count :
		    HOSTS_MEMO);
		for (i = 0; i < ms->count && rc == GK_OK; i++)
			rc = add_requirements(cfg, hosts[h], pr, ms->m[i], rs, seen, &nseen, bad_where,
			    memo);
	}
	return rc;
}

bool
gk_requirements_deny(const struct gk_requirements *rs)
{
	size_t i;

	for (i = 0; i < rs->count; i++)
		if (rs->r[i].kind == GK_REQ_DENY)
			return true;
	return false;
}

bool
gk_requirements_anonymous(const struct gk_requirements *rs)
{
	size_t i;

	for (i = 0; i < rs->count; i++)
		if (!gk_requirement_anonymous(&rs->r[i]))
			return false;
	return rs->count > 0;
}

bool
gk_requirements_allow(const struct gk_requirements *rs, const struct gk_user *u,
    const char *method)
{
	size_t i;

	for (i = 0; i < rs->count; i++)
		if (!gk_policy_allows(&rs->r[i], u, method))
			return false;
	return rs->count > 0;
}

bool
gk_requirements_allow_methods(const struct gk_requirements *rs, const struct gk_user *u,
    const struct gk_methods *ms)
{
	size_t i;

	for (i = 0; i < ms->count; i++)
		if (!gk_requirements_allow(rs, u, ms->m[i]))
			return false;
	return ms->count > 0;
}

bool
gk_requirement_anonymous(const struct gk_requirement *r)
{
	return r->kind == GK_REQ_BYPASS || (r->kind == GK_REQ_LEVEL && r->level >= GK_LEVEL_GUEST);
}

static bool
in_any_group(const char *user_groups, const char *list)
{
	for (;;) {
		char g[GK_GROUP_MAX + 1];
		size_t n = strcspn(list, ",");

		if (gk_memcpy_str(g, sizeof(g), list, n) == GK_OK &&
		    gk_groups_contains(user_groups, g))
			return true;
		if (list[n] == '\0')
			return false;
		list += n + 1;
	}
}

bool
gk_policy_allows(const struct gk_requirement *r, const struct gk_user *u, const char *method)
{
	bool admin;

	if (r->kind == GK_REQ_DENY)
		return false;
	if (gk_requirement_anonymous(r))
		return true;
	if (u == NULL || (u->flags & GK_USER_DISABLED))
		return false;
	admin = gk_groups_contains(u->groups, GK_ADMIN_GROUP);
	if (!admin) {
		/* The user's own permission is a floor under every requirement. */
		if (u->perm == GK_PERM_NONE)
			return false;
		if (u->perm == GK_PERM_RO && !gk_http_method_safe(method))
			return false;
	}
	switch (r->kind) {
	case GK_REQ_ANY:
		return true;
	case GK_REQ_GROUP:
		return admin || in_any_group(u->groups, r->list);
	case GK_REQ_USER:
		return admin || list_has(r->list, u->name);
	case GK_REQ_PERMISSION:
		return admin || u->perm >= r->perm;
	case GK_REQ_LEVEL:
		return admin || u->level <= r->level;
	default:
		return false;
	}
}
