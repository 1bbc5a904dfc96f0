/* backend.c: gatekeep-passwd refuses the user commands a read-only user backend (LDAP) cannot carry out. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "options.h"
#include "userbackend.h"

extern char **environ;

/*
 * With user_backend = ldap the users live in the directory: a change written
 * to the GDBM file would reach nobody, and its listings would not be the
 * users gatekeep accepts. Refused with EX_PW_GENERAL; the secret and lockout
 * commands go on. A configuration that does not load is left to the commands
 * that need it (as before there was a backend to ask about).
 */
int
pw_backend_check(const struct pw_opts *o)
{
	struct gk_config cfg;
	struct gk_err err = { "" };
	int rc = EX_PW_OK;

	if (o->mode == M_PRINT || o->mode == M_INIT || o->mode == M_ROTATE || o->mode == M_UNBAN ||
	    o->mode == M_LOCKSTAT)
		return EX_PW_OK;
	memset(&cfg, 0, sizeof(cfg));
	if (gk_config_load(&cfg, o->config_path, environ, &err) != GK_OK)
		return EX_PW_OK;
	if (cfg.user_backend == GK_USERBACKEND_LDAP) {
		pw_warnx("%s: not supported with user_backend = ldap: the users live in the directory "
		    "%s, which is read-only to gatekeep (adding, deleting, changing passwords or "
		    "attributes, importing, verifying and listing users are done with the "
		    "directory's tools, e.g. ldapmodify and ldappasswd); --init, --rotate-secret, "
		    "--unban and --lockout-status still work", o->mode_name[0] != '\0' ?
		    o->mode_name : "adding a user or changing a password", cfg.ldap_uri);
		rc = EX_PW_GENERAL;
	}
	gk_config_free(&cfg);
	return rc;
}
