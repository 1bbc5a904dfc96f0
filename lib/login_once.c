/* login_once.c: one sign-in request as a CGI program (stdin, stdout), for gatekeep-login and login.cgi. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "login_once.h"
#include "metrics_start.h"

extern char **environ;

int
login_cgi_once(struct login_ctx *ctx, bool ctx_ok, const char *ctx_err)
{
	struct login_buf out;
	char body[LOGIN_BODY_MAX + 1];
	long n;
	size_t got = 0;
	bool too_large = false;
	int rc = 0;

	if (!ctx_ok) {
		/* The server shows the admin's error page; the details go to the log only. */
		fprintf(stderr, "gatekeep-login: %s\n", ctx_err);
		fputs("Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n"
		    "Cache-Control: no-store\r\n\r\nThe sign-in service is not configured correctly.\n",
		    stdout);
		return 1;
	}
	gk_metrics_start(&ctx->cfg, true, &ctx->log);   /* lib/metrics_start: state_dir/metrics-login */
	n = login_content_length(getenv("CONTENT_LENGTH"));
	if (n < 0 || n > LOGIN_BODY_MAX) {
		too_large = n > LOGIN_BODY_MAX;
		n = 0;
	}
	while (got < (size_t)n) {
		size_t r = fread(body + got, 1, (size_t)n - got, stdin);

		if (r == 0)
			break;
		got += r;
	}
	body[got] = '\0';
	login_buf_init(&out);
	login_handle(ctx, environ, body, got, too_large, &out);
	gk_wipe(body, sizeof(body));
	if (out.failed || fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
		rc = 1;
	login_buf_free(&out);
	return rc;
}
