/* zerohop_key.c: gatekeep-passwd --zero-hop-key=FILE: writes nginx's zero-hop ticket key include (lib/ticket), never the session secret. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "options.h"
#include "passwd.h"
#include "secret.h"
#include "ticket.h"

/* The options are parsed with every other command's (options.c); o->zerohop_out is set. */
int
pw_zerohop_run(const struct pw_opts *o, char **pos, int npos)
{
	const char *out = o->zerohop_out;
	char db[GK_PATH_MAX], secret[GK_PATH_MAX];
	struct gk_secret s;
	struct gk_err err = { "" };
	int rc;

	if (out == NULL || out[0] == '\0' || out[0] == '-')    /* "--zero-hop-key --help" */
		return pw_usage_error("--zero-hop-key needs a file name (--zero-hop-key=FILE)");
	if (npos > 1)
		return pw_usage_error("too many arguments (at most DBFILE)");
	if (o->secret_path == NULL &&
	    (rc = pw_resolve_db(o, npos > 0 ? pos[0] : NULL, db, sizeof(db))) != EX_PW_OK)
		return rc;
	if ((rc = pw_resolve_secret(o, o->secret_path == NULL ? db : NULL, secret, sizeof(secret))) !=
	    EX_PW_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	if (gk_secret_load(secret, &s, &err) != GK_OK) {
		pw_dberr(secret, err.msg);
		return EX_PW_FILE;
	}
	rc = o->nginx_module ? gk_ticket_nginx_module_key_write(s.key, s.len, out, &err) :
	    gk_ticket_nginx_key_write(s.key, s.len, out, &err);
	gk_wipe(&s, sizeof(s));
	if (rc != GK_OK) {
		pw_dberr(out, err.msg);
		return EX_PW_FILE;
	}
	pw_warnx("Wrote the zero-hop ticket key of %s to %s: reload nginx", secret, out);
	return EX_PW_OK;
}
