/* paths.c: where gatekeep-passwd finds the database, the secret file and the lockout table (options, then the configuration). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "lockout.h"
#include "options.h"
#include "statestore.h"

extern char **environ;

/* Loads the configuration (only commands that need it do). */
static int
load_config(const struct pw_opts *o, struct gk_config *cfg)
{
	struct gk_err err = { "" };
	int st;

	st = gk_config_load(cfg, o->config_path, environ, &err);
	if (st != GK_OK) {
		pw_warnx("configuration: %s", err.msg);
		return EX_PW_GENERAL;
	}
	return EX_PW_OK;
}

/* "secret" beside path's directory, into out. */
static int
beside(const char *path, const char *file, char *out, size_t outsz)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(out, outsz, "%s", file);
	else
		n = snprintf(out, outsz, "%.*s/%s", (int)(slash - path), path, file);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/*
 * The secret file: --secret-file, else secret_file when the configuration
 * (file or GATEKEEP_SECRET_FILE) sets it to something other than the
 * built-in default, else "secret" in DBFILE's directory.
 */
int
pw_resolve_secret(const struct pw_opts *o, const char *dbpath, char *out, size_t outsz)
{
	struct gk_config cfg, def;
	struct gk_err err = { "" };
	int rc;
	bool use_cfg;

	if (o->secret_path != NULL) {
		if (gk_strcpy(out, outsz, o->secret_path) != GK_OK) {
			pw_warnx("--secret-file: path too long");
			return EX_PW_OVERFLOW;
		}
		return EX_PW_OK;
	}
	memset(&cfg, 0, sizeof(cfg));
	memset(&def, 0, sizeof(def));
	if ((rc = load_config(o, &cfg)) != EX_PW_OK) {
		gk_config_free(&cfg);
		return rc;
	}
	if (gk_config_defaults(&def, &err) != GK_OK) {
		pw_warnx("configuration: %s", err.msg);
		gk_config_free(&cfg);
		gk_config_free(&def);
		return EX_PW_GENERAL;
	}
	use_cfg = cfg.secret_file != NULL && cfg.secret_file[0] != '\0' &&
	    (def.secret_file == NULL || strcmp(cfg.secret_file, def.secret_file) != 0);
	if (use_cfg)
		rc = gk_strcpy(out, outsz, cfg.secret_file) == GK_OK ? 0 : -1;
	else
		rc = beside(dbpath, "secret", out, outsz);
	gk_config_free(&cfg);
	gk_config_free(&def);
	if (rc != 0) {
		pw_warnx("secret file path too long");
		return EX_PW_OVERFLOW;
	}
	return EX_PW_OK;
}

/* The database path: the positional DBFILE, or `database` from the configuration. */
int
pw_resolve_db(const struct pw_opts *o, const char *arg, char *out, size_t outsz)
{
	struct gk_config cfg;
	int rc;

	if (arg != NULL) {
		if (arg[0] == '\0') {
			pw_warnx("empty DBFILE");
			return EX_PW_SYNTAX;
		}
		if (gk_strcpy(out, outsz, arg) != GK_OK) {
			pw_warnx("DBFILE path too long");
			return EX_PW_OVERFLOW;
		}
		return EX_PW_OK;
	}
	memset(&cfg, 0, sizeof(cfg));
	if ((rc = load_config(o, &cfg)) != EX_PW_OK) {
		gk_config_free(&cfg);
		return rc;
	}
	if (cfg.database == NULL || cfg.database[0] == '\0') {
		gk_config_free(&cfg);
		return pw_usage_error("no DBFILE given and the configuration sets no database");
	}
	rc = gk_strcpy(out, outsz, cfg.database) == GK_OK ? EX_PW_OK : EX_PW_OVERFLOW;
	gk_config_free(&cfg);
	if (rc != EX_PW_OK)
		pw_warnx("database path too long");
	return rc;
}

/*
 * The lockout table's directory as the services find it: state_dir when the
 * configuration sets it, else "state" beside the database (lib/conf.c's
 * default), where DBFILE, when given, stands for the configuration's
 * database. Also fills lc; the configuration is freed before returning,
 * so nothing of it outlives a switch to the table owner's uid.
 */
int
pw_resolve_state_dir(const struct pw_opts *o, const char *dbarg, char *out, size_t outsz,
    struct gk_lockout_conf *lc)
{
	struct gk_config cfg;
	int rc = EX_PW_OK;

	if (dbarg != NULL && dbarg[0] == '\0') {
		pw_warnx("empty DBFILE");
		return EX_PW_SYNTAX;
	}
	memset(&cfg, 0, sizeof(cfg));
	if ((rc = load_config(o, &cfg)) != EX_PW_OK) {
		gk_config_free(&cfg);
		return rc;
	}
	if (dbarg != NULL && cfg.state_dir_derived)
		rc = beside(dbarg, "state", out, outsz) == 0 ? EX_PW_OK : EX_PW_OVERFLOW;
	else
		rc = gk_strcpy(out, outsz, cfg.state_dir) == GK_OK ? EX_PW_OK : EX_PW_OVERFLOW;
	gk_lockout_conf_from(lc, &cfg);
	gk_config_free(&cfg);
	if (rc != EX_PW_OK)
		pw_warnx("state_dir path too long");
	return rc;
}

int
pw_revoke_shared(const struct pw_opts *o, const char *name, uint32_t record_gen)
{
	struct gk_statestore_conf sc;
	struct gk_config cfg;
	struct gk_err err = { "" };
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	if ((rc = load_config(o, &cfg)) != EX_PW_OK) {
		gk_config_free(&cfg);
		return rc;
	}
	gk_statestore_conf_from(&sc, &cfg);
	gk_config_free(&cfg);
	if (gk_statestore_revoke_once(&sc, name, record_gen, &err) != GK_OK) {
		pw_warnx("user '%s': the sessions on the other machines were NOT revoked: %s; "
		    "run --revoke-sessions again once the store is back", name, err.msg);
		return EX_PW_GENERAL;
	}
	return EX_PW_OK;
}
