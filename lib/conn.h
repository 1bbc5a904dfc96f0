/* conn.h: a connection of the event loop (lib/evloop), whatever its protocol: the state every kind keeps and the table of what differs. */
#ifndef GK_CONN_H
#define GK_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fcgiconn.h"

/*
 * Two kinds: FastCGI (lib/fcgiconn) and HTTP/1.1 (lib/httpconn).  Both have the same
 * lifecycle, driven by the caller:
 *	c = gk_fcgiconn_new(...) or gk_httpconn_new(...);
 *	on readable, writable or a new answer:
 *		ev = c->ops->step(c, now, &rq);
 *		GK_FCGICONN_REQUEST: answer with c->ops->answer(c, ...), then step again
 *		GK_FCGICONN_WAIT: wait for c->ops->events(c) or c->deadline
 *		GK_FCGICONN_DONE: gk_conn_free(c)
 *	at c->deadline: c->ops->expire(c), then gk_conn_free(c)
 *	after any of these, gk_conn_refusal(c) tells what to log once.
 * The request handed out is the same for both kinds (a FastCGI request's params).
 */

#define GK_CONN_RBUF_START 4096  /* a read buffer's starting size (the one a kept object keeps) */
#define GK_CONN_DRAIN_READS 4    /* reads of the peer's rest before a close (else it resets) */

struct gk_conn;

struct gk_conn_ops {
	const char *kind;               /* the decision line's method: "fastcgi", "http" */
	const char *name;               /* for debug lines: "FastCGI", "HTTP" */
	const char *timeout_why;        /* the decision line's reason for a TIMEOUT refusal */
	const char *bad_why;            /* and for a BAD_RECORD one */
	/* Works through what is buffered and what the socket holds, without blocking; a
	 * GK_FCGICONN_REQUEST fills rq, its envp in conf's scratch until the answer. */
	enum gk_fcgiconn_event (*step)(struct gk_conn *c, int64_t now,
	    struct gk_fcgiconn_request *rq);
	/* Answers the request step returned with the CGI response body[0..n), in one write
	 * (a rest the socket does not take waits for EPOLLOUT).  GK_ETOOLONG if n does not
	 * fit conf->out (the caller answers something shorter). */
	int (*answer)(struct gk_conn *c, const char *body, size_t n, int64_t now);
	uint32_t (*events)(const struct gk_conn *c);    /* EPOLLIN and/or EPOLLOUT, as it waits */
	/* The deadline passed: records the refusal (a timeout, or nothing for lingering or idle). */
	void (*expire)(struct gk_conn *c);
	/* Since when an idle kept connection has waited (it may be closed to make room), else 0. */
	int64_t (*idle_since)(const struct gk_conn *c);
	/*
	 * The peer hung up (EPOLLHUP): true when c was idle between kept requests, and c is
	 * then finished without the read that would only find the end; false: step c as
	 * usual.  NULL: always step.
	 */
	bool (*hangup)(struct gk_conn *c);
	void (*free)(struct gk_conn *c);                /* closes the socket if open, frees */
	/* Closes the socket and keeps the object for the kind's renew (gk_fcgiconn_renew);
	 * NULL: the kind is not kept (free it). */
	void (*close)(struct gk_conn *c);
};

/* The first member of each kind's connection: what the loop reads and both kinds set. */
struct gk_conn {
	const struct gk_conn_ops *ops;
	int fd;                         /* the socket; -1 once closed */
	int64_t deadline;               /* when the connection must be given up (ms, gk_now_ms) */
	int64_t idle_since;             /* a kept connection waiting for its next request */
	enum gk_fcgiconn_refusal refusal;       /* to log once (gk_conn_refusal) */
	const char *reason;             /* its short reason */
};

/* Starts the shared state of a new connection on fd. */
void gk_conn_init(struct gk_conn *c, const struct gk_conn_ops *ops, int fd, int64_t deadline);

/* Records a refusal to log (the latest one wins). */
void gk_conn_refuse(struct gk_conn *c, enum gk_fcgiconn_refusal r, const char *reason);

/* The refusal to log since the last call, with its short reason; FINE if none. */
enum gk_fcgiconn_refusal gk_conn_refusal(struct gk_conn *c, const char **reason);

/* c->ops->free(c); NULL is fine. */
void gk_conn_free(struct gk_conn *c);

#endif
