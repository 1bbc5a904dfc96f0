/* prefork.c: pre-forked worker pool: spawn, respawn with back-off, reload by replacement, graceful stop. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "prefork.h"
#include "metrics.h"
#include "sdnotify.h"

struct slot {
	pid_t pid;              /* 0 = empty */
	int64_t started;        /* ms */
	int64_t respawn_at;     /* ms, when empty */
	unsigned fast_deaths;
};

struct pool {
	struct slot *slots;
	size_t n;
	pid_t *retiring;        /* old workers after a reload, until reaped */
	size_t nretiring, retiring_cap;
	const struct gk_prefork_ops *ops;
	sigset_t mask;          /* the signals the parent waits for */
	bool stopping;          /* stop_pool() has told the workers to go */
};

void
gk_signal_set(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;        /* no SA_RESTART: accept() must return on a signal */
	sigaction(sig, &sa, NULL);
}

/* SIGHUP, in the pool or a single process: ops->reload and the log line of its outcome. */
static int
reload_logged(const struct gk_prefork_ops *ops)
{
	struct gk_err err = { "" };

	if (ops->reload != NULL && ops->reload(ops->arg, &err) != GK_OK) {
		gk_log(ops->log(ops->arg), LOG_ERR,
		    "reload failed, keeping the running configuration: %s", err.msg);
		return GK_ERR;
	}
	gk_log(ops->log(ops->arg), LOG_NOTICE, "configuration reloaded");
	return GK_OK;
}

static const struct gk_log *
pool_log(const struct pool *p)
{
	return p->ops->log(p->ops->arg);
}

static void
spawn(struct pool *p, struct slot *s)
{
	pid_t pid = fork();

	if (pid < 0) {
		gk_log(pool_log(p), LOG_ERR, "fork: %s", strerror(errno));
		s->respawn_at = gk_now_ms() + 1000;
		return;
	}
	if (pid == 0) {
		sigset_t none;

		gk_signal_set(SIGTERM, p->ops->on_stop);
		gk_signal_set(SIGINT, p->ops->on_stop);
		signal(SIGHUP, SIG_IGN);        /* the parent reloads by replacing workers */
		signal(SIGCHLD, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* The sandbox is the worker's alone: the supervisor must fork, wait and kill. */
		if (p->ops->sandbox != NULL && p->ops->sandbox(p->ops->arg) != GK_OK)
			_exit(1);
		_exit(p->ops->serve(p->ops->arg) < 0 ? 1 : 0);
	}
	s->pid = pid;
	s->started = gk_now_ms();
	gk_metrics_worker_started();
}

/*
 * A slot's worker died: log it, and when it lived less than a second, back off.  While the
 * pool stops, a worker that ends as told (status 0, or SIGTERM) is no error worth a line.
 */
static void
slot_died(struct pool *p, struct slot *s, int status)
{
	int64_t now = gk_now_ms(), delay = 0;

	gk_metrics_worker_exited(status, p->stopping);
	if (p->stopping && ((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	    (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)))
		gk_log(pool_log(p), LOG_DEBUG, "worker %ld stopped", (long)s->pid);
	else if (WIFSIGNALED(status))
		gk_log(pool_log(p), LOG_ERR, "worker %ld killed by signal %d", (long)s->pid,
		    WTERMSIG(status));
	else
		gk_log(pool_log(p), LOG_ERR, "worker %ld exited with status %d", (long)s->pid,
		    WEXITSTATUS(status));
	/* Dying in a loop: back off (100 ms doubling, at most 10 s). */
	if (now - s->started < 1000) {
		if (s->fast_deaths < 7)
			s->fast_deaths++;
		delay = 100LL << (s->fast_deaths - 1);
		if (delay > 10000)
			delay = 10000;
	} else {
		s->fast_deaths = 0;
	}
	s->pid = 0;
	s->respawn_at = now + delay;
}

static void
reap(struct pool *p)
{
	pid_t pid;
	int status;
	size_t i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < p->nretiring; i++)
			if (p->retiring[i] == pid) {
				p->retiring[i] = p->retiring[--p->nretiring];
				pid = 0;
				break;
			}
		for (i = 0; pid != 0 && i < p->n; i++)
			if (p->slots[i].pid == pid) {
				slot_died(p, &p->slots[i], status);
				break;
			}
	}
}

static void
kill_all(struct pool *p, int sig)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->slots[i].pid > 0)
			kill(p->slots[i].pid, sig);
	for (i = 0; i < p->nretiring; i++)
		kill(p->retiring[i], sig);
}

static size_t
alive(const struct pool *p)
{
	size_t i, n = p->nretiring;

	for (i = 0; i < p->n; i++)
		n += p->slots[i].pid > 0;
	return n;
}

static void
stop_pool(struct pool *p)
{
	int64_t deadline = gk_now_ms() + GK_PREFORK_GRACE_MS;
	sigset_t chld;
	size_t i;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	p->stopping = true;
	kill_all(p, SIGTERM);
	while (alive(p) > 0 && gk_now_ms() < deadline) {
		struct timespec ts = { 0, 50 * 1000000L };

		sigtimedwait(&chld, NULL, &ts);
		reap(p);
		/* Empty slots must not be refilled now. */
		for (i = 0; i < p->n; i++)
			p->slots[i].respawn_at = INT64_MAX;
	}
	if (alive(p) > 0) {
		gk_log(pool_log(p), LOG_WARNING, "%zu worker(s) still running after %d ms: killing them",
		    alive(p), GK_PREFORK_GRACE_MS);
		kill_all(p, SIGKILL);
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
}

/* SIGHUP: new state first; only if it loaded are the old workers retired. */
static void
reload(struct pool *p)
{
	size_t i;

	/*
	 * Room for every current worker among the retiring ones before anything changes: a
	 * second SIGHUP may come before the first one's workers have gone.
	 */
	if (p->nretiring + p->n > p->retiring_cap) {
		size_t cap = p->nretiring + p->n;
		pid_t *r = realloc(p->retiring, cap * sizeof(*r));

		if (r == NULL) {
			gk_log(pool_log(p), LOG_ERR,
			    "reload failed, keeping the running configuration: out of memory");
			return;
		}
		p->retiring = r;
		p->retiring_cap = cap;
	}
	if (reload_logged(p->ops) != GK_OK)
		return;
	for (i = 0; i < p->n; i++) {
		if (p->slots[i].pid > 0) {
			kill(p->slots[i].pid, SIGTERM);
			p->retiring[p->nretiring++] = p->slots[i].pid;
		}
		p->slots[i].pid = 0;
		p->slots[i].respawn_at = 0;
		p->slots[i].fast_deaths = 0;
	}
}

int
gk_prefork_run(size_t workers, const struct gk_prefork_ops *ops)
{
	struct pool p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.ops = ops;
	p.n = workers;
	p.retiring_cap = workers;
	if (workers == 0 || (p.slots = calloc(p.n, sizeof(*p.slots))) == NULL ||
	    (p.retiring = calloc(p.retiring_cap, sizeof(*p.retiring))) == NULL) {
		gk_log(pool_log(&p), LOG_ERR, workers == 0 ? "no workers" : "out of memory");
		free(p.slots);
		return GK_ERR;
	}
	sigemptyset(&p.mask);
	sigaddset(&p.mask, SIGCHLD);
	sigaddset(&p.mask, SIGTERM);
	sigaddset(&p.mask, SIGINT);
	sigaddset(&p.mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &p.mask, NULL);
	gk_log(pool_log(&p), LOG_NOTICE, "starting %zu workers", p.n);
	for (;;) {
		int64_t now = gk_now_ms(), next = now + 1000;
		struct timespec ts;
		siginfo_t si;
		int sig;

		for (i = 0; i < p.n; i++) {
			struct slot *s = &p.slots[i];

			if (s->pid == 0 && s->respawn_at <= now)
				spawn(&p, s);
			if (s->pid == 0 && s->respawn_at < next)
				next = s->respawn_at;
		}
		gk_metrics_workers(alive(&p) - p.nretiring, p.n);
		gk_sdnotify_running(now);       /* READY=1 once the workers are forked, then WATCHDOG=1 */
		if (next < now + 1)
			next = now + 1;
		ts.tv_sec = (next - now) / 1000;
		ts.tv_nsec = (long)((next - now) % 1000) * 1000000L;
		sig = sigtimedwait(&p.mask, &si, &ts);
		if (sig == SIGCHLD) {
			reap(&p);
		} else if (sig == SIGTERM || sig == SIGINT) {
			gk_log(pool_log(&p), LOG_NOTICE, "stopping on signal %d", sig);
			gk_sdnotify("STOPPING=1");
			stop_pool(&p);
			break;
		} else if (sig == SIGHUP) {
			reload(&p);
		}
	}
	free(p.slots);
	free(p.retiring);
	return GK_OK;
}

int
gk_prefork_single(const struct gk_prefork_ops *ops)
{
	int rc;

	gk_signal_set(SIGTERM, ops->on_stop);
	gk_signal_set(SIGINT, ops->on_stop);
	gk_signal_set(SIGUSR1, ops->on_stop);
	gk_signal_set(SIGHUP, ops->on_reload);
	/* This process is the worker (the web server supervises): filter it, reloads included. */
	if (ops->sandbox != NULL && ops->sandbox(ops->arg) != GK_OK)
		return GK_ERR;
	gk_metrics_workers(1, 1);
	while ((rc = ops->serve(ops->arg)) == GK_PREFORK_RELOAD)
		reload_logged(ops);
	return rc < 0 ? GK_ERR : GK_OK;
}
