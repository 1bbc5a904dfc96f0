/* totp.c: gatekeep-passwd --totp-enrol and --totp-remove, and the TOTP status in --list and --show (the logic is lib/totp_store). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "options.h"
#include "qr.h"
#include "totp_store.h"

extern char **environ;

/* The issuer the app shows: totp_issuer from the configuration, else "gatekeep". */
static void
issuer(const struct pw_opts *o, char *out, size_t outsz)
{
	struct gk_config cfg;
	struct gk_err err = { "" };

	gk_strcpy(out, outsz, "gatekeep");
	if (gk_config_load(&cfg, o->config_path, environ, &err) == GK_OK &&
	    cfg.totp_issuer != NULL && cfg.totp_issuer[0] != '\0')
		gk_strcpy(out, outsz, cfg.totp_issuer);
	gk_config_free(&cfg);
}

static int
enrol(const struct pw_opts *o, const char *db, const char *user)
{
	struct gk_totp_enrolment e;
	struct gk_err err = { "" };
	char uri[GK_TOTP_URI_MAX], iss[256], *qr;
	size_t i;
	int rc;

	issuer(o, iss, sizeof(iss));
	gk_totp_enrolment_new(&e);
	rc = gk_totp_store_enrol(db, user, &e, 0, false, (int64_t)time(NULL), &err);
	if (rc == GK_EDUP) {
		pw_warnx("%s: user '%s' already has TOTP; --totp-remove it first", db, user);
		rc = EX_PW_GENERAL;
		goto out;
	}
	if ((rc = pw_user_status(db, user, rc, err.msg)) != EX_PW_OK)
		goto out;
	if (gk_totp_uri(e.seed, sizeof(e.seed), iss, user, uri, sizeof(uri)) != GK_OK) {
		pw_warnx("cannot build the otpauth:// URI (issuer or user name too long)");
		rc = EX_PW_OVERFLOW;
		goto out;
	}
	printf("TOTP enrolled for %s. Scan the code or enter the URI in an authenticator app:\n\n%s\n\n",
	    user, uri);
	if ((qr = gk_qr_terminal(uri, false)) != NULL) {
		fputs(qr, stdout);
		free(qr);
		putchar('\n');
	}
	printf("Recovery codes (each works once; they are not shown again):\n");
	for (i = 0; i < GK_RECOVERY_COUNT; i++)
		printf("  %s\n", e.recovery[i]);
	rc = fflush(stdout) == 0 && !ferror(stdout) ? EX_PW_OK : EX_PW_FILE;
out:
	gk_wipe(&e, sizeof(e));
	gk_wipe(uri, sizeof(uri));
	return rc;
}

int
pw_totp_run(const struct pw_opts *o, const char *db)
{
	struct gk_err err = { "" };
	int rc;

	if (o->mode == M_TOTP_ENROL)
		return enrol(o, db, o->totp_user);
	rc = gk_totp_store_remove(db, o->totp_user, &err);
	if (rc == GK_NOTFOUND) {
		pw_warnx("%s: user '%s' has no TOTP", db, o->totp_user);
		return EX_PW_BADUSER;
	}
	if (rc != GK_OK) {
		pw_dberr(db, err.msg);
		return pw_exit_for_status(rc);
	}
	pw_warnx("TOTP and recovery codes removed for %s", o->totp_user);
	return EX_PW_OK;
}

const char *
pw_totp_flag(struct gk_userdb *db, const char *user)
{
	struct gk_err err = { "" };
	bool on = false;
	size_t n = 0;

	if (gk_totp_store_status(db, user, &on, &n, &err) != GK_OK)
		return "totp?";         /* the value would not decode: --check says more */
	return on ? "totp" : "";
}

void
pw_totp_show(struct gk_userdb *db, const char *user, FILE *out)
{
	struct gk_err err = { "" };
	bool on = false;
	size_t n = 0;

	if (gk_totp_store_status(db, user, &on, &n, &err) != GK_OK)
		fprintf(out, "totp: unreadable (%s)\n", err.msg);
	else if (on)
		fprintf(out, "totp: enrolled, %zu recovery codes left\n", n);
	else
		fprintf(out, "totp: no\n");
}
