/* authz_serve.c: gatekeep-authz's part of lib/server: the worker loops (event core or libfcgi), start-up and reload. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <sys/socket.h>

#include <fcgiapp.h>
#include <fastcgi.h>

#include "authz_answer.h"
#include "authz_chain.h"
#include "authz_decide.h"
#include "authz_serve.h"
#include "evloop.h"
#include "fcgiguard.h"
#include "fcgiloop.h"
#include "log.h"
#include "metrics_start.h"
#include "opsanswer.h"
#include "policy.h"
#include "prefork.h"
#include "sandbox.h"

extern char **environ;

/* One worker's decision state, for the event core's handler. */
struct authz_worker {
	const struct gk_config *cfg;
	struct gk_authz a;
	struct gk_decision *d;
};

static enum gk_role
role_of(int fcgi_role)
{
	switch (fcgi_role) {
	case FCGI_RESPONDER:
		return GK_ROLE_RESPONDER;
	case FCGI_AUTHORIZER:
		return GK_ROLE_AUTHORIZER;
	case FCGI_FILTER:
		return GK_ROLE_FILTER;
	default:
		return GK_ROLE_UNKNOWN;
	}
}

/* The event core's handler (lib/evloop): decide, write the answer, log the decision. */
static size_t
answer_request(void *arg, const struct gk_fcgiconn_request *rq, char *out, size_t outsz)
{
	struct authz_worker *w = arg;
	size_t n;

	if ((n = gk_ops_answer(w->cfg, w->a.log, rq->role == FCGI_RESPONDER, rq->envp, out,
	    outsz)) > 0)
		return n;       /* metrics_path, health_path, ready_path: lib/opsanswer */
	gk_authz_decide(&w->a, role_of(rq->role), rq->envp, w->d);
	n = gk_authz_answer(w->cfg, w->d, out, outsz);
	gk_authz_log(&w->a, w->d);
	gk_authz_decision_wipe(w->d);
	return n;
}

/*
 * The event core (lib/evloop, lib/fcgiconn): each worker serves many connections, a request
 * as soon as its PARAMS are in; libfcgi is not on this path at all.
 */
static int
serve_events(const struct authz_state *st, int fd, unsigned workers)
{
	struct authz_worker w = { .cfg = &st->cfg };
	struct gk_evloop_conf ec;
	struct gk_err err = { "" };
	int rc;

	if ((w.d = calloc(1, sizeof(*w.d))) == NULL ||
	    gk_authz_init(&w.a, &st->cfg, &st->log, &err) != GK_OK) {
		gk_log(&st->log, LOG_ERR, "worker start failed: %s", err.msg[0] ? err.msg : "no memory");
		free(w.d);
		return -1;
	}
	memset(&ec, 0, sizeof(ec));
	ec.lfd = fd;
	ec.http = st->http_fd >= 0;
	ec.http_lfd = st->http_fd;
	ec.max_conns = st->conns_max;
	ec.workers = workers;
	gk_fcgiguard_defaults(&ec.lim);
	ec.answer_max = GK_OPS_ANSWER_MAX;
	ec.handler = answer_request;
	ec.arg = &w;
	ec.cancel = gk_server_wake();
	ec.log = &st->log;
	ec.hash_memo_ttl = st->cfg.basic_cache_ttl;
	rc = gk_evloop_run(&ec, &err);
	gk_log_unhold();        /* the last wake-up's lines: the worker ends with _exit */
	if (rc != GK_OK)
		gk_log(&st->log, LOG_ERR, "worker stopped: %s", err.msg);
	gk_authz_free(&w.a);
	free(w.d);
	if (rc != GK_OK)
		return -1;
	return gk_server_served();
}

/*
 * One worker (spec->serve of lib/server); returns when told to stop or reload.  The event
 * core unless --core libfcgi: then the earlier loop, where libfcgi must never parse bytes
 * we have not checked (CVE-2025-23016, see lib/fcgiguard.h): lib/fcgiloop accepts, waits
 * until gk_fcgiguard_wait() has seen a valid BEGIN_REQUEST + PARAMS, and only then hands
 * the connection to libfcgi (see lib/fcgiloop.h).
 */
static int
serve(void *arg, int fd, unsigned workers)
{
	const struct authz_state *st = arg;
	const struct gk_config *cfg = &st->cfg;
	const struct gk_log *log = &st->log;
	struct gk_fcgiloop l;
	struct gk_authz a;
	struct gk_decision *d;
	struct gk_fcgiguard_limits lim;
	char *ans;
	struct gk_err err = { "" };
	bool loop_ok;

	if (!st->o->libfcgi_core)
		return serve_events(st, fd, workers);
	gk_fcgiguard_defaults(&lim);
	d = calloc(1, sizeof(*d));
	ans = malloc(GK_OPS_ANSWER_MAX);
	loop_ok = gk_fcgiloop_init(&l, fd, &lim, gk_server_wake(), log, &err) == GK_OK;
	/* nginx's auth_request turns any answer but 2xx, 401 and 403 into a 500 */
	l.status_params = l.status_stdin = l.status_bad = 403;
	if (d == NULL || ans == NULL || !loop_ok ||
	    gk_authz_init(&a, cfg, log, &err) != GK_OK) {
		gk_log(log, LOG_ERR, "worker start failed: %s", err.msg[0] ? err.msg : "no memory");
		if (loop_ok)
			gk_fcgiloop_free(&l);
		free(d);
		free(ans);
		return -1;
	}
	while (gk_server_running()) {
		size_t n;

		if (gk_fcgiloop_next(&l) != GK_OK)
			continue;
		if ((n = gk_ops_answer(cfg, log, l.rq.role == FCGI_RESPONDER, l.rq.envp, ans,
		    GK_OPS_ANSWER_MAX)) > 0) {
			FCGX_PutStr(ans, (int)n, l.rq.out);
			gk_fcgiloop_finish(&l);
			continue;
		}
		gk_authz_decide(&a, role_of(l.rq.role), l.rq.envp, d);
		n = gk_authz_answer(cfg, d, ans, GK_ANSWER_MAX);
		FCGX_PutStr(ans, (int)n, l.rq.out);
		gk_authz_log(&a, d);
		gk_fcgiloop_finish(&l);
		gk_authz_decision_wipe(d);
	}
	gk_fcgiloop_free(&l);
	gk_authz_free(&a);
	free(d);
	free(ans);
	return gk_server_served();
}

static void
log_setup(struct authz_state *st)
{
	gk_log_init(&st->log, AUTHZ_PROG,
	    st->o->srv.debug ? GK_LOG_STDERR : (enum gk_log_target)st->cfg.log_target,
	    st->o->srv.debug ? LOG_DEBUG : st->cfg.log_level);
	gk_log_set_format(&st->log, (enum gk_log_format)st->cfg.log_format);
}

/* lib/statedir makes state_dir for run_user (a failure stops the start) for the lockout table. */
static bool
authz_wants_state_dir(const struct gk_config *boot)
{
	return authz_lockout_wanted(boot);
}

/* As root, before the drop: state_dir for the counters alone (never fatal), the lockout table checked. */
static int
prepare(void *arg, struct gk_config *boot, const struct gk_log *log, struct gk_err *err)
{
	struct authz_state *st = arg;
	const struct authz_opts *o = st->o;

	/*
	 * --http-listen: the second socket, made like the first (its mode and owner), TCP on
	 * loopback only: whoever connects states REMOTE_ADDR, as over FastCGI (lib/httpconn.h).
	 */
	if (o->http_listen != NULL) {
		struct gk_listen_opts lo = { .prog = AUTHZ_PROG, .listen = o->http_listen,
		    .owner = o->srv.owner, .mode = o->srv.mode, .loopback_only = true,
		    .option = "--http-listen" };
		bool managed;

		if (gk_listener_get(&lo, &st->http_own, &st->http_fd, &managed, err) != GK_OK)
			return GK_ERR;
	}
	gk_metrics_prepare(boot, log);
	return gk_authz_prepare(boot, log, err);
}

/* gk_config_warnings' lines, at start-up and after each reload. */
static void
warn_config(void *arg, const char *msg)
{
	gk_log(arg, LOG_WARNING, "%s", msg);
}

/* The validated boot configuration is the one requests use. */
static int
start(void *arg, struct gk_config *boot, struct gk_err *err)
{
	struct authz_state *st = arg;

	(void)err;
	st->cfg = *boot;
	memset(boot, 0, sizeof(*boot));
	log_setup(st);
	gk_config_warnings(&st->cfg, warn_config, &st->log);
	gk_metrics_start(&st->cfg, false, &st->log);    /* before fork: one file, every worker */
	st->conns_max = gk_evloop_conns_cap(0);
	return GK_OK;
}

/* SIGHUP: the new configuration, or the old one kept (new workers start with the new one). */
static int
reload(void *arg, struct gk_err *err)
{
	struct authz_state *st = arg;
	struct gk_config newcfg;

	memset(&newcfg, 0, sizeof(newcfg));
	if (gk_config_load(&newcfg, st->o->srv.config, environ, err) != GK_OK ||
	    gk_config_validate(&newcfg, err) != GK_OK) {
		gk_config_free(&newcfg);
		return GK_ERR;
	}
	gk_config_free(&st->cfg);
	st->cfg = newcfg;
	log_setup(st);
	gk_config_warnings(&st->cfg, warn_config, &st->log);
	return GK_OK;
}

static const struct gk_log *
current_log(void *arg)
{
	return &((struct authz_state *)arg)->log;
}

static void
stop(void *arg)
{
	struct authz_state *st = arg;

	gk_listener_remove(&st->http_own);
	gk_config_free(&st->cfg);
}

/*
 * With user_backend = ldap a worker talks to the directory (lib/ldapusers): TCP sockets
 * (lib/sandbox allows only AF_UNIX ones) and uname(2) (found with GATEKEEP_SECCOMP=trap over
 * tests/ldap_nginx.sh).
 */
static const char *const extra_ldap[] = { "socket", "uname", NULL };

/*
 * A directory or a state store over TCP (user_backend = ldap; state_backend = redis,
 * redis://...): TCP sockets, no other family (gk_sandbox_inet_narrow).
 */
static int
sandbox_profile(void *arg, enum gk_sandbox_mode mode, const char *const **extra,
    struct gk_err *err)
{
	const struct gk_config *cfg = &((struct authz_state *)arg)->cfg;
	bool ldap = cfg->user_backend == GK_USERBACKEND_LDAP;
	bool redis_tcp = cfg->state_backend == GK_STATE_BACKEND_REDIS &&
	    strncmp(cfg->redis_url, "redis://", 8) == 0;

	if (!ldap && !redis_tcp)
		return GK_OK;
	*extra = ldap ? extra_ldap : gk_sandbox_extra_inet;    /* extra_ldap has socket too */
	return gk_sandbox_inet_narrow(mode, err);
}

void
authz_server_spec(struct gk_server_spec *spec, struct authz_state *st, const struct authz_opts *o)
{
	memset(st, 0, sizeof(*st));
	st->o = o;
	st->http_fd = -1;
	*spec = (struct gk_server_spec){ .prog = AUTHZ_PROG, .opts = o->srv, .validate = true,
	    .loopback_only = false, .workers_max = AUTHZ_WORKERS_MAX, .libfcgi = true,
	    .multiplexing = !o->libfcgi_core, .arg = st,
	    .wants_state_dir = authz_wants_state_dir, .prepare = prepare, .start = start,
	    .sandbox = sandbox_profile, .serve = serve,
	    .reload = reload, .log = current_log, .stop = stop };
}
