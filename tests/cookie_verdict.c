/* cookie_verdict.c: lib/cookie.c's verdict on each Cookie header read from stdin (one per line), for tests/perf_cookie_diff.sh. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cookie.h"

/* Prints "<session>\\001<ticket>\n", each the value lib/cookie.c finds or "-" when it finds none. */
int
main(int argc, char **argv)
{
	static char line[GK_HEADER_MAX * 2 + 2], v1[GK_HEADER_MAX + 1], v2[GK_HEADER_MAX + 1];
	const char *a = argc > 2 ? argv[1] : "gatekeep_session";
	const char *b = argc > 2 ? argv[2] : "gatekeep_session_ticket";

	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		printf("%s\001%s\n", gk_cookie_get(line, a, v1, sizeof(v1)) == GK_OK ? v1 : "-",
		    gk_cookie_get(line, b, v2, sizeof(v2)) == GK_OK ? v2 : "-");
	}
	return 0;
}
