/* authz_main.c: gatekeep-authz: options, the pre-forked worker pool, signals (the listening socket: lib/listener). */
#include <config.h>	/* autoconf's, not lib/config.h */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <fastcgi.h>

#include "authz_answer.h"
#include "authz_decide.h"
#include "fcgiguard.h"
#include "fcgiloop.h"
#include "listener.h"
#include "policy.h"	/* and through it lib/config.h */
#include "log.h"
#include "sandbox.h"

#define PROG "gatekeep-authz"
#define WORKERS_MAX 256
#define STOP_GRACE_MS 5000

extern char **environ;

/* Set by signal handlers in a worker; the accept loop checks them (wake_flag: either). */
static volatile sig_atomic_t stop_flag, reload_flag, wake_flag;

/* GATEKEEP_SECCOMP, read once in main(); workers install the filter with it. */
static enum gk_sandbox_mode seccomp_mode = GK_SANDBOX_KILL;

struct opts {
	const char *config;
	const char *listen;
	mode_t mode;
	const char *owner;
	long workers;
	bool workers_set;
	bool debug;
	bool check;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [-c FILE] [--listen unix:PATH|tcp:HOST:PORT] [--socket-mode MODE]\n"
	    "       [--socket-owner USER[:GROUP]] [--workers N] [-d|--debug] [--check-config]\n"
	    "       [--help] [--version]\n");
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drops root (run_user/run_group) and sets no_new_privs; both are inherited by the workers. */
static int
reduce_privileges(const struct gk_config *cfg, const struct gk_log *log)
{
	struct gk_err err = { "" };
	bool dropped;

	if (gk_sandbox_drop(cfg->run_user, cfg->run_group, &dropped, &err) != GK_OK) {
		gk_log(log, LOG_ERR, "cannot drop privileges: %s", err.msg);
		return -1;
	}
	if (!dropped && geteuid() == 0)
		gk_log(log, LOG_WARNING, "running as root: set run_user");
	if (gk_sandbox_no_new_privs(&err) != GK_OK) {
		gk_log(log, LOG_ERR, "%s", err.msg);
		return -1;
	}
	return 0;
}

/* In a process that is about to serve requests: the seccomp allow-list. */
static int
enter_sandbox(const struct gk_log *log)
{
	struct gk_err err = { "" };

	if (seccomp_mode == GK_SANDBOX_TRAP && gk_sandbox_trap_handler(&err) != GK_OK) {
		gk_log(log, LOG_ERR, "%s", err.msg);
		return -1;
	}
	if (gk_sandbox_seccomp(seccomp_mode, NULL, &err) != GK_OK) {
		gk_log(log, LOG_ERR, "cannot install the seccomp filter: %s", err.msg);
		return -1;
	}
	return 0;
}

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

static void
set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;        /* no SA_RESTART: accept() must return on a signal */
	sigaction(sig, &sa, NULL);
}

/*
 * The accept loop of one worker; returns when told to stop or reload.
 *
 * libfcgi must never parse bytes we have not checked (CVE-2025-23016, see lib/fcgiguard.h):
 * lib/fcgiloop accepts, waits until gk_fcgiguard_wait() has seen a valid BEGIN_REQUEST +
 * PARAMS, and only then hands the connection to libfcgi (see lib/fcgiloop.h); a kept
 * connection (nginx fastcgi_keep_conn) has its next request checked the same way.
 */
static int
serve(int lfd, const struct gk_config *cfg, const struct gk_log *log)
{
	struct gk_fcgiloop l;
	struct gk_authz a;
	struct gk_decision *d;
	struct gk_fcgiguard_limits lim;
	char *ans;
	struct gk_err err = { "" };
	bool loop_ok;

	gk_fcgiguard_defaults(&lim);
	d = malloc(sizeof(*d));
	ans = malloc(GK_ANSWER_MAX);
	loop_ok = gk_fcgiloop_init(&l, lfd, &lim, &wake_flag, log, &err) == GK_OK;
	if (d == NULL || ans == NULL || !loop_ok ||
	    gk_authz_init(&a, cfg, log, &err) != GK_OK) {
		gk_log(log, LOG_ERR, "worker start failed: %s", err.msg[0] ? err.msg : "no memory");
		if (loop_ok)
			gk_fcgiloop_free(&l);
		free(d);
		free(ans);
		return -1;
	}
	while (!stop_flag && !reload_flag) {
		enum gk_role role;
		size_t n;

		if (gk_fcgiloop_next(&l) != GK_OK)
			continue;
		switch (l.rq.role) {
		case FCGI_RESPONDER:
			role = GK_ROLE_RESPONDER;
			break;
		case FCGI_AUTHORIZER:
			role = GK_ROLE_AUTHORIZER;
			break;
		case FCGI_FILTER:
			role = GK_ROLE_FILTER;
			break;
		default:
			role = GK_ROLE_UNKNOWN;
			break;
		}
		gk_authz_decide(&a, role, l.rq.envp, d);
		n = gk_authz_answer(cfg, d, ans, GK_ANSWER_MAX);
		FCGX_PutStr(ans, (int)n, l.rq.out);
		gk_authz_log(&a, d);
		gk_fcgiloop_finish(&l);
		gk_wipe(d, sizeof(*d));
	}
	gk_fcgiloop_free(&l);
	gk_authz_free(&a);
	free(d);
	free(ans);
	return 0;
}

/* --- the pool ------------------------------------------------------------- */

struct slot {
	pid_t pid;              /* 0 = empty */
	int64_t started;        /* ms */
	int64_t respawn_at;     /* ms, when empty */
	unsigned fast_deaths;
};

struct pool {
	struct slot *slots;
	size_t n;
	pid_t *retiring;        /* old workers after a reload */
	size_t nretiring;
	int fd;
	const struct gk_config *cfg;
	const struct gk_log *log;
	sigset_t mask;          /* the signals the parent waits for */
};

static pid_t
spawn(struct pool *p, struct slot *s)
{
	pid_t pid = fork();

	if (pid < 0) {
		gk_log(p->log, LOG_ERR, "fork: %s", strerror(errno));
		s->respawn_at = now_ms() + 1000;
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		set_handler(SIGTERM, on_stop);
		set_handler(SIGINT, on_stop);
		signal(SIGHUP, SIG_IGN);        /* the parent reloads by replacing workers */
		signal(SIGCHLD, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* The strict filter is the worker's alone: the supervisor must fork, wait and kill. */
		if (enter_sandbox(p->log) != 0)
			_exit(1);
		_exit(serve(p->fd, p->cfg, p->log) == 0 ? 0 : 1);
	}
	s->pid = pid;
	s->started = now_ms();
	return pid;
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
		for (i = 0; pid != 0 && i < p->n; i++) {
			struct slot *s = &p->slots[i];
			int64_t now = now_ms(), delay = 0;

			if (s->pid != pid)
				continue;
			if (WIFSIGNALED(status))
				gk_log(p->log, LOG_ERR, "worker %ld killed by signal %d", (long)pid,
				    WTERMSIG(status));
			else
				gk_log(p->log, LOG_ERR, "worker %ld exited with status %d", (long)pid,
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
	int64_t deadline = now_ms() + STOP_GRACE_MS;
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	kill_all(p, SIGTERM);
	/* Empty slots must not be refilled now. */
	for (size_t i = 0; i < p->n; i++)
		p->slots[i].respawn_at = INT64_MAX;
	while (alive(p) > 0 && now_ms() < deadline) {
		struct timespec ts = { 0, 50 * 1000000L };

		sigtimedwait(&chld, NULL, &ts);
		reap(p);
		for (size_t i = 0; i < p->n; i++)
			p->slots[i].respawn_at = INT64_MAX;
	}
	if (alive(p) > 0) {
		kill_all(p, SIGKILL);
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
}

static int
load_config(struct gk_config *cfg, const char *path, struct gk_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	if (gk_config_load(cfg, path, environ, err) != GK_OK ||
	    gk_config_validate(cfg, err) != GK_OK) {
		gk_config_free(cfg);
		return GK_ERR;
	}
	return GK_OK;
}

static void
log_setup(struct gk_log *log, const struct gk_config *cfg, bool debug)
{
	gk_log_init(log, PROG, debug ? GK_LOG_STDERR : (enum gk_log_target)cfg->log_target,
	    debug ? LOG_DEBUG : cfg->log_level);
}

static int
run_pool(int fd, struct gk_config *cfg, struct gk_log *log, const struct opts *o)
{
	struct pool p;
	struct gk_config newcfg;
	struct gk_err err = { "" };
	size_t i;

	memset(&p, 0, sizeof(p));
	p.fd = fd;
	p.cfg = cfg;
	p.log = log;
	p.n = (size_t)o->workers;
	if ((p.slots = calloc(p.n, sizeof(*p.slots))) == NULL ||
	    (p.retiring = calloc(p.n, sizeof(*p.retiring))) == NULL) {
		gk_log(log, LOG_ERR, "out of memory");
		return 1;
	}
	sigemptyset(&p.mask);
	sigaddset(&p.mask, SIGCHLD);
	sigaddset(&p.mask, SIGTERM);
	sigaddset(&p.mask, SIGINT);
	sigaddset(&p.mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &p.mask, NULL);
	gk_log(log, LOG_INFO, "starting %zu workers", p.n);
	for (;;) {
		int64_t now = now_ms(), next = now + 1000;
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
		if (next < now + 1)
			next = now + 1;
		ts.tv_sec = (next - now) / 1000;
		ts.tv_nsec = (long)((next - now) % 1000) * 1000000L;
		sig = sigtimedwait(&p.mask, &si, &ts);
		if (sig == SIGCHLD) {
			reap(&p);
		} else if (sig == SIGTERM || sig == SIGINT) {
			gk_log(log, LOG_INFO, "stopping on signal %d", sig);
			stop_pool(&p);
			break;
		} else if (sig == SIGHUP) {
			if (load_config(&newcfg, o->config, &err) != GK_OK) {
				gk_log(log, LOG_ERR, "reload failed, keeping the running configuration: %s",
				    err.msg);
				continue;
			}
			/* Replace the workers: new ones start with the new config and a fresh DB handle. */
			for (i = 0; i < p.n; i++) {
				if (p.slots[i].pid > 0) {
					kill(p.slots[i].pid, SIGTERM);
					p.retiring[p.nretiring++] = p.slots[i].pid;
				}
				p.slots[i].pid = 0;
				p.slots[i].respawn_at = 0;
				p.slots[i].fast_deaths = 0;
			}
			gk_config_free(cfg);
			*cfg = newcfg;
			log_setup(log, cfg, o->debug);
			gk_log(log, LOG_INFO, "configuration reloaded");
		}
	}
	free(p.slots);
	free(p.retiring);
	return 0;
}

/* One process, no pool: the web server (mod_fcgid, lighttpd) manages processes. */
static int
run_single(int fd, struct gk_config *cfg, struct gk_log *log, const struct opts *o)
{
	struct gk_config newcfg;
	struct gk_err err = { "" };

	set_handler(SIGTERM, on_stop);
	set_handler(SIGINT, on_stop);
	set_handler(SIGUSR1, on_stop);  /* mod_fcgid's graceful stop */
	set_handler(SIGHUP, on_reload);
	/* This process is the worker (the web server supervises): filter it, reloads included. */
	if (enter_sandbox(log) != 0)
		return 1;
	for (;;) {
		if (serve(fd, cfg, log) != 0)
			return 1;
		if (stop_flag)
			return 0;
		if (reload_flag) {
			reload_flag = 0;
			wake_flag = 0;
			if (load_config(&newcfg, o->config, &err) != GK_OK) {
				gk_log(log, LOG_ERR, "reload failed, keeping the running configuration: %s",
				    err.msg);
				continue;
			}
			gk_config_free(cfg);
			*cfg = newcfg;
			log_setup(log, cfg, o->debug);
			gk_log(log, LOG_INFO, "configuration reloaded");
		}
	}
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "socket-owner", required_argument, NULL, 'o' },
		{ "workers", required_argument, NULL, 'w' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	long v;
	int ch;

	memset(o, 0, sizeof(*o));
	o->mode = 0660;
	while ((ch = getopt_long(argc, argv, "c:dhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'm':
			errno = 0;
			v = strtol(optarg, &end, 8);
			if (errno || *end || end == optarg || v < 0 || v > 0777) {
				fprintf(stderr, PROG ": --socket-mode %s: not an octal mode\n", optarg);
				return 2;
			}
			o->mode = (mode_t)v;
			break;
		case 'o':
			o->owner = optarg;
			break;
		case 'w':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > WORKERS_MAX) {
				fprintf(stderr, PROG ": --workers %s: 1..%d\n", optarg, WORKERS_MAX);
				return 2;
			}
			o->workers = v;
			o->workers_set = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'C':
			o->check = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf(PROG " " PACKAGE_VERSION "\n");
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct gk_config cfg;
	struct gk_log log;
	struct gk_err err = { "" };
	struct gk_own_socket own;
	struct gk_listen_opts lo;
	bool server_managed;
	int fd, rc;

	if (gk_listener_sanitize_fds(&err) != GK_OK)
		_exit(1);       /* silently: stderr may be the descriptor that is missing */
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (load_config(&cfg, o.config, &err) != GK_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (o.check) {
		gk_config_print(&cfg, stdout);
		gk_config_free(&cfg);
		return 0;
	}
	if (gk_sandbox_mode_parse(getenv("GATEKEEP_SECCOMP"), &seccomp_mode, &err) != GK_OK) {
		fprintf(stderr, PROG ": %s\n", err.msg);
		gk_config_free(&cfg);
		return 1;
	}
	log_setup(&log, &cfg, o.debug);
	if (seccomp_mode != GK_SANDBOX_OFF && !gk_sandbox_available()) {
		gk_log(&log, LOG_WARNING, "built without libseccomp: workers run without a filter");
		seccomp_mode = GK_SANDBOX_OFF;
	} else if (seccomp_mode != GK_SANDBOX_KILL) {
		gk_log(&log, LOG_WARNING, "GATEKEEP_SECCOMP=%s: debugging mode, not for production",
		    getenv("GATEKEEP_SECCOMP"));
	}
	memset(&own, 0, sizeof(own));
	signal(SIGPIPE, SIG_IGN);
	lo = (struct gk_listen_opts){ .prog = PROG, .listen = o.listen, .owner = o.owner,
	    .mode = o.mode, .loopback_only = false };
	if (gk_listener_get(&lo, &own, &fd, &server_managed, &err) != GK_OK) {
		fprintf(stderr, PROG ": %s\n", err.msg);
		gk_config_free(&cfg);
		return 1;
	}
	/* As root, before the drop: create the lockout state dir for run_user; a broken one stops here. */
	if (gk_authz_prepare(&cfg, &log, &err) != GK_OK) {
		gk_log(&log, LOG_ERR, "%s", err.msg);
		gk_config_free(&cfg);
		return 1;
	}
	if (reduce_privileges(&cfg, &log) != 0) {
		gk_config_free(&cfg);
		return 1;
	}
	if (FCGX_Init() != 0) {
		gk_log(&log, LOG_ERR, "FCGX_Init failed");
		gk_config_free(&cfg);
		return 1;
	}
	if (!o.workers_set) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o.workers = n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : n;
	}
	/* Started on fd 0 by mod_fcgid / lighttpd without --workers: they manage processes. */
	if (server_managed && !o.workers_set)
		rc = run_single(fd, &cfg, &log, &o);
	else
		rc = run_pool(fd, &cfg, &log, &o);
	gk_listener_remove(&own);
	gk_config_free(&cfg);
	return rc;
}
