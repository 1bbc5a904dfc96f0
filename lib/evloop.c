/* evloop.c: the event loop of one FastCGI worker: epoll over the listening socket and many connections (lib/conn: FastCGI and HTTP), deadlines, a cap. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>

#include "conn.h"
#include "evloop.h"
#include "filewatch.h"
#include "hashpool.h"
#include "httpconn.h"
#include "listener.h"
#include "metrics.h"

#define EVENTS          64
#define ACCEPT_BURST    16      /* connections taken per wake-up: leave some to the siblings */
#define FDS_RESERVED    32      /* descriptors kept for the log, the database, lockout files */
#define SPARE_MAX       64      /* ended connections kept for the next ones: no malloc per connection */

/* A connection and its place in the table (epoll's data.ptr). */
struct slot {
	struct gk_conn *c;      /* FastCGI (lib/fcgiconn) or HTTP (lib/httpconn): lib/conn.h */
	size_t idx;
	uint32_t events;        /* registered with epoll; 0: not in the epoll set yet */
	struct slot *next_dead; /* dropped: freed (or kept) after the batch of events that may name it */
	struct gk_conn *spare_c;        /* a closed FastCGI connection object, for reuse */
	/* Parked while lib/hashpool hashes for its request (job != 0): a copy of the request. */
	uint64_t job;
	struct gk_fcgiconn_request park_rq;
	char *park_env;         /* one block: the envp array, then its strings */
};

struct loop {
	const struct gk_evloop_conf *conf;
	struct gk_fcgiconn_conf cc;
	int ep;
	bool tcp;
	bool accepting;         /* the listening socket is in the epoll set */
	bool burst;             /* accept until the queue is empty (else one, see accept_some) */
	struct slot **slots;
	size_t n, max;
	struct slot *dead;
	struct slot *spare;     /* kept for the next connections (linked by next_dead) */
	size_t nspare;
	char *answer;
	unsigned fails;         /* accept() failures in a row (EMFILE and friends) */
	int64_t pause_until;    /* no accepting before this after such failures */
	struct gk_hashpool *pool;       /* NULL: hashes run in line */
	struct slot pool_tag;           /* epoll's data.ptr for the pool's eventfd */
	struct slot watch_tag;          /* epoll's data.ptr for lib/filewatch's inotify descriptor */
	struct slot http_tag;           /* epoll's data.ptr for the HTTP listening socket */
	int tick_fd;                    /* a periodic timerfd (the sweep's tick), or -1 */
	struct slot tick_tag;           /* epoll's data.ptr for it */
};

/* One line per refused connection; the decision-line format, so fail2ban sees it too. */
static void
log_refusal(const struct loop *l, struct slot *s)
{
	const struct gk_log *log = l->conf->log;
	const struct gk_conn_ops *ops = s->c->ops;
	const char *reason, *from, *why;
	char addr[INET6_ADDRSTRLEN];
	enum gk_fcgiconn_refusal r = gk_conn_refusal(s->c, &reason);

	switch (r) {
	case GK_FCGICONN_FINE:
		return;
	case GK_FCGICONN_CLOSED:
		gk_log(log, LOG_DEBUG, "connection closed (%s)", reason);
		return;
	case GK_FCGICONN_TIMEOUT:
		why = ops->timeout_why;
		break;
	case GK_FCGICONN_BAD_RECORD:
	default:
		why = ops->bad_why;
		break;
	}
	from = gk_listener_peer_name(s->c->fd, addr, sizeof(addr));
	gk_log_decision(log, false, NULL, ops->kind, from, why, NULL);
	gk_metrics_guard_refusal(why);
	gk_log(log, LOG_DEBUG, "%s connection refused: %s", ops->name, reason);
}

static void
listen_on(struct loop *l, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL };
	struct epoll_event hev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &l->http_tag };

	if (on == l->accepting)
		return;
	if (on && epoll_ctl(l->ep, EPOLL_CTL_ADD, l->conf->lfd, &ev) == 0) {
		l->accepting = true;
		if (l->conf->http && epoll_ctl(l->ep, EPOLL_CTL_ADD, l->conf->http_lfd, &hev) != 0)
			gk_log(l->conf->log, LOG_ERR, "cannot poll the HTTP socket: %s", strerror(errno));
	} else if (!on && epoll_ctl(l->ep, EPOLL_CTL_DEL, l->conf->lfd, NULL) == 0) {
		l->accepting = false;
		if (l->conf->http)
			(void)epoll_ctl(l->ep, EPOLL_CTL_DEL, l->conf->http_lfd, NULL);
	}
}

static void
drop(struct loop *l, struct slot *s)
{
	struct slot *last;

	log_refusal(l, s);
	free(s->park_env);
	s->park_env = NULL;
	s->job = 0;
	/* close() takes the descriptor out of the epoll set; a FastCGI object is kept for
	 * gk_fcgiconn_renew() (an HTTP slot may hold one from an earlier FastCGI connection) */
	if (s->spare_c == NULL && s->c->ops->close != NULL) {
		s->c->ops->close(s->c);
		s->spare_c = s->c;
	} else {
		gk_conn_free(s->c);
	}
	s->c = NULL;
	/* the last connection of the table takes its place */
	last = l->slots[--l->n];
	l->slots[l->n] = NULL;
	if (last != s && last != NULL) {
		last->idx = s->idx;
		l->slots[s->idx] = last;
	}
	s->next_dead = l->dead;
	l->dead = s;
	if (l->pause_until == 0)
		listen_on(l, true);
}

/*
 * Parks s while the pool hashes for its request: a copy of the request (the envp pointed
 * into the shared scratch), and its socket out of the epoll set (nginx's FCGI_STDIN would
 * keep it readable).  The deadline still runs.  False when there is no memory.
 */
static bool
park(struct loop *l, struct slot *s, const struct gk_fcgiconn_request *rq, uint64_t job)
{
	size_t n = 0, len = 0, i;
	char **vec, *p;

	if (s->park_env == NULL) {
		while (rq->envp[n] != NULL)
			len += strlen(rq->envp[n++]) + 1;
		if ((s->park_env = malloc((n + 1) * sizeof(char *) + len)) == NULL)
			return false;
		vec = (char **)(void *)s->park_env;
		p = s->park_env + (n + 1) * sizeof(char *);
		for (i = 0; i < n; i++) {
			size_t k = strlen(rq->envp[i]) + 1;

			memcpy(p, rq->envp[i], k);
			vec[i] = p;
			p += k;
		}
		vec[n] = NULL;
		s->park_rq.id = rq->id;
		s->park_rq.role = rq->role;
		s->park_rq.envp = vec;
	}
	if (s->events != 0) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, s->c->fd, NULL);
		s->events = 0;
	}
	s->job = job;
	return true;
}

/* Answers rq (handler, one write); false when the request was parked instead. */
static bool
answer(struct loop *l, struct slot *s, const struct gk_fcgiconn_request *rq, int64_t now)
{
	static const char nomem[] = "Status: 403\r\nContent-Length: 0\r\n\r\n";
	const char *body = l->answer;
	uint64_t job;
	size_t n = l->conf->handler(l->conf->arg, rq, l->answer, l->conf->answer_max);

	if (gk_hashpool_take_deferred(l->pool, &job)) {
		if (park(l, s, rq, job))
			return false;
		gk_log(l->conf->log, LOG_ERR, "out of memory parking a request: denied");
		body = nomem;
		n = sizeof(nomem) - 1;
	}
	if (s->c->ops->answer(s->c, body, n, now) != GK_OK) {
		static const char fail[] = "Status: 500\r\n\r\n";
		gk_log(l->conf->log, LOG_ERR, "answer of %zu bytes too big", n);
		s->c->ops->answer(s->c, fail, sizeof(fail) - 1, now);
	}
	free(s->park_env);
	s->park_env = NULL;
	s->job = 0;
	log_refusal(l, s);
	return true;
}

/* Steps a connection until it waits, answering what it asks; false when it was dropped. */
static bool
run_conn(struct loop *l, struct slot *s, int64_t now)
{
	struct gk_fcgiconn_request rq;
	enum gk_fcgiconn_event ev;
	uint32_t want;

	if (s->c == NULL)
		return false;   /* dropped earlier in this batch */
	if (s->job != 0)
		return true;    /* parked: the pool's completion resumes it */
	while ((ev = s->c->ops->step(s->c, now, &rq)) == GK_FCGICONN_REQUEST) {
		if (!answer(l, s, &rq, now))
			return true;
	}
	if (ev == GK_FCGICONN_DONE) {
		drop(l, s);
		return false;
	}
	log_refusal(l, s);
	want = s->c->ops->events(s->c);
	if (want != s->events) {
		struct epoll_event e = { .events = want, .data.ptr = s };

		if (epoll_ctl(l->ep, s->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
		    s->c->fd, &e) != 0) {
			drop(l, s);
			return false;
		}
		s->events = want;
	}
	return true;
}

/*
 * A connection's event.  A kept connection idle between requests whose peer hung up
 * (nginx's auth_request closes its fastcgi_keep_conn connection after one answer) is
 * closed without the recv() that would only find the end.
 */
static void
conn_event(struct loop *l, struct slot *s, uint32_t events, int64_t now)
{
	if ((events & EPOLLHUP) && s->c != NULL && s->job == 0 && s->c->ops->hangup != NULL &&
	    s->c->ops->hangup(s->c))
		drop(l, s);
	else
		run_conn(l, s, now);
}

/* Hashes have ended: their requests are decided again (the verdicts wait in the pool's memo). */
static void
resume_parked(struct loop *l, int64_t now)
{
	uint64_t jobs[32];
	size_t m, k, i;

	do {
		m = gk_hashpool_collect(l->pool, (int64_t)time(NULL), jobs, 32);
		for (k = 0; k < m; k++) {
			for (i = 0; i < l->n; i++) {
				struct slot *s = l->slots[i];

				/* several requests may wait for one job; answer() may drop
				 * nothing, run_conn() may move the last slot here: look again */
				if (s != NULL && s->job == jobs[k]) {
					s->job = 0;
					if (answer(l, s, &s->park_rq, now) && !run_conn(l, s, now))
						i--;
				}
			}
		}
	} while (m == 32);
	gk_hashpool_resumed(l->pool);
}

/* At the cap: closes the connection idle the longest on a kept connection, if any. */
static bool
make_room(struct loop *l)
{
	struct slot *oldest = NULL;
	int64_t t, best = 0;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->slots[i] == NULL)
			continue;       /* cannot happen: slots[0..n) are in use */
		t = l->slots[i]->c->ops->idle_since(l->slots[i]->c);
		if (t != 0 && (oldest == NULL || t < best)) {
			oldest = l->slots[i];
			best = t;
		}
	}
	if (oldest == NULL)
		return false;
	gk_log(l->conf->log, LOG_DEBUG, "at %zu connections: closing the longest idle one", l->n);
	drop(l, oldest);
	return true;
}

/* A slot for a new connection: a kept one (its connection object with it) or a new one. */
static struct slot *
take_spare(struct loop *l)
{
	struct slot *s = l->spare;

	if (s == NULL)
		return calloc(1, sizeof(struct slot));
	l->spare = s->next_dead;
	l->nspare--;
	s->next_dead = NULL;
	s->events = 0;
	s->job = 0;
	s->park_env = NULL;
	return s;
}

/*
 * Takes queued connections. Finding the queue empty costs an accept4() that fails, one
 * system call per connection when they come one at a time (nginx's auth_request), so a
 * wake-up after one that found a single connection takes one and does not look again
 * (the socket is level-triggered: more waiting means another wake-up at once); the next
 * wake-up takes a burst, and bursts go on while they find more than one.
 */
static void
accept_some(struct loop *l, int64_t now, bool http)
{
	int i, fd, limit = l->burst ? ACCEPT_BURST : 1;
	int lfd = http ? l->conf->http_lfd : l->conf->lfd;

	l->burst = true;
	for (i = 0; i < limit; i++) {
		struct slot *s;

		if (l->n >= l->max && !make_room(l)) {
			listen_on(l, false);
			return;
		}
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				l->burst = i > 1;       /* a single one: take one next time */
				return;
			}
			if (errno == EINTR || errno == ECONNABORTED)
				return;
			/* EMFILE and friends: do not spin on a listening socket that stays ready. */
			if (++l->fails > 1) {
				l->pause_until = now + (l->fails > 50 ? 500 : 10 * l->fails);
				listen_on(l, false);
			}
			return;
		}
		l->fails = 0;
		if ((s = take_spare(l)) == NULL || (s->c = http ?
		    gk_httpconn_new(fd, &l->cc, now) :
		    gk_fcgiconn_renew(s->spare_c, fd, l->tcp, &l->cc, now)) == NULL) {
			if (s != NULL)
				gk_conn_free(s->spare_c);
			free(s);
			close(fd);
			return;
		}
		if (!http)
			s->spare_c = NULL;      /* renewed: it is s->c now */
		s->idx = l->n;
		l->slots[l->n++] = s;
		/* nginx writes the request right after its connect, so it is usually here by
		 * now: served at once, such a connection never enters the epoll set. */
		run_conn(l, s, now);
	}
}

/*
 * The sweep's tick: a timerfd the kernel re-arms itself every GK_EVLOOP_TICK_MS, so that
 * epoll_wait() can wait without a timeout.  A timeout arms and cancels a kernel timer on
 * every wait (after every batch of requests), which a virtual machine may pay with an exit
 * to its hypervisor when that timer is the CPU's next; the tick costs one read() per tick.
 * -1 (no timerfd to be had): epoll_wait() times out every tick instead.
 */
static int
tick_start(int ep, void *tag)
{
	struct itimerspec its = { .it_interval = { 0, GK_EVLOOP_TICK_MS * 1000000L },
	    .it_value = { 0, GK_EVLOOP_TICK_MS * 1000000L } };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	if (fd >= 0 && (timerfd_settime(fd, 0, &its, NULL) != 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Connections past their deadline; the table is walked backwards as drop() moves the last. */
static void
sweep(struct loop *l, int64_t now)
{
	size_t i = l->n;

	while (i-- > 0) {
		struct slot *s = l->slots[i];

		if (s != NULL && s->c->deadline <= now) {
			s->c->ops->expire(s->c);
			drop(l, s);
		}
	}
	if (l->pause_until != 0 && now >= l->pause_until) {
		l->pause_until = 0;
		if (l->n < l->max)
			listen_on(l, true);
	}
}

static bool
is_tcp(int fd)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);

	return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
}

static bool
nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && ((fl & O_NONBLOCK) != 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
}

static void
free_dead(struct loop *l)
{
	while (l->dead != NULL) {
		struct slot *s = l->dead;

		l->dead = s->next_dead;
		if (l->nspare < SPARE_MAX) {
			s->next_dead = l->spare;
			l->spare = s;
			l->nspare++;
		} else {
			gk_conn_free(s->spare_c);
			free(s);
		}
	}
}

static void
loop_free(struct loop *l)
{
	free_dead(l);
	while (l->spare != NULL) {
		struct slot *s = l->spare;

		l->spare = s->next_dead;
		gk_conn_free(s->spare_c);
		free(s);
	}
	l->nspare = 0;
	while (l->n > 0) {
		struct slot *s = l->slots[--l->n];

		if (s != NULL) {
			gk_conn_free(s->c);
			gk_conn_free(s->spare_c);
			free(s->park_env);
		}
		free(s);
	}
	gk_hashpool_free(l->pool);
	l->pool = NULL;
	gk_filewatch_stop();
	if (l->tick_fd >= 0)
		close(l->tick_fd);
	if (l->ep >= 0)
		close(l->ep);
	free(l->slots);
	free(l->answer);
	free(l->cc.env);
	free(l->cc.vec);
	free(l->cc.out);
}

int
gk_evloop_run(const struct gk_evloop_conf *conf, struct gk_err *err)
{
	struct epoll_event evs[EVENTS];
	struct loop l;
	int64_t now, next_sweep;
	int n, i;

	memset(&l, 0, sizeof(l));
	l.tick_fd = -1;
	l.conf = conf;
	l.max = conf->max_conns ? conf->max_conns : GK_EVLOOP_CONNS_MAX;
	l.tcp = is_tcp(conf->lfd);
	/* Linux hands TCP_NODELAY down to the accepted sockets: set once here, not per
	 * connection (one setsockopt() per request less). */
	if (l.tcp) {
		int one = 1;

		(void)setsockopt(conf->lfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (conf->http && is_tcp(conf->http_lfd)) {
		int one = 1;

		(void)setsockopt(conf->http_lfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	l.cc.lim = conf->lim;
	l.cc.max_conns = (unsigned)l.max * (conf->workers ? conf->workers : 1);
	l.cc.envsz = conf->lim.params_max + 2 * conf->lim.pairs_max + 64;
	l.cc.vecmax = conf->lim.pairs_max + 2;
	/* + an HTTP answer's status line, Content-Length and Connection (lib/httpconn) */
	l.cc.outsz = GK_FCGICONN_OUT_MAX(conf->answer_max) + 256;
	l.cc.env = malloc(l.cc.envsz);
	l.cc.vec = calloc(l.cc.vecmax, sizeof(*l.cc.vec));
	l.cc.out = malloc(l.cc.outsz);
	l.answer = malloc(conf->answer_max);
	l.slots = calloc(l.max, sizeof(*l.slots));
	l.ep = epoll_create1(EPOLL_CLOEXEC);
	if (l.ep < 0 || l.cc.env == NULL || l.cc.vec == NULL || l.cc.out == NULL ||
	    l.answer == NULL || l.slots == NULL) {
		gk_err_set(err, "event loop: %s", l.ep < 0 ? strerror(errno) : "out of memory");
		loop_free(&l);
		return GK_ERR;
	}
	/* accept_some() takes what is queued and must not wait for more (the flag is the
	 * socket's, shared with the siblings, which all poll it too). */
	if (!nonblocking(conf->lfd) || (conf->http && !nonblocking(conf->http_lfd))) {
		gk_err_set(err, "event loop: listening socket: %s", strerror(errno));
		loop_free(&l);
		return GK_ERR;
	}
	listen_on(&l, true);
	if (!l.accepting) {
		gk_err_set(err, "event loop: cannot poll the listening socket: %s", strerror(errno));
		loop_free(&l);
		return GK_ERR;
	}
	/* The hash pool: without it (no threads to be had) hashes run in line, as before. */
	if (!conf->no_hash_pool) {
		struct gk_err perr = { "" };
		struct epoll_event pev = { .events = EPOLLIN, .data.ptr = &l.pool_tag };

		l.pool = gk_hashpool_new(GK_HASHPOOL_THREADS, &perr);
		if (l.pool != NULL && epoll_ctl(l.ep, EPOLL_CTL_ADD, gk_hashpool_fd(l.pool), &pev) != 0) {
			gk_err_set(&perr, "hash pool: epoll: %s", strerror(errno));
			gk_hashpool_free(l.pool);
			l.pool = NULL;
		}
		if (l.pool == NULL)
			gk_log(conf->log, LOG_WARNING, "%s; password hashes run in line", perr.msg);
		gk_hashpool_set_memo_ttl(l.pool, conf->hash_memo_ttl);
		gk_hashpool_set_current(l.pool);
	}
	/* The files the handler follows (user database, secret) are stat()ed only after
	 * inotify said something happened to them; without a watcher, before every use. */
	if ((i = gk_filewatch_start()) >= 0) {
		struct epoll_event wev = { .events = EPOLLIN, .data.ptr = &l.watch_tag };

		if (epoll_ctl(l.ep, EPOLL_CTL_ADD, i, &wev) != 0)
			gk_filewatch_stop();
	}
	l.tick_fd = tick_start(l.ep, &l.tick_tag);
	next_sweep = gk_now_ms() + GK_EVLOOP_TICK_MS;
	while (conf->cancel == NULL || !*conf->cancel) {
		gk_log_flush();         /* the wake-up's log lines, in one write, before waiting */
		n = epoll_wait(l.ep, evs, EVENTS, l.tick_fd >= 0 ? -1 : GK_EVLOOP_TICK_MS);
		if (n < 0 && errno != EINTR) {
			gk_err_set(err, "epoll_wait: %s", strerror(errno));
			loop_free(&l);
			return GK_ERR;
		}
		now = gk_now_ms();
		/* A file's change counts before any request of this wake-up is served; a full
		 * batch may have left the watcher's event for the next one: read it now. */
		for (i = 0; i < n && evs[i].data.ptr != &l.watch_tag; i++)
			;
		if (i < n || n == EVENTS)
			gk_filewatch_drain();
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &l.watch_tag)
				continue;
			if (evs[i].data.ptr == &l.tick_tag) {
				uint64_t ticks;

				if (read(l.tick_fd, &ticks, sizeof(ticks)) < 0)
					ticks = 0;      /* EAGAIN: nothing is owed */
				next_sweep = now;       /* sweep below */
				continue;
			}
			if (evs[i].data.ptr == NULL || evs[i].data.ptr == &l.http_tag)
				accept_some(&l, now, evs[i].data.ptr != NULL);
			else if (evs[i].data.ptr == &l.pool_tag)
				resume_parked(&l, now);
			else
				conn_event(&l, evs[i].data.ptr, evs[i].events, now);
		}
		if (now >= next_sweep) {
			sweep(&l, now);
			next_sweep = now + GK_EVLOOP_TICK_MS;
		}
		free_dead(&l);
	}
	loop_free(&l);
	return GK_OK;
}

size_t
gk_evloop_conns_cap(size_t want)
{
	struct rlimit rl;

	if (want == 0)
		want = GK_EVLOOP_CONNS_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + FDS_RESERVED)
		want = rl.rlim_cur > 2 * FDS_RESERVED ? (size_t)rl.rlim_cur - FDS_RESERVED : 8;
	return want;
}
