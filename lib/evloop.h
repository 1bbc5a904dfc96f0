/* evloop.h: the event loop of one FastCGI worker: epoll over the listening socket and many connections (lib/fcgiconn), deadlines, a cap. */
#ifndef GK_EVLOOP_H
#define GK_EVLOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "fcgiconn.h"
#include "fcgiguard.h"
#include "log.h"

/*
 * Why: with one blocking connection per process (libfcgi's model, lib/fcgiloop), a worker
 * is held by every kept-alive connection (nginx fastcgi_keep_conn) and by every peer that
 * trickles its request: more of them than workers and nothing is answered any more.  Here
 * a worker waits on all its connections at once; a slow or idle peer costs a descriptor
 * until its deadline (lib/fcgiconn), never the worker.
 *
 * Every worker of a pool polls the shared listening socket (EPOLLEXCLUSIVE: one of them
 * is woken per connection) and accepts while it has room (conf->max_conns).  At the cap
 * the connection idle the longest on a kept connection is closed to make room; if there
 * is none, the worker stops accepting until a connection ends (its siblings accept).
 *
 * A request is answered when its PARAMS are complete, by conf->handler, synchronously,
 * except for a password hash on a credential-cache miss (~50 ms of yescrypt): lib/auth
 * hands it to lib/hashpool (a few threads per worker), the handler's answer is thrown
 * away and the connection parked (a copy of its request, its socket out of the epoll set,
 * its deadline running); when the hash ends (the pool's eventfd in this epoll set) the
 * request is decided again from the start and answered, the verdict taken from the pool.
 * The other connections are served meanwhile.
 */

/*
 * Answers one request: writes the CGI response (the answer of fcgi/authz_answer) into
 * out (outsz bytes) and returns its length.  rq->envp is valid during the call only.
 */
typedef size_t (*gk_evloop_handler)(void *arg, const struct gk_fcgiconn_request *rq,
    char *out, size_t outsz);

#define GK_EVLOOP_CONNS_MAX     512     /* connections per worker, default */
#define GK_EVLOOP_TICK_MS       100     /* how often deadlines are looked at */

struct gk_evloop_conf {
	int lfd;                        /* the listening socket (not owned) */
	bool http;                      /* also http_lfd, whose connections speak HTTP/1.1 */
	int http_lfd;                   /*   (lib/httpconn: nginx auth_request, kept connections) */
	size_t max_conns;               /* per worker; 0: GK_EVLOOP_CONNS_MAX */
	unsigned workers;               /* for FCGI_MAX_CONNS: max_conns * workers */
	struct gk_fcgiguard_limits lim; /* from gk_fcgiguard_defaults() */
	size_t answer_max;              /* the largest answer handler writes */
	gk_evloop_handler handler;
	void *arg;
	const volatile sig_atomic_t *cancel;    /* set by the caller's signal handlers */
	const struct gk_log *log;
	bool no_hash_pool;              /* hash in line (tests); default: lib/hashpool threads */
	long hash_memo_ttl;             /* basic_cache_ttl: gk_hashpool_set_memo_ttl (0: no memo) */
};

/*
 * Serves until *conf->cancel is set (the signal handlers are installed without SA_RESTART,
 * so epoll_wait returns; a signal that comes just before it is seen within one tick).
 * Refused and timed-out connections are logged as lib/fcgiloop does (a decision line
 * "deny ... method=fastcgi reason=bad-fastcgi-record" or "reason=fastcgi-timeout", so
 * fail2ban sees them).  All connections are closed on return.
 * GK_OK when cancelled; GK_ERR (err filled) if it cannot start (epoll, memory).
 */
int gk_evloop_run(const struct gk_evloop_conf *conf, struct gk_err *err);

/*
 * The per-worker connection cap this process can honour: want (0: GK_EVLOOP_CONNS_MAX),
 * lowered to fit RLIMIT_NOFILE after raising its soft limit to the hard one.  Call it once
 * before the workers start (the sandbox allows no setrlimit).
 */
size_t gk_evloop_conns_cap(size_t want);

#endif
