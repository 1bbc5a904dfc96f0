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

/* A new "name=value" string begins at the sink's end, if a vec slot is left for it. */
static void
sink_start(struct sink *s)
{
	if (s->n + 1 >= s->vecmax)
		s->full = true;
	else if (s->len < s->size)
		s->vec[s->n++] = s->out + s->len;
}

/* After a walk that accepted the pairs: vec ends with NULL, or is empty if they did not fit. */
static void
sink_end(struct sink *s, struct gk_fcgiguard_result *res)
{
	if (s == NULL)
		return;
	s->vec[s->n] = NULL;
	if (s->full)
		s->vec[0] = NULL;
	res->env_status = s->full ? GK_ETOOLONG : GK_OK;
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
		if (sink != NULL)
			sink_start(sink);
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

/* A length at p[*at] of a run of total bytes, 1 or 4 bytes: 1, 0 (none left), -1 (cut). */
static inline int
flat_len(const unsigned char *p, size_t total, size_t *at, size_t *n)
{
	const unsigned char *q = p + *at;

	if (*at >= total)
		return 0;
	if ((q[0] & 0x80) == 0) {
		*n = q[0];
		*at += 1;
		return 1;
	}
	if (total - *at < 4)
		return -1;
	*n = (size_t)(q[0] & 0x7f) << 24 | (size_t)q[1] << 16 | (size_t)q[2] << 8 | q[3];
	*at += 4;
	return 1;
}

/*
 * check_pairs() of a final stream whose total content bytes lie in one run at p (one PARAMS
 * record before the empty one, as web servers send a request's params; an FCGI_GET_VALUES
 * record): the same rules in the same order with the same reasons, read straight from the
 * run instead of through the cursor, and copied into the sink, if any, in the same walk.
 * In a final stream both lengths must fit in what is left of it, so nothing is cut.
 */
static int
flat_pairs(const unsigned char *p, size_t total, const struct gk_fcgiguard_limits *lim,
    struct gk_fcgiguard_result *res, struct gk_err *err, struct sink *sink)
{
	size_t at = 0, pairs = 0;
	int r;
	/*
	 * A pair takes at least 3 bytes of the run (2 lengths, a name byte) and copies out
	 * as its name and value + 2: when the sink has room for the run and a vec slot per
	 * 2 bytes of it, nothing can overflow and the pairs are copied without the checks.
	 */
	bool roomy = sink != NULL && sink->size - sink->len >= total && !sink->full &&
	    sink->vecmax - sink->n > total / 2 + 1;

	for (;;) {
		const char *why;
		size_t nl, vl;

		if ((r = flat_len(p, total, &at, &nl)) == 0)
			break;
		if (r < 0 || flat_len(p, total, &at, &vl) <= 0)
			return reject(res, err, GK_EINVAL, "truncated-pair");
		if (nl == 0)
			return reject(res, err, GK_EINVAL, "empty-name");
		if (nl > total - at || vl > total - at - nl)
			return reject(res, err, GK_EINVAL, "pair-overflow");
		if (++pairs > lim->pairs_max)
			return reject(res, err, GK_ETOOLONG, "too-many-pairs");
		if ((why = bad_bytes(p + at, nl, true)) != NULL ||
		    (why = bad_bytes(p + at + nl, vl, false)) != NULL)
			return reject(res, err, GK_EINVAL, why);
		if (roomy) {
			char *d = sink->out + sink->len;

			sink->vec[sink->n++] = d;
			memcpy(d, p + at, nl);
			d[nl] = '=';
			memcpy(d + nl + 1, p + at + nl, vl);
			d[nl + 1 + vl] = '\0';
			sink->len += nl + vl + 2;
		} else if (sink != NULL) {
			sink_start(sink);
			sink_bytes(sink, p + at, nl);
			sink_byte(sink, '=');
			sink_bytes(sink, p + at + nl, vl);
			sink_byte(sink, '\0');
		}
		at += nl + vl;
	}
	res->pairs = pairs;
	res->params_bytes = at;
	return GK_OK;
}

/*
 * The pairs in the records [start, end), as check_pairs(): through flat_pairs() when the
 * stream is final and all of its total content bytes are the first record's.
 */
static int
walk_pairs(const unsigned char *buf, size_t start, size_t end, size_t total, bool final,
    const struct gk_fcgiguard_limits *lim, struct gk_fcgiguard_result *res, struct gk_err *err,
    struct sink *sink)
{
	if (final && end - start >= HDR && total <= end - start - HDR &&
	    ((size_t)buf[start + 4] << 8 | buf[start + 5]) == total)
		return flat_pairs(buf + start + HDR, total, lim, res, err, sink);
	return check_pairs(buf, start, end, total, final, lim, res, err, sink);
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
    const struct gk_fcgiguard_limits *lim, struct gk_fcgiguard_result *res, struct gk_err *err,
    struct sink *sink)
{
	size_t rec = HDR + h->clen + h->plen;
	int rc;

	/* type 0 is no record type, and res->management = 0 would read as "a request" */
	if (h->type == 0)
		return reject(res, err, GK_EINVAL, "management-record");
	if (pos + rec > lim->bytes_max)
		return reject(res, err, GK_ETOOLONG, "request-too-big");
	if (len - pos < rec)
		return incomplete(lim, res, err, pos + rec);
	if (h->type == T_GET_VALUES) {
		rc = walk_pairs(buf, pos, pos + rec, h->clen, true, lim, res, err, sink);
		if (rc != GK_OK)
			return rc;
		sink_end(sink, res);
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
	rc = walk_pairs(buf, res->pairs_start, res->pairs_end, res->params_bytes, true, lim,
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
	return gk_fcgiguard_check_env(buf, len, prev_id, lim, NULL, res, err);
}

int
gk_fcgiguard_check_env(const unsigned char *buf, size_t len, int prev_id,
    const struct gk_fcgiguard_limits *lim, const struct gk_fcgiguard_env *env,
    struct gk_fcgiguard_result *res, struct gk_err *err)
{
	struct sink s, *sink = NULL;
	struct hdr h;
	size_t pos = 0, rec, pstart, pend, params = 0, in = 0;
	unsigned rid;
	int rc, prc;
	bool final;

	memset(res, 0, sizeof(*res));
	res->reason = "";
	res->env_status = GK_EINVAL;
	if (env != NULL && env->vec != NULL && env->vecmax > 0) {
		s = (struct sink){ env->out, env->outsz, 0, env->vec, env->vecmax, 0, false };
		sink = &s;
		env->vec[0] = NULL;
	}
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
		return check_management(buf, len, pos, &h, lim, res, err, sink);
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
	final = rc == GK_OK && !res->aborted;
	prc = walk_pairs(buf, pstart, pend, params, final, lim, res, err, final ? sink : NULL);
	if (prc != GK_OK && prc != GK_FCGIGUARD_INCOMPLETE)
		return prc;
	if (final)
		sink_end(sink, res);
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
