/* authz_state.c: gatekeep-authz's failure table: its state directory, made ready at start and per worker. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authz_chain.h"

int
gk_authz_state_dir(const struct gk_config *cfg, char *out, size_t outsz)
{
	/* lib/conf.c fills an empty state_dir with "state" beside the database. */
	return gk_strcpy(out, outsz, cfg->state_dir);
}

/*
 * The state directory must exist before the table can: create it (0700, one
 * level, like systemd's StateDirectory=) rather than leaving every Basic login
 * refused, and refuse one that others could write to (they could delete the
 * table and so lift every ban).
 */
static int
state_dir_ready(const char *dir, const struct gk_log *log, struct gk_err *err)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0) {
		if (log != NULL)
			gk_log(log, LOG_NOTICE, "created state_dir %s (mode 0700)", dir);
		return GK_OK;
	}
	if (errno != EEXIST)
		return gk_err_set(err, "state_dir %s: cannot create it: %s", dir, strerror(errno));
	if (stat(dir, &st) != 0)
		return gk_err_set(err, "state_dir %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return gk_err_set(err, "state_dir %s is not a directory", dir);
	if ((st.st_mode & 022) != 0 && (st.st_mode & S_ISVTX) == 0)
		return gk_err_set(err, "state_dir %s is writable by group or others: "
		    "they could delete the failure table and lift bans", dir);
	return GK_OK;
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
	if (state_dir_ready(dir, log, err) != GK_OK)
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

/*
 * As root, before the privilege drop: the workers run as run_user and must
 * be able to create and lock the table there, so a directory we create is
 * given to run_user (and run_group), and an existing one must belong to it.
 */
static int
state_dir_for_user(const char *dir, const struct gk_config *cfg, const struct gk_log *log,
    struct gk_err *err)
{
	struct passwd *pw;
	struct group *gr;
	struct stat st;
	uid_t uid;
	gid_t gid;
	int fd, rc = GK_ERR;

	if ((pw = getpwnam(cfg->run_user)) == NULL)
		return gk_err_set(err, "run_user %s: no such user", cfg->run_user);
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (cfg->run_group != NULL && cfg->run_group[0] != '\0') {
		if ((gr = getgrnam(cfg->run_group)) == NULL)
			return gk_err_set(err, "run_group %s: no such group", cfg->run_group);
		gid = gr->gr_gid;
	}
	if (mkdir(dir, 0700) == 0) {
		/* By descriptor, not by name: the path cannot be swapped in between. */
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fchown(fd, uid, gid) != 0 || fchmod(fd, 0700) != 0)
			gk_err_set(err, "state_dir %s: cannot give it to %s: %s", dir, cfg->run_user,
			    strerror(errno));
		else
			rc = GK_OK;
		if (fd >= 0)
			close(fd);
		if (rc == GK_OK && log != NULL)
			gk_log(log, LOG_NOTICE, "created state_dir %s (mode 0700, owner %s)", dir,
			    cfg->run_user);
		return rc;
	}
	if (state_dir_ready(dir, log, err) != GK_OK)
		return GK_ERR;
	if (stat(dir, &st) != 0)
		return gk_err_set(err, "state_dir %s: %s", dir, strerror(errno));
	if (st.st_uid != uid)
		return gk_err_set(err, "state_dir %s belongs to uid %ld, not to run_user %s: "
		    "chown it to %s (mode 0700)", dir, (long)st.st_uid, cfg->run_user, cfg->run_user);
	return GK_OK;
}

int
gk_authz_prepare(const struct gk_config *cfg, const struct gk_log *log, struct gk_err *err)
{
	struct gk_lockout *lk;
	char dir[4096];

	if (!authz_lockout_wanted(cfg) && cfg->state_backend != GK_STATE_BACKEND_REDIS)
		return GK_OK;
	if (geteuid() == 0 && cfg->run_user != NULL && cfg->run_user[0] != '\0') {
		if (gk_authz_state_dir(cfg, dir, sizeof(dir)) != GK_OK)
			return gk_err_set(err, "state_dir: path too long");
		/* The table itself is left to the workers: it must be owned by run_user. */
		return state_dir_for_user(dir, cfg, log, err);
	}
	if (authz_lockout_open(cfg, log, &lk, err) != GK_OK)
		return GK_ERR;
	gk_lockout_close(lk);
	return GK_OK;
}
