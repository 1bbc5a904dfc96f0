/* bench_decide.c: the user-space CPU of one gatekeep-authz decision, without sockets: guard, pairs, decision, answer, wipe. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz_answer.h"
#include "authz_decide.h"
#include "fcgiguard.h"
#include "filewatch.h"

/*
 * What a worker of the event core does for each request between its recv() and its send()
 * (lib/fcgiconn.c's check(), fcgi/authz_serve.c's answer_request()), N times over one
 * request shaped like nginx's auth_request subrequest with one more header NAME: VALUE.
 * Prints CPU µs per decision (CLOCK_PROCESS_CPUTIME_ID; the first 1000 are not counted:
 * a cached Basic decision's first run hashes).  Built by `make bench-programs`, never run
 * by make check.  The system calls of a decision are what perf stat adds on top
 * (docs/event-core.md).
 *   gatekeep-passwd --init DB && gatekeep-passwd -b DB alice PASSWORD
 *   tests/bench_decide CONFIG HTTP_AUTHORIZATION "Basic $(printf alice:PASSWORD | base64)"
 */

static unsigned char rec[16384];
static size_t rlen;

static void
header(int type, size_t n)
{
	unsigned char h[8] = { 1, (unsigned char)type, 0, 1, (unsigned char)(n >> 8),
		(unsigned char)n, 0, 0 };

	memcpy(rec + rlen, h, sizeof(h));
	rlen += sizeof(h);
}

/* One name/value pair (a name under 128 bytes; a value under 64 KiB). */
static size_t
pair(unsigned char *p, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value), n = 0;

	p[n++] = (unsigned char)nl;
	if (vl > 127) {
		p[n++] = 0x80;
		p[n++] = 0;
		p[n++] = (unsigned char)(vl >> 8);
		p[n++] = (unsigned char)vl;
	} else {
		p[n++] = (unsigned char)vl;
	}
	memcpy(p + n, name, nl);
	memcpy(p + n + nl, value, vl);
	return n + nl + vl;
}

static void
request(const char *name, const char *value)
{
	static const char *const nginx[] = { "QUERY_STRING", "", "REQUEST_METHOD", "GET",
		"CONTENT_TYPE", "", "CONTENT_LENGTH", "", "REQUEST_URI", "/gk",
		"DOCUMENT_URI", "/_gk", "REMOTE_ADDR", "127.0.0.1", "SERVER_NAME", "",
		"HTTP_HOST", "127.0.0.1:8080", "HTTP_USER_AGENT", "ApacheBench/2.3",
		"HTTP_ACCEPT", "*/*", NULL };
	static const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	unsigned char params[8192];
	size_t n = 0, i;

	header(1, sizeof(begin));
	memcpy(rec + rlen, begin, sizeof(begin));
	rlen += sizeof(begin);
	for (i = 0; nginx[i] != NULL; i += 2)
		n += pair(params + n, nginx[i], nginx[i + 1]);
	n += pair(params + n, name, value);
	header(4, n);
	memcpy(rec + rlen, params, n);
	rlen += n;
	header(4, 0);
	header(5, 0);
}

int
main(int argc, char **argv)
{
	extern char **environ;
	struct gk_config cfg;
	struct gk_err err = { "" };
	struct gk_log log;
	struct gk_authz a;
	struct gk_fcgiguard_limits lim;
	struct gk_decision *d;
	struct timespec t0 = { 0, 0 }, t1;
	char *env, **vec, *ans;
	size_t envsz, vecmax, alen = 0;
	long n, i;

	if (argc < 4 || strlen(argv[3]) > 4096) {
		fprintf(stderr, "usage: bench_decide CONFIG PARAM VALUE [N]\n");
		return 2;
	}
	n = argc > 4 ? atol(argv[4]) : 100000;
	memset(&cfg, 0, sizeof(cfg));
	if (gk_config_load(&cfg, argv[1], environ, &err) != GK_OK ||
	    gk_config_validate(&cfg, &err) != GK_OK) {
		fprintf(stderr, "bench_decide: %s\n", err.msg);
		return 1;
	}
	gk_log_init(&log, "bench_decide", GK_LOG_STDERR, LOG_ERR);
	(void)gk_filewatch_start();     /* as a worker: files stat()ed only when they change */
	if (gk_authz_init(&a, &cfg, &log, &err) != GK_OK) {
		fprintf(stderr, "bench_decide: %s\n", err.msg);
		return 1;
	}
	request(argv[2], argv[3]);
	gk_fcgiguard_defaults(&lim);
	lim.management = lim.abort = true;
	envsz = lim.params_max + 2 * lim.pairs_max + 64;
	vecmax = lim.pairs_max + 2;
	env = malloc(envsz);
	vec = calloc(vecmax, sizeof(*vec));
	ans = malloc(65536);
	d = calloc(1, sizeof(*d));
	if (env == NULL || vec == NULL || ans == NULL || d == NULL)
		return 1;
	for (i = -1000; i < n; i++) {
		const struct gk_fcgiguard_env ge = { env, envsz, vec + 1, vecmax - 1 };
		struct gk_fcgiguard_result res;

		if (i == 0)
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		if (gk_fcgiguard_check_env(rec, rlen, 0, &lim, &ge, &res, &err) != GK_OK ||
		    res.env_status != GK_OK) {
			fprintf(stderr, "bench_decide: %s\n", err.msg);
			return 1;
		}
		vec[0] = "FCGI_ROLE=RESPONDER";
		gk_authz_decide(&a, GK_ROLE_RESPONDER, vec, d);
		alen = gk_authz_answer(&cfg, d, ans, 65536);
		if (i == n - 1)
			printf("status %d, answer %zu bytes: ", gk_authz_status(d), alen);
		gk_authz_log(&a, d);
		gk_authz_decision_wipe(d);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	printf("%.2f µs of CPU per decision (%ld decisions)\n",
	    ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / 1e3 / (double)n, n);
	gk_authz_free(&a);
	gk_filewatch_stop();
	gk_config_free(&cfg);
	free(env);
	free(vec);
	free(ans);
	free(d);
	return 0;
}
