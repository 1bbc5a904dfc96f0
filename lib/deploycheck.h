/* deploycheck.h: --check-config beyond syntax: the files a FastCGI program will open, checked as the user it will serve as. */
#ifndef GK_DEPLOYCHECK_H
#define GK_DEPLOYCHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"

/*
 * Checks what the program will need once it serves, the way it will use it, so that a
 * broken deployment fails here (like nginx -t) rather than at the first request:
 *  - run_user and run_group exist; as root with run_user unset, the default user
 *    (GK_RUN_USER_DEFAULT) exists (the program never serves as root);
 *  - then, in a child process that has dropped to that user and group exactly as the
 *    workers do (gk_sandbox_drop; not root: as the caller):
 *    - database: opens as a gatekeep database and passes gk_userdb_check; not writable
 *      by group or others;
 *    - secret_file (login_page, or "session" in methods): loads (gk_secret_load's rules:
 *      a regular file, mode 0600 or 0640, length, bytes);
 *    - state_dir (login_page, or "basic" in methods): a directory of this user, not
 *      writable by group or others, and its lockout.tbl (if any) this user's; or missing
 *      with a parent this user may create it in (started as root: a parent directory,
 *      as lib/statedir makes state_dir for run_user before the drop).
 * Writes one line per problem to out, "PROG: KEY: PATH: WHY" (or "PROG: KEY VALUE: WHY"),
 * and returns how many problems it found (0: none). The socket is gk_deploy_check_listen's.
 */
int gk_deploy_check(const struct gk_config *cfg, bool login_page, const char *prog, FILE *out);

/*
 * gk_deploy_check, then also(arg, out) in the same child, as the user it dropped to (a
 * program's own loading: gatekeep-login's context, which opens the lockout table and so
 * must never run as root: a table made there would belong to root).  also returns how many
 * problems it wrote to out.  Started as root, state_dir counts as made for run_user at
 * start (lib/statedir, both programs).
 */
int gk_deploy_check_with(const struct gk_config *cfg, bool login_page, const char *prog, FILE *out,
    int (*also)(void *arg, FILE *out), void *arg);

/*
 * --listen unix:PATH given with --check-config: the directory the socket will be made in
 * exists (nothing creates it: systemd's RuntimeDirectory= or the admin does), and PATH is
 * free or a socket (lib/listener replaces only a stale socket, never another file).
 * Checked as the caller, who will bind it.  Anything else (tcp:, NULL: systemd's or the web
 * server's socket) is not checked here.  Same output and return as gk_deploy_check.
 */
int gk_deploy_check_listen(const char *listen, const char *prog, FILE *out);

#endif
