/* bench_httpfront.c: the user-space CPU of the HTTP front around a decision, without sockets: nginx's head read, its params built, an allow's answer written. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgiguard.h"
#include "httpconn.h"
#include "httpreq.h"

/*
 * What lib/httpconn does for each request over --http-listen before and after
 * gatekeep-authz decides (tests/bench_decide measures the decision): gk_httpreq_parse,
 * gk_httpconn_params, gk_httpconn_response, on the head nginx sends with
 * contrib/nginx/gatekeep-http.conf's lines (ten fields) and the CGI answer of an allow.
 * Prints ns per head, the best of 5 runs (a shared machine only ever adds time).
 */
static const char head[] = "GET /_gatekeep HTTP/1.1\r\nX-Gatekeep-Host: app.example\r\n"
    "X-Gatekeep-Method: GET\r\nX-Gatekeep-Uri: /app/page?x=1\r\nX-Gatekeep-Addr: 127.0.0.1\r\n"
    "X-Gatekeep-Scheme: http\r\nX-Gatekeep-Server-Addr: 127.0.0.1\r\nHost: gatekeep\r\n"
    "User-Agent: ApacheBench/2.3\r\nAccept: */*\r\nRemote-User: alice\r\n\r\n";
static const char allow[] = "Status: 200\r\nRemote-User: alice\r\nRemote-Groups:\r\n"
    "Remote-Email:\r\nRemote-Name:\r\nX-Auth-Request-User: alice\r\nX-Auth-Request-Email:\r\n"
    "X-Auth-Request-Groups:\r\nVariable-REMOTE_USER: alice\r\nCache-Control: no-store\r\n"
    "Content-Length: 0\r\n\r\n";

int
main(int argc, char **argv)
{
	static struct gk_httpreq hr;
	static char env[64 * 1024], *vec[256], out[8192];
	struct gk_fcgiguard_limits lim;
	struct timespec a, b;
	const char *why;
	long n = argc > 1 ? atol(argv[1]) : 1000000, i;
	double best = 0;
	int run;

	gk_fcgiguard_defaults(&lim);
	for (run = 0; run < 5; run++) {
		double ns;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < n; i++) {
			if (gk_httpreq_parse((const unsigned char *)head, sizeof(head) - 1, &hr) != GK_OK ||
			    gk_httpconn_params(&hr, &lim, env, sizeof(env), vec, 256, &why) != GK_OK ||
			    gk_httpconn_response(allow, sizeof(allow) - 1, false, out, sizeof(out)) == 0) {
				fprintf(stderr, "bench_httpfront: the head or the answer was refused\n");
				return 1;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n;
		if (run == 0 || ns < best)
			best = ns;
	}
	printf("HTTP front (head read, params, answer), per request: %.0f ns\n", best);
	return 0;
}
