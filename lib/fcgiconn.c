/* fcgiconn.c: one FastCGI connection of the event-driven core: bytes in through lib/fcgiguard, a request out, one write per answer. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/socket.h>

#include "conn.h"
#include "fcgiconn.h"

/* FastCGI 1.0 record types and statuses (fastcgi.h values; lib/ does not use libfcgi). */
#define HDR             8
#define T_END_REQUEST   3
#define T_STDOUT        6
#define T_GET_VALUES    9
#define T_GET_VALUES_RESULT 10
#define T_UNKNOWN_TYPE  11
#define CHUNK           65528   /* STDOUT content per record: a multiple of 8, so no padding */

enum state {
	READING,        /* waiting for (the rest of) a request */
	ANSWERING,      /* step returned a request; its answer comes next */
	WRITING,        /* part of an answer waits for the socket */
	LINGERING,      /* our side shut down; reading the peer's rest until it closes */
	FINISHED
};

struct gk_fcgiconn {
	struct gk_conn base;            /* first: lib/conn.h (fd, deadline, idle_since, refusal) */
	const struct gk_fcgiconn_conf *conf;
	struct gk_fcgiguard_limits lim;
	bool tcp;
	enum state state;
	unsigned char *rbuf;            /* received, not yet consumed */
	size_t rlen, rcap;
	size_t need;                    /* the guard needs this many bytes to go on */
	size_t examined;                /* bytes the guard looked at for this request */
	unsigned char *wbuf;            /* the rest of an answer the socket did not take */
	size_t wlen, woff;
	int prev_id;                    /* the request answered last on a kept connection */
	int cur_id;                     /* the request being answered */
	size_t cur_len;                 /* its checked bytes, consumed once answered */
	bool cur_keep;                  /* its FCGI_KEEP_CONN */
	bool cur_peer_done;             /* the peer had sent all of it (empty FCGI_STDIN) */
	bool peer_eof;                  /* the peer shut down its side */
	bool drained;                   /* the last read took all the socket held */
	bool started;                   /* bytes of a next request (or its prelude) are here */
	bool write_ends_request;        /* the pending write ends a request (not a management answer) */
	bool just_kept;                 /* a kept request was just answered: wait, do not read yet */
};

static const struct gk_conn_ops fcgi_ops;

static struct gk_fcgiconn *
fc(struct gk_conn *conn)
{
	return (struct gk_fcgiconn *)(void *)conn;      /* base is the first member */
}

static const struct gk_fcgiconn *
cfc(const struct gk_conn *conn)
{
	return (const struct gk_fcgiconn *)(const void *)conn;
}

static void
refuse(struct gk_fcgiconn *c, enum gk_fcgiconn_refusal r, const char *reason)
{
	gk_conn_refuse(&c->base, r, reason);
}

/* Whether closing must linger: see close_after(). */
static void
begin_close(struct gk_fcgiconn *c, bool linger, int64_t now)
{
	char trash[4096];
	int i;

	/*
	 * Lingering: shut down our side and read until the peer closes, at most
	 * GK_FCGICONN_LINGER_MS.  Why: a web server may still be writing when our answer is
	 * complete.  The authorizer answers as soon as PARAMS are in, and Caddy's client sends
	 * the empty FCGI_STDIN record in a write of its own: close() before that write makes
	 * it fail with EPIPE on a unix socket (Caddy then answers 502 without reading our
	 * answer), and on TCP unread bytes make the kernel send a reset that can destroy the
	 * answer in flight.  Here lingering costs a descriptor, not a worker.
	 */
	if (linger && !c->peer_eof && shutdown(c->base.fd, SHUT_WR) == 0) {
		c->state = LINGERING;
		c->base.deadline = now + GK_FCGICONN_LINGER_MS;
		c->rlen = 0;
		return;
	}
	/* Unread bytes (an empty FCGI_STDIN we never read) would turn the peer's EOF into
	 * ECONNRESET; bounded: the peer has sent all it had to.  Nothing to do when the last
	 * read emptied the socket and the request was complete (nginx). */
	if (c->drained && c->cur_peer_done) {
		c->state = FINISHED;
		return;
	}
	for (i = 0; !c->peer_eof && i < GK_CONN_DRAIN_READS &&
	    recv(c->base.fd, trash, sizeof(trash), MSG_DONTWAIT) > 0; i++)
		;
	c->state = FINISHED;
}

/* After a request's answer is out: the next request, or the end of the connection. */
static void
request_done(struct gk_fcgiconn *c, int64_t now)
{
	if (c->cur_keep && !c->peer_eof) {
		c->prev_id = c->cur_id;
		c->cur_peer_done = false;
		c->state = READING;
		c->started = false;
		c->examined = 0;
		c->need = HDR;
		c->base.idle_since = now;
		c->base.deadline = now + GK_FCGICONN_KEPT_IDLE_MS;
		c->just_kept = true;
		return;
	}
	/* On a unix socket a peer that has sent all of the request costs no lingering (nginx);
	 * TCP always lingers, as libfcgi's OS_Close does. */
	begin_close(c, c->tcp || !c->cur_peer_done, now);
}

/* A fresh connection state in c (zeroed), keeping its read buffer. */
static void
init(struct gk_fcgiconn *c, int fd, bool tcp, const struct gk_fcgiconn_conf *conf, int64_t now)
{
	unsigned char *rbuf = c->rbuf;
	size_t rcap = c->rcap;

	memset(c, 0, sizeof(*c));
	c->rbuf = rbuf;
	c->rcap = rcap;
	c->conf = conf;
	c->lim = conf->lim;
	c->lim.want_stdin = false;
	c->lim.management = true;
	c->lim.abort = true;
	gk_conn_init(&c->base, &fcgi_ops, fd, now + c->lim.timeout_ms);
	c->tcp = tcp;
	c->state = READING;
	c->need = HDR;
}

struct gk_conn *
gk_fcgiconn_new(int fd, bool tcp, const struct gk_fcgiconn_conf *conf, int64_t now)
{
	return gk_fcgiconn_renew(NULL, fd, tcp, conf, now);
}

struct gk_conn *
gk_fcgiconn_renew(struct gk_conn *spare, int fd, bool tcp, const struct gk_fcgiconn_conf *conf,
    int64_t now)
{
	struct gk_fcgiconn *c = fc(spare);

	if (c == NULL && (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	init(c, fd, tcp, conf, now);
	return &c->base;
}

void
gk_fcgiconn_close(struct gk_conn *conn)
{
	struct gk_fcgiconn *c = fc(conn);

	if (c == NULL)
		return;
	if (c->base.fd >= 0)
		close(c->base.fd);
	c->base.fd = -1;
	free(c->wbuf);
	c->wbuf = NULL;
	c->wlen = c->woff = 0;
	c->state = FINISHED;
	/* a buffer grown by a big request is not kept */
	if (c->rcap > GK_CONN_RBUF_START) {
		free(c->rbuf);
		c->rbuf = NULL;
		c->rcap = 0;
	}
	c->rlen = 0;
}

/* Sends buf[0..n) now, keeping what the socket does not take.  false: the peer is gone. */
static bool
send_or_keep(struct gk_fcgiconn *c, const unsigned char *buf, size_t n, int64_t now)
{
	ssize_t w = 0;

	while ((size_t)w < n) {
		ssize_t r = send(c->base.fd, buf + w, n - (size_t)w, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (r > 0) {
			w += r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		return false;
	}
	if ((size_t)w == n)
		return true;
	free(c->wbuf);
	c->wlen = n - (size_t)w;
	c->woff = 0;
	if ((c->wbuf = malloc(c->wlen)) == NULL)
		return false;
	memcpy(c->wbuf, buf + w, c->wlen);
	c->state = WRITING;
	c->base.deadline = now + GK_FCGICONN_WRITE_MS;
	return true;
}

static size_t
put_header(unsigned char *p, unsigned type, unsigned id, size_t clen, size_t plen)
{
	p[0] = 1;
	p[1] = (unsigned char)type;
	p[2] = (unsigned char)(id >> 8);
	p[3] = (unsigned char)id;
	p[4] = (unsigned char)(clen >> 8);
	p[5] = (unsigned char)clen;
	p[6] = (unsigned char)plen;
	p[7] = 0;
	return HDR;
}

static size_t
put_end_request(unsigned char *p, unsigned id)
{
	put_header(p, T_END_REQUEST, id, 8, 0);
	memset(p + HDR, 0, 8);  /* appStatus 0, FCGI_REQUEST_COMPLETE */
	return HDR + 8;
}

/* Appends "name" "value" as a FastCGI pair (both short here). */
static size_t
put_pair(unsigned char *p, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);

	p[0] = (unsigned char)nl;
	p[1] = (unsigned char)vl;
	memcpy(p + 2, name, nl);
	memcpy(p + 2 + nl, value, vl);
	return 2 + nl + vl;
}

/*
 * The answer to a management record.  FCGI_GET_VALUES: each name we know, once, whatever
 * the peer repeats; names we do not know are left out, as the specification says.
 */
static bool
answer_management(struct gk_fcgiconn *c, const struct gk_fcgiguard_result *res, int64_t now)
{
	unsigned char *out = c->conf->out, *body = out + HDR;
	char num[24];
	size_t blen = 0, pad, i;
	bool conns = false, reqs = false, mpxs = false;

	c->write_ends_request = false;
	if (res->management != T_GET_VALUES) {
		put_header(out, T_UNKNOWN_TYPE, 0, 8, 0);
		memset(body, 0, 8);
		body[0] = (unsigned char)res->management;
		return send_or_keep(c, out, HDR + 8, now);
	}
	/* The names were copied by the walk that checked them (check(), vec from slot 1). */
	if (res->pairs > 0 && res->env_status != GK_OK)
		return false;
	snprintf(num, sizeof(num), "%u", c->conf->max_conns);
	for (i = 0; i < res->pairs; i++) {
		const char *nv = c->conf->vec[i + 1];

		if (!conns && strcmp(nv, "FCGI_MAX_CONNS=") == 0) {
			conns = true;
			blen += put_pair(body + blen, "FCGI_MAX_CONNS", num);
		} else if (!reqs && strcmp(nv, "FCGI_MAX_REQS=") == 0) {
			reqs = true;
			blen += put_pair(body + blen, "FCGI_MAX_REQS", num);
		} else if (!mpxs && strcmp(nv, "FCGI_MPXS_CONNS=") == 0) {
			mpxs = true;
			blen += put_pair(body + blen, "FCGI_MPXS_CONNS", "0");
		}
	}
	pad = (8 - blen % 8) % 8;
	memset(body + blen, 0, pad);
	put_header(out, T_GET_VALUES_RESULT, 0, blen, pad);
	return send_or_keep(c, out, HDR + blen + pad, now);
}

/*
 * A well-formed request refused for its size or a NUL in a value gets an answer before
 * the close, 403 (nginx's auth_request turns anything but 2xx, 401 and 403 into a 500):
 * the client sees a clean 4xx, never the web server's 500/502 for a dropped connection.
 * Best effort, one non-blocking write: the connection is closing anyway.
 */
static void
answer_refusal(struct gk_fcgiconn *c, unsigned id)
{
	static const char text[] = "Status: 403 Forbidden\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nCache-Control: no-store\r\n\r\nForbidden\n";
	unsigned char *out = c->conf->out, *p = out;
	size_t clen = sizeof(text) - 1, pad = (8 - clen % 8) % 8;

	if (c->conf->outsz < GK_FCGICONN_OUT_MAX(clen))
		return;
	p += put_header(p, T_STDOUT, id, clen, pad);
	memcpy(p, text, clen);
	memset(p + clen, 0, pad);
	p += clen + pad;
	p += put_header(p, T_STDOUT, id, 0, 0);
	p += put_end_request(p, id);
	(void)!send(c->base.fd, out, (size_t)(p - out), MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Drops the first n buffered bytes. */
static void
consume(struct gk_fcgiconn *c, size_t n)
{
	if (n >= c->rlen) {
		c->rlen = 0;
	} else {
		memmove(c->rbuf, c->rbuf + n, c->rlen - n);
		c->rlen -= n;
	}
}

/* Reads what the socket holds.  1: bytes came, 0: nothing now, -1: end or error. */
static int
fill(struct gk_fcgiconn *c)
{
	size_t want = c->need > c->rcap ? c->need : c->rcap;
	ssize_t r;

	if (c->rlen == c->rcap || want > c->rcap) {
		size_t cap = c->rcap ? c->rcap : GK_CONN_RBUF_START;
		unsigned char *nb;

		while (cap < want || cap == c->rlen)
			cap *= 2;
		if (cap > c->lim.bytes_max)
			cap = c->lim.bytes_max;
		if (cap <= c->rlen)
			return -1;      /* cannot happen: the guard refuses a bigger need */
		if ((nb = realloc(c->rbuf, cap)) == NULL)
			return -1;
		c->rbuf = nb;
		c->rcap = cap;
	}
	do
		r = recv(c->base.fd, c->rbuf + c->rlen, c->rcap - c->rlen, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		c->drained = c->rlen + (size_t)r < c->rcap;
		c->rlen += (size_t)r;
		return 1;
	}
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (r == 0)
		c->peer_eof = true;
	return -1;
}

/* After begin_close(): a lingering connection waits, a closed one is done. */
static enum gk_fcgiconn_event
closing(const struct gk_fcgiconn *c)
{
	return c->state == LINGERING ? GK_FCGICONN_WAIT : GK_FCGICONN_DONE;
}

/* The guard's verdict on the buffer.  GK_FCGICONN_REQUEST with rq, or WAIT to read on. */
static enum gk_fcgiconn_event
check(struct gk_fcgiconn *c, int64_t now, struct gk_fcgiconn_request *rq, bool *progress)
{
	static char *const roles[] = { "FCGI_ROLE=RESPONDER", "FCGI_ROLE=AUTHORIZER",
		"FCGI_ROLE=FILTER" };
	const struct gk_fcgiguard_env env = { c->conf->env, c->conf->envsz, c->conf->vec + 1,
		c->conf->vecmax - 1 };
	struct gk_fcgiguard_result res;
	struct gk_err err = { "" };
	int rc;

	*progress = false;
	c->examined += c->rlen;
	/* Records cut into tiny pieces make every check walk the whole buffer again. */
	if (c->examined > 64 * c->lim.bytes_max) {
		refuse(c, GK_FCGICONN_BAD_RECORD, "too-fragmented");
		begin_close(c, c->tcp, now);
		return closing(c);
	}
	rc = gk_fcgiguard_check_env(c->rbuf, c->rlen, c->prev_id, &c->lim, &env, &res, &err);
	if (rc == GK_FCGIGUARD_INCOMPLETE) {
		if (res.skip > 0) {
			/* Trailing FCGI_STDIN of the request answered last: never read, dropped. */
			consume(c, res.skip);
			*progress = true;
			c->need = HDR;
			c->examined = 0;
			if (c->rlen == 0 && c->prev_id != 0) {
				/* Nothing of a next request yet: idle again. */
				c->started = false;
				c->base.idle_since = now;
				c->base.deadline = now + GK_FCGICONN_KEPT_IDLE_MS;
			}
		} else {
			c->need = res.need;
		}
		return GK_FCGICONN_WAIT;
	}
	if (rc != GK_OK) {
		bool answer = res.request_id > 0 && (rc == GK_ETOOLONG || (rc == GK_EINVAL &&
		    (strcmp(res.reason, "nul-in-value") == 0 || strcmp(res.reason, "bad-role") == 0)));

		refuse(c, GK_FCGICONN_BAD_RECORD, res.reason);
		if (answer)
			answer_refusal(c, (unsigned)res.request_id);
		/* Linger after an answer: unread bytes would turn our close into a reset. */
		begin_close(c, c->tcp || answer, now);
		return closing(c);
	}
	*progress = true;
	c->need = HDR;
	if (res.management != 0) {
		bool sent = answer_management(c, &res, now);

		consume(c, res.length);
		if (!sent) {
			refuse(c, GK_FCGICONN_CLOSED, "write-error");
			c->state = FINISHED;
			return GK_FCGICONN_DONE;
		}
		return GK_FCGICONN_WAIT;
	}
	c->cur_id = res.request_id;
	c->cur_keep = res.keep_conn;
	c->cur_peer_done = res.stdin_complete;
	c->cur_len = res.length;
	if (res.aborted) {
		/* The server gave up on the request: it ends with END_REQUEST, no answer. */
		unsigned char end[HDR + 8];

		consume(c, res.length);
		put_end_request(end, (unsigned)res.request_id);
		c->base.idle_since = 0;
		c->write_ends_request = true;
		if (!send_or_keep(c, end, sizeof(end), now)) {
			c->state = FINISHED;
			return GK_FCGICONN_DONE;
		}
		if (c->state != WRITING)
			request_done(c, now);
		return GK_FCGICONN_WAIT;
	}
	if (res.role < 1 || res.role > (int)(sizeof(roles) / sizeof(roles[0]))) {
		refuse(c, GK_FCGICONN_BAD_RECORD, "no-role");         /* the guard's contract, held */
		begin_close(c, c->tcp, now);
		return closing(c);
	}
	c->conf->vec[0] = roles[res.role - 1];
	if (res.env_status != GK_OK) {
		refuse(c, GK_FCGICONN_BAD_RECORD, "pairs-do-not-fit");
		begin_close(c, c->tcp, now);
		return closing(c);
	}
	rq->id = res.request_id;
	rq->role = res.role;
	rq->envp = c->conf->vec;
	c->base.idle_since = 0;
	c->state = ANSWERING;
	return GK_FCGICONN_REQUEST;
}

/* READING: the buffer first, then the socket, until a request or nothing more for now. */
static enum gk_fcgiconn_event
step_reading(struct gk_fcgiconn *c, int64_t now, struct gk_fcgiconn_request *rq)
{
	for (;;) {
		enum gk_fcgiconn_event ev;
		bool progress = false;
		int r;

		if (c->rlen > 0 && !c->started) {
			/* A request has begun: it must be complete this soon (an idle kept
			 * connection had a longer deadline). */
			c->started = true;
			c->base.idle_since = 0;
			if (now + c->lim.timeout_ms < c->base.deadline)
				c->base.deadline = now + c->lim.timeout_ms;
		}
		if (c->rlen >= c->need) {
			ev = check(c, now, rq, &progress);
			if (ev != GK_FCGICONN_WAIT || c->state != READING)
				return ev;
			if (progress)
				continue;
		}
		if (c->just_kept && c->rlen == 0) {
			/*
			 * The peer has not read our answer yet: a read now finds nothing (one
			 * failed recv() per request).  Its next request, or its close (nginx's
			 * auth_request never reuses a FastCGI connection, see
			 * docs/event-core.md), comes as an event.
			 */
			c->just_kept = false;
			return GK_FCGICONN_WAIT;
		}
		c->just_kept = false;
		if (c->peer_eof) {
			if (c->rlen == 0)
				refuse(c, GK_FCGICONN_CLOSED, "eof");
			else
				refuse(c, GK_FCGICONN_BAD_RECORD, "truncated");
			c->state = FINISHED;
			return GK_FCGICONN_DONE;
		}
		if ((r = fill(c)) == 0)
			return GK_FCGICONN_WAIT;
		if (r < 0 && !c->peer_eof) {
			refuse(c, GK_FCGICONN_CLOSED, "recv-error");
			c->state = FINISHED;
			return GK_FCGICONN_DONE;
		}
		/* New bytes, or the peer's end: what is buffered is looked at once more. */
	}
}

static enum gk_fcgiconn_event
fcgi_step(struct gk_conn *conn, int64_t now, struct gk_fcgiconn_request *rq)
{
	struct gk_fcgiconn *c = fc(conn);
	char trash[4096];
	ssize_t r;

	switch (c->state) {
	case READING:
		return step_reading(c, now, rq);
	case ANSWERING:
		return GK_FCGICONN_WAIT;        /* the caller owes the answer */
	case WRITING:
		while (c->woff < c->wlen) {
			r = send(c->base.fd, c->wbuf + c->woff, c->wlen - c->woff,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (r > 0)
				c->woff += (size_t)r;
			else if (r < 0 && errno == EINTR)
				continue;
			else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return GK_FCGICONN_WAIT;
			else {
				refuse(c, GK_FCGICONN_CLOSED, "write-error");
				c->state = FINISHED;
				return GK_FCGICONN_DONE;
			}
		}
		free(c->wbuf);
		c->wbuf = NULL;
		c->wlen = c->woff = 0;
		if (c->write_ends_request)
			request_done(c, now);
		else
			c->state = READING;
		return fcgi_step(conn, now, rq);
	case LINGERING:
		while ((r = recv(c->base.fd, trash, sizeof(trash), MSG_DONTWAIT)) > 0)
			;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return GK_FCGICONN_WAIT;
		c->state = FINISHED;
		return GK_FCGICONN_DONE;
	case FINISHED:
	default:
		return GK_FCGICONN_DONE;
	}
}

static int
fcgi_answer(struct gk_conn *conn, const char *body, size_t n, int64_t now)
{
	struct gk_fcgiconn *c = fc(conn);
	unsigned char *out = c->conf->out, *p;
	unsigned id = (unsigned)c->cur_id;
	size_t off = 0;

	if (c->state != ANSWERING)
		return GK_EINVAL;
	if (GK_FCGICONN_OUT_MAX(n) > c->conf->outsz)
		return GK_ETOOLONG;
	p = out;
	while (off < n) {
		size_t clen = n - off > CHUNK ? CHUNK : n - off, pad = (8 - clen % 8) % 8;

		p += put_header(p, T_STDOUT, id, clen, pad);
		memcpy(p, body + off, clen);
		memset(p + clen, 0, pad);
		p += clen + pad;
		off += clen;
	}
	p += put_header(p, T_STDOUT, id, 0, 0);
	p += put_end_request(p, id);
	/* The request's bytes are done with (its envp pointed into the shared scratch). */
	consume(c, c->cur_len);
	c->state = READING;
	c->write_ends_request = true;
	if (!send_or_keep(c, out, (size_t)(p - out), now)) {
		refuse(c, GK_FCGICONN_CLOSED, "write-error");
		c->state = FINISHED;
		return GK_OK;
	}
	if (c->state != WRITING)
		request_done(c, now);
	return GK_OK;
}

static uint32_t
fcgi_events(const struct gk_conn *conn)
{
	return cfc(conn)->state == WRITING ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;
}

static void
fcgi_expire(struct gk_conn *conn)
{
	struct gk_fcgiconn *c = fc(conn);

	if (c->state == READING) {
		if (c->prev_id != 0 && c->rlen == 0)
			refuse(c, GK_FCGICONN_CLOSED, "idle-timeout");
		else
			refuse(c, GK_FCGICONN_TIMEOUT, c->rlen > 0 ? "timeout" : "idle-timeout");
	} else if (c->state == WRITING) {
		refuse(c, GK_FCGICONN_CLOSED, "write-timeout");
	}
	c->state = FINISHED;
}

static int64_t
fcgi_idle_since(const struct gk_conn *conn)
{
	const struct gk_fcgiconn *c = cfc(conn);

	return c->state == READING && c->prev_id != 0 && c->rlen == 0 ? conn->idle_since : 0;
}

/* nginx's auth_request closes its fastcgi_keep_conn connection after one answer: the
 * hang-up of an idle kept connection is its end, read without recv() ("eof"). */
static bool
fcgi_hangup(struct gk_conn *conn)
{
	struct gk_fcgiconn *c = fc(conn);

	if (fcgi_idle_since(conn) == 0)
		return false;
	c->peer_eof = true;
	refuse(c, GK_FCGICONN_CLOSED, "eof");
	c->state = FINISHED;
	return true;
}

static void
fcgi_free(struct gk_conn *conn)
{
	struct gk_fcgiconn *c = fc(conn);

	gk_fcgiconn_close(conn);        /* the socket and the write buffer */
	free(c->rbuf);
	free(c);
}

static const struct gk_conn_ops fcgi_ops = {
	.kind = "fastcgi", .name = "FastCGI",
	.timeout_why = "fastcgi-timeout", .bad_why = "bad-fastcgi-record",
	.step = fcgi_step, .answer = fcgi_answer, .events = fcgi_events, .expire = fcgi_expire,
	.idle_since = fcgi_idle_since, .hangup = fcgi_hangup, .free = fcgi_free,
	.close = gk_fcgiconn_close,
};
