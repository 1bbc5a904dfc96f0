/* t_hostport.c: a host= rule and the port: which patterns name one, what they match, the warning. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "policy.h"
#include "tap.h"

static char last[256];

static void
keep(void *arg, const char *msg)
{
	(void)arg;
	snprintf(last, sizeof(last), "%s", msg);
}

/* Whether rule host=PAT require=deny matches host. */
static bool
matches(const char *pat, const char *host)
{
	struct gk_config cfg;
	struct gk_err err = { "" };
	char rule[128];
	bool m;

	snprintf(rule, sizeof(rule), "host=%s require=deny", pat);
	m = gk_config_defaults(&cfg, &err) == GK_OK &&
	    gk_config_set(&cfg, "rule", rule, "t:1", &err) == GK_OK &&
	    gk_policy_match(&cfg, host, "/x", "GET", false) != NULL;
	gk_config_free(&cfg);
	return m;
}

int
main(void)
{
	static const struct {
		const char *pat;
		bool port;
	} pats[] = {
		{ "admin.example", false }, { "*.example", false }, { "admin.example:8443", true },
		{ "admin.example:*", true }, { "[[]::1]", false }, { "[[]::1]:8443", true },
		{ "[[]2001:db8::*]", false }, { "[ab]dmin.example", false },
		{ "admin.example:84[0-9][0-9]", true }, { "[[]::1]:84[0-9]", true },
		{ "[[]::[0-9]]", false }, { "admin.example\\]", false }, { "[]:]x.example", true },
		{ "admin.example:[[:digit:]]*", true }, { "admin.example:84[[:digit:]][[:digit:]]", true },
		{ "[[]::[[:digit:]]]", false },
	};
	struct gk_config cfg;
	struct gk_err err = { "" };
	size_t i;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		ok(gk_host_pattern_has_port(pats[i].pat) == pats[i].port, "%s %s a port",
		    pats[i].pat, pats[i].port ? "names" : "does not name");

	/* an IPv6 literal's colons are no port: the rule holds on every port, as a name's does */
	ok(matches("[[]::1]", "[::1]"), "[[]::1] matches [::1]");
	ok(matches("[[]::1]", "[::1]:8080"), "[[]::1] matches [::1]:8080 (was skipped)");
	ok(matches("admin.example", "admin.example:8080"), "admin.example matches admin.example:8080");
	ok(matches("admin.example:8443", "admin.example:8443"), "admin.example:8443 matches its port");
	ok(!matches("admin.example:8443", "admin.example:8444") && !matches("admin.example:8443",
	    "admin.example"), "... and is skipped by any other port, or none");

	/* the warning: one per rule naming a port, with where it is */
	ok(gk_config_defaults(&cfg, &err) == GK_OK &&
	    gk_config_set(&cfg, "rule", "host=admin.example require=group:admins", "a.conf:3", &err) == GK_OK &&
	    gk_config_set(&cfg, "rule", "host=[[]::1] require=group:admins", "a.conf:4", &err) == GK_OK &&
	    gk_config_set(&cfg, "rule", "host=admin.example:8443 require=group:admins", "a.conf:5", &err) == GK_OK,
	    "rules set (%s)", err.msg);
	ok(gk_config_validate(&cfg, &err) == GK_OK, "a host= rule with a port is valid (not refused)");
	is_int(gk_config_warnings(&cfg, keep, NULL), 1, "one warning, for the rule with a port");
	ok(strncmp(last, "a.conf:5: rule host=admin.example:8443 names a port: ", 53) == 0 &&
	    strstr(last, "any other port") != NULL, "the warning names the line and says why (%s)",
	    last);
	gk_config_free(&cfg);
	return done_testing();
}
