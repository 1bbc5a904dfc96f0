/* authz_main.c: gatekeep-authz: options, start-up, the worker and its signals (the socket: lib/listener, the pool: lib/prefork). */
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
#include <unistd.h>

#include <fcgiapp.h>
#include <fastcgi.h>

#include "authz_answer.h"
#include "authz_decide.h"
#include "evloop.h"
#include "fcgiguard.h"
#include "fcgiloop.h"
#include "listener.h"
#include "policy.h"	/* and through it lib/config.h */
#include "log.h"
#include "metrics.h"
#include "opsanswer.h"
#include "prefork.h"
#include "sandbox.h"

#define PROG "gatekeep-authz"
#define WORKERS_MAX 256

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
	bool health;            /* --health: the readiness checks, as an exit status */
	bool libfcgi_core;      /* --core libfcgi: one blocking connection per worker */
};

/* What the callbacks of lib/prefork work on (its arg). */
struct authz_run {
	int fd;
	struct gk_config *cfg;  /* replaced on reload */
	struct gk_log *log;
	const struct opts *o;
	size_t conns_max;       /* per worker, event core */
	unsigned workers;
};

/* One worker's decision state, for the event core's handler. */
struct authz_worker {
	const struct gk_config *cfg;
	struct gk_authz a;
	struct gk_decision *d;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [-c FILE] [--listen unix:PATH|tcp:HOST:PORT] [--socket-mode MODE]\n"
	    "       [--socket-owner USER[:GROUP]] [--workers N] [--core event|libfcgi]\n"
	    "       [-d|--debug] [--check-config] [--health]\n"
	    "       [--help] [--version]\n");
}

/* In a process that is about to serve requests: the seccomp allow-list. */
static int
enter_sandbox(void *arg)
{
	const struct gk_log *log = ((struct authz_run *)arg)->log;
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
	gk_wipe(w->d, sizeof(*w->d));
	return n;
}

/*
 * The event core (lib/evloop, lib/fcgiconn): each worker serves many connections, a request
 * as soon as its PARAMS are in; libfcgi is not on this path at all.
 */
static int
serve_events(const struct authz_run *r)
{
	struct authz_worker w = { .cfg = r->cfg };
	struct gk_evloop_conf ec;
	struct gk_err err = { "" };
	int rc;

	if ((w.d = malloc(sizeof(*w.d))) == NULL ||
	    gk_authz_init(&w.a, r->cfg, r->log, &err) != GK_OK) {
		gk_log(r->log, LOG_ERR, "worker start failed: %s", err.msg[0] ? err.msg : "no memory");
		free(w.d);
		return -1;
	}
	memset(&ec, 0, sizeof(ec));
	ec.lfd = r->fd;
	ec.max_conns = r->conns_max;
	ec.workers = r->workers;
	gk_fcgiguard_defaults(&ec.lim);
	ec.answer_max = GK_OPS_ANSWER_MAX;
	ec.handler = answer_request;
	ec.arg = &w;
	ec.cancel = &wake_flag;
	ec.log = r->log;
	rc = gk_evloop_run(&ec, &err);
	if (rc != GK_OK)
		gk_log(r->log, LOG_ERR, "worker stopped: %s", err.msg);
	gk_authz_free(&w.a);
	free(w.d);
	if (rc != GK_OK)
		return -1;
	if (stop_flag)
		return GK_PREFORK_STOP;
	reload_flag = 0;
	wake_flag = 0;
	return GK_PREFORK_RELOAD;
}

/*
 * One worker (ops->serve of lib/prefork); returns when told to stop or reload.  The event
 * core unless --core libfcgi: then the earlier loop, where libfcgi must never parse bytes
 * we have not checked (CVE-2025-23016, see lib/fcgiguard.h): lib/fcgiloop accepts, waits
 * until gk_fcgiguard_wait() has seen a valid BEGIN_REQUEST + PARAMS, and only then hands
 * the connection to libfcgi (see lib/fcgiloop.h).
 */
static int
serve(void *arg)
{
	const struct authz_run *r = arg;
	const struct gk_config *cfg = r->cfg;
	const struct gk_log *log = r->log;
	struct gk_fcgiloop l;
	struct gk_authz a;
	struct gk_decision *d;
	struct gk_fcgiguard_limits lim;
	char *ans;
	struct gk_err err = { "" };
	bool loop_ok;

	if (!r->o->libfcgi_core)
		return serve_events(r);
	gk_fcgiguard_defaults(&lim);
	d = malloc(sizeof(*d));
	ans = malloc(GK_OPS_ANSWER_MAX);
	loop_ok = gk_fcgiloop_init(&l, r->fd, &lim, &wake_flag, log, &err) == GK_OK;
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
	while (!stop_flag && !reload_flag) {
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
		gk_wipe(d, sizeof(*d));
	}
	gk_fcgiloop_free(&l);
	gk_authz_free(&a);
	free(d);
	free(ans);
	if (stop_flag)
		return GK_PREFORK_STOP;
	reload_flag = 0;
	wake_flag = 0;
	return GK_PREFORK_RELOAD;
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
	gk_log_set_format(log, (enum gk_log_format)cfg->log_format);
}

/* SIGHUP: the new configuration, or the old one kept (new workers start with the new one). */
static int
reload(void *arg, struct gk_err *err)
{
	struct authz_run *r = arg;
	struct gk_config newcfg;

	if (load_config(&newcfg, r->o->config, err) != GK_OK)
		return GK_ERR;
	gk_config_free(r->cfg);
	*r->cfg = newcfg;
	log_setup(r->log, r->cfg, r->o->debug);
	return GK_OK;
}

static const struct gk_log *
current_log(void *arg)
{
	return ((struct authz_run *)arg)->log;
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
		{ "core", required_argument, NULL, 'k' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "health", no_argument, NULL, 'H' },
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
		case 'k':
			if (strcmp(optarg, "event") != 0 && strcmp(optarg, "libfcgi") != 0) {
				fprintf(stderr, PROG ": --core %s: event or libfcgi\n", optarg);
				return 2;
			}
			o->libfcgi_core = strcmp(optarg, "libfcgi") == 0;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'C':
			o->check = true;
			break;
		case 'H':
			o->health = true;
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
	struct authz_run run;
	struct gk_prefork_ops ops;
	bool server_managed, as_root;
	int fd, rc;

	if (gk_listener_sanitize_fds(&err) != GK_OK)
		_exit(1);       /* silently: stderr may be the descriptor that is missing */
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (load_config(&cfg, o.config, &err) != GK_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	if (o.health) {
		rc = gk_ops_ready(&cfg, &err) == GK_OK;
		if (rc)
			puts("ready");
		else
			printf("not ready: %s\n", err.msg);
		gk_config_free(&cfg);
		return rc ? 0 : 1;
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
	if (gk_sandbox_pick_user(&cfg.run_user, &err) != GK_OK ||
	    gk_authz_prepare(&cfg, &log, &err) != GK_OK) {
		gk_log(&log, LOG_ERR, "%s", err.msg);
		gk_config_free(&cfg);
		return 1;
	}
	if (gk_metrics_open(&err) != GK_OK) {  /* before fork: every worker adds to one mapping */
		gk_log(&log, LOG_ERR, "%s", err.msg);
		gk_config_free(&cfg);
		return 1;
	}
	if (gk_sandbox_reduce(cfg.run_user, cfg.run_group, &as_root, &err) != GK_OK) {
		gk_log(&log, LOG_ERR, "%s", err.msg);
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
	run = (struct authz_run){ .fd = fd, .cfg = &cfg, .log = &log, .o = &o,
	    .conns_max = gk_evloop_conns_cap(0),
	    .workers = server_managed && !o.workers_set ? 1 : (unsigned)o.workers };
	ops = (struct gk_prefork_ops){ .arg = &run, .on_stop = on_stop, .on_reload = on_reload,
	    .sandbox = enter_sandbox, .serve = serve, .reload = reload, .log = current_log };
	/* Started on fd 0 by mod_fcgid / lighttpd without --workers: they manage processes. */
	if (server_managed && !o.workers_set)
		rc = gk_prefork_single(&ops) == GK_OK ? 0 : 1;
	else
		rc = gk_prefork_run((size_t)o.workers, &ops) == GK_OK ? 0 : 1;
	gk_listener_remove(&own);
	gk_config_free(&cfg);
	return rc;
}
