/* statedir.c: state_dir made ready for the user the programs serve as, once, before the privilege drop. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "statedir.h"

int
gk_state_dir_ready(const char *dir, const struct gk_log *log, struct gk_err *err)
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

/* As root: made for run_user, or run_user's already. */
static int
ready_for_user(const char *dir, const struct gk_config *cfg, const struct gk_log *log,
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
	/*
	 * Another gatekeep program sharing the directory (gatekeep-authz and gatekeep-login,
	 * started together) may have made it a moment ago and not yet given it away (mkdir, then
	 * fchown above): while it is still ours, look again, for up to a second.
	 */
	for (int i = 0; i < 20 && stat(dir, &st) == 0 && st.st_uid != uid && st.st_uid == geteuid(); i++) {
		struct timespec pause = { 0, 50 * 1000 * 1000 };

		nanosleep(&pause, NULL);
	}
	if (gk_state_dir_ready(dir, log, err) != GK_OK)
		return GK_ERR;
	if (stat(dir, &st) != 0)
		return gk_err_set(err, "state_dir %s: %s", dir, strerror(errno));
	if (st.st_uid != uid)
		return gk_err_set(err, "state_dir %s belongs to uid %ld, not to run_user %s: "
		    "chown it to %s (mode 0700)", dir, (long)st.st_uid, cfg->run_user, cfg->run_user);
	return GK_OK;
}

int
gk_state_dir_prepare(const struct gk_config *cfg, const struct gk_log *log, struct gk_err *err)
{
	/* lib/conf.c fills an empty state_dir with "state" beside the database. */
	if (cfg->state_dir == NULL || cfg->state_dir[0] == '\0')
		return gk_err_set(err, "state_dir is not set");
	if (geteuid() == 0 && cfg->run_user != NULL && cfg->run_user[0] != '\0')
		return ready_for_user(cfg->state_dir, cfg, log, err);
	return gk_state_dir_ready(cfg->state_dir, log, err);
}

int
gk_state_dir_file(const struct gk_config *cfg, const char *name, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%s", cfg->state_dir != NULL ? cfg->state_dir : "", name);

	return n < 0 || (size_t)n >= outsz ? GK_ERR : GK_OK;
}
