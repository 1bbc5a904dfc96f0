/* bench_token.c: session token throughput (verifies/s of a typical cookie), for scripts/bench. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "secret.h"
#include "token.h"

#define ISS "https://auth.example.com"

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs verify on tok until `dur` seconds pass; prints the rate; exits 1 if the outcome is not `want`. */
static void
bench_verify(const char *label, const struct gk_secret *s, const char *tok, int64_t now,
    double dur, int want)
{
	struct gk_claims c;
	struct gk_err err;
	double t0 = seconds(), t;
	long n = 0;
	int i, rc;

	do {
		for (i = 0; i < 1000; i++) {
			rc = gk_token_verify(s, tok, ISS, now, 0, 86400, &c, &err);
			if (rc != want) {
				fprintf(stderr, "bench_token: %s: got %s\n", label, gk_token_reason(rc));
				exit(1);
			}
		}
		n += 1000;
		t = seconds() - t0;
	} while (t < dur);
	printf("%-44s %10.0f /s  %7.2f us\n", label, (double)n / t, t * 1e6 / (double)n);
}

int
main(int argc, char **argv)
{
	static const char k1[] = "Zm9vYmFyLXRoaXMtaXMtYS10ZXN0LWtleS0xLTMyYnl0ZXM";
	static const char k2[] = "c2Vjb25kLWtleS1mb3ItdGhlLXJvdGF0aW9uLXRlc3RzLTI";
	struct gk_secret s, rotated;
	struct gk_claims c;
	struct gk_err err;
	char tok[GK_TOKEN_MAX + 1], bad[GK_TOKEN_MAX + 1];
	int64_t now = (int64_t)time(NULL);
	double dur = 1.0, t0, t;
	long n = 0;

	if (argc == 3 && strcmp(argv[1], "--seconds") == 0)
		dur = atof(argv[2]);
	else if (argc != 1) {
		fprintf(stderr, "usage: bench_token [--seconds N]\n");
		return 2;
	}
	if (sodium_init() < 0 || dur <= 0)
		return 2;
	/* The key is prepared once, as gatekeep-authz does at start-up. */
	memset(&s, 0, sizeof(s));
	memcpy(s.key, k1, sizeof(k1) - 1);
	s.len = sizeof(k1) - 1;
	memset(&rotated, 0, sizeof(rotated));
	memcpy(rotated.key, k2, sizeof(k2) - 1);
	rotated.len = sizeof(k2) - 1;
	memcpy(rotated.prev, k1, sizeof(k1) - 1);
	rotated.prev_len = sizeof(k1) - 1;
	rotated.prev_since = now;

	/* A typical cookie: a user, a few groups, an e-mail address and a display name. */
	memset(&c, 0, sizeof(c));
	strcpy(c.sub, "alice.example");
	strcpy(c.grp, "admins,developers,staff");
	strcpy(c.email, "alice@example.com");
	strcpy(c.name, "Alice Example");
	strcpy(c.iss, ISS);
	c.iat = now;
	c.exp = now + 43200;
	c.gen = 3;

	t0 = seconds();
	do {
		int i;

		for (i = 0; i < 1000; i++)
			if (gk_token_issue(s.key, s.len, &c, tok, sizeof(tok), &err) != GK_OK) {
				fprintf(stderr, "bench_token: issue: %s\n", err.msg);
				return 1;
			}
		n += 1000;
		t = seconds() - t0;
	} while (t < dur);
	printf("token: %zu bytes\n", strlen(tok));
	printf("%-44s %10.0f /s  %7.2f us\n", "issue", (double)n / t, t * 1e6 / (double)n);

	bench_verify("verify (valid, current key)", &s, tok, now, dur, GK_OK);
	bench_verify("verify (valid, previous key after rotation)", &rotated, tok, now, dur, GK_OK);
	strcpy(bad, tok);
	bad[strlen(bad) - 2] = bad[strlen(bad) - 2] == 'A' ? 'B' : 'A';
	bench_verify("verify (bad signature: no JSON parsed)", &s, bad, now, dur, GK_TOKEN_BADSIG);
	bench_verify("verify (expired)", &s, tok, now + 86400, dur, GK_TOKEN_EXPIRED);
	gk_secret_wipe(&s);
	gk_secret_wipe(&rotated);
	return 0;
}
