/* fcgiguard.c: checks FastCGI records and name/value lengths before libfcgi sees them. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "fcgiguard.h"

/* FastCGI 1.0 (fastcgi.h values, repeated so lib/ does not depend on libfcgi's headers). */
#define HDR             8
#define T_BEGIN         1
#define T_ABORT         2
#define T_PARAMS        4
#define T_STDIN         5
#define T_DATA          8
#define T_GET_VALUES    9
#define F_KEEP_CONN     1
#define ROLE_MAX        3       /* responder, authorizer, filter */

struct hdr {
	unsigned version, type, id;
	size_t clen, plen;
};

/* Walks the content bytes of consecutive, complete records (headers already checked). */
struct cursor {
	const unsigned char *b;
	size_t next;            /* next record header */
	size_t end;             /* end of the checked records */
	size_t at;              /* next content byte */
	size_t left;            /* content bytes left in the current record */
};

static void
get_hdr(const unsigned char *p, struct hdr *h)
{
	h->version = p[0];
	h->type = p[1];
	h->id = (unsigned)p[2] << 8 | p[3];
	h->clen = (size_t)p[4] << 8 | p[5];
	h->plen = p[6];
}

static int
reject(struct gk_fcgiguard_result *res, struct gk_err *err, int status, const char *reason)
{
	res->reason = reason;
	gk_err_set(err, "bad FastCGI request: %s", reason);
	return status;
}

static int
incomplete(const struct gk_fcgiguard_limits *lim, struct gk_fcgiguard_result *res,
    struct gk_err *err, size_t need)
{
	if (need > lim->bytes_max)
		return reject(res, err, GK_ETOOLONG, "request-too-big");
	res->need = need;
	res->reason = "incomplete";
	return GK_FCGIGUARD_INCOMPLETE;
}

static bool
cur_byte(struct cursor *c, unsigned char *out)
{
	while (c->left == 0) {
		size_t clen;

		if (c->next >= c->end)
			return false;
		clen = (size_t)c->b[c->next + 4] << 8 | c->b[c->next + 5];
		c->at = c->next + HDR;
		c->left = clen;
		c->next = c->at + clen + c->b[c->next + 6];
	}
	*out = c->b[c->at++];
	c->left--;
	return true;
}

/*
 * Up to want content bytes at *p, contiguous in the current record (*n of them, at least
 * one): names and values are checked and copied a run at a time, not a byte at a time.
 */
static bool
cur_span(struct cursor *c, size_t want, const unsigned char **p, size_t *n)
{
	unsigned char b;

	if (c->left == 0) {
		if (!cur_byte(c, &b))   /* the next record with content, its first byte taken */
			return false;
		c->at--;
		c->left++;
	}
	*p = c->b + c->at;
	*n = want < c->left ? want : c->left;
	c->at += *n;
	c->left -= *n;
	return true;
}

/* Where gk_fcgiguard_pairs() copies the pairs while check_pairs() walks them. */
struct sink {
	char *out;
	size_t size, len;
	char **vec;
	size_t vecmax, n;
	bool full;
};

static void
sink_bytes(struct sink *s, const unsigned char *p, size_t n)
{
	size_t room = s->size - s->len;

	if (n > room) {
		n = room;
		s->full = true;
	}
	memcpy(s->out + s->len, p, n);
	s->len += n;
}

static void
sink_byte(struct sink *s, char c)
{
	if (s->len < s->size)
		s->out[s->len++] = c;
	else
		s->full = true;
}

/* A name or value length, 1 or 4 bytes.  1: read, 0: no byte at all, -1: cut short. */
static int
read_len(struct cursor *c, size_t *n, size_t *used)
{
	unsigned char b, x[3];

	if (!cur_byte(c, &b))
		return 0;
	if ((b & 0x80) == 0) {
		*n = b;
		*used += 1;
		return 1;
	}
	if (!cur_byte(c, &x[0]) || !cur_byte(c, &x[1]) || !cur_byte(c, &x[2]))
		return -1;
	*n = (size_t)(b & 0x7f) << 24 | (size_t)x[0] << 16 | (size_t)x[1] << 8 | x[2];
	*used += 4;
	return 1;
}

/*
 * The byte rules of a pair (libfcgi builds "name=value\0": '=' or NUL in a name, NUL in a
 * value, would lie), for k bytes of a name or a value: NULL, or the refusal's reason.
 */
static inline const char *
bad_bytes(const void *p, size_t k, bool name)
{
	if (name)
		return memchr(p, '=', k) != NULL || memchr(p, '\0', k) != NULL ? "bad-name" : NULL;
	return memchr(p, '\0', k) != NULL ? "nul-in-value" : NULL;
}

/*
 * Takes len bytes of a name or a value (bad_bytes), run by run, into the sink if any.  GK_OK, GK_FCGIGUARD_INCOMPLETE when cut short, or the
 * refusal.  Every byte before a cut is looked at, as a byte-wise walk would.
 */
static int
take_bytes(struct cursor *c, size_t len, bool name, struct sink *sink,
    struct gk_fcgiguard_result *res, struct gk_err *err)
{
	const unsigned char *p;
	const char *why;
	size_t k;

	while (len > 0) {
		if (!cur_span(c, len, &p, &k))
			return GK_FCGIGUARD_INCOMPLETE;
		if ((why = bad_bytes(p, k, name)) != NULL)
			return reject(res, err, GK_EINVAL, why);
		if (sink != NULL)
			sink_bytes(sink, p, k);
		len -= k;
	}
	return GK_OK;
}

/*
 * The name/value pairs in the PARAMS records [start, end).  total: all content bytes in
 * them; final: the empty PARAMS record was seen, so nothing more can follow.
 */
static int
check_pairs(const unsigned char *buf, size_t start, size_t end, size_t total, bool final,
    const struct gk_fcgiguard_limits *lim, struct gk_fcgiguard_result *res, struct gk_err *err,
    struct sink *sink)
{
	struct cursor c = { buf, start, end, 0, 0 };
	size_t used = 0, pairs = 0;
	int r;

	for (;;) {
		size_t nl, vl, room;

		if ((r = read_len(&c, &nl, &used)) == 0)
			break;
		if (r < 0 || read_len(&c, &vl, &used) <= 0)
			goto cut;
		if (nl == 0)
			return reject(res, err, GK_EINVAL, "empty-name");
		/* Both lengths must fit in what is left: in the stream if complete, in the cap if not. */
		room = (final ? total : lim->params_max) - used;
		if (used > (final ? total : lim->params_max) || nl > room || vl > room - nl)
			return reject(res, err, final ? GK_EINVAL : GK_ETOOLONG, "pair-overflow");
		if (++pairs > lim->pairs_max)
			return reject(res, err, GK_ETOOLONG, "too-many-pairs");
		if (sink != NULL) {
			if (sink->n + 1 >= sink->vecmax)
				sink->full = true;
			else if (sink->len < sink->size)
				sink->vec[sink->n++] = sink->out + sink->len;
		}
		if ((r = take_bytes(&c, nl, true, sink, res, err)) != GK_OK)
			goto failed;
		if (sink != NULL)
			sink_byte(sink, '=');
		if ((r = take_bytes(&c, vl, false, sink, res, err)) != GK_OK)
			goto failed;
		if (sink != NULL)
			sink_byte(sink, '\0');
		used += nl + vl;
	}
	res->pairs = pairs;
	res->params_bytes = used;
	return GK_OK;
failed:
	if (r != GK_FCGIGUARD_INCOMPLETE)
		return r;
cut:
	if (final)
		return reject(res, err, GK_EINVAL, "truncated-pair");
	res->pairs = pairs;
	return GK_FCGIGUARD_INCOMPLETE;
}

void
gk_fcgiguard_defaults(struct gk_fcgiguard_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->params_max = GK_FCGIGUARD_PARAMS_MAX;
	lim->pairs_max = GK_FCGIGUARD_PAIRS_MAX;
	lim->stdin_max = GK_FCGIGUARD_STDIN_MAX;
	lim->bytes_max = GK_FCGIGUARD_BYTES_MAX;
	lim->timeout_ms = GK_FCGIGUARD_TIMEOUT_MS;
	lim->want_stdin = false;
	lim->management = false;
	lim->abort = false;
}

/*
 * Checks the records of one stream (PARAMS or STDIN) of request rid from *pos up to the
 * empty record.  *sum: content bytes so far.  GK_OK with *pos past the empty record.
 */
int
gk_fcgiguard_pair(const char *name, size_t nl, const char *value, size_t vl,
    const struct gk_fcgiguard_limits *lim, size_t *pairs, size_t *bytes, const char **reason)
{
	const char *why;

	if (nl == 0)
		return *reason = "empty-name", GK_EINVAL;
	if ((why = bad_bytes(name, nl, true)) != NULL || (why = bad_bytes(value, vl, false)) != NULL)
		return *reason = why, GK_EINVAL;
	if (++*pairs > lim->pairs_max)
		return *reason = "too-many-pairs", GK_ETOOLONG;
	if (nl > lim->params_max - *bytes || vl > lim->params_max - *bytes - nl)
		return *reason = "pair-overflow", GK_ETOOLONG;
	*bytes += nl + vl;
	return GK_OK;
}

static int
check_stream(const unsigned char *buf, size_t len, size_t *pos, unsigned type, unsigned rid,
    size_t max, size_t *sum, const struct gk_fcgiguard_limits *lim,
    struct gk_fcgiguard_result *res, struct gk_err *err)
{
	struct hdr h;

	for (;;) {
		size_t rec;

		if (len - *pos < HDR)
			return incomplete(lim, res, err, *pos + HDR);
		get_hdr(buf + *pos, &h);
		if (h.version != 1)
			return reject(res, err, GK_EINVAL, "bad-version");
		if (h.id == 0)
			return reject(res, err, GK_EINVAL, "management-record");
		if (h.id != rid)
			return reject(res, err, GK_EINVAL, "other-request-id");
		if (h.type == T_ABORT && type == T_PARAMS && lim->abort) {
			rec = HDR + h.clen + h.plen;
			if (*pos + rec > lim->bytes_max)
				return reject(res, err, GK_ETOOLONG, "request-too-big");
			if (len - *pos < rec)
				return incomplete(lim, res, err, *pos + rec);
			*pos += rec;
			res->aborted = true;
			return GK_OK;
		}
		if (h.type != type)
			return reject(res, err, GK_EINVAL, "unexpected-record-type");
		rec = HDR + h.clen + h.plen;
		if (*pos + rec > lim->bytes_max)
			return reject(res, err, GK_ETOOLONG, "request-too-big");
		if (len - *pos < rec)
			return incomplete(lim, res, err, *pos + rec);
		*pos += rec;
		if (h.clen == 0)
			return GK_OK;
		*sum += h.clen;
		if (*sum > max)
			return reject(res, err, GK_ETOOLONG,
			    type == T_PARAMS ? "params-too-big" : "stdin-too-big");
	}
}

/*
 * A management record (request id 0) at pos, lim->management: accepted alone; the pairs of
 * an FCGI_GET_VALUES are checked as PARAMS pairs are (the value is empty when asking).
 */
static int
check_management(const unsigned char *buf, size_t len, size_t pos, const struct hdr *h,
    const struct gk_fcgiguard_limits *lim, struct gk_fcgiguard_result *res, struct gk_err *err)
{
	size_t rec = HDR + h->clen + h->plen;
	int rc;

	if (pos + rec > lim->bytes_max)
		return reject(res, err, GK_ETOOLONG, "request-too-big");
	if (len - pos < rec)
		return incomplete(lim, res, err, pos + rec);
	if (h->type == T_GET_VALUES) {
		rc = check_pairs(buf, pos, pos + rec, h->clen, true, lim, res, err, NULL);
		if (rc != GK_OK)
			return rc;
	}
	res->management = (int)h->type;
	res->pairs_start = pos;
	res->pairs_end = pos + rec;
	res->length = pos + rec;
	res->reason = "ok";
	return GK_OK;
}

int
gk_fcgiguard_pairs(const unsigned char *buf, const struct gk_fcgiguard_result *res,
    const struct gk_fcgiguard_limits *lim, char *out, size_t outsz, char **vec, size_t vecmax,
    struct gk_err *err)
{
	struct gk_fcgiguard_result again;
	struct sink s = { out, outsz, 0, vec, vecmax, 0, false };
	int rc;

	if (vecmax == 0 || res->aborted || res->pairs_end <= res->pairs_start) {
		gk_err_set(err, "no pairs to copy");
		return GK_EINVAL;
	}
	memset(&again, 0, sizeof(again));
	again.reason = "";
	rc = check_pairs(buf, res->pairs_start, res->pairs_end, res->params_bytes, true, lim,
	    &again, err, &s);
	vec[s.n] = NULL;
	if (rc != GK_OK)
		return rc == GK_FCGIGUARD_INCOMPLETE ? GK_EINVAL : rc;
	if (s.full || again.pairs != res->pairs) {
		vec[0] = NULL;
		return reject(&again, err, GK_ETOOLONG, "pairs-do-not-fit");
	}
	return GK_OK;
}

int
gk_fcgiguard_check(const unsigned char *buf, size_t len, int prev_id,
    const struct gk_fcgiguard_limits *lim, struct gk_fcgiguard_result *res, struct gk_err *err)
{
	struct hdr h;
	size_t pos = 0, rec, pstart, pend, params = 0, in = 0;
	unsigned rid;
	int rc, prc;

	memset(res, 0, sizeof(*res));
	res->reason = "";
	if (len > lim->bytes_max)
		len = lim->bytes_max;
	/* Trailing body records of the request just answered on this kept connection. */
	while (prev_id > 0 && len - pos >= HDR) {
		get_hdr(buf + pos, &h);
		if (h.version != 1 || h.id != (unsigned)prev_id ||
		    (h.type != T_STDIN && h.type != T_DATA && !(h.type == T_ABORT && lim->abort)))
			break;
		rec = HDR + h.clen + h.plen;
		if (len - pos < rec)
			return incomplete(lim, res, err, pos + rec);
		pos += rec;
		res->skip = pos;
	}
	if (len - pos < HDR)
		return incomplete(lim, res, err, pos + HDR);
	get_hdr(buf + pos, &h);
	if (h.version != 1)
		return reject(res, err, GK_EINVAL, "bad-version");
	if (h.id == 0 && h.type != T_BEGIN && lim->management)
		return check_management(buf, len, pos, &h, lim, res, err);
	if (h.type != T_BEGIN)
		return reject(res, err, GK_EINVAL, h.id == 0 ? "management-record" : "no-begin-request");
	if (h.id == 0)
		return reject(res, err, GK_EINVAL, "null-request-id");
	if (h.clen != 8)
		return reject(res, err, GK_EINVAL, "bad-begin-length");
	rec = HDR + h.clen + h.plen;
	if (len - pos < rec)
		return incomplete(lim, res, err, pos + rec);
	rid = h.id;
	res->request_id = (int)rid;
	res->role = buf[pos + HDR] << 8 | buf[pos + HDR + 1];
	res->keep_conn = (buf[pos + HDR + 2] & F_KEEP_CONN) != 0;
	if (res->role < 1 || res->role > ROLE_MAX)
		return reject(res, err, GK_EINVAL, "bad-role");
	if ((buf[pos + HDR + 2] & ~F_KEEP_CONN) != 0)
		return reject(res, err, GK_EINVAL, "bad-flags");
	pos += rec;
	pstart = pos;
	rc = check_stream(buf, len, &pos, T_PARAMS, rid, lim->params_max, &params, lim, res, err);
	if (rc != GK_OK && rc != GK_FCGIGUARD_INCOMPLETE)
		return rc;
	/*
	 * Pairs in the complete records so far (check_stream leaves pos at the first record
	 * that is not complete yet): the CVE shape is refused before the rest arrives.
	 */
	pend = pos;
	prc = check_pairs(buf, pstart, pend, params, rc == GK_OK && !res->aborted, lim, res, err,
	    NULL);
	if (prc != GK_OK && prc != GK_FCGIGUARD_INCOMPLETE)
		return prc;
	if (res->aborted) {
		/* The request ends here; its pairs so far were checked as on any cut, unused. */
		res->length = pos;
		res->reason = "aborted";
		return GK_OK;
	}
	if (rc == GK_FCGIGUARD_INCOMPLETE)
		return incomplete(lim, res, err, res->need);
	res->pairs_start = pstart;
	res->pairs_end = pend;
	if (lim->want_stdin) {
		rc = check_stream(buf, len, &pos, T_STDIN, rid, lim->stdin_max, &in, lim, res, err);
		if (rc != GK_OK)
			return rc;
		res->stdin_complete = true;
	} else {
		/*
		 * Only look whether the peer has sent all of the request (the empty STDIN record
		 * is queued too), which decides whether closing must linger (lib/fcgiloop.c);
		 * libfcgi never reads these bytes, so no cap applies and nothing is refused.
		 */
		struct gk_fcgiguard_result look;
		struct gk_err look_err;
		size_t end = pos;

		res->stdin_complete = check_stream(buf, len, &end, T_STDIN, rid, SIZE_MAX, &in,
		    lim, &look, &look_err) == GK_OK;
	}
	res->length = pos;
	res->reason = "ok";
	return GK_OK;
}

/* Reads and drops n bytes that a peek has shown are queued. */
static int
discard(int fd, unsigned char *scratch, size_t n)
{
	while (n > 0) {
		ssize_t r = recv(fd, scratch, n, MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n -= (size_t)r;
	}
	return 0;
}

int
gk_fcgiguard_wait(int fd, int prev_id, const struct gk_fcgiguard_limits *lim,
    unsigned char *scratch, const volatile sig_atomic_t *cancel,
    struct gk_fcgiguard_result *res, struct gk_err *err)
{
	int64_t deadline = gk_now_ms() + lim->timeout_ms, now, stall_since = 0;
	ssize_t n, last = -1;
	int rc, nap = 1;

	memset(res, 0, sizeof(*res));
	for (;;) {
		struct pollfd p = { fd, POLLIN | POLLRDHUP, 0 };
		int pr;

		n = recv(fd, scratch, lim->bytes_max, MSG_PEEK | MSG_DONTWAIT);
		if (n > 0) {
			rc = gk_fcgiguard_check(scratch, (size_t)n, prev_id, lim, res, err);
			if (res->skip > 0 && (rc == GK_OK || rc == GK_FCGIGUARD_INCOMPLETE)) {
				if (discard(fd, scratch, res->skip) != 0)
					return reject(res, err, GK_EIO, "recv-error");
				last = -1;
				continue;
			}
			if (rc != GK_FCGIGUARD_INCOMPLETE)
				return rc;
		} else if (n == 0) {
			return reject(res, err, GK_NOTFOUND, "eof");
		} else if (errno == EINTR) {
			if (cancel != NULL && *cancel)
				return reject(res, err, GK_EIO, "interrupted");
			continue;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
			return reject(res, err, GK_EIO, "recv-error");
		}
		if ((now = gk_now_ms()) >= deadline)
			return n > 0 ? reject(res, err, GK_EIO, "timeout") :
			    reject(res, err, GK_NOTFOUND, "idle-timeout");
		if (n > 0) {
			/*
			 * Part of a request is queued, so poll() would return at once: ask only
			 * whether the peer has stopped sending, then nap (1..16 ms) for the rest.
			 */
			if (poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
				return reject(res, err, GK_EIO, "truncated");
			if (n == last) {
				/*
				 * A peer that writes in small pieces fills a unix socket long before
				 * bytes_max: it then waits for us while we wait for it. A big part of
				 * a request that stops growing is one too large to take.
				 */
				if (stall_since == 0)
					stall_since = now;
				else if ((size_t)n >= GK_FCGIGUARD_STALL_BYTES &&
				    now - stall_since >= GK_FCGIGUARD_STALL_MS)
					return reject(res, err, GK_ETOOLONG, "stalled-large-request");
				pr = (int)(deadline - now) < nap ? (int)(deadline - now) : nap;
				if (poll(NULL, 0, pr) < 0 && errno == EINTR && cancel != NULL && *cancel)
					return reject(res, err, GK_EIO, "interrupted");
				if (nap < 16)
					nap *= 2;
			} else {
				nap = 1;
				stall_since = 0;
			}
			last = n;
			continue;
		}
		pr = poll(&p, 1, (int)(deadline - now));
		if (pr < 0 && errno == EINTR && cancel != NULL && *cancel)
			return reject(res, err, GK_EIO, "interrupted");
		if (pr < 0 && errno != EINTR)
			return reject(res, err, GK_EIO, "poll-error");
	}
}
