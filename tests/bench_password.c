/* bench_password.c: prints the cost of one password verification per hash method (for scripts/bench). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "password.h"

#define PW "correct horse"

/* Made with Debian 12's htpasswd for PW: Apache formats cannot be created through libxcrypt. */
#define APR1_HASH "$apr1$nKGn3bjd$P77MP1G2uf4RkI3HC22tK0"
#define SHA_HASH  "{SHA}L55TUjtiq8FBorTWAZ0jy6g129A="

struct method {
	const char *label;
	enum gk_pw_method m;
	unsigned long cost;
	const char *fixed;	/* a ready-made hash instead of gk_pw_hash */
	bool dummy;		/* time gk_pw_verify_dummy instead */
};

static const struct method methods[] = {
	{ "yescrypt (default)", GK_PW_YESCRYPT, 0, NULL, false },
	{ "bcrypt cost 10", GK_PW_BCRYPT, 10, NULL, false },
	{ "bcrypt cost 12", GK_PW_BCRYPT, 12, NULL, false },
	{ "sha512crypt", GK_PW_SHA512, 0, NULL, false },
	{ "sha256crypt", GK_PW_SHA256, 0, NULL, false },
	{ "$apr1$ (apr-util)", 0, 0, APR1_HASH, false },
	{ "{SHA} (apr-util)", 0, 0, SHA_HASH, false },
	{ "dummy (unknown user)", 0, 0, NULL, true },
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The method and cost part of a hash ("$2b$12$", "$y$j9T$", "$6$"), never the salt or hash. */
static void
setting_of(const char *h, char *out, size_t outsz)
{
	size_t n = 0;
	int dollars = 0, want = 2;

	if (strncmp(h, "{SHA}", 5) == 0) {
		snprintf(out, outsz, "{SHA}");
		return;
	}
	if (strncmp(h, "$2", 2) == 0 || strncmp(h, "$y$", 3) == 0 || strstr(h, "$rounds=") == h + 2)
		want = 3;
	for (n = 0; h[n] != '\0' && n + 1 < outsz; n++) {
		if (h[n] == '$' && ++dollars == want) {
			n++;
			break;
		}
	}
	snprintf(out, outsz, "%.*s", (int)n, h);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_password [-t seconds-per-method] [-f text|tsv]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct gk_err err = { "" };
	struct gk_pw_ctx *ctx;
	double budget = 1.0, t0, el;
	bool tsv = false;
	char h[GK_HASH_MAX];
	size_t i;
	long n;
	int c, rc = 0;

	while ((c = getopt(argc, argv, "t:f:")) != -1) {
		switch (c) {
		case 't':
			budget = strtod(optarg, NULL);
			if (budget <= 0 || budget > 60)
				usage();
			break;
		case 'f':
			if (strcmp(optarg, "tsv") == 0)
				tsv = true;
			else if (strcmp(optarg, "text") != 0)
				usage();
			break;
		default:
			usage();
		}
	}
	ctx = gk_pw_ctx_new(&err);
	if (ctx == NULL) {
		fprintf(stderr, "bench_password: %s\n", err.msg);
		return 1;
	}
	if (tsv)
		printf("method\tsetting\tms_per_verify\tverifies_per_s\titerations\n");
	else
		printf("%-22s %-16s %14s %14s %8s\n", "method", "setting", "ms/verify", "verifies/s", "runs");
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		const struct method *m = &methods[i];
		char setting[17];

		if (m->dummy) {
			snprintf(h, sizeof(h), "(preferred)");
		} else if (m->fixed != NULL) {
			snprintf(h, sizeof(h), "%s", m->fixed);
		} else if (gk_pw_hash(ctx, m->m, m->cost, PW, h, sizeof(h), &err) != GK_OK) {
			fprintf(stderr, "bench_password: %s: %s\n", m->label, err.msg);
			rc = 1;
			continue;
		}
		if (!m->dummy && gk_pw_verify(ctx, PW, h) != GK_PW_MATCH) {
			/* e.g. built without apr-util: say so rather than time a refusal */
			fprintf(stderr, "bench_password: %s: hash does not verify here, skipped\n", m->label);
			rc = 1;
			continue;
		}
		setting_of(h, setting, sizeof(setting));
		n = 0;
		t0 = now_s();
		do {
			if (m->dummy)
				gk_pw_verify_dummy(ctx, PW);
			else
				gk_pw_verify(ctx, PW, h);
			n++;
			el = now_s() - t0;
		} while (el < budget || n < 3);
		if (tsv)
			printf("%s\t%s\t%.4f\t%.1f\t%ld\n", m->label, setting, el * 1e3 / n, n / el, n);
		else
			printf("%-22s %-16s %14.4f %14.1f %8ld\n", m->label, setting, el * 1e3 / n, n / el, n);
		fflush(stdout);
	}
	gk_pw_ctx_free(ctx);
	return rc;
}
