/* httpconn.c: one HTTP/1.1 connection of the event-driven core (nginx auth_request over kept connections): a head in, a request out, one write per answer. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/socket.h>

#include "conn.h"
#include "httpconn.h"


enum state {
	READING,        /* waiting for (the rest of) a head */
	ANSWERING,      /* step returned a request; its answer comes next */
	WRITING,        /* part of an answer waits for the socket */
	FINISHED
};

struct gk_httpconn {
	struct gk_conn base;    /* first: lib/conn.h (fd, deadline, idle_since, refusal) */
	const struct gk_fcgiconn_conf *conf;
	enum state state;
	unsigned char *rbuf;
	size_t rlen, rcap;
	size_t cur_len;         /* the head being answered, consumed once answered */
	size_t parsed;          /* bytes an incomplete head had when last parsed */
	size_t examined;        /* bytes parsed for the head being read (all its parses) */
	bool cur_close;         /* close after this answer */
	bool peer_eof;
	bool answered;          /* one answer was written: an idle connection is a kept one */
	bool just_answered;     /* nothing more was buffered: wait for epoll, do not read yet */
	char *wbuf;             /* the rest of an answer the socket did not take */
	size_t wlen, woff;
};

static const struct gk_conn_ops http_ops;

static struct gk_httpconn *
hc(struct gk_conn *conn)
{
	return (struct gk_httpconn *)(void *)conn;      /* base is the first member */
}

/*
 * The fields nginx sets in the auth location, and the params they become.  All required:
 * nginx drops a client's field only when its own proxy_set_header line names it, so a
 * field nginx was not told to set would be the client's (SERVER_ADDR binds bypass_hosts).
 * HTTP_HOST too: the request's own Host is nginx's choice ($proxy_host, the upstream's
 * name, unless a line sets it), so host rules and bypass_hosts would match that name when
 * the line is left out, and a stricter host rule would be skipped.
 * No GATEKEEP_REQUIRE: a client could send it where nginx does not set it, and "bypass" is
 * a requirement; over HTTP the auth location's path names one (/_gatekeep/group:staff).
 */
#define NAMED(s) s, sizeof(s) - 1
static const struct {
	const char *field;
	size_t flen;            /* a field of another length cannot fold to it: no compare */
	const char *param;
	size_t plen;
} mapped[] = {
	{ NAMED("X-Gatekeep-Method"), NAMED("REQUEST_METHOD") },
	{ NAMED("X-Gatekeep-Uri"), NAMED("REQUEST_URI") },
	{ NAMED("X-Gatekeep-Addr"), NAMED("REMOTE_ADDR") },
	{ NAMED("X-Gatekeep-Scheme"), NAMED("REQUEST_SCHEME") },
	{ NAMED("X-Gatekeep-Server-Addr"), NAMED("SERVER_ADDR") },
	{ NAMED("X-Gatekeep-Host"), NAMED("HTTP_HOST") },
};
#define MAPPED (sizeof(mapped) / sizeof(mapped[0]))

/* Where the params are built: "name=value\0" strings in out, vec pointing at them. */
struct envbuf {
	char *out;
	size_t size, len;
	char **vec;
	size_t vecmax, n;
	size_t pairs, bytes;
	const struct gk_fcgiguard_limits *lim;
	const char *reason;
};

/*
 * A header field name's byte as CGI names it in a meta-variable (RFC 3875 4.1.18): upper
 * case, '-' as '_'; every other tchar as it is (the head's reader let only tchars in).
 */
static const unsigned char cgi_byte[256] = {
#define R4(b) (b), (b) + 1, (b) + 2, (b) + 3
#define R16(b) R4(b), R4((b) + 4), R4((b) + 8), R4((b) + 12)
	R16(0x00), R16(0x10), R4(0x20), R4(0x24), R4(0x28), 0x2c, '_', 0x2e, 0x2f,
	R16(0x30), R16(0x40), R16(0x50),
	0x60, R4('A'), R4('E'), R4('I'), R4('M'), R4('Q'), R4('U'), 'Y', 'Z', 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
	R16(0x80), R16(0x90), R16(0xa0), R16(0xb0), R16(0xc0), R16(0xd0), R16(0xe0), R16(0xf0),
#undef R16
#undef R4
};

/*
 * Appends "name=value\0", the name in two parts: a prefix of pl bytes and the rest (a
 * header field's name, made a CGI meta-variable's when there is a prefix).
 */
static int
add(struct envbuf *e, const char *pre, size_t pl, const char *name, size_t nl,
    const char *value, size_t vl)
{
	size_t need = pl + nl + 1 + vl + 1, i;
	char *p;
	int rc;

	if (e->n + 1 >= e->vecmax || need > e->size - e->len)
		return e->reason = "params-too-big", GK_ETOOLONG;
	p = e->out + e->len;
	if (pl == 0) {
		memcpy(p, name, nl);
	} else {
		memcpy(p, pre, pl);
		for (i = 0; i < nl; i++)
			p[pl + i] = (char)cgi_byte[(unsigned char)name[i]];
	}
	if ((rc = gk_fcgiguard_pair(p, pl + nl, value, vl, e->lim, &e->pairs, &e->bytes,
	    &e->reason)) != GK_OK)
		return rc;
	p[pl + nl] = '=';
	memcpy(p + pl + nl + 1, value, vl);
	p[pl + nl + 1 + vl] = '\0';
	e->vec[e->n++] = p;
	e->vec[e->n] = NULL;
	e->len += need;
	return GK_OK;
}

/*
 * Which mapped field f is, -1 for none; GK_EINVAL's reason in *why when its name folds to
 * one but is spelled with an underscore.  nginx spells them as its proxy_set_header lines
 * do (contrib's: the table's), compared first; any other spelling is folded.
 */
static int
mapped_index(const struct gk_httpreq_field *f, const char **why)
{
	size_t k;

	*why = NULL;
	/* the names are 14 to 22 bytes long; the byte after "X-Gatekeep-" tells those of one
	 * length apart */
	if (f->nlen < 14 || f->nlen > 22 || (f->name[0] | 0x20) != 'x')
		return -1;
	for (k = 0; k < MAPPED; k++) {
		bool exact;

		if (f->nlen != mapped[k].flen || (f->name[11] & ~0x20) != mapped[k].field[11])
			continue;
		if (memcmp(f->name, mapped[k].field, f->nlen) == 0)
			return (int)k;
		if (!gk_httpreq_name_folds_to(f->name, f->nlen, mapped[k].field, &exact))
			continue;
		if (!exact)
			*why = "underscore-gatekeep-field";
		return (int)k;
	}
	return -1;
}

int
gk_httpconn_params(const struct gk_httpreq *hr, const struct gk_fcgiguard_limits *lim,
    char *out, size_t outsz, char **vec, size_t vecmax, const char **reason)
{
	struct envbuf e = { out, outsz, 0, vec, vecmax, 0, 0, 0, lim, NULL };
	const struct gk_httpreq_field *found[MAPPED];
	const char *q, *why;
	size_t i, k, plen;
	int rc, m;

	memset(found, 0, sizeof(found));
	for (i = 0; i < hr->nfields; i++) {
		const struct gk_httpreq_field *f = &hr->fields[i];

		if ((m = mapped_index(f, &why)) < 0)
			continue;
		if (why != NULL)
			return *reason = why, GK_EINVAL;
		if (found[m] != NULL)
			return *reason = "duplicate-gatekeep-field", GK_EINVAL;
		found[m] = f;
	}
	if (vecmax < 1)
		return *reason = "params-too-big", GK_ETOOLONG;
	vec[0] = NULL;
	if ((rc = add(&e, "", 0, NAMED("FCGI_ROLE"), NAMED("RESPONDER"))) != GK_OK)
		goto fail;
	for (k = 0; k < MAPPED; k++) {
		if (found[k] == NULL)
			return *reason = "missing-gatekeep-field", GK_EINVAL;
		if ((rc = add(&e, "", 0, mapped[k].param, mapped[k].plen, found[k]->value,
		    found[k]->vlen)) != GK_OK)
			goto fail;
	}
	/* the auth_request location, for a requirement named by its last segment */
	q = memchr(hr->target, '?', hr->tlen);     /* the target is not NUL-terminated */
	plen = q != NULL ? (size_t)(q - hr->target) : hr->tlen;
	if ((rc = add(&e, "", 0, NAMED("DOCUMENT_URI"), hr->target, plen)) != GK_OK ||
	    (rc = add(&e, "", 0, NAMED("SCRIPT_NAME"), hr->target, plen)) != GK_OK)
		goto fail;
	/*
	 * The client's fields, as a CGI gateway passes them.  Not nginx's own: its Host (the
	 * upstream's name; HTTP_HOST is mapped) and the X-Gatekeep-* fields, which are the
	 * params above (over FastCGI there are no such HTTP_ params either), each found once.
	 */
	for (i = 0, k = 0; i < hr->nfields; i++) {
		const struct gk_httpreq_field *f = &hr->fields[i];

		if (k < MAPPED && f->nlen >= 14 && (f->name[0] | 0x20) == 'x') {
			for (m = 0; m < (int)MAPPED && found[m] != f; m++)
				;
			if (m < (int)MAPPED) {
				k++;
				continue;
			}
		}
		if (f->nlen == 4 && strncasecmp(f->name, "Host", 4) == 0)
			continue;
		if ((rc = add(&e, NAMED("HTTP_"), f->name, f->nlen, f->value, f->vlen)) != GK_OK)
			goto fail;
	}
	return GK_OK;
fail:
	*reason = e.reason;
	return rc;
}

static const char *
phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* Whether line[0..n) is header name (case-insensitive, k bytes) followed by ':'. */
static bool
is_field(const char *line, size_t n, const char *name, size_t k)
{
	return n > k && line[k] == ':' && strncasecmp(line, name, k) == 0;
}
#define IS_FIELD(line, n, lit) is_field((line), (n), (lit), sizeof(lit) - 1)

/* "HTTP/1.1 NNN Phrase\r\n" into out (status: 200 to 599); its length, 0 if it does not fit. */
static size_t
status_line(int status, char *out, size_t outsz)
{
	const char *ph = phrase(status);
	size_t pl = strlen(ph);

	if (outsz < 15 + pl)
		return 0;
	memcpy(out, "HTTP/1.1 ", 9);
	out[9] = (char)('0' + status / 100);
	out[10] = (char)('0' + status / 10 % 10);
	out[11] = (char)('0' + status % 10);
	out[12] = ' ';
	memcpy(out + 13, ph, pl);
	memcpy(out + 13 + pl, "\r\n", 2);
	return 15 + pl;
}

/* "Content-Length: n\r\n" (and "Connection: close\r\n") and the blank line; 0 if no room. */
static size_t
head_end(size_t n, bool close, char *out, size_t outsz)
{
	static const char cl[] = "Content-Length: ", cc[] = "Connection: close\r\n";
	char digits[24];
	size_t nd = 0, len = sizeof(cl) - 1;

	do
		digits[sizeof(digits) - ++nd] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	if (outsz < len + nd + 4 + (close ? sizeof(cc) - 1 : 0))
		return 0;
	memcpy(out, cl, len);
	memcpy(out + len, digits + sizeof(digits) - nd, nd);
	len += nd;
	memcpy(out + len, "\r\n", 2);
	len += 2;
	if (close) {
		memcpy(out + len, cc, sizeof(cc) - 1);
		len += sizeof(cc) - 1;
	}
	memcpy(out + len, "\r\n", 2);
	return len + 2;
}

/*
 * The code of a CGI Status line's value v[0..n) (the line's end not in it): blanks, three
 * digits, then the end or a blank and a reason phrase; 500 for anything else.  Not atoi,
 * which skips CR and LF as blanks, read the next line's or the body's digits, and past the
 * answer when only blanks followed.
 */
static int
status_code(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	if (n - i < 3 || v[i] < '2' || v[i] > '5' || v[i + 1] < '0' || v[i + 1] > '9' ||
	    v[i + 2] < '0' || v[i + 2] > '9' || (n - i > 3 && v[i + 3] != ' ' && v[i + 3] != '\t'))
		return 500;
	return (v[i] - '0') * 100 + (v[i + 1] - '0') * 10 + (v[i + 2] - '0');
}

/* Lines the HTTP head leaves out (Status, Content-Length; Content-Type without a body). */
#define DROPS_KEPT 16

/* Copies from[0..n) to out at *len; false if it does not fit in outsz. */
static bool
put_run(char *out, size_t *len, size_t outsz, const char *from, size_t n)
{
	if (n > outsz - *len)
		return false;
	memcpy(out + *len, from, n);
	*len += n;
	return true;
}

size_t
gk_httpconn_response(const char *cgi, size_t n, bool close, char *out, size_t outsz)
{
	const char *p = cgi, *end = cgi + n, *body = end, *blank_at = end;
	/* the first walk's dropped lines [start, end of its LF), Content-Type's marked: the
	 * copy then takes the runs between them, when every line ended in CRLF */
	struct {
		const char *from, *to;
		bool ctype;
	} drop[DROPS_KEPT];
	size_t len, blen, w, nd = 0, k;
	int status = 0;
	bool blank = false, crlf = true;
	char *o;

	/* the header lines, up to the blank one */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll;
		bool st;

		if (nl == NULL)
			break;
		ll = (size_t)(nl - p);
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		else
			crlf = false;
		if (ll == 0) {
			blank_at = p;
			body = nl + 1;
			blank = true;
			break;
		}
		st = IS_FIELD(p, ll, "Status");
		if (status == 0 && st)
			status = status_code(p + 7, ll - 7);
		if (st || IS_FIELD(p, ll, "Content-Length") || IS_FIELD(p, ll, "Content-Type")) {
			if (nd < DROPS_KEPT) {
				drop[nd].from = p;
				drop[nd].to = nl + 1;
				drop[nd].ctype = !st && p[8] != 'L' && p[8] != 'l';
			}
			nd++;
		}
		p = nl + 1;
	}
	if (status == 0 || !blank)
		status = 500;
	blen = status == 200 ? (size_t)(end - body) : 0;
	if ((len = status_line(status, out, outsz)) == 0)
		return 0;
	o = out;
	if (status != 500 && crlf && nd <= DROPS_KEPT) {
		/* the lines as they are, CRLFs and all, less the dropped ones */
		for (k = 0, p = cgi; k < nd; k++) {
			if (drop[k].ctype && blen > 0)
				continue;       /* a body's Content-Type stays */
			if (!put_run(o, &len, outsz, p, (size_t)(drop[k].from - p)))
				return 0;
			p = drop[k].to;
		}
		if (!put_run(o, &len, outsz, p, (size_t)(blank_at - p)))
			return 0;
	}
	for (p = cgi; status != 500 && !(crlf && nd <= DROPS_KEPT) && p < body;) {
		const char *nl = memchr(p, '\n', (size_t)(body - p));
		size_t ll = (size_t)(nl - p);

		if (nl == NULL)
			break;
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll > 0 && !IS_FIELD(p, ll, "Status") && !IS_FIELD(p, ll, "Content-Length") &&
		    (blen > 0 || !IS_FIELD(p, ll, "Content-Type"))) {
			if (len + ll + 2 > outsz)
				return 0;
			memcpy(o + len, p, ll);
			memcpy(o + len + ll, "\r\n", 2);
			len += ll + 2;
		}
		p = nl + 1;
	}
	if ((w = head_end(blen, close, o + len, outsz - len)) == 0 || blen > outsz - len - w)
		return 0;
	len += w;
	memcpy(o + len, body, blen);
	return len + blen;
}

static void
finish(struct gk_httpconn *c)
{
	char trash[4096];
	int i;

	/* unread bytes would turn our close into a reset that may destroy the answer */
	if (!c->peer_eof && shutdown(c->base.fd, SHUT_WR) == 0)
		for (i = 0; i < GK_CONN_DRAIN_READS &&
		    recv(c->base.fd, trash, sizeof(trash), MSG_DONTWAIT) > 0; i++)
			;
	c->state = FINISHED;
}

/* Sends what waits in wbuf; false on a dead peer (state FINISHED). */
static bool
flush(struct gk_httpconn *c)
{
	while (c->woff < c->wlen) {
		ssize_t w = send(c->base.fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (w <= 0) {
			gk_conn_refuse(&c->base, GK_FCGICONN_CLOSED, "write-failed");
			c->state = FINISHED;
			return false;
		}
		c->woff += (size_t)w;
	}
	c->wlen = c->woff = 0;
	return true;
}

/* Sends resp[0..n): what the socket does not take now is kept for later. */
static int
send_all(struct gk_httpconn *c, const char *resp, size_t n, int64_t now)
{
	ssize_t w;

	do
		w = send(c->base.fd, resp, n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		gk_conn_refuse(&c->base, GK_FCGICONN_CLOSED, "write-failed");
		c->state = FINISHED;
		return GK_OK;
	}
	if (w < 0)
		w = 0;
	if ((size_t)w < n) {
		char *nb = realloc(c->wbuf, n - (size_t)w);

		if (nb == NULL) {
			c->state = FINISHED;
			return GK_OK;
		}
		c->wbuf = nb;
		memcpy(c->wbuf, resp + w, n - (size_t)w);
		c->wlen = n - (size_t)w;
		c->woff = 0;
		c->state = WRITING;
		c->base.deadline = now + GK_FCGICONN_WRITE_MS;
	}
	return GK_OK;
}

/*
 * A refused head: 403 (whatever the reader's reason: its 400, 431 or 505 would reach the
 * client as nginx's 500, since auth_request passes on only 2xx, 401 and 403; the same
 * answer as a refused FastCGI request, lib/fcgiconn), a close, and the log's reason.
 */
#define REFUSAL_STATUS 403
static void
refuse(struct gk_httpconn *c, const char *reason, int64_t now)
{
	char resp[160];
	int n = snprintf(resp, sizeof(resp), "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", REFUSAL_STATUS, phrase(REFUSAL_STATUS));

	gk_conn_refuse(&c->base, GK_FCGICONN_BAD_RECORD, reason);
	c->cur_close = true;
	c->rlen = 0;
	send_all(c, resp, (size_t)n, now);
	if (c->state != WRITING)
		finish(c);
}

struct gk_conn *
gk_httpconn_new(int fd, const struct gk_fcgiconn_conf *conf, int64_t now)
{
	struct gk_httpconn *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->rbuf = malloc(GK_CONN_RBUF_START)) == NULL) {
		free(c);
		return NULL;
	}
	c->rcap = GK_CONN_RBUF_START;
	c->conf = conf;
	gk_conn_init(&c->base, &http_ops, fd, now + conf->lim.timeout_ms);
	c->state = READING;
	return &c->base;
}

/* Reads what the socket holds; false on EOF or an error (peer_eof set). */
static void
fill(struct gk_httpconn *c)
{
	for (;;) {
		ssize_t r;

		if (c->rlen == c->rcap) {
			/* a head at the cap plus the start of a pipelined one; no more (memory per peer) */
			const size_t most = GK_HTTPREQ_HEAD_MAX + GK_CONN_RBUF_START;
			size_t ncap = c->rcap * 2 < most ? c->rcap * 2 : most;
			unsigned char *nb;

			if (c->rcap >= most)
				return;         /* the parser refuses a head at HEAD_MAX */
			if ((nb = realloc(c->rbuf, ncap)) == NULL)
				return;
			c->rbuf = nb;
			c->rcap = ncap;
		}
		r = recv(c->base.fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
		if (r > 0) {
			c->rlen += (size_t)r;
			if ((size_t)r < c->rcap - c->rlen + (size_t)r)
				return;         /* the socket is empty now */
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		c->peer_eof = true;
		return;
	}
}

static enum gk_fcgiconn_event
http_step(struct gk_conn *conn, int64_t now, struct gk_fcgiconn_request *rq)
{
	struct gk_httpconn *c = hc(conn);
	const struct gk_fcgiconn_conf *cf = c->conf;
	/*
	 * Not on the stack: with GK_HTTPREQ_FIELDS_MAX fields it is 128 KiB, which
	 * -fstack-clash-protection would probe page by page on every call.  One event loop per
	 * process, and nothing keeps a pointer into it past this call.
	 */
	static struct gk_httpreq hr;
	const char *why;
	int rc;

	if (c->state == WRITING) {
		if (!flush(c))
			return GK_FCGICONN_DONE;
		if (c->wlen > 0)
			return GK_FCGICONN_WAIT;
		if (c->cur_close) {
			finish(c);
			return GK_FCGICONN_DONE;
		}
		c->state = READING;
		c->base.deadline = now + (c->rlen > 0 ? cf->lim.timeout_ms : GK_FCGICONN_KEPT_IDLE_MS);
	}
	if (c->state == FINISHED)
		return GK_FCGICONN_DONE;
	if (c->state == ANSWERING)
		return GK_FCGICONN_WAIT;        /* the caller answers first */
	if (c->just_answered) {
		/* nginx sends the next request when it has one: a read now finds nothing */
		c->just_answered = false;
		if (c->rlen == 0) {
			c->base.idle_since = now;
			return GK_FCGICONN_WAIT;
		}
	}
	if (!c->peer_eof) {
		size_t before = c->rlen;

		fill(c);
		if (before == 0 && c->rlen > 0) {
			c->base.idle_since = 0;
			c->base.deadline = now + cf->lim.timeout_ms;
		}
	}
	if (c->rlen == 0) {
		if (c->peer_eof) {
			gk_conn_refuse(&c->base, GK_FCGICONN_CLOSED, "eof");
			c->state = FINISHED;
			return GK_FCGICONN_DONE;
		}
		if (c->answered && c->base.idle_since == 0)
			c->base.idle_since = now;
		return GK_FCGICONN_WAIT;
	}
	/*
	 * A head is parsed again from its start, so only when a line may have ended: a peer
	 * writing a byte at a time costs a parse per line (at most GK_HTTPREQ_FIELDS_MAX + 2),
	 * not one per byte.
	 */
	if (c->parsed > 0 && c->rlen < GK_HTTPREQ_HEAD_MAX && !c->peer_eof &&
	    memchr(c->rbuf + c->parsed, '\n', c->rlen - c->parsed) == NULL)
		return GK_FCGICONN_WAIT;
	/* a head in tiny pieces is parsed once per line: bounded as FastCGI's (fcgiconn) */
	if ((c->examined += c->rlen) > 64 * (size_t)GK_HTTPREQ_HEAD_MAX) {
		refuse(c, "too-fragmented", now);
		return c->state == FINISHED ? GK_FCGICONN_DONE : GK_FCGICONN_WAIT;
	}
	rc = gk_httpreq_parse(c->rbuf, c->rlen, &hr);
	c->parsed = 0;
	if (rc == GK_HTTPREQ_INCOMPLETE) {
		c->parsed = c->rlen;
		if (!c->peer_eof)
			return GK_FCGICONN_WAIT;
		gk_conn_refuse(&c->base, GK_FCGICONN_CLOSED, "truncated");
		c->state = FINISHED;
		return GK_FCGICONN_DONE;
	}
	if (rc != GK_OK) {
		refuse(c, hr.reason, now);
		return c->state == FINISHED ? GK_FCGICONN_DONE : GK_FCGICONN_WAIT;
	}
	if (gk_httpconn_params(&hr, &cf->lim, cf->env, cf->envsz, cf->vec, cf->vecmax, &why) !=
	    GK_OK) {
		refuse(c, why, now);
		return c->state == FINISHED ? GK_FCGICONN_DONE : GK_FCGICONN_WAIT;
	}
	c->cur_len = hr.length;
	c->examined = 0;
	c->cur_close = hr.close || c->peer_eof;
	c->state = ANSWERING;
	rq->id = 1;
	rq->role = 1;
	rq->envp = cf->vec;
	return GK_FCGICONN_REQUEST;
}

static int
http_answer(struct gk_conn *conn, const char *cgi, size_t n, int64_t now)
{
	struct gk_httpconn *c = hc(conn);
	size_t len = gk_httpconn_response(cgi, n, c->cur_close, (char *)c->conf->out,
	    c->conf->outsz);

	if (len == 0)
		return GK_ETOOLONG;
	/* the head is answered: the next (pipelined) one moves to the front */
	memmove(c->rbuf, c->rbuf + c->cur_len, c->rlen - c->cur_len);
	c->rlen -= c->cur_len;
	c->cur_len = 0;
	c->answered = true;
	c->state = READING;
	c->base.deadline = now + (c->rlen > 0 ? c->conf->lim.timeout_ms : GK_FCGICONN_KEPT_IDLE_MS);
	send_all(c, (const char *)c->conf->out, len, now);
	if (c->state == READING && c->cur_close)
		finish(c);
	c->just_answered = c->state == READING;
	return GK_OK;
}

/* The socket (always open until here: the connection is freed once), its buffers. */
static void
http_free(struct gk_conn *conn)
{
	struct gk_httpconn *c = hc(conn);

	(void)close(conn->fd);
	free(c->wbuf);
	free(c->rbuf);
	free(c);
}

/* An HTTP connection waits for reading unless an answer is still going out. */
static uint32_t
http_events(const struct gk_conn *conn)
{
	return ((const struct gk_httpconn *)(const void *)conn)->state == WRITING ? EPOLLOUT :
	    EPOLLIN;
}

static void
http_expire(struct gk_conn *conn)
{
	struct gk_httpconn *c = hc(conn);

	if (c->state == READING && c->rlen > 0)
		gk_conn_refuse(conn, GK_FCGICONN_TIMEOUT, "head-timeout");
	else if (c->state == WRITING)
		gk_conn_refuse(conn, GK_FCGICONN_TIMEOUT, "write-timeout");
	else
		gk_conn_refuse(conn, GK_FCGICONN_CLOSED, "idle");
	c->state = FINISHED;
}

/* Idle: between answered heads, nothing of the next one here yet. */
static int64_t
http_idle_since(const struct gk_conn *conn)
{
	const struct gk_httpconn *c = (const struct gk_httpconn *)(const void *)conn;

	return c->state == READING && c->rlen == 0 ? conn->idle_since : 0;
}

/*
 * No hangup: an HTTP peer's end is read as such (nothing to skip, unlike FastCGI's); no
 * close: an HTTP connection is freed at its end, not kept (its buffers are small).
 */
static const struct gk_conn_ops http_ops = {
	.kind = "http", .name = "HTTP", .timeout_why = "http-timeout", .bad_why = "bad-http-request",
	.step = http_step, .answer = http_answer, .events = http_events, .expire = http_expire,
	.idle_since = http_idle_since, .free = http_free,
};
