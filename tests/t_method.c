/* t_method.c: every method an app could act on, and rules and permissions over all of them. */
#include <config.h>

#include <stdlib.h>

#include "method.h"
#include "policy.h"
#include "tap.h"

static bool
has(const struct gk_methods *ms, const char *m)
{
	for (size_t i = 0; i < ms->count; i++)
		if (strcmp(ms->m[i], m) == 0)
			return true;
	return false;
}

/* Method readings of a request with header params env (NULL-terminated) and target. */
static int
readings(const char *method, char **env, const char *target, struct gk_methods *ms)
{
	struct gk_request req;

	gk_request_init(&req, env);
	return gk_method_readings(&req, method, target, ms);
}

static struct gk_user
mkuser(const char *name, const char *groups, enum gk_perm perm)
{
	struct gk_user u;

	gk_user_init(&u, name, 1700000000);
	snprintf(u.groups, sizeof(u.groups), "%s", groups);
	u.perm = perm;
	return u;
}

/* Does u pass the rules of cfg (plus "any" as the default) for target with methods ms? */
static bool
allowed(const struct gk_config *cfg, const char *target, const struct gk_methods *ms,
    const struct gk_user *u)
{
	static struct gk_path_readings pr;
	struct gk_requirements rs;
	struct gk_requirement any;
	const char *where;

	if (gk_path_readings(target, &pr) != GK_OK ||
	    gk_policy_requirements_methods(cfg, "h", &pr, ms, &rs, &where) != GK_OK)
		return false;
	gk_requirement_parse("any", &any);
	if (rs.unmatched)
		gk_requirements_add(&rs, &any);
	return gk_requirements_allow_methods(&rs, u, ms);
}

int
main(void)
{
	struct gk_methods ms;
	struct gk_config cfg;
	struct gk_err err = { "" };
	struct gk_user rita = mkuser("rita", "users", GK_PERM_RO);
	struct gk_user alice = mkuser("alice", "users", GK_PERM_RW);
	struct gk_user bob = mkuser("bob", "admins", GK_PERM_RW);

	is_int(readings("GET", NULL, "/x", &ms), GK_OK, "plain GET");
	ok(ms.count == 1 && strcmp(ms.m[0], "GET") == 0, "plain GET: one reading");
	is_int(readings("DeLeTe", NULL, "/x", &ms), GK_OK, "mixed case");
	ok(ms.count == 2 && strcmp(ms.m[0], "DeLeTe") == 0 && has(&ms, "DELETE"),
	    "mixed case: as sent and upper-cased");
	{
		char *env[] = { "HTTP_X_HTTP_METHOD_OVERRIDE=delete", "HTTP_X_HTTP_METHOD=PUT, patch",
			"HTTP_X_METHOD_OVERRIDE=POST", "HTTP_X_HTTP_METHOD_OVERRIDE=MOVE", NULL };

		is_int(readings("GET", env, "/x?a=1&_method=PURGE;_METHOD=Copy#_method=LOCK", &ms),
		    GK_OK, "overrides");
		ok(has(&ms, "GET") && has(&ms, "delete") && has(&ms, "DELETE") && has(&ms, "PUT") &&
		    has(&ms, "PATCH") && has(&ms, "POST") && has(&ms, "MOVE") && has(&ms, "PURGE") &&
		    has(&ms, "COPY") && !has(&ms, "LOCK"),
		    "overrides: every header, every occurrence, list element and _method (%zu)",
		    ms.count);
		ok(strcmp(gk_methods_least_safe(&ms), "delete") == 0, "least safe: the first unsafe");
	}
	{
		char *env[] = { "HTTP_X_HTTP_METHOD_OVERRIDE=", NULL };

		is_int(readings("GET", env, "/x", &ms), GK_EINVAL, "an empty override is refused");
		ok(ms.count == 0, "no readings on error");
	}
	{
		char *env[] = { "HTTP_X_HTTP_METHOD=DEL ETE", NULL };

		is_int(readings("GET", env, "/x", &ms), GK_EINVAL, "a malformed override is refused");
	}
	is_int(readings("GET", NULL, "/x?%5f%6Dethod=DELETE", &ms), GK_OK, "encoded _method");
	ok(has(&ms, "DELETE"), "encoded _method: the name is decoded");
	is_int(readings("GET", NULL, "/x?_method=%44ELETE", &ms), GK_OK, "encoded value");
	ok(has(&ms, "DELETE"), "encoded value: decoded");
	is_int(readings("GET", NULL, "/x?_method=", &ms), GK_EINVAL, "empty _method refused");
	is_int(readings("GET", NULL, "/x?_method=a%00b", &ms), GK_EINVAL, "NUL in _method refused");
	is_int(readings("GET", NULL, "/x?x_method=DELETE&_methodx=PUT&q=_method", &ms), GK_OK,
	    "other names");
	ok(ms.count == 1, "other names: no reading");
	is_int(readings("GET", NULL, "/x?_method=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &ms),
	    GK_EINVAL, "an over-long _method refused");
	is_int(readings(NULL, NULL, "/x", &ms), GK_EINVAL, "no method");
	is_int(readings("GET", NULL, "/x?_method=A&_method=B&_method=C&_method=D&_method=E"
	    "&_method=F&_method=G&_method=H&_method=I&_method=J&_method=K&_method=L&_method=M"
	    "&_method=N&_method=O&_method=P&_method=Q", &ms), GK_ETOOLONG, "too many readings");

	/* Rules and permissions hold for every reading. */
	ok(gk_config_defaults(&cfg, &err) == GK_OK, "config defaults");
	ok(gk_config_set(&cfg, "rule", "path=/del methods=DELETE,PUT require=group:admins", "t:1",
	    &err) == GK_OK, "method rule set (%s)", err.msg);
	readings("GET", NULL, "/del/x", &ms);
	ok(allowed(&cfg, "/del/x", &ms, &alice) && allowed(&cfg, "/del/x", &ms, &rita),
	    "GET /del/x: anyone");
	readings("DeLeTe", NULL, "/del/x", &ms);
	ok(!allowed(&cfg, "/del/x", &ms, &alice) && allowed(&cfg, "/del/x", &ms, &bob),
	    "DeLeTe /del/x: the DELETE rule applies");
	readings("GET", NULL, "/del/x?_method=DELETE", &ms);
	ok(!allowed(&cfg, "/del/x?_method=DELETE", &ms, &alice), "_method=DELETE: the rule applies");
	{
		char *env[] = { "HTTP_X_HTTP_METHOD_OVERRIDE=DELETE", NULL };

		readings("GET", env, "/del/x", &ms);
		ok(!allowed(&cfg, "/del/x", &ms, &alice), "override DELETE: the rule applies");
		readings("GET", env, "/other", &ms);
		ok(!allowed(&cfg, "/other", &ms, &rita) && allowed(&cfg, "/other", &ms, &alice),
		    "override DELETE: permission ro is not enough");
	}
	{
		/* the precomputed meta-variables are the mapping of the header names, in order */
		char meta[64];
		size_t i;
		bool same = true;

		for (i = 0; gk_method_override_headers[i] != NULL; i++)
			same = same && gk_header_meta_name(gk_method_override_headers[i], meta,
			    sizeof(meta)) == GK_OK && gk_method_override_meta(i) != NULL &&
			    strcmp(meta, gk_method_override_meta(i)) == 0;
		ok(same && gk_method_override_meta(i) == NULL,
		    "each override header is read under its own meta-variable");
	}
	{
		/* a longer name that starts with a shorter one is not it; lower case is not it */
		char *env[] = { "HTTP_X_HTTP_METHOD_OVERRIDEX=DELETE", "HTTP_X_HTTP_METHODS=PUT",
			"http_x_method_override=PATCH", "HTTP_X_HTTP_METHOD=MOVE", NULL };

		is_int(readings("GET", env, "/x", &ms), GK_OK, "near names");
		ok(ms.count == 2 && has(&ms, "GET") && has(&ms, "MOVE"),
		    "near names: only the exact meta-variable counts (%zu)", ms.count);
	}
	readings("get", NULL, "/other", &ms);
	ok(!allowed(&cfg, "/other", &ms, &rita), "\"get\" is not a safe method for ro");
	readings("GET", NULL, "/other?_method=delete", &ms);
	ok(!allowed(&cfg, "/other?_method=delete", &ms, &rita), "_method=delete: not for ro");
	ms.count = 0;
	ok(!allowed(&cfg, "/other", &ms, &bob), "no method readings: nobody");
	gk_config_free(&cfg);
	return done_testing();
}
