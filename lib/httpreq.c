/* httpreq.c: a strict reader of one HTTP/1.x request head (request line and header fields, never a body). */
#include <config.h>

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "httpreq.h"

static int
refuse(struct gk_httpreq *rq, int rc, int status, const char *reason)
{
	rq->status = status;
	rq->reason = reason;
	return rc;
}

/* RFC 9110 tchar.  A switch, not strchr(): every '-' of every field name comes here. */
static bool
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
	case '-': case '.': case '^': case '_': case '`': case '|': case '~':
		return true;
	default:
		return false;
	}
}

/* A byte inside a field value: VCHAR, obs-text, SP, HTAB. */
static bool
is_vbyte(unsigned char c)
{
	return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
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
	while (i < len && buf[i] > 0x20 && buf[i] < 0x7f)
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

/* What the framing fields say; the head is complete and well-formed. */
static int
framing(struct gk_httpreq *rq)
{
	bool cl_seen = false, close = rq->minor == 0;
	size_t i, k;

	for (i = 0; i < rq->nfields; i++) {
		const struct gk_httpreq_field *f = &rq->fields[i];

		if (f->nlen == 17 && strncasecmp(f->name, "Transfer-Encoding", 17) == 0)
			return refuse(rq, GK_EINVAL, 400, "request-body");
		if (f->nlen == 14 && strncasecmp(f->name, "Content-Length", 14) == 0) {
			if (cl_seen)
				return refuse(rq, GK_EINVAL, 400, "two-content-lengths");
			cl_seen = true;
			for (k = 0; k < f->vlen && f->value[k] == '0'; k++)
				;
			if (f->vlen == 0 || k != f->vlen)
				return refuse(rq, GK_EINVAL, 400, "request-body");
		}
		if (f->nlen == 10 && strncasecmp(f->name, "Connection", 10) == 0) {
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
		while (i < len && is_tchar(buf[i]))
			i++;
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
		while (i < len && is_vbyte(buf[i]))
			i++;
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
