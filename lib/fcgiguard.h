/* fcgiguard.h: validates a FastCGI request's leading records before libfcgi parses them (CVE-2025-23016). */
#ifndef GK_FCGIGUARD_H
#define GK_FCGIGUARD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "common.h"

/*
 * Why: Debian 12's libfcgi 2.4.2-2+deb12u1 computes Malloc(nameLen + valueLen + 2) in int
 * inside ReadParams(); two 31-bit lengths still overflow it.  We cannot patch the library,
 * so every request is looked at (recv MSG_PEEK) and only handed to FCGX_Accept_r when the
 * bytes libfcgi is going to parse are well-formed and inside our caps.
 *
 * What libfcgi parses in FCGX_Accept_r, and therefore what we check, from the current
 * position of the connection: one FCGI_BEGIN_REQUEST, then FCGI_PARAMS records of that
 * request up to the empty one.  A program that reads the request body (FCGX_GetStr on
 * rq.in) also makes libfcgi parse the FCGI_STDIN records, where a management record
 * (request id 0, FCGI_GET_VALUES) reaches ReadParams again: such programs set want_stdin.
 */

/* Default caps: far above what nginx, Apache, lighttpd or Caddy send, far below harm. */
#define GK_FCGIGUARD_PARAMS_MAX   (128 * 1024)   /* name + value bytes of one request */
#define GK_FCGIGUARD_PAIRS_MAX    4096           /* name/value pairs of one request */
#define GK_FCGIGUARD_STDIN_MAX    (64 * 1024)    /* FCGI_STDIN content, want_stdin only */
#define GK_FCGIGUARD_BYTES_MAX    (256 * 1024)   /* everything inspected, headers and padding too */
#define GK_FCGIGUARD_TIMEOUT_MS   5000           /* a request must be complete this soon */
#define GK_FCGIGUARD_STALL_BYTES  (32 * 1024)    /* a partial request this big that ... */
#define GK_FCGIGUARD_STALL_MS     500            /* ... stops growing this long is too big */

/* Returned by gk_fcgiguard_check() when the buffer holds a valid but unfinished prefix. */
#define GK_FCGIGUARD_INCOMPLETE   2

struct gk_fcgiguard_limits {
	size_t params_max;
	size_t pairs_max;
	size_t stdin_max;
	size_t bytes_max;     /* also the size of the scratch buffer gk_fcgiguard_wait() needs */
	int timeout_ms;       /* gk_fcgiguard_wait(): from its start to a complete prefix */
	bool want_stdin;      /* also check FCGI_STDIN up to its empty record */
	/*
	 * For a core that parses the records itself (lib/fcgiconn), not libfcgi; both false
	 * in gk_fcgiguard_defaults().  management: a management record (request id 0) where a
	 * request would begin is accepted alone (res->management; FCGI_GET_VALUES pairs are
	 * checked like PARAMS pairs).  abort: an FCGI_ABORT_REQUEST of the request among its
	 * PARAMS ends the check (res->aborted), and one of prev_id is tolerated like its
	 * trailing STDIN records.
	 */
	bool management;
	bool abort;
};

struct gk_fcgiguard_result {
	const char *reason;   /* short static reason for logs ("pair-overflow", "timeout", ...) */
	size_t length;        /* GK_OK: bytes of the checked prefix (BEGIN .. end of PARAMS/STDIN) */
	size_t skip;          /* GK_OK: leading bytes of leftover STDIN/DATA records of prev_id */
	size_t need;          /* INCOMPLETE: total bytes needed before checking can go on */
	size_t pairs;         /* GK_OK: name/value pairs */
	size_t params_bytes;  /* GK_OK: name + value bytes */
	int request_id;
	int role;             /* 1 responder, 2 authorizer, 3 filter */
	bool keep_conn;       /* FCGI_KEEP_CONN was set */
	bool stdin_complete;  /* GK_OK: the empty FCGI_STDIN record is among the len bytes (the
	                         peer has sent all of this request; always so with want_stdin) */
	int management;       /* GK_OK, lim->management: the type of the management record that
	                         is the checked prefix (length bytes), 0 for a request */
	bool aborted;         /* GK_OK, lim->abort: the request was aborted before its PARAMS
	                         ended (length: up to the end of the ABORT_REQUEST record) */
	size_t pairs_start;   /* GK_OK: first and end offset of the records holding the pairs */
	size_t pairs_end;     /*   (PARAMS, or the FCGI_GET_VALUES record) */
	int env_status;       /* GK_OK from gk_fcgiguard_check_env(): GK_OK the pairs were copied,
	                         GK_ETOOLONG they did not fit, GK_EINVAL none were (no env,
	                         aborted, a management record other than FCGI_GET_VALUES) */
};

/* Where gk_fcgiguard_check_env() copies the pairs: out and vec of gk_fcgiguard_pairs(). */
struct gk_fcgiguard_env {
	char *out;
	size_t outsz;
	char **vec;
	size_t vecmax;
};

/* Fills lim with the defaults above (want_stdin false). */
void gk_fcgiguard_defaults(struct gk_fcgiguard_limits *lim);

/*
 * Checks the len bytes at buf, the start of what the peer sent from the point where libfcgi
 * will begin reading.  prev_id: on a kept connection the id of the request just answered
 * (its trailing STDIN/DATA records are tolerated and reported in res->skip; libfcgi itself
 * would drop the connection on them), 0 on a fresh connection.
 * Returns GK_OK (complete and valid), GK_FCGIGUARD_INCOMPLETE (valid so far; res->need),
 * GK_EINVAL (malformed) or GK_ETOOLONG (over a cap), with res->reason and err filled.
 * Pure: no I/O, no allocation.
 */
int gk_fcgiguard_check(const unsigned char *buf, size_t len, int prev_id,
    const struct gk_fcgiguard_limits *lim, struct gk_fcgiguard_result *res, struct gk_err *err);

/*
 * gk_fcgiguard_check(), and when it returns GK_OK for a request or an FCGI_GET_VALUES record,
 * the walk that checked the pairs also copied them into env (if not NULL) exactly as
 * gk_fcgiguard_pairs() would: res->env_status GK_OK, vec[0..pairs-1] and vec[pairs] NULL;
 * GK_ETOOLONG if they did not fit (vec[0] NULL).  The bytes are read once: a complete PARAMS
 * stream in one record (what web servers send) is walked straight, any other layout
 * through the record cursor, with the same rules, reasons and caps.  Pure as above.
 */
int gk_fcgiguard_check_env(const unsigned char *buf, size_t len, int prev_id,
    const struct gk_fcgiguard_limits *lim, const struct gk_fcgiguard_env *env,
    struct gk_fcgiguard_result *res, struct gk_err *err);

/*
 * Copies the pairs of a prefix that gk_fcgiguard_check() accepted (GK_OK, not aborted) out
 * of buf as "name=value" strings, the way libfcgi builds its envp, walking them with the
 * same code that checked them: vec[0..pairs-1] point into out, vec[pairs] is NULL.
 * out needs res->params_bytes + 2 * res->pairs bytes, vec res->pairs + 1 slots.
 * GK_OK; GK_ETOOLONG if out or vec is too small; GK_EINVAL if buf is not what was checked.
 */
int gk_fcgiguard_pairs(const unsigned char *buf, const struct gk_fcgiguard_result *res,
    const struct gk_fcgiguard_limits *lim, char *out, size_t outsz, char **vec, size_t vecmax,
    struct gk_err *err);

/*
 * The rules gk_fcgiguard_check() applies to each PARAMS pair, for a reader that builds the
 * pairs itself from another protocol (lib/httpconn: HTTP header fields as HTTP_* params):
 * a non-empty name without '=' or NUL, a value without NUL, at most lim->pairs_max pairs
 * and lim->params_max name + value bytes in all.  *pairs and *bytes are the counts so far
 * (start at 0) and are updated.  GK_OK; GK_EINVAL or GK_ETOOLONG with *reason ("bad-name",
 * "too-many-pairs", ...), the same words as res->reason.
 */
int gk_fcgiguard_pair(const char *name, size_t nl, const char *value, size_t vl,
    const struct gk_fcgiguard_limits *lim, size_t *pairs, size_t *bytes, const char **reason);

/*
 * Waits on the connected socket fd (poll + recv MSG_PEEK) until it holds a complete prefix
 * that gk_fcgiguard_check() accepts, for at most lim->timeout_ms.  Leftover records of
 * prev_id are read and discarded; nothing else is consumed, so libfcgi reads exactly the
 * checked bytes next.  scratch: caller-owned, at least lim->bytes_max bytes (the peeked
 * copy).  cancel: if non-NULL and set when a signal interrupts the wait, give up at once.
 * Returns GK_OK; GK_NOTFOUND if the peer closed or stayed silent before sending a byte
 * (res->reason "eof" / "idle-timeout": normal for a kept connection, a failure for a new one);
 * GK_EINVAL / GK_ETOOLONG as gk_fcgiguard_check(), and GK_ETOOLONG
 * ("stalled-large-request") when at least GK_FCGIGUARD_STALL_BYTES of a valid but
 * unfinished request stop growing for GK_FCGIGUARD_STALL_MS: a web server that writes in
 * small pieces fills a unix socket's queue below bytes_max and then waits for us to read,
 * which a peek never does; GK_EIO for a timeout with a partial
 * request ("timeout"), a peer that closed mid-request ("truncated"), a cancel ("interrupted")
 * or a socket error.  The caller closes fd on anything but GK_OK.
 */
int gk_fcgiguard_wait(int fd, int prev_id, const struct gk_fcgiguard_limits *lim,
    unsigned char *scratch, const volatile sig_atomic_t *cancel,
    struct gk_fcgiguard_result *res, struct gk_err *err);

#endif
