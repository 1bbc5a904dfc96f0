/* tokentool.c: test helper: create/rotate a secret file, issue and verify session tokens from argv. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "secret.h"
#include "token.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: tokentool create|rotate FILE\n"
	    "       tokentool [-t now] [-l ttl] [-g gen] [-G groups] [-e email] [-N name]"
	    " issue FILE ISS SUB\n"
	    "       tokentool [-t now] [-l ttl] [-w leeway] verify FILE ISS TOKEN|-\n");
	exit(2);
}

static int64_t
num(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0') {
		fprintf(stderr, "tokentool: bad number '%s'\n", s);
		exit(2);
	}
	return (int64_t)v;
}

static void
copy(char *dst, size_t dstsz, const char *src, const char *what)
{
	if (gk_strcpy(dst, dstsz, src) != GK_OK) {
		fprintf(stderr, "tokentool: %s too long\n", what);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	struct gk_claims c;
	struct gk_secret s;
	struct gk_err err = { "" };
	char tok[GK_TOKEN_MAX + 2];
	int64_t now = (int64_t)time(NULL), ttl = 3600, leeway = 0, gen = 0;
	const char *groups = "", *email = "", *name = "", *cmd;
	int ch, rc;

	while ((ch = getopt(argc, argv, "+t:l:g:G:e:N:w:")) != -1) {
		switch (ch) {
		case 't': now = num(optarg); break;
		case 'l': ttl = num(optarg); break;
		case 'w': leeway = num(optarg); break;
		case 'g': gen = num(optarg); break;
		case 'G': groups = optarg; break;
		case 'e': email = optarg; break;
		case 'N': name = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	cmd = argv[0];
	if (strcmp(cmd, "create") == 0 || strcmp(cmd, "rotate") == 0) {
		rc = cmd[0] == 'c' ? gk_secret_create(argv[1], &err) : gk_secret_rotate(argv[1], false, &err);
		if (rc != GK_OK) {
			fprintf(stderr, "tokentool: %s\n", err.msg);
			return 1;
		}
		return 0;
	}
	if (argc != 4)
		usage();
	if (gk_secret_load(argv[1], &s, &err) != GK_OK) {
		fprintf(stderr, "tokentool: %s\n", err.msg);
		return 1;
	}
	if (strcmp(cmd, "issue") == 0) {
		memset(&c, 0, sizeof(c));
		copy(c.iss, sizeof(c.iss), argv[2], "iss");
		copy(c.sub, sizeof(c.sub), argv[3], "sub");
		copy(c.grp, sizeof(c.grp), groups, "groups");
		copy(c.email, sizeof(c.email), email, "email");
		copy(c.name, sizeof(c.name), name, "name");
		c.iat = now;
		c.exp = now + ttl;
		c.gen = (uint32_t)gen;
		rc = gk_token_issue(s.key, s.len, &c, tok, sizeof(tok), &err);
		gk_secret_wipe(&s);
		if (rc != GK_OK) {
			fprintf(stderr, "tokentool: %s\n", err.msg);
			return 1;
		}
		printf("%s\n", tok);
		return 0;
	}
	if (strcmp(cmd, "verify") == 0) {
		const char *t = argv[3];

		if (strcmp(t, "-") == 0) {
			if (fgets(tok, sizeof(tok), stdin) == NULL)
				tok[0] = '\0';
			tok[strcspn(tok, "\n")] = '\0';
			t = tok;
		}
		rc = gk_token_verify(&s, t, argv[2], now, leeway, ttl, &c, &err);
		gk_secret_wipe(&s);
		if (rc != GK_OK) {
			fprintf(stderr, "refused: %s (%s)\n", gk_token_reason(rc), err.msg);
			return 1;
		}
		printf("sub=%s\ngrp=%s\nemail=%s\nname=%s\niss=%s\niat=%lld\nexp=%lld\ngen=%lu\n",
		    c.sub, c.grp, c.email, c.name, c.iss, (long long)c.iat, (long long)c.exp,
		    (unsigned long)c.gen);
		return 0;
	}
	gk_secret_wipe(&s);
	usage();
	return 2;
}
