/* metrics.h: counters and histograms shared by every pre-forked worker, in the Prometheus text format. */
#ifndef GK_METRICS_H
#define GK_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

/*
 * One MAP_SHARED mapping of a file in state_dir (gk_metrics_open_file: metrics-authz for
 * gatekeep-authz, metrics-login for gatekeep-login), mapped by the supervisor before it
 * forks, and by each process when the web server spawns several itself (lighttpd bin-path,
 * mod_fcgid): every process of a program adds to the same counters with relaxed atomic adds
 * (no lock on the request path, nothing lost when a worker dies: a count is in the mapping
 * the moment it is made).  Counters only ever grow, and survive a restart of the program
 * (the file stays; Prometheus handles a reset anyway, when the file is removed).  This is
 * the one piece of process-wide state in lib/ (like openlog): the hooks below are one-line
 * calls from the modules that see the event, and every hook is a no-op in a process that
 * never opened a mapping (gatekeep-passwd, metrics off, the unit tests of other modules).
 *
 * Label values are fixed sets: a reason or method this module does not know is counted as
 * "other", so no client can grow the number of series.
 */

/* Maps an anonymous shared region (tests; once; later calls are no-ops).  GK_OK, or GK_ERR. */
int gk_metrics_open(struct gk_err *err);

/*
 * Maps the file at path (once), creating it (0600) if missing.  Like the lockout table it
 * must be a regular file (never through a symlink) owned by this user and not group/other
 * writable; a file laid out by another build (an upgrade) is replaced by a zeroed one
 * (rename, so a process still mapping the old one is not hurt).  GK_OK, or GK_ERR with err
 * set: the caller logs it and runs with metrics off (never a refusal of service).
 */
int gk_metrics_open_file(const char *path, struct gk_err *err);

/*
 * The other program's file (gatekeep-authz: gatekeep-login's), added into every counter the
 * render writes (not the gauges of workers or the start time).  Read-only at each render;
 * absent, or failing gk_metrics_open_file's checks: left out.  NULL or "": none.
 */
void gk_metrics_peer(const char *path);

/* The files in state_dir (lib/statedir makes the directory). */
#define GK_METRICS_FILE_AUTHZ "metrics-authz"
#define GK_METRICS_FILE_LOGIN "metrics-login"

/* True when the mapping exists in this process. */
bool gk_metrics_enabled(void);

/* Unmaps it (tests). */
void gk_metrics_close(void);

/* Sets every counter to v and every ban slot active until `until` (tests: the largest exposition). */
void gk_metrics_fill(uint64_t v, int64_t until);

/* --- hooks ---------------------------------------------------------------- */

/* A decision starts in this worker (its latency is measured to gk_metrics_decision). */
void gk_metrics_decision_start(void);

/*
 * One decision, as the decision line logs it: the HTTP status answered (2xx allow, 401,
 * 403, 3xx or a 401 carrying a login redirect: redirect, anything else: error), the method
 * ("basic", "session", ..., NULL: none) and the deny reason (NULL when allowed).
 */
void gk_metrics_decision(int status, bool redirect, const char *method, const char *reason);

/* A password verified against stored (its method is read from the hash prefix; NULL: the dummy). */
void gk_metrics_password(const char *stored, int64_t elapsed_ns);

/* The Basic credential cache answered (hit) or not. */
void gk_metrics_basic_cache(bool hit);

/* The lockout table banned or locked a key until `until` (unix seconds). */
void gk_metrics_lockout_ban(int64_t until);

/* The FastCGI guard refused a connection ("fastcgi-timeout", "bad-fastcgi-record", ...). */
void gk_metrics_guard_refusal(const char *reason);

/* gatekeep-login: a sign-in ("form", "oidc") signed in (reason NULL) or refused for reason. */
void gk_metrics_login(const char *method, const char *reason);

/* gatekeep-login: a session cookie was issued. */
void gk_metrics_token_issued(void);

/* gatekeep-login: a sign-out of this session, or everywhere (every session revoked). */
void gk_metrics_signout(bool everywhere);

/* The supervisor: a worker started; a worker ended (waitpid status; stopping: as told). */
void gk_metrics_worker_started(void);
void gk_metrics_worker_exited(int status, bool stopping);

/* The supervisor: how many workers run now, of how many wanted. */
void gk_metrics_workers(size_t alive, size_t wanted);

/* Reads what gk_metrics_workers last stored (0, 0 when never set). */
void gk_metrics_workers_get(size_t *alive, size_t *wanted);

/* --- the exposition ------------------------------------------------------- */

/*
 * Writes the text exposition format 0.0.4 (HELP and TYPE for every family; only series
 * that were ever counted, except the fixed small ones, which are always present) into
 * buf, NUL-terminated.  `now` (unix seconds) judges which bans are still active.
 * Returns the length, or 0 when it does not fit (never a cut exposition).
 */
size_t gk_metrics_render(char *buf, size_t bufsz, int64_t now);

/* The content type of the exposition. */
#define GK_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
