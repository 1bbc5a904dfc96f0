/* t_policy.c: requirement parsing, rule matching and the allow/deny verdict. */
#include <config.h>

#include <stdlib.h>

#include "policy.h"
#include "tap.h"

static struct gk_user
mkuser(const char *name, const char *groups, enum gk_perm perm, unsigned level)
{
	struct gk_user u;

	gk_user_init(&u, name, 1700000000);
	snprintf(u.groups, sizeof(u.groups), "%s", groups);
	u.perm = perm;
	u.level = (uint16_t)level;
	return u;
}

/* The requirements for path (plus "any" when some reading matches no rule). */
static struct gk_requirements
reqs(const struct gk_config *cfg, const char *path, const char *method)
{
	static struct gk_path_readings pr;
	struct gk_requirements rs;
	struct gk_requirement any;
	const char *where;

	memset(&rs, 0, sizeof(rs));
	if (gk_path_readings(path, &pr) != GK_OK ||
	    gk_policy_requirements(cfg, "h", &pr, method, &rs, &where) != GK_OK)
		return rs;      /* empty: nothing is allowed */
	gk_requirement_parse("any", &any);
	if (rs.unmatched)
		gk_requirements_add(&rs, &any);
	return rs;
}

static bool
allows(const char *req, const struct gk_user *u, const char *method)
{
	struct gk_requirement r;

	if (gk_requirement_parse(req, &r) != GK_OK)
		return false;
	return gk_policy_allows(&r, u, method);
}

/*
 * The host verdicts remembered within one decision change nothing: host rules among path
 * rules, hosts with a port and a trailing dot (two readings), targets with two readings,
 * each case: gk_policy_requirements_methods (which remembers) selects what
 * gk_policy_requirements (which does not) selects, rule for rule.
 */
static void
host_memo(void)
{
	static const char *const rules[] = {
		"host=*.example.com path=/api/ require=group:api",
		"host=admin.test path=/admin require=group:admins",
		"host=admin.test:8443 require=deny",
		"path=/Admin require=level:0",
		"host=*.test require=permission:ro",
		"host=[::1] require=user:root",
		"path=/ require=any",
	};
	static const char *const hosts[] = { "admin.test", "admin.test.", "admin.test.:8443",
		"www.example.com", "WWW.Example.COM:80", "other.test", "[::1]:8080", "x.org",
		"admin.test:8443", NULL };
	static const char *const targets[] = { "/admin/x", "/ADMIN/..;/api/x", "/api/v1",
		"/a%2fdmin", "/x", NULL };
	static struct gk_path_readings pr;
	struct gk_config cfg;
	struct gk_err err = { "" };
	struct gk_requirements a, b;
	struct gk_methods ms;
	const char *wa, *wb;
	size_t i, j, k, same = 0, all = 0;

	if (gk_config_defaults(&cfg, &err) != GK_OK)
		return (void)ok(false, "defaults: %s", err.msg);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (gk_config_set(&cfg, "rule", rules[i], "t", &err) != GK_OK) {
			ok(false, "rule %s: %s", rules[i], err.msg);
			gk_config_free(&cfg);
			return;
		}
	for (i = 0; hosts[i] != NULL; i++)
		for (j = 0; targets[j] != NULL; j++) {
			if (gk_path_readings(targets[j], &pr) != GK_OK ||
			    gk_method_readings(NULL, "get", targets[j], &ms) != GK_OK)
				continue;
			for (k = 0; k < ms.count; k++) {
				struct gk_methods one = ms;

				memcpy(one.m[0], ms.m[k], sizeof(one.m[0]));
				one.count = 1;
				all++;
				same += gk_policy_requirements_methods(&cfg, hosts[i], &pr, &one, &a,
				    &wa) == gk_policy_requirements(&cfg, hosts[i], &pr, ms.m[k], &b, &wb) &&
				    a.count == b.count && a.unmatched == b.unmatched &&
				    memcmp(a.r, b.r, a.count * sizeof(a.r[0])) == 0;
			}
		}
	ok(all > 50 && same == all, "host verdicts remembered: the same rules (%zu of %zu)",
	    same, all);
	gk_config_free(&cfg);
}

int
main(void)
{
	static const char *good[] = { "bypass", "deny", "any", "group:admins", "group:a,b.c,d-e",
	    "user:alice", "user:alice,bob", "permission:ro", "permission:rw", "permission:full",
	    "level:0", "level:998", "level:999", "2" };
	static const char *bad[] = { "", "Any", "group:", "group:a,,b", "group:,a", "group:a,",
	    "group:-x", "user:", "user:a:b", "permission:none", "permission:x", "level:",
	    "level:1000", "level:-1", "level:1x", "1000", "bypass ", " any", "group:a b",
	    "level:007", "007", "level:00", "group:a,a" };
	struct gk_requirement r;
	struct gk_config cfg;
	struct gk_err err = { "" };
	struct gk_user alice = mkuser("alice", "staff,dev", GK_PERM_RW, 998);
	struct gk_user ro = mkuser("reader", "staff", GK_PERM_RO, 998);
	struct gk_user none = mkuser("nobody", "staff", GK_PERM_NONE, 998);
	struct gk_user admin = mkuser("root", "admins", GK_PERM_NONE, 998);
	struct gk_user power = mkuser("power", "", GK_PERM_RW, 3);
	struct gk_user off = mkuser("off", "admins", GK_PERM_RW, 0);
	const struct gk_rule *m;
	size_t i;

	off.flags |= GK_USER_DISABLED;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		is_int(gk_requirement_parse(good[i], &r), GK_OK, "parses: \"%s\"", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(gk_requirement_parse(bad[i], &r), GK_EINVAL, "refused: \"%s\"", bad[i]);
	gk_requirement_parse("2", &r);
	ok(r.kind == GK_REQ_LEVEL && r.level == 2, "bare number is a level (Organizr /auth/2)");

	/* Verdicts. */
	ok(allows("bypass", NULL, "POST"), "bypass: nobody needed");
	ok(allows("level:999", NULL, "GET"), "level 999 (guest): nobody needed");
	ok(!allows("any", NULL, "GET"), "any: anonymous refused");
	ok(!allows("deny", &admin, "GET"), "deny: even admins");
	ok(allows("any", &alice, "DELETE"), "any: rw user, unsafe method");
	ok(allows("group:dev", &alice, "GET"), "group member");
	ok(allows("group:x,dev", &alice, "GET"), "member of one listed group");
	ok(!allows("group:de", &alice, "GET"), "group names match exactly");
	ok(!allows("group:ops", &alice, "GET"), "not a member");
	ok(allows("group:ops", &admin, "GET"), "admins imply every group");
	ok(allows("user:bob,alice", &alice, "GET"), "listed user");
	ok(!allows("user:alic", &alice, "GET"), "user names match exactly");
	ok(allows("user:bob", &admin, "GET"), "admins imply every user requirement");
	ok(allows("any", &ro, "GET") && allows("any", &ro, "HEAD") && allows("any", &ro, "OPTIONS"),
	    "ro user: safe methods");
	ok(!allows("any", &ro, "POST") && !allows("any", &ro, "PUT") && !allows("any", &ro, "get"),
	    "ro user: no unsafe (or unknown) methods");
	ok(!allows("permission:rw", &ro, "GET"), "permission:rw needs rw even for GET");
	ok(allows("permission:ro", &ro, "GET"), "permission:ro for a ro user");
	ok(!allows("any", &none, "GET"), "permission none: nothing");
	ok(allows("bypass", &none, "GET"), "permission none: bypass still open");
	ok(allows("permission:rw", &admin, "DELETE"), "admins: everything despite perm none");
	ok(allows("level:3", &power, "GET") && !allows("level:2", &power, "GET"), "levels");
	ok(allows("level:0", &admin, "GET"), "admins satisfy level 0");
	ok(!allows("any", &off, "GET"), "disabled user: nothing");

	/* Rule matching. */
	ok(gk_config_defaults(&cfg, &err) == GK_OK, "config defaults");
	ok(gk_config_set(&cfg, "rule", "path=/admin require=group:admins", "t:1", &err) == GK_OK &&
	    gk_config_set(&cfg, "rule", "host=*.example.com path=/api/*/x methods=POST,PUT require=deny", "t:2", &err) == GK_OK &&
	    gk_config_set(&cfg, "rule", "host=files.test require=permission:ro", "t:3", &err) == GK_OK &&
	    gk_config_set(&cfg, "rule", "path=/pub require=bypass", "t:4", &err) == GK_OK,
	    "rules set (%s)", err.msg);
	m = gk_policy_match(&cfg, "h", "/admin/x", "GET", false);
	ok(m != NULL && strcmp(m->require, "group:admins") == 0, "path prefix");
	ok(gk_policy_match(&cfg, "h", "/administrator", "GET", false) == NULL, "prefix is segment-aware");
	m = gk_policy_match(&cfg, "a.EXAMPLE.com", "/api/v1/x", "POST", false);
	ok(m != NULL && strcmp(m->require, "deny") == 0, "host glob, path glob, method");
	ok(gk_policy_match(&cfg, "a.example.com", "/api/v1/x", "GET", false) == NULL, "method not listed");
	ok(gk_policy_match(&cfg, "example.com", "/api/v1/x", "POST", false) == NULL, "host glob needs a subdomain");
	m = gk_policy_match(&cfg, "files.test:8080", "/x", "GET", false);
	ok(m != NULL && strcmp(m->require, "permission:ro") == 0, "host without port matches host:port");
	ok(gk_policy_match(&cfg, NULL, "/x", "GET", false) == NULL, "no Host: host rules do not match");
	m = gk_policy_match(&cfg, "h", "/pub/x", "GET", false);
	ok(m != NULL && strcmp(m->require, "bypass") == 0, "bypass rule");
	ok(gk_policy_match(&cfg, "h", "/pub/x", "GET", true) == NULL, "skip_bypass passes bypass rules over");
	ok(gk_http_method_bit("PATCH") == GK_HTTP_PATCH && gk_http_method_bit("BREW") == GK_HTTP_OTHER &&
	    gk_http_method_bit("") == 0, "method bits");
	ok(gk_http_method_bit("ALL") == GK_HTTP_OTHER && gk_http_method_bit("*") == GK_HTTP_OTHER &&
	    gk_http_method_bit("get") == GK_HTTP_OTHER, "a request method spelt like a rule's ALL, * or in lower case is OTHER");

	/* Every reading of the path: the strictest rule wins (issue: /ADMIN, /admin/..;/x). */
	{
		struct gk_requirements rs;

		ok(gk_config_set(&cfg, "rule", "path=/secret require=deny", "t:5", &err) == GK_OK,
		    "deny rule set (%s)", err.msg);
		rs = reqs(&cfg, "/admin/panel", "GET");
		ok(rs.count == 1 && !rs.unmatched, "plain /admin: one requirement");
		ok(!gk_requirements_allow(&rs, &alice, "GET") && gk_requirements_allow(&rs, &admin, "GET"),
		    "plain /admin: admins only");
		rs = reqs(&cfg, "/ADMIN/panel", "GET");
		ok(rs.count == 2 && rs.unmatched, "/ADMIN: the case-folded reading selects the /admin rule");
		ok(!gk_requirements_allow(&rs, &alice, "GET"), "/ADMIN/panel: not for alice");
		ok(gk_requirements_allow(&rs, &admin, "GET"), "/ADMIN/panel: admins still pass");
		rs = reqs(&cfg, "/Admin/panel", "GET");
		ok(!gk_requirements_allow(&rs, &alice, "GET"), "/Admin/panel: not for alice");
		rs = reqs(&cfg, "/admin/..;/x", "GET");
		ok(!gk_requirements_allow(&rs, &alice, "GET"), "/admin/..;/x: \"..;\" as a name keeps /admin");
		rs = reqs(&cfg, "/x/..;/admin", "GET");
		ok(!gk_requirements_allow(&rs, &alice, "GET"), "/x/..;/admin: Tomcat's reading is /admin");
		rs = reqs(&cfg, "/%2561dmin/panel", "GET");
		ok(!gk_requirements_allow(&rs, &alice, "GET"), "/%%2561dmin: decoded twice it is /admin");
		rs = reqs(&cfg, "/SECRET", "GET");
		ok(gk_requirements_deny(&rs), "/SECRET: deny under the case-folded reading");
		rs = reqs(&cfg, "/secret;x", "GET");
		ok(gk_requirements_deny(&rs), "/secret;x: deny under the Tomcat reading");
		rs = reqs(&cfg, "/pub/x", "GET");
		ok(gk_requirements_anonymous(&rs), "/pub/x: a bypass rule as spelt");
		rs = reqs(&cfg, "/PUB/x", "GET");
		ok(!gk_requirements_anonymous(&rs) && gk_requirements_allow(&rs, &alice, "GET"),
		    "/PUB/x: a bypass needs every reading (the exact one matches no rule: any)");
		rs = reqs(&cfg, "/pub;x/y", "GET");
		ok(!gk_requirements_anonymous(&rs), "/pub;x/y: ambiguous paths pass bypass rules over");
		free(cfg.rules[1].host);        /* the /api/ * /x rule, for any host */
		cfg.rules[1].host = NULL;
		rs = reqs(&cfg, "/API/v1/X", "POST");
		ok(gk_requirements_deny(&rs), "a path glob matches case-folded too");
		rs = reqs(&cfg, "/nothing", "GET");
		ok(rs.count == 1 && rs.unmatched && gk_requirements_allow(&rs, &alice, "GET") &&
		    !gk_requirements_allow(&rs, NULL, "GET"), "no rule: the caller's default");
		memset(&rs, 0, sizeof(rs));
		ok(!gk_requirements_allow(&rs, &admin, "GET") && !gk_requirements_anonymous(&rs),
		    "an empty set allows nobody");
	}
	gk_config_free(&cfg);
	host_memo();
	return done_testing();
}
