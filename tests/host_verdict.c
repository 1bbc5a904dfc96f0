/* host_verdict.c: lib/frontend.c's verdict on each Host field beside GATEKEEP_HOST read from stdin, for tests/fix11_njshost.sh. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "frontend.h"

/* "HEX" into out (NUL-terminated); false when it is no even run of hex digits */
static bool
unhex(const char *s, char *out, size_t outsz)
{
	size_t n = strlen(s), i;
	unsigned int c;

	if (n % 2 != 0 || n / 2 >= outsz)
		return false;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &c) != 1)
			return false;
		out[i] = (char)c;
	}
	out[n / 2] = '\0';
	return true;
}

/*
 * Each line "FIELD SERVED", both hex ("-" for FIELD: no Host field): prints "1" when
 * gatekeep-authz refuses HTTP_HOST=FIELD beside GATEKEEP_HOST=SERVED (gk_frontend_host,
 * then gk_frontend_host_name_ok: bad-host, host-mismatch), "0" when it takes it.
 */
int
main(void)
{
	static char line[4 * GK_HEADER_MAX], f[GK_HEADER_MAX], s[GK_HEADER_MAX];
	static char hp[GK_HEADER_MAX + 16], gp[GK_HEADER_MAX + 16];
	char *envp[3], *sp;
	struct gk_request req;
	const char *host, *why;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		sp = strchr(line, ' ');
		if (sp == NULL)
			return fprintf(stderr, "host_verdict: no space in a line\n"), 2;
		*sp = '\0';
		if (!unhex(sp + 1, s, sizeof(s)) || (strcmp(line, "-") != 0 && !unhex(line, f, sizeof(f))))
			return fprintf(stderr, "host_verdict: not hex\n"), 2;
		snprintf(hp, sizeof(hp), "HTTP_HOST=%s", f);
		snprintf(gp, sizeof(gp), "GATEKEEP_HOST=%s", s);
		envp[0] = gp;
		envp[1] = strcmp(line, "-") != 0 ? hp : NULL;
		envp[2] = NULL;
		gk_request_init(&req, envp);
		printf("%d\n", gk_frontend_host(&req, &host, &why) != GK_OK ||
		    !gk_frontend_host_name_ok(host));
	}
	return 0;
}
