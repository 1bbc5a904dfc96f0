/* login_serve.c: gatekeep-login's FastCGI runtime: privilege drop, sandboxed request loop (the socket: lib/listener, the pool: lib/prefork). */
#include <config.h>

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
#include <unistd.h>

#include <fcgiapp.h>

#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "fcgiloop.h"
#include "listener.h"
#include "login_serve.h"
#include "prefork.h"
#include "sandbox.h"

#define PROG "gatekeep-login"

extern char **environ;

/* Set by signal handlers; the request loop checks them (wake_flag: either). */
static volatile sig_atomic_t stop_flag, reload_flag, wake_flag;

/* GATEKEEP_SECCOMP, read once in login_serve(); workers install the filter with it. */
static enum gk_sandbox_mode seccomp_mode = GK_SANDBOX_KILL;

/* What the callbacks of lib/prefork work on (its arg). */
struct login_run {
	int fd;
	struct login_ctx *ctx;  /* replaced on reload */
	const struct login_opts *o;
};

/* --- the sandbox ---------------------------------------------------------- */

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
enter_sandbox(void *arg)
{
	const struct login_ctx *ctx = ((struct login_run *)arg)->ctx;
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

/* --- one worker ----------------------------------------------------------- */

/*
 * The request loop of one worker (lib/fcgiloop: every request is checked by lib/fcgiguard
 * before libfcgi parses it, FCGI_STDIN included because we read the form); ops->serve of
 * lib/prefork.  Returns when told to stop or reload.
 */
static int
serve(void *arg)
{
	const struct login_run *r = arg;
	struct login_ctx *ctx = r->ctx;
	struct gk_fcgiloop l;
	struct gk_fcgiguard_limits lim;
	struct gk_err err = { "" };
	struct login_buf out;
	char *body;

	gk_fcgiguard_defaults(&lim);
	lim.want_stdin = true;
	lim.stdin_max = LOGIN_STDIN_MAX;
	if ((body = malloc(LOGIN_BODY_MAX + 1)) == NULL ||
	    gk_fcgiloop_init(&l, r->fd, &lim, &wake_flag, &ctx->log, &err) != GK_OK) {
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
		n = login_content_length(FCGX_GetParam("CONTENT_LENGTH", l.rq.envp));
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
	if (stop_flag)
		return GK_PREFORK_STOP;
	reload_flag = 0;
	wake_flag = 0;
	return GK_PREFORK_RELOAD;
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

/* --- reload (lib/prefork runs the pool or the single process) ------------- */

/* SIGHUP: a new context, or the old one kept (new workers start with the new one). */
static int
reload(void *arg, struct gk_err *err)
{
	struct login_run *r = arg;
	struct login_ctx *fresh;

	if ((fresh = ctx_load(r->o, err)) == NULL)
		return GK_ERR;
	ctx_drop(r->ctx);
	r->ctx = fresh;
	return GK_OK;
}

static const struct gk_log *
current_log(void *arg)
{
	return &((struct login_run *)arg)->ctx->log;
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
	struct login_run run;
	struct gk_prefork_ops ops = { .arg = &run, .on_stop = on_stop, .on_reload = on_reload,
	    .sandbox = enter_sandbox, .serve = serve, .reload = reload, .log = current_log };
	bool server_managed, as_root;
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
	rc = gk_sandbox_pick_user(&boot.run_user, &err);
	if (rc == GK_OK)
		rc = gk_sandbox_reduce(boot.run_user, boot.run_group, &as_root, &err);
	gk_config_free(&boot);
	if (rc != GK_OK) {
		gk_log(&log, LOG_ERR, "%s", err.msg);
		rc = 1;
		goto out;
	}
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
	run = (struct login_run){ .fd = fd, .ctx = ctx, .o = o };
	/* Started on fd 0 by mod_fcgid / lighttpd / spawn-fcgi without --workers: they manage processes. */
	if (server_managed && !o->workers_set) {
		rc = gk_prefork_single(&ops) == GK_OK ? 0 : 1;
	} else {
		long n = o->workers;

		if (!o->workers_set) {
			n = sysconf(_SC_NPROCESSORS_ONLN);
			n = n < 1 ? 1 : n > LOGIN_WORKERS_MAX ? LOGIN_WORKERS_MAX : n;
		}
		rc = gk_prefork_run((size_t)n, &ops) == GK_OK ? 0 : 1;
	}
	ctx_drop(run.ctx);      /* a reload may have replaced ctx */
out:
	gk_listener_remove(&own);
	return rc;
}
