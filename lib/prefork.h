/* prefork.h: pre-forked worker pool: spawn, respawn with back-off, reload by replacement, graceful stop. */
#ifndef GK_PREFORK_H
#define GK_PREFORK_H

#include <stddef.h>

#include "common.h"
#include "log.h"

#define GK_PREFORK_GRACE_MS 5000        /* SIGTERM to SIGKILL when the pool stops */

/* What ops->serve returns when it is told to: stop (on_stop fired) or reload (on_reload). */
enum gk_prefork_serve { GK_PREFORK_STOP = 0, GK_PREFORK_RELOAD = 1 };

/*
 * What the pool (or a single process) runs.  All state lives behind arg (no global state
 * here): the program owns its configuration, the pool only forks, waits and signals.
 */
struct gk_prefork_ops {
	void *arg;
	/* The handler for SIGTERM and SIGINT in a serving process (set without SA_RESTART). */
	void (*on_stop)(int sig);
	/* gk_prefork_single's SIGHUP handler (pool workers ignore SIGHUP: the pool replaces them). */
	void (*on_reload)(int sig);
	/* Once in each serving process, before serve: enter the sandbox; GK_OK or fail.  May be NULL. */
	int (*sandbox)(void *arg);
	/*
	 * Serves until on_stop fired (GK_PREFORK_STOP) or on_reload fired (GK_PREFORK_RELOAD,
	 * with the program's flags cleared: serve is called again after the reload); negative
	 * if it cannot serve.
	 */
	int (*serve)(void *arg);
	/*
	 * Loads the new state and swaps it in (GK_OK), or keeps the old one (anything else,
	 * with err set).  In the pool, on GK_OK every worker is replaced.  May be NULL: SIGHUP
	 * then just replaces the workers.
	 */
	int (*reload)(void *arg, struct gk_err *err);
	/* The log to use now (a reload may have changed it). */
	const struct gk_log *(*log)(void *arg);
};

/*
 * Runs `workers` worker processes until SIGTERM or SIGINT: a worker that dies is started
 * again (after 100 ms doubling up to 10 s when it lived less than a second), each death is
 * logged; SIGHUP calls ops->reload and on success retires the old workers with SIGTERM and
 * starts new ones ("configuration reloaded" or "reload failed, keeping the running
 * configuration: ..." is logged either way).  On SIGTERM/SIGINT every worker gets SIGTERM, then SIGKILL after
 * GK_PREFORK_GRACE_MS, and every child of this process is reaped before it returns.
 * Each worker runs ops->sandbox and ops->serve, then exits (status 1 if either failed).
 * The caller must not reap children itself.  Returns GK_OK when stopped, GK_ERR (logged)
 * if the pool cannot be set up.  Returns with SIGCHLD, SIGTERM, SIGINT and SIGHUP still
 * blocked: a late one must not kill the process on its way out.
 */
int gk_prefork_run(size_t workers, const struct gk_prefork_ops *ops);

/*
 * One process, no pool: the web server (mod_fcgid, lighttpd, spawn-fcgi) manages
 * processes.  SIGTERM, SIGINT and SIGUSR1 (mod_fcgid's graceful stop) go to on_stop, SIGHUP
 * to on_reload; then sandbox once (a reload stays inside it) and serve, reloading whenever
 * serve says so.  GK_OK when stopped, GK_ERR if the sandbox or serve failed (logged by them).
 */
int gk_prefork_single(const struct gk_prefork_ops *ops);

/* sigaction(sig) with fn and no SA_RESTART: a blocked accept() must return on a signal. */
void gk_signal_set(int sig, void (*fn)(int));

#endif
