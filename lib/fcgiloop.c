/* fcgiloop.c: one FastCGI worker's request loop: accept, check (lib/fcgiguard), hand to libfcgi, finish, close. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "fcgiloop.h"
#include "listener.h"
#include "metrics.h"

/*
 * Accepts a connection ourselves (libfcgi's own accept would read unchecked bytes).
 * -1 on EINTR (the caller looks at the flags) or a transient error.
 */
static int
accept_conn(const struct gk_fcgiloop *l)
{
	struct pollfd p = { l->lfd, POLLIN, 0 };
	int fd, one = 1, rcvbuf = (int)(2 * l->lim.bytes_max);

	while ((fd = accept4(l->lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* An inherited non-blocking listener: wait for it. */
			if (poll(&p, 1, -1) < 0)
				return -1;
			continue;
		}
		if (errno == ECONNABORTED)
			continue;
		return -1;
	}
	if (l->tcp) {
		/* As libfcgi does; and room for a whole request, which we peek at before reading. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
	return fd;
}

/*
 * Closes a connection, lingering when asked: shut down our side and read until the peer
 * closes, but for GK_FCGILOOP_LINGER_MS in all.  Why: a web server may still be writing when
 * our answer is complete.  The authorizer answers as soon as PARAMS are in (it never reads
 * FCGI_STDIN), and Caddy's client sends the empty FCGI_STDIN record in a write of its own:
 * close() before that write makes it fail with EPIPE on a unix socket (Caddy then answers
 * 502, never reading our answer), and on TCP unread bytes make the kernel send a reset that
 * can destroy the answer in flight.  Lingering costs a wait for the peer's close, so on a
 * unix socket it is skipped when the peer had already sent all of the request (nginx writes
 * it at once); TCP always lingers, as libfcgi's OS_Close does.
 */
static void
close_conn(int fd, bool linger)
{
	char trash[4096];
	int64_t end = gk_now_ms() + GK_FCGILOOP_LINGER_MS, now;
	int i;

	if (!linger) {
		/* Unread bytes (the empty FCGI_STDIN we never read) would turn the peer's EOF
		 * into ECONNRESET; bounded, the peer has sent all it had to. */
		for (i = 0; i < 4 && recv(fd, trash, sizeof(trash), MSG_DONTWAIT) > 0; i++)
			;
	} else if (shutdown(fd, SHUT_WR) == 0) {
		while ((now = gk_now_ms()) < end) {
			struct pollfd p = { fd, POLLIN, 0 };

			if (poll(&p, 1, (int)(end - now)) <= 0)
				break;
			if (recv(fd, trash, sizeof(trash), MSG_DONTWAIT) <= 0)
				break;
		}
	}
	close(fd);
}

/* Writes all n bytes; false on an error (the connection is closed next anyway). */
static bool
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/*
 * The answer to a refused request, 0 for none: a well-framed request (its id known) that
 * is only too large, or carries a NUL in a value (nginx copies a Basic user name into
 * REMOTE_USER), gets one; a broken record stream does not (nothing in it can be trusted).
 */
static int
refusal_status(const struct gk_fcgiloop *l, int rc, const struct gk_fcgiguard_result *res)
{
	if (res->request_id <= 0)
		return 0;
	if (rc == GK_ETOOLONG)
		return strcmp(res->reason, "stdin-too-big") == 0 ? l->status_stdin : l->status_params;
	if (rc == GK_EINVAL && (strcmp(res->reason, "nul-in-value") == 0 ||
	    strcmp(res->reason, "bad-role") == 0))
		return l->status_bad;
	return 0;
}

/*
 * Without an answer the web server sees a closed connection and tells the client 500,
 * 502 or 503. Written here, not by libfcgi (which must never parse the request):
 * FCGI_STDOUT with a CGI status, the empty FCGI_STDOUT, FCGI_END_REQUEST.
 */
static void
answer_refusal(int fd, int id, int status)
{
	const char *text = status == 413 ? "Content Too Large" : status == 431 ?
	    "Request Header Fields Too Large" : status == 400 ? "Bad Request" : "Forbidden";
	unsigned char msg[512], *h;
	int n;

	n = snprintf((char *)msg + 8, sizeof(msg) - 8 - 24, "Status: %d %s\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\r\n%s\n",
	    status, text, text);
	if (n <= 0 || (size_t)n >= sizeof(msg) - 8 - 24)
		return;
	/* version 1, type, request id, content length, no padding */
	h = msg;
	h[0] = 1, h[1] = 6, h[2] = (unsigned char)(id >> 8), h[3] = (unsigned char)id;
	h[4] = (unsigned char)(n >> 8), h[5] = (unsigned char)n, h[6] = h[7] = 0;
	h = msg + 8 + n;
	memcpy(h, msg, 4);              /* the empty FCGI_STDOUT */
	h[4] = h[5] = h[6] = h[7] = 0;
	h += 8;
	memcpy(h, msg, 4);              /* FCGI_END_REQUEST: app status 0, FCGI_REQUEST_COMPLETE */
	h[1] = 3, h[4] = 0, h[5] = 8, h[6] = h[7] = 0;
	memset(h + 8, 0, 8);
	write_all(fd, msg, 8 + (size_t)n + 24);
}

/* One line per refused connection; the decision-line format, so fail2ban sees it too. */
static void
log_refusal(const struct gk_log *log, int fd, bool kept, int rc,
    const struct gk_fcgiguard_result *res)
{
	char addr[INET6_ADDRSTRLEN];
	const char *from = gk_listener_peer_name(fd, addr, sizeof(addr));

	if (rc == GK_NOTFOUND && (kept || strcmp(res->reason, "eof") == 0)) {
		/* A kept connection the server let go idle or closed, or a bare connect: normal. */
		gk_log(log, LOG_DEBUG, "connection closed (%s)", res->reason);
		return;
	}
	if (rc == GK_EIO && strcmp(res->reason, "interrupted") == 0)
		return;
	if (rc == GK_NOTFOUND || strcmp(res->reason, "timeout") == 0)
		gk_log_decision(log, false, NULL, "fastcgi", from, "fastcgi-timeout", NULL);
	else if (rc == GK_ETOOLONG)
		gk_log_decision(log, false, NULL, "fastcgi", from, "request-too-large", NULL);
	else
		gk_log_decision(log, false, NULL, "fastcgi", from, "bad-fastcgi-record", NULL);
	gk_metrics_guard_refusal(rc == GK_NOTFOUND || strcmp(res->reason, "timeout") == 0 ?
	    "fastcgi-timeout" : rc == GK_ETOOLONG ? "request-too-large" : "bad-fastcgi-record");
	gk_log(log, LOG_DEBUG, "FastCGI request refused before libfcgi: %s", res->reason);
}

int
gk_fcgiloop_init(struct gk_fcgiloop *l, int lfd, const struct gk_fcgiguard_limits *lim,
    const volatile sig_atomic_t *cancel, const struct gk_log *log, struct gk_err *err)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sslen = sizeof(ss);

	memset(l, 0, sizeof(*l));
	l->lim = *lim;
	l->cancel = cancel;
	l->log = log;
	l->lfd = lfd;
	l->fd = -1;
	l->status_params = 431;
	l->status_stdin = 413;
	l->status_bad = 400;
	l->tcp = getsockname(lfd, (struct sockaddr *)&ss, &sslen) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
	if ((l->scratch = malloc(l->lim.bytes_max)) == NULL)
		return gk_err_set(err, "out of memory");
	/* Listen socket -1: see fcgiloop.h. */
	FCGX_InitRequest(&l->rq, -1, FCGI_FAIL_ACCEPT_ON_INTR);
	return GK_OK;
}

int
gk_fcgiloop_next(struct gk_fcgiloop *l)
{
	struct gk_fcgiguard_result res;
	struct gk_err err = { "" };
	int rc;

	for (;;) {
		if (l->cancel != NULL && *l->cancel)
			return GK_EIO;
		if (l->fd < 0) {
			if ((l->fd = accept_conn(l)) < 0) {
				if (errno == EINTR)
					return GK_EIO;
				/* EMFILE and friends: do not spin. */
				if (++l->fails > 1)
					usleep(l->fails > 50 ? 500000 : 10000 * l->fails);
				continue;
			}
			l->prev_id = 0;
		}
		l->fails = 0;
		rc = gk_fcgiguard_wait(l->fd, l->prev_id, &l->lim, l->scratch, l->cancel, &res, &err);
		if (rc != GK_OK) {
			int status = refusal_status(l, rc, &res);

			log_refusal(l->log, l->fd, l->prev_id != 0, rc, &res);
			if (status != 0)
				answer_refusal(l->fd, res.request_id, status);
			/* Linger against TCP resets, and while the server still sends what we refused. */
			close_conn(l->fd, status != 0 || (l->tcp && rc != GK_NOTFOUND));
			l->fd = -1;
			continue;
		}
		l->peer_done = res.stdin_complete;
		l->rq.ipcFd = l->fd;
		l->rq.keepConnection = 1;
		if (FCGX_Accept_r(&l->rq) < 0) {
			/* Cannot happen for a checked request; libfcgi has closed fd. */
			gk_log(l->log, LOG_ERR, "libfcgi refused a checked request");
			l->fd = l->rq.ipcFd = -1;
			continue;
		}
		return GK_OK;
	}
}

void
gk_fcgiloop_finish(struct gk_fcgiloop *l)
{
	FCGX_Request *rq = &l->rq;
	int bad = 0;

	l->prev_id = rq->requestId;
	/* FCGX_Finish_r without its close: flush the streams, END_REQUEST, free the request. */
	if (rq->in != NULL) {
		bad |= FCGX_FClose(rq->err);
		bad |= FCGX_FClose(rq->out);
		bad |= FCGX_GetError(rq->in);
	}
	FCGX_Free(rq, 0);
	if (!rq->keepConnection || bad != 0) {
		close_conn(l->fd, l->tcp || bad != 0 || !l->peer_done);
		l->fd = rq->ipcFd = -1;
	}
}

void
gk_fcgiloop_free(struct gk_fcgiloop *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = l->rq.ipcFd = -1;
	FCGX_Free(&l->rq, 0);
	free(l->scratch);
	l->scratch = NULL;
}
