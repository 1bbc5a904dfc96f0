/* httpconn.h: one HTTP/1.1 connection of the event-driven core (nginx auth_request over kept connections): a head in, a request out, one write per answer. */
#ifndef GK_HTTPCONN_H
#define GK_HTTPCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "fcgiconn.h"
#include "httpreq.h"

/*
 * Why: nginx never reuses a FastCGI connection under auth_request (it marks one reusable
 * only after reading END_REQUEST in its body filter, and the auth subrequest ends at the
 * headers), so every FastCGI decision costs a connect, an accept and a close; an HTTP
 * upstream whose answer has Content-Length: 0 is kept (docs/http-front.md).
 *
 * A struct gk_conn (lib/conn.h) as lib/fcgiconn's, driven by lib/evloop the same way, and the same
 * request for the handler (struct gk_fcgiconn_request, role responder, envp built in
 * conf's scratch), so gatekeep-authz decides exactly as for nginx's fastcgi_params:
 *	REQUEST_METHOD    X-Gatekeep-Method
 *	REQUEST_URI       X-Gatekeep-Uri
 *	REMOTE_ADDR       X-Gatekeep-Addr
 *	REQUEST_SCHEME    X-Gatekeep-Scheme
 *	SERVER_ADDR       X-Gatekeep-Server-Addr
 *	HTTP_HOST         X-Gatekeep-Host ($host; the head's own Host is nginx's, not read)
 *	DOCUMENT_URI, SCRIPT_NAME: the path of the request line (the auth_request location,
 *	    whose last segment may name a requirement: /_gatekeep/group:staff)
 * All six fields are required (a missing one is a 400): nginx drops a client's field only
 * when a proxy_set_header line of its own names it.  There is no GATEKEEP_REQUIRE field:
 * a client could send one where nginx sets none, and "bypass" is a requirement.
 *	HTTP_*: every other header field, as a CGI gateway names it
 * These names are nginx's proxy_set_header lines in the auth location; nginx drops a
 * client's field of the same name (any case).  A field that folds (case, '-' / '_') to one
 * of them must be spelled with dashes and come once: a client's "X_Gatekeep_Uri" (which
 * nginx passes with underscores_in_headers on) next to nginx's is refused, never read.
 * Every pair then passes gk_fcgiguard_pair(), the guard's rules for PARAMS.
 * Whoever can connect states REMOTE_ADDR: the socket is nginx's alone (a unix socket's mode
 * and owner, or loopback TCP), exactly as the FastCGI one.
 *
 * Requests are answered one at a time in order (pipelined ones wait in the buffer until the
 * answer before them is written); a bad head gets a 4xx (Connection: close) and the
 * connection ends; a head must be complete conf->lim.timeout_ms after its first byte.
 */

struct gk_conn;

/*
 * Takes the connected, non-blocking socket fd (closed by gk_conn_free).  NULL: no memory.
 * Its answer is an HTTP/1.1 response with the CGI response's status and headers and
 * Content-Length: 0 (the body is dropped, except a 200's: the ops answers), one write.
 * Refusals: BAD_RECORD a refused head (answered 4xx); TIMEOUT a head not complete in time.
 */
struct gk_conn *gk_httpconn_new(int fd, const struct gk_fcgiconn_conf *conf, int64_t now);

/*
 * The request's params from a parsed head, as above: vec[0..] into out, NULL-terminated.
 * GK_OK; GK_EINVAL / GK_ETOOLONG with *reason.  Pure (fuzzed with gk_httpreq_parse).
 */
int gk_httpconn_params(const struct gk_httpreq *hr, const struct gk_fcgiguard_limits *lim,
    char *out, size_t outsz, char **vec, size_t vecmax, const char **reason);

/*
 * The HTTP/1.1 response for CGI response cgi[0..n) into out: its length, 0 if it does not
 * fit.  close adds Connection: close.  A CGI answer without a valid Status line is a 500.
 */
size_t gk_httpconn_response(const char *cgi, size_t n, bool close, char *out, size_t outsz);

#endif
