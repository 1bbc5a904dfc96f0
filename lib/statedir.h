/* statedir.h: state_dir made ready for the user the programs serve as, once, before the privilege drop. */
#ifndef GK_STATEDIR_H
#define GK_STATEDIR_H

#include "common.h"
#include "conf.h"
#include "log.h"

/*
 * state_dir holds the lockout table and the metrics files, which the workers create and
 * lock as run_user; both programs call this before their privilege drop (lib/server, and
 * gatekeep-login --check-config), so neither ever leaves a root-owned file there.
 *  - As root with run_user set: a missing state_dir is made (one level, 0700, like
 *    systemd's StateDirectory=) and given to run_user (and run_group) by descriptor; an
 *    existing one must belong to run_user.  Nothing inside it is created as root.
 *  - Otherwise: a missing state_dir is made 0700 by this user.
 *  - Either way it must be a directory not writable by group or others (they could delete
 *    the table and so lift every ban), unless sticky.
 * GK_OK, or GK_ERR with err set ("state_dir PATH: ...").  log may be NULL (nothing logged).
 */
int gk_state_dir_prepare(const struct gk_config *cfg, const struct gk_log *log, struct gk_err *err);

/* The second case alone, as this user, for dir (a worker, after the drop). */
int gk_state_dir_ready(const char *dir, const struct gk_log *log, struct gk_err *err);

/* "state_dir/name" into out.  GK_OK, or GK_ERR when it does not fit. */
int gk_state_dir_file(const struct gk_config *cfg, const char *name, char *out, size_t outsz);

#endif
