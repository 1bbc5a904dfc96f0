/* authz_state.c: gatekeep-authz's failure table: its state directory, made ready at start and per worker. */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "authz_chain.h"
#include "statedir.h"

int
gk_authz_state_dir(const struct gk_config *cfg, char *out, size_t outsz)
{
	/* lib/conf.c fills an empty state_dir with "state" beside the database. */
	return gk_strcpy(out, outsz, cfg->state_dir);
}

int
authz_lockout_open(const struct gk_config *cfg, const struct gk_log *log, struct gk_lockout **lk,
    struct gk_err *err)
{
	struct gk_lockout_conf lc;
	char dir[4096], msg[sizeof(err->msg)];

	*lk = NULL;
	if (gk_authz_state_dir(cfg, dir, sizeof(dir)) != GK_OK)
		return gk_err_set(err, "state_dir: path too long");
	if (gk_state_dir_ready(dir, log, err) != GK_OK)     /* lib/statedir, as this user */
		return GK_ERR;
	gk_lockout_conf_from(&lc, cfg);
	if (gk_lockout_open(dir, &lc, lk, err) != GK_OK) {
		memcpy(msg, err->msg, sizeof(msg));
		*lk = NULL;
		return gk_err_set(err, "state_dir %s: %s", dir, msg);
	}
	return GK_OK;
}


bool
authz_lockout_wanted(const struct gk_config *cfg)
{
	/* Only Basic (and Apache's REMOTE_USER/REMOTE_PASSWD pair, which needs it) checks passwords. */
	return gk_config_uses_method(cfg, GK_M_BASIC) && cfg->max_failures > 0;
}

int
gk_authz_prepare(const struct gk_config *cfg, const struct gk_log *log, struct gk_err *err)
{
	struct gk_lockout *lk;

	if (!authz_lockout_wanted(cfg) && cfg->state_backend != GK_STATE_BACKEND_REDIS)
		return GK_OK;
	/* As root, lib/statedir made state_dir for run_user; the table is the workers' to make. */
	if (geteuid() == 0 && cfg->run_user != NULL && cfg->run_user[0] != '\0')
		return GK_OK;
	if (authz_lockout_open(cfg, log, &lk, err) != GK_OK)
		return GK_ERR;
	gk_lockout_close(lk);
	return GK_OK;
}
