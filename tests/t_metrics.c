/* t_metrics.c: the shared counters across forked workers (a killed one included) and the exposition. */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metrics.h"
#include "tap.h"

static char buf[65536];

static bool
has(const char *line)
{
	return strstr(buf, line) != NULL;
}

/* Every line is a comment (# HELP / # TYPE) or "name{labels} value" / "name value". */
static bool
well_formed(void)
{
	char *copy = strdup(buf), *save = NULL, *l;
	bool good = true;

	for (l = strtok_r(copy, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "# HELP gatekeep_", 16) == 0 || strncmp(l, "# TYPE gatekeep_", 16) == 0)
			continue;
		if (strncmp(l, "gatekeep_", 9) != 0 || strchr(l, ' ') == NULL)
			good = false;
	}
	free(copy);
	return good && buf[strlen(buf) - 1] == '\n';
}

int
main(void)
{
	struct gk_err err = { "" };
	size_t n, alive, wanted;
	pid_t pid;
	int st, i;

	/* Off: every hook is a no-op, nothing is rendered. */
	gk_metrics_decision(200, false, "basic", NULL);
	ok(!gk_metrics_enabled(), "off until opened");
	ok(gk_metrics_render(buf, sizeof(buf), 0) == 0, "off: nothing rendered");

	ok(gk_metrics_open(&err) == GK_OK, "shared mapping made");
	ok(gk_metrics_open(&err) == GK_OK, "a second open is a no-op");

	/* Three workers count; one is killed with SIGKILL right after counting. */
	for (i = 0; i < 3; i++) {
		if ((pid = fork()) == 0) {
			int k;

			for (k = 0; k < 1000; k++) {
				gk_metrics_decision_start();
				gk_metrics_decision(200, false, "basic", NULL);
			}
			gk_metrics_decision(403, false, "session", "rule-deny");
			gk_metrics_decision(401, false, "basic", "bad-password");
			gk_metrics_decision(401, true, NULL, "no-credentials");
			gk_metrics_decision(403, false, "basic", "a-reason-nobody-knows\"\n");
			gk_metrics_decision(500, false, "weird", "database");
			/* reasons the decision chain names (fcgi/authz_methods.c, authz_proxy.c, authz_decide.c) */
			gk_metrics_decision(401, false, "basic", "duplicate-authorization");
			gk_metrics_decision(401, false, "proxy", "proxy-header-duplicate");
			gk_metrics_decision(500, false, "bypass", "unknown-method");
			if (i == 2)
				raise(SIGKILL);
			_exit(0);
		}
		waitpid(pid, &st, 0);
		gk_metrics_worker_started();
		gk_metrics_worker_exited(st, false);
	}
	gk_metrics_password("$y$j9T$abc", 3000000);
	gk_metrics_password("$2b$12$abc", 200000000);
	gk_metrics_password(NULL, 3000000);
	gk_metrics_basic_cache(true);
	gk_metrics_basic_cache(false);
	gk_metrics_basic_cache(false);
	gk_metrics_lockout_ban(2000);
	gk_metrics_lockout_ban(500);
	gk_metrics_guard_refusal("bad-fastcgi-record");
	gk_metrics_guard_refusal("something\nelse");
	gk_metrics_workers(2, 3);
	gk_metrics_workers_get(&alive, &wanted);
	ok(alive == 2 && wanted == 3, "workers gauge");

	n = gk_metrics_render(buf, sizeof(buf), 1000);
	ok(n > 0 && n == strlen(buf), "rendered %zu bytes", n);
	ok(well_formed(), "every line is a comment or a sample");
	ok(has("# HELP gatekeep_decisions_total ") && has("# TYPE gatekeep_decisions_total counter\n"),
	    "HELP and TYPE");
	ok(has("gatekeep_decisions_total{outcome=\"allow\",method=\"basic\",reason=\"none\"} 3000\n"),
	    "allows from three workers, the killed one's included");
	ok(has("gatekeep_decisions_total{outcome=\"allow\",method=\"session\",reason=\"none\"} 0\n"),
	    "allow series of other methods present at 0");
	ok(has("gatekeep_decisions_total{outcome=\"forbidden\",method=\"session\",reason=\"rule-deny\"} 3\n"),
	    "403 by reason");
	ok(has("gatekeep_decisions_total{outcome=\"unauthorized\",method=\"basic\",reason=\"bad-password\"} 3\n"),
	    "401 by reason");
	ok(has("gatekeep_decisions_total{outcome=\"redirect\",method=\"none\",reason=\"no-credentials\"} 3\n"),
	    "a 401 with a login redirect counts as redirect");
	ok(has("gatekeep_decisions_total{outcome=\"forbidden\",method=\"basic\",reason=\"other\"} 3\n"),
	    "an unknown reason is counted as other (and never printed)");
	ok(!has("nobody"), "the unknown reason's text is nowhere");
	ok(has("gatekeep_decisions_total{outcome=\"error\",method=\"other\",reason=\"database\"} 3\n"),
	    "an unknown method is other; 500 is error");
	ok(has("gatekeep_decisions_total{outcome=\"unauthorized\",method=\"basic\","
	    "reason=\"duplicate-authorization\"} 3\n"), "a repeated Authorization header by its name");
	ok(has("gatekeep_decisions_total{outcome=\"unauthorized\",method=\"proxy\","
	    "reason=\"proxy-header-duplicate\"} 3\n"), "a repeated proxy user header by its name");
	ok(has("gatekeep_decisions_total{outcome=\"error\",method=\"bypass\","
	    "reason=\"unknown-method\"} 3\n"), "an unknown method in the chain by its name");
	ok(has("gatekeep_decision_duration_seconds_count 3000\n") &&
	    has("gatekeep_decision_duration_seconds_bucket{le=\"+Inf\"} 3000\n"),
	    "histogram: only started decisions are timed, _count equals +Inf");
	ok(has("# TYPE gatekeep_decision_duration_seconds histogram\n"), "histogram TYPE");
	ok(has("gatekeep_password_verify_duration_seconds_bucket{method=\"bcrypt\",le=\"0.1\"} 0\n") &&
	    has("gatekeep_password_verify_duration_seconds_bucket{method=\"bcrypt\",le=\"0.25\"} 1\n"),
	    "bcrypt 200 ms lands in the 0.25 bucket");
	ok(has("gatekeep_password_verify_duration_seconds_sum{method=\"bcrypt\"} 0.200000000\n"),
	    "histogram sum in seconds");
	ok(has("gatekeep_password_verify_duration_seconds_count{method=\"yescrypt\"} 1\n") &&
	    has("gatekeep_password_verify_duration_seconds_count{method=\"dummy\"} 1\n"),
	    "yescrypt and dummy");
	ok(!has("method=\"argon2\""), "methods never used are not rendered");
	ok(has("gatekeep_basic_cache_total{result=\"hit\"} 1\n") &&
	    has("gatekeep_basic_cache_total{result=\"miss\"} 2\n"), "cache hits and misses");
	ok(has("gatekeep_lockout_failures_total 3\n"), "failed Basic passwords");
	ok(has("gatekeep_lockout_bans_total 2\n") && has("gatekeep_lockout_bans_active 1\n"),
	    "bans issued, one still active");
	ok(has("gatekeep_fastcgi_refused_total{reason=\"bad-fastcgi-record\"} 1\n") &&
	    has("gatekeep_fastcgi_refused_total{reason=\"other\"} 1\n"), "guard refusals");
	ok(has("gatekeep_worker_starts_total 3\n") &&
	    has("gatekeep_worker_exits_total{cause=\"stopped\"} 2\n") &&
	    has("gatekeep_worker_exits_total{cause=\"signal\"} 1\n"), "worker starts and exits");
	ok(has("gatekeep_workers 2\n") && has("gatekeep_workers_wanted 3\n"), "workers gauges");
	ok(has("gatekeep_build_info{version=\"" PACKAGE_VERSION "\""), "build info");

	/* Never a cut exposition. */
	ok(gk_metrics_render(buf, n, 1000) == 0 && buf[0] == '\0', "one byte short: nothing");
	ok(gk_metrics_render(buf, n + 1, 1000) == n, "exactly enough: all of it");

	if (getenv("T_METRICS_DUMP") != NULL) {
		FILE *f = fopen(getenv("T_METRICS_DUMP"), "w");

		gk_metrics_render(buf, sizeof(buf), 1000);
		if (f != NULL) {
			fputs(buf, f);
			fclose(f);
		}
	}
	gk_metrics_close();
	return done_testing();
}
