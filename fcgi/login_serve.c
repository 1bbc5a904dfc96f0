/* login_serve.c: gatekeep-login's part of lib/server: its sandbox profile, its request loop, its context and reload. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <fcgiapp.h>

#include "fcgiloop.h"
#include "login_ctx.h"
#include "login_serve.h"
#include "metrics_start.h"
#include "prefork.h"
#include "server.h"

#define PROG "gatekeep-login"

/* The process's state, behind lib/server's arg. */
struct login_state {
	const struct gk_server_opts *o;
	struct login_ctx *ctx;  /* replaced on reload */
};

/* --- the sandbox ---------------------------------------------------------- */

/*
 * What a login worker needs on top of lib/sandbox's list: link(2) for the lockout table
 * (created or quarantined at run time by link, never replacing).  Writing the database
 * (hash upgrade, OIDC users) is in the common list already.
 */
static const char *const extra_login[] = { "link", "linkat", NULL };
/* The same with a state store over TCP (state_backend = redis, redis://): socket(2), narrowed. */
static const char *const extra_login_inet[] = { "link", "linkat", "socket", NULL };

/*
 * With OIDC, libcurl talks to the provider (strace -f over tests/login_oidc.sh and DNS
 * look-ups): TCP sockets, its wake-up socketpair, and the threaded resolver of Debian's
 * libcurl: a thread per look-up (clone3/clone, set_robust_list, rseq) that reads
 * /etc/hosts and resolv.conf and asks over UDP (sendmmsg, ioctl FIONREAD, uname).
 * lib/sandbox's list allows these unconditionally; gk_sandbox_resolver_narrow() takes the
 * arguments back.
 */
static const char *const extra_oidc[] = {
	"link", "linkat", "socket", "socketpair", "sendmmsg", "ioctl", "uname", "clone",
	"clone3", "set_robust_list", "rseq", NULL
};

/*
 * gatekeep-login's sandbox profile (spec->sandbox of lib/server): with OIDC,
 * gk_sandbox_resolver_narrow() first (lib/sandbox's allow-list forbids seccomp(2) itself),
 * then the extra calls.
 */
static int
sandbox_profile(void *arg, enum gk_sandbox_mode mode, const char *const **extra,
    struct gk_err *err)
{
	/* OIDC and LDAP directory users (lib/ldapusers) both need TCP sockets */
	bool oidc = ((struct login_state *)arg)->ctx->oidc != NULL ||
	    ((struct login_state *)arg)->ctx->cfg.user_backend == GK_USERBACKEND_LDAP;

	if (oidc && gk_sandbox_resolver_narrow(mode, err) != GK_OK)
		return GK_ERR;
	if (!oidc && ((struct login_state *)arg)->ctx->cfg.state_backend == GK_STATE_BACKEND_REDIS &&
	    strncmp(((struct login_state *)arg)->ctx->cfg.redis_url, "redis://", 8) == 0) {
		*extra = extra_login_inet;
		return gk_sandbox_inet_narrow(mode, err);
	}
	*extra = oidc ? extra_oidc : extra_login;
	return GK_OK;
}

/* --- one worker ----------------------------------------------------------- */

/*
 * The request loop of one worker (lib/fcgiloop: every request is checked by lib/fcgiguard
 * before libfcgi parses it, FCGI_STDIN included because we read the form); spec->serve of
 * lib/server.  Returns when told to stop or reload.
 */
static int
serve(void *arg, int fd, unsigned workers)
{
	struct login_ctx *ctx = ((struct login_state *)arg)->ctx;
	struct gk_fcgiloop l;
	struct gk_fcgiguard_limits lim;
	struct gk_err err = { "" };
	struct login_buf out;
	char *body;

	(void)workers;
	gk_fcgiguard_defaults(&lim);
	lim.want_stdin = true;
	lim.stdin_max = LOGIN_STDIN_MAX;
	if ((body = malloc(LOGIN_BODY_MAX + 1)) == NULL ||
	    gk_fcgiloop_init(&l, fd, &lim, gk_server_wake(), &ctx->log, &err) != GK_OK) {
		gk_log(&ctx->log, LOG_ERR, "worker start failed: %s", err.msg[0] ? err.msg : "no memory");
		free(body);
		return -1;
	}
	login_buf_init(&out);
	while (gk_server_running()) {
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
	return gk_server_served();
}

/* --- the context: loaded as run_user, replaced on reload ------------------- */

/* A fresh context on the heap (login_oidc keeps pointers into it: never copied). */
static struct login_ctx *
ctx_load(const struct gk_server_opts *o, struct gk_err *err)
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
	if (o->debug) {
		gk_log_init(&ctx->log, PROG, GK_LOG_STDERR, LOG_DEBUG);
		gk_log_set_format(&ctx->log, (enum gk_log_format)ctx->cfg.log_format);
	}
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

/* After the drop: everything a request needs, loaded as run_user (the lockout table must belong to the user that writes it). */
static int
start(void *arg, struct gk_config *boot, struct gk_err *err)
{
	struct login_state *st = arg;

	(void)boot;     /* only for run_user, run_group and the log: the rest is loaded here */
	if ((st->ctx = ctx_load(st->o, err)) == NULL)
		return GK_ERR;
	gk_metrics_start(&st->ctx->cfg, true, &st->ctx->log);  /* state_dir/metrics-login */
	gk_log(&st->ctx->log, LOG_NOTICE, "FastCGI responder ready");
	return GK_OK;
}

/* SIGHUP: a new context, or the old one kept (new workers start with the new one). */
static int
reload(void *arg, struct gk_err *err)
{
	struct login_state *st = arg;
	struct login_ctx *fresh;

	if ((fresh = ctx_load(st->o, err)) == NULL)
		return GK_ERR;
	ctx_drop(st->ctx);
	st->ctx = fresh;
	return GK_OK;
}

static const struct gk_log *
current_log(void *arg)
{
	return &((struct login_state *)arg)->ctx->log;
}

static void
stop(void *arg)
{
	ctx_drop(((struct login_state *)arg)->ctx);     /* a reload may have replaced it */
}

/* --- start-up ------------------------------------------------------------- */

/* The lockout table and the counters: lib/statedir makes state_dir for run_user as root. */
static bool
wants_state_dir(const struct gk_config *boot)
{
	(void)boot;
	return true;
}

int
login_serve(const struct gk_server_opts *o)
{
	struct login_state st = { .o = o, .ctx = NULL };
	struct gk_server_spec spec = { .prog = PROG, .opts = *o, .validate = false,
	    .loopback_only = true, .workers_max = LOGIN_WORKERS_MAX, .libfcgi = true, .arg = &st,
	    .wants_state_dir = wants_state_dir, .prepare = NULL, .start = start, .sandbox = sandbox_profile, .serve = serve,
	    .reload = reload, .log = current_log, .stop = stop };

	return gk_server_run(&spec);
}
