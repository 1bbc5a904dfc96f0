/* httpreq.c: a strict reader of one HTTP/1.x request head (request line and header fields, never a body). */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "httpreq.h"
#include "wordscan.h"

static int
refuse(struct gk_httpreq *rq, int rc, int status, const char *reason)
{
	rq->status = status;
	rq->reason = reason;
	return rc;
}

/*
 * The byte classes, one table lookup per byte (the head is read a byte at a time where a
 * word cannot be): RFC 9110 tchar (a field name, a method), a field value's byte (VCHAR,
 * obs-text, SP, HTAB), an origin-form target's byte (VCHAR).
 */
#define C_TCHAR 1
#define C_VBYTE 2
#define C_TARGET 4
#define C_T (C_TCHAR | C_VBYTE | C_TARGET)
#define C_V (C_VBYTE | C_TARGET)
#define C_O (C_VBYTE)           /* obs-text: a value's, never a name's or a target's */
static const unsigned char cls[256] = {
	['\t'] = C_VBYTE, [' '] = C_VBYTE,
	['!'] = C_T, ['"'] = C_V, ['#'] = C_T, ['$'] = C_T, ['%'] = C_T, ['&'] = C_T,
	['\''] = C_T, ['('] = C_V, [')'] = C_V, ['*'] = C_T, ['+'] = C_T, [','] = C_V,
	['-'] = C_T, ['.'] = C_T, ['/'] = C_V,
	['0'] = C_T, ['1'] = C_T, ['2'] = C_T, ['3'] = C_T, ['4'] = C_T, ['5'] = C_T,
	['6'] = C_T, ['7'] = C_T, ['8'] = C_T, ['9'] = C_T,
	[':'] = C_V, [';'] = C_V, ['<'] = C_V, ['='] = C_V, ['>'] = C_V, ['?'] = C_V, ['@'] = C_V,
	['A'] = C_T, ['B'] = C_T, ['C'] = C_T, ['D'] = C_T, ['E'] = C_T, ['F'] = C_T, ['G'] = C_T,
	['H'] = C_T, ['I'] = C_T, ['J'] = C_T, ['K'] = C_T, ['L'] = C_T, ['M'] = C_T, ['N'] = C_T,
	['O'] = C_T, ['P'] = C_T, ['Q'] = C_T, ['R'] = C_T, ['S'] = C_T, ['T'] = C_T, ['U'] = C_T,
	['V'] = C_T, ['W'] = C_T, ['X'] = C_T, ['Y'] = C_T, ['Z'] = C_T,
	['['] = C_V, ['\\'] = C_V, [']'] = C_V, ['^'] = C_T, ['_'] = C_T, ['`'] = C_T,
	['a'] = C_T, ['b'] = C_T, ['c'] = C_T, ['d'] = C_T, ['e'] = C_T, ['f'] = C_T, ['g'] = C_T,
	['h'] = C_T, ['i'] = C_T, ['j'] = C_T, ['k'] = C_T, ['l'] = C_T, ['m'] = C_T, ['n'] = C_T,
	['o'] = C_T, ['p'] = C_T, ['q'] = C_T, ['r'] = C_T, ['s'] = C_T, ['t'] = C_T, ['u'] = C_T,
	['v'] = C_T, ['w'] = C_T, ['x'] = C_T, ['y'] = C_T, ['z'] = C_T,
	['{'] = C_V, ['|'] = C_T, ['}'] = C_V, ['~'] = C_T,
	[0x80] = C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O,
	C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O,
	C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O,
	C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O,
	C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O,
	C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O,
	C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O,
	C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O, C_O,
};

static bool
is_tchar(unsigned char c)
{
	return (cls[c] & C_TCHAR) != 0;
}

/* Where the run of tchars from buf[i] ends (at most len): four bytes a step while it lasts. */
static size_t
name_run(const unsigned char *buf, size_t len, size_t i)
{
	while (len - i >= 4 && (cls[buf[i]] & cls[buf[i + 1]] & cls[buf[i + 2]] & cls[buf[i + 3]] &
	    C_TCHAR) != 0)
		i += 4;
	while (i < len && is_tchar(buf[i]))
		i++;
	return i;
}

/*
 * Where the run of value bytes from buf[i] ends (at most len): eight bytes at a time while
 * none of them is below 0x20 (CR, LF, HTAB, NUL, other controls) or 0x7f, then byte by byte
 * from the first word that has one (a tab inside a value is read there, not skipped).  A
 * cookie or a token is most of a head's bytes.
 */
static size_t
value_run(const unsigned char *buf, size_t len, size_t i)
{
	while (len - i >= 8) {
		uint64_t w;

		memcpy(&w, buf + i, 8);
		/* a byte above 0x7f never counts (obs-text: a value byte) */
		if (gk_word_has_control(w))
			break;
		i += 8;
	}
	while (i < len && (cls[buf[i]] & C_VBYTE) != 0)
		i++;
	return i;
}

/* The end of a line at buf[i]: 1 at "\r\n", 0 not yet known, -1 a bare CR or LF. */
static int
line_end(const unsigned char *buf, size_t len, size_t i)
{
	if (buf[i] == '\n')
		return -1;
	if (buf[i] != '\r')
		return -2;      /* not a line end at all */
	if (i + 1 >= len)
		return 0;
	return buf[i + 1] == '\n' ? 1 : -1;
}

/* The request line from buf[0]; *pos past its CRLF. */
static int
request_line(const unsigned char *buf, size_t len, size_t *pos, struct gk_httpreq *rq)
{
	size_t i = 0, start;
	int e;

	while (i < len && is_tchar(buf[i]))
		i++;
	if (i >= len)
		return i > GK_HTTPREQ_METHOD_MAX ? refuse(rq, GK_EINVAL, 400, "bad-method") :
		    GK_HTTPREQ_INCOMPLETE;
	if (i == 0)
		return refuse(rq, GK_EINVAL, 400, buf[0] == '\r' || buf[0] == '\n' ?
		    "empty-line" : "bad-request-line");
	if (i > GK_HTTPREQ_METHOD_MAX || buf[i] != ' ')
		return refuse(rq, GK_EINVAL, 400, "bad-method");
	rq->method = (const char *)buf;
	rq->mlen = i;
	start = ++i;
	if (i < len && buf[i] != '/')
		return refuse(rq, GK_EINVAL, 400, "bad-target");
	while (i < len && (cls[buf[i]] & C_TARGET) != 0)
		i++;
	if (i >= len)
		return GK_HTTPREQ_INCOMPLETE;
	rq->target = (const char *)buf + start;
	rq->tlen = i - start;
	if (buf[i] != ' ')
		/* "GET /\r\n" is HTTP/0.9; anything else here is a bad byte in the target */
		return refuse(rq, GK_EINVAL, 400, buf[i] == '\r' || buf[i] == '\n' ? "http-0.9" :
		    "bad-target");
	i++;
	if (len - i < 10)
		return memcmp(buf + i, "HTTP/1.1\r\n", len - i) == 0 ||
		    memcmp(buf + i, "HTTP/1.0\r\n", len - i) == 0 ? GK_HTTPREQ_INCOMPLETE :
		    refuse(rq, GK_EINVAL, memcmp(buf + i, "HTTP/", len - i < 5 ? len - i : 5) == 0 ?
		    505 : 400, "bad-version");
	if (memcmp(buf + i, "HTTP/1.", 7) != 0 || (buf[i + 7] != '0' && buf[i + 7] != '1'))
		return refuse(rq, GK_EINVAL, memcmp(buf + i, "HTTP/", 5) == 0 ? 505 : 400,
		    "bad-version");
	rq->minor = buf[i + 7] - '0';
	i += 8;
	if ((e = line_end(buf, len, i)) != 1)
		return e == 0 ? GK_HTTPREQ_INCOMPLETE : refuse(rq, GK_EINVAL, 400, "bad-version");
	*pos = i + 2;
	return GK_OK;
}

/* Whether the comma-separated list v[0..n) names token tok (case-insensitive). */
static bool
list_has(const char *v, size_t n, const char *tok)
{
	size_t i = 0, k = strlen(tok);

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == k && strncasecmp(v + s, tok, k) == 0)
			return true;
	}
	return false;
}

/*
 * Whether field f is named lit (lower case), any case.  The first byte first: nginx's
 * X-Gatekeep-Method and -Scheme have Transfer-Encoding's length, User-Agent has
 * Connection's.
 */
static bool
named(const struct gk_httpreq_field *f, const char *lit, size_t k)
{
	return f->nlen == k && (f->name[0] | 0x20) == lit[0] && strncasecmp(f->name, lit, k) == 0;
}
#define NAMED(f, lit) named((f), (lit), sizeof(lit) - 1)

/* What the framing fields say; the head is complete and well-formed. */
static int
framing(struct gk_httpreq *rq)
{
	bool cl_seen = false, close = rq->minor == 0;
	size_t i, k;

	for (i = 0; i < rq->nfields; i++) {
		const struct gk_httpreq_field *f = &rq->fields[i];

		if (NAMED(f, "transfer-encoding"))
			return refuse(rq, GK_EINVAL, 400, "request-body");
		if (NAMED(f, "content-length")) {
			if (cl_seen)
				return refuse(rq, GK_EINVAL, 400, "two-content-lengths");
			cl_seen = true;
			for (k = 0; k < f->vlen && f->value[k] == '0'; k++)
				;
			if (f->vlen == 0 || k != f->vlen)
				return refuse(rq, GK_EINVAL, 400, "request-body");
		}
		if (NAMED(f, "connection")) {
			if (list_has(f->value, f->vlen, "close"))
				close = true;
			else if (rq->minor == 0 && list_has(f->value, f->vlen, "keep-alive"))
				close = false;
		}
	}
	rq->close = close;
	return GK_OK;
}

int
gk_httpreq_parse(const unsigned char *buf, size_t len, struct gk_httpreq *rq)
{
	size_t pos = 0;
	int rc;

	/* not the fields (3 KiB, a memset per request): nfields says how many are set */
	memset(rq, 0, offsetof(struct gk_httpreq, fields));
	rq->status = 0;
	rq->reason = NULL;
	if (len > GK_HTTPREQ_HEAD_MAX)
		len = GK_HTTPREQ_HEAD_MAX;      /* what lies beyond can never be part of a head */
	if ((rc = request_line(buf, len, &pos, rq)) != GK_OK)
		goto out;
	for (;;) {
		struct gk_httpreq_field *f;
		size_t i = pos, vs, ve;
		int e;

		if (i >= len)
			goto more;
		if ((e = line_end(buf, len, i)) == 1) {
			rq->length = i + 2;
			return framing(rq);
		}
		if (e == 0)
			goto more;
		if (e == -1)
			return refuse(rq, GK_EINVAL, 400, "bare-cr-or-lf");
		if (buf[i] == ' ' || buf[i] == '\t')
			return refuse(rq, GK_EINVAL, 400, "obs-fold");
		i = name_run(buf, len, i);
		if (i >= len)
			goto more;
		if (i == pos || buf[i] != ':')
			return refuse(rq, GK_EINVAL, 400, "bad-field-name");
		if (rq->nfields >= GK_HTTPREQ_FIELDS_MAX)
			return refuse(rq, GK_ETOOLONG, 431, "too-many-fields");
		f = &rq->fields[rq->nfields];
		f->name = (const char *)buf + pos;
		f->nlen = i - pos;
		i++;
		while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
			i++;
		vs = i;
		i = value_run(buf, len, i);
		if (i >= len)
			goto more;
		if ((e = line_end(buf, len, i)) == 0)
			goto more;
		if (e != 1)
			return refuse(rq, GK_EINVAL, 400, e == -1 ? "bare-cr-or-lf" : "control-byte");
		ve = i;
		while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t'))
			ve--;
		f->value = (const char *)buf + vs;
		f->vlen = ve - vs;
		rq->nfields++;
		pos = i + 2;
	}
more:
	rc = GK_HTTPREQ_INCOMPLETE;
out:
	if (rc == GK_HTTPREQ_INCOMPLETE && len >= GK_HTTPREQ_HEAD_MAX)
		return refuse(rq, GK_ETOOLONG, 431, "head-too-big");
	return rc;
}

bool
gk_httpreq_name_folds_to(const char *name, size_t n, const char *want, bool *exact)
{
	size_t i;
	bool same = true;

	if (strlen(want) != n)
		return false;
	for (i = 0; i < n; i++) {
		char a = name[i], b = want[i];

		if (a >= 'a' && a <= 'z')
			a = (char)(a - 'a' + 'A');
		if (b >= 'a' && b <= 'z')
			b = (char)(b - 'a' + 'A');
		if (a == '_' || a == '-') {
			if (b != '-' && b != '_')
				return false;
			if (a != b)
				same = false;
			continue;
		}
		if (a != b)
			return false;
	}
	*exact = same;
	return true;
}
