/* login_cgi.c: login.cgi, gatekeep-login as a classic CGI program: always exactly one request, never options. */
#include <config.h>

#include "login_ctx.h"
#include "login_once.h"

/*
 * A CGI program takes no options: a query string without '=' may arrive as argv (Apache
 * splits it on '+'), and "?-c+/some/file" must not pick the configuration.  The
 * configuration comes from $GATEKEEP_CONFIG or the built-in path, as for every program.
 */
int
main(void)
{
	struct login_ctx ctx;
	struct gk_err err = { "" };
	bool ok;
	int rc;

	ok = login_ctx_init(&ctx, NULL, &err) == GK_OK;
	rc = login_cgi_once(&ctx, ok, err.msg);
	login_ctx_free(&ctx);
	return rc;
}
