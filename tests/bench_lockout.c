/* bench_lockout.c: lockout decisions per second, the state_dir table beside the shared store (state_backend = redis), for scripts/bench. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockout.h"
#include "statestore.h"

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One decision of each kind the services make: a check, and a reserve settled as a success. */
static double
rate(struct gk_lockout *lk, bool reserve, double dur)
{
	char user[32], addr[32];
	struct gk_err err;
	double t0 = seconds(), t;
	long n = 0;
	int64_t now = (int64_t)time(NULL);
	int i, rc;

	do {
		for (i = 0; i < 200; i++, n++) {
			snprintf(user, sizeof(user), "user%ld", n % 1000);
			snprintf(addr, sizeof(addr), "10.0.%ld.%ld", (n / 250) % 250, n % 250);
			rc = reserve ? gk_lockout_reserve(lk, user, addr, now, &err) :
			    gk_lockout_check(lk, user, addr, now, NULL, &err);
			if (rc == GK_LOCKOUT_ALLOW && reserve)
				rc = gk_lockout_success(lk, user, addr, now, &err);
			if (rc < 0) {
				fprintf(stderr, "bench_lockout: %s\n", err.msg);
				exit(1);
			}
		}
	} while ((t = seconds() - t0) < dur);
	return (double)n / t;
}

int
main(int argc, char **argv)
{
	struct gk_lockout_conf c;
	struct gk_lockout *file = NULL, *redis = NULL;
	struct gk_err err;
	double dur = argc > 3 ? atof(argv[3]) : 3, f, r;
	int k;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_lockout STATE_DIR REDIS_URL [SECONDS]\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.max_failures = 5;
	c.find_time = 600;
	c.ban_time = 900;
	if (gk_lockout_open(argv[1], &c, &file, &err) != GK_OK) {
		fprintf(stderr, "bench_lockout: table: %s\n", err.msg);
		return 1;
	}
	c.store.enabled = true;
	snprintf(c.store.url, sizeof(c.store.url), "%s", argv[2]);
	snprintf(c.store.prefix, sizeof(c.store.prefix), "bench:");
	c.store.timeout_ms = 1000;
	c.store.generation_cache_ms = 1000;
	if (gk_lockout_open(argv[1], &c, &redis, &err) != GK_OK) {
		fprintf(stderr, "bench_lockout: store: %s\n", err.msg);
		return 1;
	}
	printf("%-44s %12s %12s %10s\n", "lockout decision (one process)", "file /s", "redis /s",
	    "redis/file");
	for (k = 0; k < 2; k++) {
		f = rate(file, k == 1, dur);
		r = rate(redis, k == 1, dur);
		printf("%-44s %12.0f %12.0f %10.2f\n", k == 0 ? "check (every Basic/form attempt)" :
		    "reserve + success (a password checked)", f, r, r / f);
	}
	gk_lockout_close(file);
	gk_lockout_close(redis);
	return 0;
}
