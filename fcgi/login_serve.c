/* login_serve.c: gatekeep-login's FastCGI runtime: privilege drop, pre-forked pool, sandboxed request loop (the socket: lib/listener). */
#include <config.h>	/* autoconf's, not lib/config.h */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "fcgiloop.h"
#include "listener.h"
#include "login_serve.h"
#include "sandbox.h"

#define PROG "gatekeep-login"

extern char **environ;
#define STOP_GRACE_MS 5000

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define GK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define GK_SANITIZED 1
#endif
#endif

/* Set by signal handlers; the request loop checks them (wake_flag: either). */
static volatile sig_atomic_t stop_flag, reload_flag, wake_flag;

/* GATEKEEP_SECCOMP, read once in login_serve(); workers install the filter with it. */
static enum gk_sandbox_mode seccomp_mode = GK_SANDBOX_KILL;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- privileges and the sandbox ------------------------------------------- */

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

/*
 * What a login worker needs on top of lib/sandbox's list: link(2) for the lockout table
 * (created or quarantined at run time by link, never replacing).  Writing the database
 * (hash upgrade, OIDC users) is in the common list already.
 */
static const char *const extra_login[] = { "link", "linkat", NULL };

/*
 * With OIDC, libcurl talks to the provider (strace -f over tests/login_oidc.sh and DNS
 * look-ups): TCP sockets, its wake-up socketpair, and the threaded resolver of Debian's
 * libcurl: a thread per look-up (clone3/clone, set_robust_list, rseq) that reads
 * /etc/hosts and resolv.conf and asks over UDP (sendmmsg, ioctl FIONREAD, uname).
 * lib/sandbox's list allows these unconditionally; narrow() takes the arguments back.
 */
static const char *const extra_oidc[] = {
	"link", "linkat", "socket", "socketpair", "sendmmsg", "ioctl", "uname", "clone",
	"clone3", "set_robust_list", "rseq", NULL
};

#ifdef HAVE_SECCOMP
/*
 * A second filter, stacked on lib/sandbox's (the kernel applies the stricter answer of
 * both), allowing everything except: socket(2) of a family other than AF_UNIX, AF_INET and
 * AF_INET6 (EAFNOSUPPORT: glibc falls back when its netlink probe fails), ioctl(2) other
 * than FIONREAD (TIOCSTI on an inherited terminal would be an escape), clone(2) of anything
 * but a thread or with a namespace flag (a user namespace is kernel attack surface), and
 * clone3(2), whose flags a filter cannot see (ENOSYS: glibc falls back to clone).
 */
static int
narrow(enum gk_sandbox_mode mode, struct gk_err *err)
{
	static const unsigned long nsflags[] = {
		CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
		CLONE_NEWPID, CLONE_NEWNET
	};
	scmp_filter_ctx ctx;
	uint32_t deny;
	size_t i;
	int rc, fam;

	deny = mode == GK_SANDBOX_LOG ? SCMP_ACT_LOG : mode == GK_SANDBOX_TRAP ? SCMP_ACT_TRAP :
	    SCMP_ACT_KILL_PROCESS;
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return gk_err_set(err, "seccomp_init failed");
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_GT, AF_INET6));
	for (fam = 0; rc == 0 && fam < AF_INET6; fam++)
		if (fam != AF_UNIX && fam != AF_INET)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
			    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, deny, SCMP_SYS(ioctl), 1,
		    SCMP_A1(SCMP_CMP_NE, (scmp_datum_t)FIONREAD));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
#ifndef GK_SANITIZED
	/* (LeakSanitizer stops the world with a clone that is not a thread.) */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, deny, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
#endif
	for (i = 0; rc == 0 && i < sizeof(nsflags) / sizeof(nsflags[0]); i++)
		rc = seccomp_rule_add(ctx, deny, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, nsflags[i], nsflags[i]));
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0)
		return gk_err_set(err, "seccomp: %s", strerror(-rc));
	return GK_OK;
}
#endif

/* In a process that is about to serve requests: the seccomp allow-list. */
static int
enter_sandbox(const struct login_ctx *ctx)
{
	struct gk_err err = { "" };
	bool oidc = ctx->oidc != NULL;

	if (seccomp_mode == GK_SANDBOX_TRAP && gk_sandbox_trap_handler(&err) != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "%s", err.msg);
		return -1;
	}
#ifdef HAVE_SECCOMP
	/* First: the allow-list forbids seccomp(2) itself. */
	if (oidc && seccomp_mode != GK_SANDBOX_OFF && narrow(seccomp_mode, &err) != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "cannot install the seccomp filter: %s", err.msg);
		return -1;
	}
#endif
	if (gk_sandbox_seccomp(seccomp_mode, oidc ? extra_oidc : extra_login, &err) != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "cannot install the seccomp filter: %s", err.msg);
		return -1;
	}
	return 0;
}

/* --- signals -------------------------------------------------------------- */

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

/* --- one worker ----------------------------------------------------------- */

/* CONTENT_LENGTH as a bounded number; -1 when malformed. */
static long
content_length(const char *s)
{
	char *end;
	long n;

	if (s == NULL || *s == '\0')
		return 0;
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	return errno != 0 ? -1 : n;
}

/*
 * The request loop of one worker (lib/fcgiloop: every request is checked by lib/fcgiguard
 * before libfcgi parses it, FCGI_STDIN included because we read the form).  Returns when
 * told to stop or reload.
 */
static int
serve(int lfd, struct login_ctx *ctx)
{
	struct gk_fcgiloop l;
	struct gk_fcgiguard_limits lim;
	struct gk_err err = { "" };
	struct login_buf out;
	char *body;

	gk_fcgiguard_defaults(&lim);
	lim.want_stdin = true;
	lim.stdin_max = LOGIN_STDIN_MAX;
	if ((body = malloc(LOGIN_BODY_MAX + 1)) == NULL ||
	    gk_fcgiloop_init(&l, lfd, &lim, &wake_flag, &ctx->log, &err) != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "worker start failed: %s", err.msg[0] ? err.msg : "no memory");
		free(body);
		return -1;
	}
	login_buf_init(&out);
	while (!stop_flag && !reload_flag) {
		long n;
		int got = 0;
		bool too_large = false;

		if (gk_fcgiloop_next(&l) != GK_OK)
			continue;
		/* Per-request state starts empty every time (CVE-2011-2766 class). */
		n = content_length(FCGX_GetParam("CONTENT_LENGTH", l.rq.envp));
		if (n < 0 || n > LOGIN_BODY_MAX) {
			too_large = n > LOGIN_BODY_MAX;
			n = 0;
		}
		if (n > 0)
			got = FCGX_GetStr(body, (int)n, l.rq.in);
		if (got < 0)
			got = 0;
		body[got] = '\0';
		login_buf_reset(&out);
		login_handle(ctx, l.rq.envp, body, (size_t)got, too_large, &out);
		gk_wipe(body, LOGIN_BODY_MAX + 1);
		if (!out.failed)
			FCGX_PutStr(out.p, (int)out.len, l.rq.out);
		gk_fcgiloop_finish(&l);
	}
	gk_fcgiloop_free(&l);
	login_buf_free(&out);
	free(body);
	return 0;
}

/* --- configuration -------------------------------------------------------- */

/* A fresh context on the heap (login_oidc keeps pointers into it: never copied). */
static struct login_ctx *
ctx_load(const struct login_opts *o, struct gk_err *err)
{
	struct login_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL) {
		gk_err_set(err, "out of memory");
		return NULL;
	}
	if (login_ctx_init(ctx, o->config, err) != GK_OK) {
		login_ctx_free(ctx);
		free(ctx);
		return NULL;
	}
	if (o->debug)
		gk_log_init(&ctx->log, PROG, GK_LOG_STDERR, LOG_DEBUG);
	return ctx;
}

static void
ctx_drop(struct login_ctx *ctx)
{
	if (ctx != NULL) {
		login_ctx_free(ctx);
		free(ctx);
	}
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
	struct login_ctx *ctx;
	sigset_t mask;          /* the signals the parent waits for */
};

static void
spawn(struct pool *p, struct slot *s)
{
	pid_t pid = fork();

	if (pid < 0) {
		gk_log(&p->ctx->log, LOG_ERR, "fork: %s", strerror(errno));
		s->respawn_at = now_ms() + 1000;
		return;
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
		if (enter_sandbox(p->ctx) != 0)
			_exit(1);
		_exit(serve(p->fd, p->ctx) == 0 ? 0 : 1);
	}
	s->pid = pid;
	s->started = now_ms();
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
				gk_log(&p->ctx->log, LOG_ERR, "worker %ld killed by signal %d",
				    (long)pid, WTERMSIG(status));
			else
				gk_log(&p->ctx->log, LOG_ERR, "worker %ld exited with status %d",
				    (long)pid, WEXITSTATUS(status));
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
	size_t i;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	kill_all(p, SIGTERM);
	while (alive(p) > 0 && now_ms() < deadline) {
		struct timespec ts = { 0, 50 * 1000000L };

		sigtimedwait(&chld, NULL, &ts);
		reap(p);
		/* Empty slots must not be refilled now. */
		for (i = 0; i < p->n; i++)
			p->slots[i].respawn_at = INT64_MAX;
	}
	if (alive(p) > 0) {
		kill_all(p, SIGKILL);
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
}

static int
run_pool(int fd, struct login_ctx **ctxp, const struct login_opts *o)
{
	struct pool p;
	struct gk_err err = { "" };
	size_t i;

	memset(&p, 0, sizeof(p));
	p.fd = fd;
	p.ctx = *ctxp;
	p.n = (size_t)o->workers;
	if ((p.slots = calloc(p.n, sizeof(*p.slots))) == NULL ||
	    (p.retiring = calloc(p.n, sizeof(*p.retiring))) == NULL) {
		gk_log(&p.ctx->log, LOG_ERR, "out of memory");
		free(p.slots);
		return 1;
	}
	sigemptyset(&p.mask);
	sigaddset(&p.mask, SIGCHLD);
	sigaddset(&p.mask, SIGTERM);
	sigaddset(&p.mask, SIGINT);
	sigaddset(&p.mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &p.mask, NULL);
	gk_log(&p.ctx->log, LOG_INFO, "starting %zu workers", p.n);
	for (;;) {
		int64_t now = now_ms(), next = now + 1000;
		struct login_ctx *fresh;
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
			gk_log(&p.ctx->log, LOG_INFO, "stopping on signal %d", sig);
			stop_pool(&p);
			break;
		} else if (sig == SIGHUP) {
			if ((fresh = ctx_load(o, &err)) == NULL) {
				gk_log(&p.ctx->log, LOG_ERR,
				    "reload failed, keeping the running configuration: %s", err.msg);
				continue;
			}
			/* Replace the workers: new ones start with the new context. */
			for (i = 0; i < p.n; i++) {
				if (p.slots[i].pid > 0) {
					kill(p.slots[i].pid, SIGTERM);
					p.retiring[p.nretiring++] = p.slots[i].pid;
				}
				p.slots[i].pid = 0;
				p.slots[i].respawn_at = 0;
				p.slots[i].fast_deaths = 0;
			}
			ctx_drop(p.ctx);
			p.ctx = *ctxp = fresh;
			gk_log(&p.ctx->log, LOG_INFO, "configuration reloaded");
		}
	}
	free(p.slots);
	free(p.retiring);
	return 0;
}

/* One process, no pool: the web server (mod_fcgid, lighttpd, spawn-fcgi) manages processes. */
static int
run_single(int fd, struct login_ctx **ctxp, const struct login_opts *o)
{
	struct gk_err err = { "" };
	struct login_ctx *fresh;

	set_handler(SIGTERM, on_stop);
	set_handler(SIGINT, on_stop);
	set_handler(SIGUSR1, on_stop);  /* mod_fcgid's graceful stop */
	set_handler(SIGHUP, on_reload);
	/* This process is the worker: filter it, reloads included. */
	if (enter_sandbox(*ctxp) != 0)
		return 1;
	for (;;) {
		if (serve(fd, *ctxp) != 0)
			return 1;
		if (stop_flag)
			return 0;
		if (reload_flag) {
			reload_flag = 0;
			wake_flag = 0;
			if ((fresh = ctx_load(o, &err)) == NULL) {
				gk_log(&(*ctxp)->log, LOG_ERR,
				    "reload failed, keeping the running configuration: %s", err.msg);
				continue;
			}
			ctx_drop(*ctxp);
			*ctxp = fresh;
			gk_log(&fresh->log, LOG_INFO, "configuration reloaded");
		}
	}
}

/* --- start-up ------------------------------------------------------------- */

/*
 * The order of gatekeep-authz(8): descriptors, configuration and log, the socket (as root:
 * /run, --socket-owner), the privilege drop and no_new_privs, then everything a request
 * needs is loaded as run_user (the lockout table must belong to the user that writes it),
 * and each serving process installs the seccomp filter before its first accept.
 */
int
login_serve(const struct login_opts *o)
{
	struct gk_config boot;
	struct gk_log log;
	struct gk_err err = { "" };
	struct gk_own_socket own;
	struct gk_listen_opts lo = { .prog = PROG, .listen = o->listen, .owner = o->owner,
	    .mode = o->mode, .loopback_only = true };
	struct login_ctx *ctx;
	bool server_managed;
	int fd, rc;

	if (gk_listener_sanitize_fds(&err) != GK_OK)
		_exit(1);       /* silently: stderr may be the descriptor that is missing */
	if (gk_sandbox_mode_parse(getenv("GATEKEEP_SECCOMP"), &seccomp_mode, &err) != GK_OK) {
		fprintf(stderr, PROG ": %s\n", err.msg);
		return 1;
	}
	/* Only for run_user, run_group and the log: the rest is loaded after the drop. */
	memset(&boot, 0, sizeof(boot));
	if (gk_config_load(&boot, o->config, environ, &err) != GK_OK) {
		fprintf(stderr, PROG ": %s\n", err.msg);
		gk_config_free(&boot);
		return 1;
	}
	gk_log_init(&log, PROG, o->debug ? GK_LOG_STDERR : (enum gk_log_target)boot.log_target,
	    o->debug ? LOG_DEBUG : boot.log_level);
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
		fprintf(stderr, PROG ": %s\n", err.msg);
		gk_config_free(&boot);
		return 1;
	}
	rc = reduce_privileges(&boot, &log);
	gk_config_free(&boot);
	if (rc != 0)
		goto out;
	rc = 1;
	if ((ctx = ctx_load(o, &err)) == NULL) {
		gk_log(&log, LOG_ERR, "%s", err.msg);
		goto out;
	}
	if (FCGX_Init() != 0) {
		gk_log(&ctx->log, LOG_ERR, "FCGX_Init failed");
		ctx_drop(ctx);
		goto out;
	}
	gk_log(&ctx->log, LOG_INFO, "FastCGI responder ready");
	/* Started on fd 0 by mod_fcgid / lighttpd / spawn-fcgi without --workers: they manage processes. */
	if (server_managed && !o->workers_set) {
		rc = run_single(fd, &ctx, o);
	} else {
		struct login_opts po = *o;

		if (!po.workers_set) {
			long n = sysconf(_SC_NPROCESSORS_ONLN);

			po.workers = n < 1 ? 1 : n > LOGIN_WORKERS_MAX ? LOGIN_WORKERS_MAX : n;
		}
		rc = run_pool(fd, &ctx, &po);
	}
	ctx_drop(ctx);
out:
	gk_listener_remove(&own);
	return rc;
}
