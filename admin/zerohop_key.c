/* zerohop_key.c: gatekeep-passwd --zero-hop-key=FILE: writes nginx's zero-hop ticket key include (lib/ticket), never the session secret. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "passwd.h"
#include "secret.h"
#include "ticket.h"

/* Any argument spelled --zero-hop-key[=FILE] makes this the command (argv[0] is the program). */
bool
pw_zerohop_command(int argc, char **argv)
{
	while (--argc > 0)
		if (strncmp(*++argv, "--zero-hop-key", 14) == 0)
			return true;
	return false;
}

enum { Z_KEY = 0x300, Z_MODULE, Z_SECRET, Z_CONFIG, Z_HELP };

int
pw_zerohop_main(int argc, char **argv)
{
	static const struct option zerohop_options[] = {
		{ "zero-hop-key", required_argument, NULL, Z_KEY },
		{ "nginx-module", no_argument, NULL, Z_MODULE },
		{ "secret-file", required_argument, NULL, Z_SECRET },
		{ "config", required_argument, NULL, Z_CONFIG },
		{ "help", no_argument, NULL, Z_HELP },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = NULL;
	char db[GK_PATH_MAX], secret[GK_PATH_MAX];
	struct gk_secret s;
	struct gk_err err = { "" };
	struct pw_opts o;
	bool module = false;
	int c, rc;

	memset(&o, 0, sizeof(o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:", zerohop_options, NULL)) != -1) {
		switch (c) {
		case Z_KEY: out = optarg; break;
		case Z_MODULE: module = true; break;
		case Z_SECRET: o.secret_path = optarg; break;
		case Z_CONFIG: o.config_path = optarg; break;
		case Z_HELP:
			printf("Usage: gatekeep-passwd --zero-hop-key=FILE [--nginx-module] [--secret-file=F]"
			    " [DBFILE]\n"
			    "Writes FILE (mode 0600), an nginx include with the zero-hop ticket key\n"
			    "derived from the session secret (js_var $gatekeep_ticket_key ...;), for\n"
			    "contrib/nginx/gatekeep-zerohop.conf; with --nginx-module the native\n"
			    "module's directive instead (gatekeep_ticket_key ...;), for\n"
			    "contrib/nginx/gatekeep-module.conf. Run it again, and reload nginx,\n"
			    "after every --rotate-secret.\n");
			return fflush(stdout) == 0 ? EX_PW_OK : EX_PW_FILE;
		case ':':
			return pw_usage_error("option %s needs an argument", argv[optind - 1]);
		default:
			return pw_usage_error("%s cannot be used with --zero-hop-key", argv[optind - 1]);
		}
	}
	if (out == NULL || out[0] == '\0' || out[0] == '-')    /* "--zero-hop-key --help" */
		return pw_usage_error("--zero-hop-key needs a file name (--zero-hop-key=FILE)");
	if (argc - optind > 1)
		return pw_usage_error("too many arguments (at most DBFILE)");
	if (o.secret_path == NULL &&
	    (rc = pw_resolve_db(&o, optind < argc ? argv[optind] : NULL, db, sizeof(db))) != EX_PW_OK)
		return rc;
	if ((rc = pw_resolve_secret(&o, o.secret_path == NULL ? db : NULL, secret, sizeof(secret))) !=
	    EX_PW_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	if (gk_secret_load(secret, &s, &err) != GK_OK) {
		pw_dberr(secret, err.msg);
		return EX_PW_FILE;
	}
	rc = module ? gk_ticket_nginx_module_key_write(s.key, s.len, out, &err) :
	    gk_ticket_nginx_key_write(s.key, s.len, out, &err);
	gk_wipe(&s, sizeof(s));
	if (rc != GK_OK) {
		pw_dberr(out, err.msg);
		return EX_PW_FILE;
	}
	pw_warnx("Wrote the zero-hop ticket key of %s to %s: reload nginx", secret, out);
	return EX_PW_OK;
}
