/* t_policy.c: requirement parsing, rule matching and the allow/deny verdict. */
#include <config.h>

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

static bool
allows(const char *req, const struct gk_user *u, const char *method)
{
	struct gk_requirement r;

	if (gk_requirement_parse(req, &r) != GK_OK)
		return false;
	return gk_policy_allows(&r, u, method);
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
	gk_config_free(&cfg);
	return done_testing();
}
