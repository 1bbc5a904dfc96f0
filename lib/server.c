/* server.c: the FastCGI programs' one process runtime (the socket: lib/listener, the pool: lib/prefork, the filter: lib/sandbox). */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "listener.h"
#include "prefork.h"
#include "server.h"
#include "statedir.h"

extern char **environ;

/* Set by the signal handlers in a serving process; the request loops check them (wake: either). */
static volatile sig_atomic_t stop_flag, reload_flag, wake_flag;

/* GATEKEEP_SECCOMP, read once at start-up; each serving process installs the filter with it. */
static enum gk_sandbox_mode seccomp_mode = GK_SANDBOX_KILL;

/* What lib/prefork's callbacks work on (its arg). */
struct server_run {
	const struct gk_server_spec *spec;
	int fd;
	unsigned workers;
};

static void
on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
	wake_flag = 1;
}

static void
on_reload(int sig)
{
	(void)sig;
	reload_flag = 1;
	wake_flag = 1;
}

void
gk_server_opts_init(struct gk_server_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = 0660;
}

/* A number for --socket-mode (base 8) or --workers; -1 with the message printed if not. */
static int
number(const char *prog, const char *opt, const char *arg, int base, long lo, long hi,
    long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, base);
	if (errno || *end || end == arg || v < lo || v > hi) {
		if (base == 8)
			fprintf(stderr, "%s: %s %s: not an octal mode\n", prog, opt, arg);
		else
			fprintf(stderr, "%s: %s %s: %ld..%ld\n", prog, opt, arg, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int
gk_server_option(struct gk_server_opts *o, const char *prog, long workers_max, int ch,
    const char *arg)
{
	long v;

	switch (ch) {
	case 'c':
		o->config = arg;
		return 1;
	case 'l':
		o->listen = arg;
		return 1;
	case 'm':
		if (number(prog, "--socket-mode", arg, 8, 0, 0777, &v) != 0)
			return -1;
		o->mode = (mode_t)v;
		return 1;
	case 'o':
		o->owner = arg;
		return 1;
	case 'w':
		if (number(prog, "--workers", arg, 10, 1, workers_max, &v) != 0)
			return -1;
		o->workers = v;
		o->workers_set = true;
		return 1;
	case 'd':
		o->debug = true;
		return 1;
	default:
		return 0;
	}
}

bool
gk_server_running(void)
{
	return !stop_flag && !reload_flag;
}

const volatile sig_atomic_t *
gk_server_wake(void)
{
	return &wake_flag;
}

int
gk_server_served(void)
{
	if (stop_flag)
		return GK_PREFORK_STOP;
	reload_flag = 0;
	wake_flag = 0;
	return GK_PREFORK_RELOAD;
}

/* In a process that is about to serve requests: the program's filter, then the allow-list. */
static int
enter_sandbox(void *arg)
{
	const struct gk_server_spec *s = ((struct server_run *)arg)->spec;
	const struct gk_log *log = s->log(s->arg);
	const char *const *extra = NULL;
	struct gk_err err = { "" };

	if (seccomp_mode == GK_SANDBOX_TRAP && gk_sandbox_trap_handler(&err) != GK_OK) {
		gk_log(log, LOG_ERR, "%s", err.msg);
		return -1;
	}
	if (seccomp_mode != GK_SANDBOX_OFF && s->sandbox != NULL &&
	    s->sandbox(s->arg, seccomp_mode, &extra, &err) != GK_OK) {
		gk_log(log, LOG_ERR, "cannot install the seccomp filter: %s", err.msg);
		return -1;
	}
	if (gk_sandbox_seccomp(seccomp_mode, extra, &err) != GK_OK) {
		gk_log(log, LOG_ERR, "cannot install the seccomp filter: %s", err.msg);
		return -1;
	}
	return 0;
}

static int
serve(void *arg)
{
	const struct server_run *r = arg;

	return r->spec->serve(r->spec->arg, r->fd, r->workers);
}

static int
reload(void *arg, struct gk_err *err)
{
	const struct gk_server_spec *s = ((struct server_run *)arg)->spec;

	return s->reload != NULL ? s->reload(s->arg, err) : GK_OK;
}

static const struct gk_log *
current_log(void *arg)
{
	const struct gk_server_spec *s = ((struct server_run *)arg)->spec;

	return s->log(s->arg);
}

/* The boot configuration: only what start-up needs (run_user, run_group, the log). */
static int
load_boot(const struct gk_server_spec *s, struct gk_config *boot, struct gk_err *err)
{
	memset(boot, 0, sizeof(*boot));
	if (gk_config_load(boot, s->opts.config, environ, err) != GK_OK)
		return GK_ERR;
	if (s->validate && gk_config_validate(boot, err) != GK_OK)
		return GK_ERR;
	return GK_OK;
}

/* The pool or the single process, until SIGTERM/SIGINT. */
static int
run_workers(const struct gk_server_spec *s, int fd, bool server_managed)
{
	struct server_run run = { .spec = s, .fd = fd };
	struct gk_prefork_ops ops = { .arg = &run, .on_stop = on_stop, .on_reload = on_reload,
	    .sandbox = enter_sandbox, .serve = serve, .reload = reload, .log = current_log };
	long n = s->opts.workers;

	/* Started on fd 0 by mod_fcgid / lighttpd / spawn-fcgi without --workers: they manage processes. */
	if (server_managed && !s->opts.workers_set) {
		run.workers = 1;
		return gk_prefork_single(&ops) == GK_OK ? 0 : 1;
	}
	if (!s->opts.workers_set) {
		/*
		 * One per CPU where a worker blocks on its connection (libfcgi). The event core's
		 * worker serves all its connections and hands hashes and LDAP binds to its pool's
		 * threads, so one per two CPUs leaves the rest to the web server, and each worker
		 * finds more requests per wake-up: 8.3-8.9 µs per decision with one worker on 2
		 * CPUs against 9.8-11.0 with two (scripts/bench --only cpu, docs/http-front.md).
		 */
		n = sysconf(_SC_NPROCESSORS_ONLN);
		if (s->multiplexing)
			n /= 2;
		n = n < 1 ? 1 : n > s->workers_max ? s->workers_max : n;
	}
	run.workers = (unsigned)n;
	return gk_prefork_run((size_t)n, &ops) == GK_OK ? 0 : 1;
}

int
gk_server_run(const struct gk_server_spec *s)
{
	struct gk_config boot;
	struct gk_log log;
	struct gk_err err = { "" };
	struct gk_own_socket own;
	struct gk_listen_opts lo = { .prog = s->prog, .listen = s->opts.listen,
	    .owner = s->opts.owner, .mode = s->opts.mode, .loopback_only = s->loopback_only };
	bool server_managed, as_root;
	int fd, rc;

	if (gk_listener_sanitize_fds(&err) != GK_OK)
		_exit(1);       /* silently: stderr may be the descriptor that is missing */
	if (gk_sandbox_mode_parse(getenv("GATEKEEP_SECCOMP"), &seccomp_mode, &err) != GK_OK) {
		fprintf(stderr, "%s: %s\n", s->prog, err.msg);
		return 1;
	}
	if (load_boot(s, &boot, &err) != GK_OK) {
		fprintf(stderr, "%s: %s\n", s->prog, err.msg);
		gk_config_free(&boot);
		return 1;
	}
	gk_log_init(&log, s->prog, s->opts.debug ? GK_LOG_STDERR : (enum gk_log_target)boot.log_target,
	    s->opts.debug ? LOG_DEBUG : boot.log_level);
	if (seccomp_mode != GK_SANDBOX_OFF && !gk_sandbox_available()) {
		gk_log(&log, LOG_WARNING, "built without libseccomp: workers run without a filter");
		seccomp_mode = GK_SANDBOX_OFF;
	} else if (seccomp_mode != GK_SANDBOX_KILL) {
		gk_log(&log, LOG_WARNING, "GATEKEEP_SECCOMP=%s: debugging mode, not for production",
		    getenv("GATEKEEP_SECCOMP"));
	}
	memset(&own, 0, sizeof(own));
	signal(SIGPIPE, SIG_IGN);
	if (gk_listener_get(&lo, &own, &fd, &server_managed, &err) != GK_OK) {
		fprintf(stderr, "%s: %s\n", s->prog, err.msg);
		gk_config_free(&boot);
		return 1;
	}
	/* As root, before the drop: what run_user cannot make itself (a broken one stops here). */
	rc = gk_sandbox_pick_user(&boot.run_user, &err);
	if (rc == GK_OK && s->wants_state_dir != NULL && s->wants_state_dir(&boot))
		rc = gk_state_dir_prepare(&boot, &log, &err);
	if (rc == GK_OK && s->prepare != NULL)
		rc = s->prepare(s->arg, &boot, &log, &err);
	if (rc == GK_OK)
		rc = gk_sandbox_reduce(boot.run_user, boot.run_group, &as_root, &err);
	/* From here on as run_user: what a request needs is loaded by the user that uses it. */
	if (rc == GK_OK)
		rc = s->start(s->arg, &boot, &err);
	gk_config_free(&boot);
	if (rc != GK_OK) {
		gk_log(&log, LOG_ERR, "%s", err.msg);
		gk_listener_remove(&own);
		return 1;
	}
	if (s->libfcgi && FCGX_Init() != 0) {
		gk_log(s->log(s->arg), LOG_ERR, "FCGX_Init failed");
		rc = 1;
	} else {
		rc = run_workers(s, fd, server_managed);
	}
	if (s->stop != NULL)
		s->stop(s->arg);
	gk_listener_remove(&own);
	return rc;
}
