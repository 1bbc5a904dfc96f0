/* httpreq.h: a strict reader of one HTTP/1.x request head (request line and header fields, never a body). */
#ifndef GK_HTTPREQ_H
#define GK_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "fcgiguard.h"

/*
 * Why a parser of our own and not http-parser: the only peer is nginx's auth_request
 * subrequest (a request line and header fields, no body), and everything else must be
 * refused, not understood.  http-parser is built to accept what browsers send (chunked
 * bodies, obs-fold, lenient flags, upgrades) and keeps state across calls; here the head
 * is read whole and checked in one pass by a pure function a fuzzer can drive.
 *
 * Accepted: "METHOD SP /origin-form SP HTTP/1.0|HTTP/1.1 CRLF", then field lines
 * "token:OWS value OWS CRLF" (value bytes: VCHAR, obs-text, SP and HTAB inside), then CRLF.
 * Refused (GK_EINVAL, status 400 unless said): a bare LF or CR, NUL and other control
 * bytes, a line that starts with SP or HTAB (obs-fold), white space before the colon, an
 * empty line before the request line, HTTP/0.9 (no version) and any other version (505),
 * a target that is not origin-form, any Transfer-Encoding, a Content-Length that is not
 * 0 or that comes twice (the head is all we read: a body would be taken for the next
 * request), more than GK_HTTPREQ_FIELDS_MAX fields or a head longer than
 * GK_HTTPREQ_HEAD_MAX (GK_ETOOLONG, status 431).  The status is what plain HTTP would
 * answer; lib/httpconn answers every refusal 403 (nginx turns any other into a 500).
 */

/*
 * The caps of a FastCGI request (lib/fcgiguard.h), so that a request nginx may pass over
 * FastCGI is never refused over HTTP for its size (a legitimate user with big cookies, up
 * to nginx's large_client_header_buffers).  The same client request is smaller here: a
 * field is "Name: value\r\n" (4 bytes around it) where FastCGI has "HTTP_NAME" + value
 * (5), nginx's auth head has fewer fields than its FastCGI params, and the URI once.
 */
#define GK_HTTPREQ_HEAD_MAX     GK_FCGIGUARD_PARAMS_MAX  /* request line + fields + CRLFs */
#define GK_HTTPREQ_FIELDS_MAX   GK_FCGIGUARD_PAIRS_MAX
#define GK_HTTPREQ_METHOD_MAX   32

/* Returned by gk_httpreq_parse() while the head is valid so far but not complete. */
#define GK_HTTPREQ_INCOMPLETE   2

struct gk_httpreq_field {
	const char *name;       /* pointers into the parsed buffer, not NUL-terminated */
	size_t nlen;
	const char *value;      /* without leading and trailing OWS */
	size_t vlen;
};

struct gk_httpreq {
	const char *method;
	size_t mlen;
	const char *target;     /* origin-form: starts with '/' */
	size_t tlen;
	int minor;              /* HTTP/1.minor: 0 or 1 */
	bool close;             /* Connection: close, or HTTP/1.0 without keep-alive */
	size_t length;          /* GK_OK: bytes of the head, its final CRLF included */
	size_t nfields;
	struct gk_httpreq_field fields[GK_HTTPREQ_FIELDS_MAX];
	int status;             /* on a refusal: 400, 431 or 505 */
	const char *reason;     /* on a refusal: a short word for the log */
};

/*
 * Reads the head at buf[0..len).  GK_OK (rq filled), GK_HTTPREQ_INCOMPLETE (valid so far:
 * read more), GK_EINVAL or GK_ETOOLONG (rq->status, rq->reason).  Pure: no I/O, no
 * allocation; the bytes are checked as far as they go, so a bad byte is refused before
 * the head is complete.
 */
int gk_httpreq_parse(const unsigned char *buf, size_t len, struct gk_httpreq *rq);

/*
 * Whether header field name[0..n) is want (a field name spelled with '-'), compared the
 * way a CGI gateway compares its meta-variables: case and '-' / '_' folded.  exact is set
 * when the spelling is want's up to case (no '_' where want has '-').
 */
bool gk_httpreq_name_folds_to(const char *name, size_t n, const char *want, bool *exact);

#endif
