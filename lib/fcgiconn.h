/* fcgiconn.h: one FastCGI connection of the event-driven core: bytes in through lib/fcgiguard, a request out, one write per answer. */
#ifndef GK_FCGICONN_H
#define GK_FCGICONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "fcgiguard.h"

/*
 * Why: a pre-forked worker that parses one connection at a time (libfcgi) is held by every
 * kept-alive or slow peer.  Here a connection is a state machine that never blocks: the
 * caller (lib/evloop) feeds it when its socket is readable or writable and at its deadline.
 *
 * lib/fcgiguard stays the one reader of the peer's bytes: everything received is appended
 * to the connection's buffer and handed to gk_fcgiguard_check() (with lim->management and
 * lim->abort); what it accepts is what is served, its pairs copied out by
 * gk_fcgiguard_pairs().  A request is ready when its PARAMS are complete: the authorizer
 * never reads FCGI_STDIN, whose records are skipped (on a kept connection by the guard's
 * prev_id rule before the next request, otherwise while the connection lingers).
 *
 * The connection is a struct gk_conn (lib/conn.h: its lifecycle); its step answers
 * FCGI_GET_VALUES (FCGI_MAX_CONNS, FCGI_MAX_REQS, FCGI_MPXS_CONNS "0": one request at a
 * time per connection) and unknown management types (FCGI_UNKNOWN_TYPE) itself, ends an
 * aborted request with END_REQUEST and refuses what the guard refuses; its answer is
 * FCGI_STDOUT records, the empty one and END_REQUEST in one buffer, then the connection is
 * kept for the next request (FCGI_KEEP_CONN) or closed (bounded lingering).
 */

#define GK_FCGICONN_LINGER_MS   1000    /* bounded lingering close (see fcgiconn.c) */
#define GK_FCGICONN_KEPT_IDLE_MS 75000  /* an idle kept connection; above nginx's 60 s default */
#define GK_FCGICONN_WRITE_MS    5000    /* a peer that does not read its answer */

/* What all connections of a worker share (the caller owns it, it outlives them). */
struct gk_fcgiconn_conf {
	struct gk_fcgiguard_limits lim;  /* management and abort are set by gk_fcgiconn_new */
	unsigned max_conns;             /* FCGI_MAX_CONNS and FCGI_MAX_REQS answered (all workers) */
	/*
	 * Scratch for the current request's envp and its answer's records: answers are built
	 * one at a time.  env: lim.params_max + 2 * lim.pairs_max + 64 bytes; vec:
	 * lim.pairs_max + 2 slots; out: GK_FCGICONN_OUT_MAX(answer size) bytes.
	 */
	char *env;
	size_t envsz;
	char **vec;
	size_t vecmax;
	unsigned char *out;
	size_t outsz;
};

/* Bytes of the records for an answer of n bytes: STDOUT records, the empty one, END_REQUEST. */
#define GK_FCGICONN_OUT_MAX(n) ((n) + ((n) / 65528 + 1) * 16 + 8 + 16)

struct gk_fcgiconn_request {
	int id;
	int role;                       /* 1 responder, 2 authorizer, 3 filter */
	char *const *envp;              /* "FCGI_ROLE=..." first, as libfcgi; valid until the answer */
};

enum gk_fcgiconn_event {
	GK_FCGICONN_WAIT = 0,           /* wait for its events (lib/conn.h) */
	GK_FCGICONN_REQUEST,            /* a request to answer */
	GK_FCGICONN_DONE                /* finished: free it */
};

/* What the caller logs once for a refused or timed-out connection. */
enum gk_fcgiconn_refusal {
	GK_FCGICONN_FINE = 0,           /* nothing to say */
	GK_FCGICONN_CLOSED,             /* closed by the peer or idle: a debug line */
	GK_FCGICONN_BAD_RECORD,         /* deny line reason=bad-fastcgi-record */
	GK_FCGICONN_TIMEOUT             /* deny line reason=fastcgi-timeout */
};

struct gk_conn;

/* Takes the connected, non-blocking socket fd (closed by gk_conn_free).  NULL: no memory. */
struct gk_conn *gk_fcgiconn_new(int fd, bool tcp, const struct gk_fcgiconn_conf *conf,
    int64_t now);

/*
 * For a loop that keeps ended connections for the next ones (no allocation per
 * connection): gk_fcgiconn_close() closes the socket of a FastCGI connection and keeps the
 * object and its read buffer (one of the starting size); gk_fcgiconn_renew() makes such a
 * closed one (or NULL: a new one) serve fd as gk_fcgiconn_new() would.  NULL: no memory.
 */
void gk_fcgiconn_close(struct gk_conn *c);
struct gk_conn *gk_fcgiconn_renew(struct gk_conn *c, int fd, bool tcp,
    const struct gk_fcgiconn_conf *conf, int64_t now);

#endif
