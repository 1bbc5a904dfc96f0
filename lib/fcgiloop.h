/* fcgiloop.h: one FastCGI worker's request loop: accept, check (lib/fcgiguard), hand to libfcgi, finish, close. */
#ifndef GK_FCGILOOP_H
#define GK_FCGILOOP_H

#include <signal.h>
#include <stdbool.h>

#include <fcgiapp.h>

#include "common.h"
#include "fcgiguard.h"
#include "log.h"

/*
 * Why a loop of our own instead of FCGX_Accept_r(): libfcgi must never parse bytes we have
 * not checked (CVE-2025-23016, see lib/fcgiguard.h).  We accept the connection ourselves,
 * wait until gk_fcgiguard_wait() has seen a valid BEGIN_REQUEST + PARAMS (+ STDIN with
 * want_stdin), and only then give libfcgi the connection: rq.ipcFd = fd and
 * rq.keepConnection = 1, so that FCGX_Accept_r's own FCGX_Finish_r frees and closes nothing
 * and its "ipcFd < 0: accept" branch is skipped.  The request is initialised on listen
 * socket -1: if libfcgi ever fell back to accepting by itself, accept(-1) fails (EBADF)
 * instead of reading unchecked bytes.  A kept connection (nginx fastcgi_keep_conn) has its
 * next request checked the same way.  Connections are closed by us, bounded (LINGER),
 * never by libfcgi, whose per-read timer lets a trickling peer hold a worker for ever.
 *
 * Usage, once per worker process:
 *	gk_fcgiguard_defaults(&lim);            (adjust, e.g. want_stdin)
 *	gk_fcgiloop_init(&l, listen_fd, &lim, &wake_flag, log, &err);
 *	while (!stop && !reload) {
 *		if (gk_fcgiloop_next(&l) != GK_OK)
 *			continue;               (a signal: the flags decide)
 *		... l.rq.envp, l.rq.in, l.rq.out ...
 *		gk_fcgiloop_finish(&l);
 *	}
 *	gk_fcgiloop_free(&l);
 */

#define GK_FCGILOOP_LINGER_MS 1000      /* bounded lingering close */

struct gk_fcgiloop {
	FCGX_Request rq;                /* the current request after gk_fcgiloop_next() */
	struct gk_fcgiguard_limits lim;
	unsigned char *scratch;         /* lim.bytes_max bytes for gk_fcgiguard_wait() */
	const volatile sig_atomic_t *cancel;
	const struct gk_log *log;
	int lfd;                        /* the listening socket (not owned) */
	int fd;                         /* the current connection, -1 if none */
	int prev_id;                    /* the id answered last on fd, 0 on a fresh one */
	unsigned fails;                 /* accept() failures in a row */
	bool tcp;
	bool peer_done;                 /* the peer had sent all of the current request */
	int status_params;              /* the answer to a request over the params caps (431) */
	int status_stdin;               /* ... over the FCGI_STDIN cap (413) */
	int status_bad;                 /* ... with a NUL in a value (400); set these after init */
};

/*
 * Prepares a worker's loop on the listening socket lfd (which stays the caller's).
 * cancel: set by the caller's signal handlers (stop or reload); may be NULL.
 * GK_ERR (no memory) with err filled.
 */
int gk_fcgiloop_init(struct gk_fcgiloop *l, int lfd, const struct gk_fcgiguard_limits *lim,
    const volatile sig_atomic_t *cancel, const struct gk_log *log, struct gk_err *err);

/*
 * Waits for the next request that passes the check and lets libfcgi parse it into l->rq.
 * Requests that fail the check are refused here (one log line each, in the decision-line
 * format so fail2ban sees them: "deny ... method=fastcgi reason=bad-fastcgi-record" or
 * "reason=fastcgi-timeout") and their connection closed; the loop goes on. A well-framed
 * request over a cap (params, pairs, FCGI_STDIN) or with a NUL in a value first gets an
 * answer with status status_params, status_stdin or status_bad, so that the client sees a
 * clean 4xx, not the web server's 5xx for a closed connection.
 * Returns GK_OK with a request, or GK_EIO when a signal interrupted the wait (cancel set,
 * or accept() interrupted): the caller looks at its flags and calls again or stops.
 */
int gk_fcgiloop_next(struct gk_fcgiloop *l);

/*
 * Ends the request like FCGX_Finish_r (flushes FCGI_STDOUT/STDERR, sends END_REQUEST) and
 * keeps the connection for the next request if the server asked for it (FCGI_KEEP_CONN)
 * and nothing failed; otherwise closes it (bounded).
 */
void gk_fcgiloop_finish(struct gk_fcgiloop *l);

/* Closes a connection still open and frees everything; the listening socket stays open. */
void gk_fcgiloop_free(struct gk_fcgiloop *l);

#endif
