/* t_fcgiguard.c: the FastCGI pre-check against hostile record streams, as a buffer and over a socket. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcgiguard.h"
#include "tap.h"

#define BUFMAX (GK_FCGIGUARD_BYTES_MAX + 65536)

/* A growing byte string to assemble record streams in. */
struct bytes {
	unsigned char *p;
	size_t n;
};

static void
put(struct bytes *b, const void *src, size_t n)
{
	if (b->n + n > BUFMAX) {
		fprintf(stderr, "test buffer too small\n");
		exit(99);
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
}

static void
rec(struct bytes *b, int version, int type, int id, const void *content, size_t clen, size_t pad)
{
	unsigned char h[8] = { (unsigned char)version, (unsigned char)type,
	    (unsigned char)(id >> 8), (unsigned char)id,
	    (unsigned char)(clen >> 8), (unsigned char)clen, (unsigned char)pad, 0 };
	static const unsigned char zero[256];

	put(b, h, 8);
	if (clen > 0)
		put(b, content, clen);
	put(b, zero, pad);
}

static void
begin(struct bytes *b, int id, int role, int flags)
{
	unsigned char body[8] = { (unsigned char)(role >> 8), (unsigned char)role,
	    (unsigned char)flags, 0, 0, 0, 0, 0 };

	rec(b, 1, 1, id, body, 8, 0);
}

/* Appends one name/value pair (1- or 4-byte lengths as the spec says) to a params body. */
static void
nv(struct bytes *b, const char *name, const char *value)
{
	size_t l[2] = { strlen(name), strlen(value) };
	int i;

	for (i = 0; i < 2; i++) {
		if (l[i] < 128) {
			unsigned char c = (unsigned char)l[i];

			put(b, &c, 1);
		} else {
			unsigned char c[4] = { (unsigned char)(0x80 | l[i] >> 24),
			    (unsigned char)(l[i] >> 16), (unsigned char)(l[i] >> 8), (unsigned char)l[i] };

			put(b, c, 4);
		}
	}
	put(b, name, l[0]);
	put(b, value, l[1]);
}

/* Splits a params body into PARAMS records of at most chunk bytes, then the empty one. */
static void
params(struct bytes *b, int id, const struct bytes *body, size_t chunk)
{
	size_t off;

	for (off = 0; off < body->n; off += chunk) {
		size_t n = body->n - off < chunk ? body->n - off : chunk;

		rec(b, 1, 4, id, body->p + off, n, (8 - n % 8) % 8);
	}
	rec(b, 1, 4, id, NULL, 0, 0);
}

static struct bytes
new_bytes(void)
{
	struct bytes b = { malloc(BUFMAX), 0 };

	if (b.p == NULL)
		exit(99);
	return b;
}

/* A typical nginx request: BEGIN, a few params, empty PARAMS, empty STDIN. */
static void
normal(struct bytes *b, int id, int role, int flags)
{
	struct bytes body = new_bytes();

	nv(&body, "REQUEST_METHOD", "GET");
	nv(&body, "REQUEST_URI", "/admin?x=1");
	nv(&body, "REMOTE_ADDR", "203.0.113.7");
	nv(&body, "HTTP_AUTHORIZATION", "Basic YWxpY2U6c2VjcmV0IG9uZQ==");
	begin(b, id, role, flags);
	params(b, id, &body, 65535);
	rec(b, 1, 5, id, NULL, 0, 0);
	free(body.p);
}

static int
check(const struct bytes *b, int prev, const struct gk_fcgiguard_limits *lim,
    struct gk_fcgiguard_result *res)
{
	struct gk_err err = { "" };

	return gk_fcgiguard_check(b->p, b->n, prev, lim, res, &err);
}

/* The CVE-2025-23016 shape: a PARAMS record announcing a name and a value of ~2 GiB each. */
static void
cve(struct bytes *b, unsigned long nl, unsigned long vl, bool end)
{
	unsigned char body[8 + 64];

	body[0] = (unsigned char)(0x80 | nl >> 24);
	body[1] = (unsigned char)(nl >> 16);
	body[2] = (unsigned char)(nl >> 8);
	body[3] = (unsigned char)nl;
	body[4] = (unsigned char)(0x80 | vl >> 24);
	body[5] = (unsigned char)(vl >> 16);
	body[6] = (unsigned char)(vl >> 8);
	body[7] = (unsigned char)vl;
	memset(body + 8, 'A', 64);
	begin(b, 1, 1, 0);
	rec(b, 1, 4, 1, body, sizeof(body), 0);
	if (end)
		rec(b, 1, 4, 1, NULL, 0, 0);
}

static void
test_buffers(void)
{
	struct gk_fcgiguard_limits lim;
	struct gk_fcgiguard_result res;
	struct bytes b = new_bytes(), body = new_bytes();
	size_t i, full;
	int rc;

	gk_fcgiguard_defaults(&lim);
	is_int(lim.params_max, GK_FCGIGUARD_PARAMS_MAX, "defaults: params cap");
	ok(!lim.want_stdin && lim.timeout_ms == GK_FCGIGUARD_TIMEOUT_MS, "defaults: no stdin, 5 s");

	normal(&b, 1, 1, 0);
	rc = check(&b, 0, &lim, &res);
	is_int(rc, GK_OK, "a normal responder request passes");
	is_int(res.pairs, 4, "four pairs counted");
	is_int(res.request_id, 1, "request id");
	is_int(res.role, 1, "role responder");
	ok(!res.keep_conn, "no keep-conn flag");
	is_int(res.length, b.n - 8, "prefix ends after the empty PARAMS record (STDIN not needed)");
	ok(res.stdin_complete, "the empty STDIN record is queued: the peer sent all (no lingering)");
	lim.want_stdin = true;
	rc = check(&b, 0, &lim, &res);
	is_int(rc, GK_OK, "want_stdin: passes");
	is_int(res.length, b.n, "want_stdin: prefix includes the empty STDIN record");
	ok(res.stdin_complete, "want_stdin: the peer sent all");
	lim.want_stdin = false;

	/* The end of STDIN, as seen when the answer is ready: what decides lingering. */
	b.n -= 8;
	ok(check(&b, 0, &lim, &res) == GK_OK && !res.stdin_complete,
	    "PARAMS only (Caddy's STDIN write still to come, or Apache's authorizer): not all sent");
	rec(&b, 1, 5, 1, "ab", 2, 6);
	ok(check(&b, 0, &lim, &res) == GK_OK && !res.stdin_complete, "a STDIN record with data, no end: not all sent");
	full = b.n;
	rec(&b, 1, 5, 1, NULL, 0, 0);
	b.n -= 3;
	ok(check(&b, 0, &lim, &res) == GK_OK && !res.stdin_complete, "the empty STDIN record cut short: not all sent");
	b.n += 3;
	ok(check(&b, 0, &lim, &res) == GK_OK && res.stdin_complete, "data, then the empty STDIN record: all sent");
	b.n = full;
	rec(&b, 1, 5, 2, NULL, 0, 0);
	ok(check(&b, 0, &lim, &res) == GK_OK && !res.stdin_complete, "an empty STDIN record of another id: not ours");
	b.n = 0;
	normal(&b, 1, 1, 0);

	/* Every proper prefix is incomplete, never accepted, never rejected. */
	full = b.n - 8;
	for (i = 0; i < full; i++) {
		struct bytes cut = b;

		cut.n = i;
		rc = check(&cut, 0, &lim, &res);
		if (rc != GK_FCGIGUARD_INCOMPLETE || res.need <= i) {
			ok(0, "prefix of %zu bytes: rc %d need %zu", i, rc, res.need);
			break;
		}
	}
	ok(i == full, "all %zu proper prefixes report incomplete with need > length", full);

	b.n = 0;
	normal(&b, 513, 2, 1);
	rc = check(&b, 0, &lim, &res);
	ok(rc == GK_OK && res.role == 2 && res.keep_conn && res.request_id == 513,
	    "authorizer with keep-conn, request id 513");
	b.n = 0;
	normal(&b, 1, 3, 0);
	is_int(check(&b, 0, &lim, &res), GK_OK, "filter role passes the guard (the program answers 500)");

	/* --- the CVE shapes --- */
	b.n = 0;
	cve(&b, 0x7ffffffe, 0x7ffffffe, true);
	rc = check(&b, 0, &lim, &res);
	ok(rc == GK_EINVAL || rc == GK_ETOOLONG, "CVE 0x7ffffffe + 0x7ffffffe: rejected (rc %d)", rc);
	is_str(res.reason, "pair-overflow", "reason pair-overflow");
	b.n = 0;
	cve(&b, 0x7ffffffe, 0x7ffffffe, false);
	rc = check(&b, 0, &lim, &res);
	is_int(rc, GK_ETOOLONG, "CVE shape without the end record: rejected at once, not incomplete");
	b.n = 0;
	cve(&b, 0x7fffffff, 0x7fffffff, true);
	ok(check(&b, 0, &lim, &res) < 0, "0x7fffffff + 0x7fffffff: rejected");
	b.n = 0;
	cve(&b, 0x7fffffff, 1, true);
	ok(check(&b, 0, &lim, &res) < 0, "name 0x7fffffff: rejected");
	b.n = 0;
	cve(&b, 10, 0x7ffffff0, true);
	ok(check(&b, 0, &lim, &res) < 0, "value 0x7ffffff0: rejected");
	b.n = 0;
	cve(&b, 60, 5, true);
	ok(check(&b, 0, &lim, &res) < 0, "lengths 60+5 > the 64 bytes present: rejected");
	b.n = 0;
	cve(&b, 60, 4, true);
	is_int(check(&b, 0, &lim, &res), GK_OK, "lengths 60+4 = the 64 bytes present: accepted");

	/* Lengths larger than the stream by one, in 1-byte form. */
	{
		unsigned char p[] = { 3, 4, 'A', 'B', 'C', 'x', 'y', 'z' };

		b.n = 0;
		begin(&b, 1, 1, 0);
		rec(&b, 1, 4, 1, p, sizeof(p), 0);
		rec(&b, 1, 4, 1, NULL, 0, 0);
		ok(check(&b, 0, &lim, &res) == GK_EINVAL, "value one byte longer than the stream: rejected");
		is_str(res.reason, "pair-overflow", "reason pair-overflow");
		p[1] = 2;
		b.n = 0;
		begin(&b, 1, 1, 0);
		rec(&b, 1, 4, 1, p, sizeof(p), 0);
		rec(&b, 1, 4, 1, NULL, 0, 0);
		ok(check(&b, 0, &lim, &res) == GK_EINVAL, "stray byte after the last pair: rejected");
		is_str(res.reason, "truncated-pair", "reason truncated-pair");
		p[1] = 4;
		p[0] = 0x83;
		b.n = 0;
		begin(&b, 1, 1, 0);
		rec(&b, 1, 4, 1, p, 2, 0);
		rec(&b, 1, 4, 1, NULL, 0, 0);
		ok(check(&b, 0, &lim, &res) == GK_EINVAL, "4-byte length cut by the end of the stream");
	}

	/* A pair split across records (legal; libfcgi reads it as a stream). */
	body.n = 0;
	nv(&body, "HTTP_X_LONG", "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
	    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz");
	nv(&body, "REQUEST_URI", "/");
	b.n = 0;
	begin(&b, 1, 1, 0);
	params(&b, 1, &body, 3);
	rc = check(&b, 0, &lim, &res);
	ok(rc == GK_OK && res.pairs == 2, "pairs split over 3-byte records: accepted, 2 pairs");
	b.n = 0;
	begin(&b, 1, 1, 0);
	params(&b, 1, &body, 1);
	ok(check(&b, 0, &lim, &res) == GK_OK, "1-byte records: accepted");
	/* The length of a split pair is checked against the whole stream, not one record. */
	{
		unsigned char p[4] = { 0x80, 0, 0, 20 };

		b.n = 0;
		begin(&b, 1, 1, 0);
		rec(&b, 1, 4, 1, p, 2, 0);
		rec(&b, 1, 4, 1, p + 2, 2, 0);
		rec(&b, 1, 4, 1, "\0", 1, 0);
		rec(&b, 1, 4, 1, "NAME_OF_TWENTY_BYTES", 20, 0);
		rec(&b, 1, 4, 1, NULL, 0, 0);
		ok(check(&b, 0, &lim, &res) == GK_OK, "4-byte name length split over two records");
	}

	/* --- counts and sizes --- */
	body.n = 0;
	for (i = 0; i < 10000; i++) {
		char n[16];

		snprintf(n, sizeof(n), "X_%zu", i);
		nv(&body, n, "y");
	}
	b.n = 0;
	begin(&b, 1, 1, 0);
	params(&b, 1, &body, 65535);
	rc = check(&b, 0, &lim, &res);
	ok(rc == GK_ETOOLONG, "10000 pairs: rejected");
	is_str(res.reason, "too-many-pairs", "reason too-many-pairs");
	b.n = 0;
	begin(&b, 1, 1, 0);
	body.n = 0;
	for (i = 0; i < 2000; i++) {
		char n[16];

		snprintf(n, sizeof(n), "X_%zu", i);
		nv(&body, n, "y");
	}
	params(&b, 1, &body, 65535);
	is_int(check(&b, 0, &lim, &res), GK_OK, "2000 pairs: passed on (the program denies them)");
	{
		char *big = malloc(100001);

		memset(big, 'a', 100000);
		big[100000] = '\0';
		body.n = 0;
		nv(&body, "HTTP_X_BIG", big);
		b.n = 0;
		begin(&b, 1, 1, 0);
		params(&b, 1, &body, 65535);
		is_int(check(&b, 0, &lim, &res), GK_OK, "one 100000-byte value: passed on");
		memset(big, 'a', 100000);
		body.n = 0;
		nv(&body, "HTTP_X_BIG", big);
		nv(&body, "HTTP_X_BIG2", big);
		b.n = 0;
		begin(&b, 1, 1, 0);
		params(&b, 1, &body, 65535);
		rc = check(&b, 0, &lim, &res);
		ok(rc == GK_ETOOLONG, "200000 bytes of params: rejected (%s)", res.reason);
		free(big);
	}
	/* 1-byte records padded by 255: bounded by the bytes cap, not by the params cap. */
	b.n = 0;
	begin(&b, 1, 1, 0);
	for (i = 0; i < 1200; i++)
		rec(&b, 1, 4, 1, "\1", 1, 255);
	rc = check(&b, 0, &lim, &res);
	ok(rc == GK_ETOOLONG, "1200 one-byte records with 255 bytes padding: rejected (%s)", res.reason);

	/* --- framing --- */
	b.n = 0;
	normal(&b, 1, 1, 0);
	b.p[0] = 2;
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "BEGIN version 2: rejected");
	b.n = 0;
	normal(&b, 1, 1, 0);
	b.p[16] = 0;
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "PARAMS version 0: rejected");
	is_str(res.reason, "bad-version", "reason bad-version");
	b.n = 0;
	rec(&b, 1, 9, 0, "\x0e\0FCGI_MAX_CONNS", 16, 0);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "GET_VALUES management record first: rejected");
	is_str(res.reason, "management-record", "reason management-record");
	b.n = 0;
	begin(&b, 1, 1, 0);
	rec(&b, 1, 9, 0, "\x0e\0FCGI_MAX_CONNS", 16, 0);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "management record between BEGIN and PARAMS: rejected");
	b.n = 0;
	begin(&b, 1, 1, 0);
	rec(&b, 1, 4, 2, "\1\1AB", 4, 4);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "PARAMS of another request id: rejected");
	is_str(res.reason, "other-request-id", "reason other-request-id");
	b.n = 0;
	begin(&b, 1, 1, 0);
	rec(&b, 1, 5, 1, "x", 1, 7);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "STDIN before the end of PARAMS: rejected");
	b.n = 0;
	begin(&b, 1, 1, 0);
	begin(&b, 2, 1, 0);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "second BEGIN (multiplexing): rejected");
	b.n = 0;
	begin(&b, 0, 1, 0);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "BEGIN with request id 0: rejected");
	b.n = 0;
	rec(&b, 1, 1, 1, "\0\1\0\0\0\0\0\0\0", 9, 0);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "BEGIN with 9 content bytes: rejected");
	b.n = 0;
	normal(&b, 1, 0, 0);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "role 0: rejected");
	b.n = 0;
	normal(&b, 1, 4, 0);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "role 4: rejected");
	b.n = 0;
	normal(&b, 1, 0x101, 0);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "role 0x101: rejected");
	b.n = 0;
	normal(&b, 1, 1, 2);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "reserved BEGIN flag: rejected");
	b.n = 0;
	rec(&b, 1, 4, 1, NULL, 0, 0);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "PARAMS without BEGIN: rejected");
	b.n = 0;
	begin(&b, 1, 1, 0);
	body.n = 0;
	nv(&body, "", "x");
	params(&b, 1, &body, 100);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "empty name: rejected");
	b.n = 0;
	begin(&b, 1, 1, 0);
	body.n = 0;
	nv(&body, "REMOTE_USER=alice", "");
	params(&b, 1, &body, 100);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "'=' in a name: rejected");
	{
		unsigned char p[] = { 1, 3, 'A', 'x', 0, 'y' };

		b.n = 0;
		begin(&b, 1, 1, 0);
		rec(&b, 1, 4, 1, p, sizeof(p), 2);
		rec(&b, 1, 4, 1, NULL, 0, 0);
		ok(check(&b, 0, &lim, &res) == GK_EINVAL, "NUL in a value: rejected");
		is_str(res.reason, "nul-in-value", "reason nul-in-value");
	}
	/* Padding up to 255 is legal. */
	b.n = 0;
	begin(&b, 1, 1, 0);
	rec(&b, 1, 4, 1, "\1\1AB", 4, 255);
	rec(&b, 1, 4, 1, NULL, 0, 255);
	is_int(check(&b, 0, &lim, &res), GK_OK, "padding 255: accepted");
	b.n -= 1;
	is_int(check(&b, 0, &lim, &res), GK_FCGIGUARD_INCOMPLETE, "...one padding byte missing: incomplete");

	/* --- stdin (programs that read the body) --- */
	lim.want_stdin = true;
	b.n = 0;
	normal(&b, 1, 1, 0);
	b.n -= 8;
	rec(&b, 1, 5, 1, "user=a", 6, 2);
	rec(&b, 1, 9, 0, "\x0e\0FCGI_MAX_CONNS", 16, 0);
	rec(&b, 1, 5, 1, NULL, 0, 0);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "want_stdin: management record inside STDIN: rejected");
	lim.stdin_max = 10;
	b.n = 0;
	normal(&b, 1, 1, 0);
	b.n -= 8;
	rec(&b, 1, 5, 1, "user=alice&pw=x", 15, 1);
	rec(&b, 1, 5, 1, NULL, 0, 0);
	ok(check(&b, 0, &lim, &res) == GK_ETOOLONG, "want_stdin: body over stdin_max: rejected");
	lim.stdin_max = 100;
	ok(check(&b, 0, &lim, &res) == GK_OK, "want_stdin: body within stdin_max: accepted");
	lim.want_stdin = false;

	/* --- kept connections --- */
	b.n = 0;
	rec(&b, 1, 5, 7, "late body", 9, 7);
	rec(&b, 1, 5, 7, NULL, 0, 0);
	full = b.n;
	normal(&b, 8, 1, 1);
	rc = check(&b, 7, &lim, &res);
	ok(rc == GK_OK && res.skip == full && res.request_id == 8,
	    "kept connection: leftover STDIN of the previous request skipped (%zu bytes)", res.skip);
	ok(check(&b, 0, &lim, &res) == GK_EINVAL, "...but not on a fresh connection");
	ok(check(&b, 6, &lim, &res) == GK_EINVAL, "...nor for another previous id");
	b.n = 0;
	rec(&b, 1, 5, 7, "late", 4, 4);
	rc = check(&b, 7, &lim, &res);
	ok(rc == GK_FCGIGUARD_INCOMPLETE && res.skip == 16, "leftovers alone: incomplete, skip 16");

	/* --- mutations of a valid request: never a crash, never accepted when lengths lie --- */
	{
		unsigned long seed = 12345;
		int accepted = 0, n;

		for (n = 0; n < 20000; n++) {
			size_t at;

			b.n = 0;
			normal(&b, 1, 2, 0);
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			at = (seed >> 33) % b.n;
			b.p[at] ^= (unsigned char)(1u << ((seed >> 20) % 8));
			rc = check(&b, 0, &lim, &res);
			if (rc == GK_OK) {
				accepted++;
				if (res.length > b.n || res.params_bytes > lim.params_max) {
					ok(0, "mutation %d accepted with length %zu", n, res.length);
					break;
				}
			}
		}
		ok(n == 20000, "20000 bit flips: no inconsistent acceptance (%d still valid)", accepted);
	}
	free(b.p);
	free(body.p);
}

/* --- the fd wrapper over a socketpair --- */

static int64_t
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_socket(void)
{
	struct gk_fcgiguard_limits lim;
	struct gk_fcgiguard_result res;
	struct gk_err err = { "" };
	struct bytes b = new_bytes();
	unsigned char *scratch;
	int sv[2], rc;
	int64_t t0;
	char c;

	gk_fcgiguard_defaults(&lim);
	lim.timeout_ms = 300;
	scratch = malloc(lim.bytes_max);

	/* Complete request queued: OK, and nothing consumed. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	normal(&b, 1, 1, 0);
	(void)!write(sv[1], b.p, b.n);
	rc = gk_fcgiguard_wait(sv[0], 0, &lim, scratch, NULL, &res, &err);
	is_int(rc, GK_OK, "socket: complete request: OK");
	is_int(recv(sv[0], scratch, lim.bytes_max, MSG_DONTWAIT), (long long)b.n,
	    "socket: every byte is still there for libfcgi");
	/* Nothing sent: idle timeout after ~300 ms. */
	t0 = ms();
	rc = gk_fcgiguard_wait(sv[0], 0, &lim, scratch, NULL, &res, &err);
	ok(rc == GK_NOTFOUND && strcmp(res.reason, "idle-timeout") == 0 && ms() - t0 >= 250 &&
	    ms() - t0 < 2000, "socket: silent peer: idle-timeout after %lld ms",
	    (long long)(ms() - t0));
	/* Half a request, then silence: timeout. */
	(void)!write(sv[1], b.p, 20);
	t0 = ms();
	rc = gk_fcgiguard_wait(sv[0], 0, &lim, scratch, NULL, &res, &err);
	ok(rc == GK_EIO && strcmp(res.reason, "timeout") == 0 && ms() - t0 < 2000,
	    "socket: partial request then silence: timeout (%s)", res.reason);
	/* Half a request, then shutdown: truncated at once. */
	shutdown(sv[1], SHUT_WR);
	t0 = ms();
	rc = gk_fcgiguard_wait(sv[0], 0, &lim, scratch, NULL, &res, &err);
	ok(rc == GK_EIO && strcmp(res.reason, "truncated") == 0 && ms() - t0 < 200,
	    "socket: partial request then EOF: truncated without waiting (%s)", res.reason);
	close(sv[0]);
	close(sv[1]);

	/* Peer closes without a byte: eof. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	rc = gk_fcgiguard_wait(sv[0], 0, &lim, scratch, NULL, &res, &err);
	ok(rc == GK_NOTFOUND && strcmp(res.reason, "eof") == 0, "socket: closed at once: eof");
	close(sv[0]);

	/* The CVE record: refused without waiting for the rest. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	b.n = 0;
	cve(&b, 0x7ffffffe, 0x7ffffffe, false);
	(void)!write(sv[1], b.p, b.n);
	t0 = ms();
	rc = gk_fcgiguard_wait(sv[0], 0, &lim, scratch, NULL, &res, &err);
	ok(rc == GK_ETOOLONG && ms() - t0 < 200, "socket: CVE record refused at once (%s)", err.msg);
	close(sv[0]);
	close(sv[1]);

	/*
	 * A big request that stops growing (a web server blocked on a full unix socket
	 * queue, which a peek never empties): refused as too large, with its id, long
	 * before the timeout, so that the caller can still answer it.
	 */
	{
		struct bytes body = new_bytes();
		char *v = malloc(60000);

		memset(v, 'a', 59999);
		v[59999] = '\0';
		nv(&body, "HTTP_X_PAD", v);
		b.n = 0;
		begin(&b, 7, 1, 0);
		params(&b, 7, &body, 65535);
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		(void)!write(sv[1], b.p, 40000);
		lim.timeout_ms = 5000;
		t0 = ms();
		rc = gk_fcgiguard_wait(sv[0], 0, &lim, scratch, NULL, &res, &err);
		ok(rc == GK_ETOOLONG && strcmp(res.reason, "stalled-large-request") == 0 &&
		    res.request_id == 7 && ms() - t0 >= GK_FCGIGUARD_STALL_MS &&
		    ms() - t0 < 2000, "socket: 40000 bytes of a request, then nothing: too large "
		    "after %lld ms (%s)", (long long)(ms() - t0), res.reason);
		close(sv[0]);
		close(sv[1]);
		/* ... but a small partial request only times out */
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		(void)!write(sv[1], b.p, 1000);
		lim.timeout_ms = 800;
		rc = gk_fcgiguard_wait(sv[0], 0, &lim, scratch, NULL, &res, &err);
		ok(rc == GK_EIO && strcmp(res.reason, "timeout") == 0,
		    "socket: 1000 bytes, then nothing: a timeout, not too large (%s)", res.reason);
		close(sv[0]);
		close(sv[1]);
		lim.timeout_ms = 300;
		free(v);
		free(body.p);
	}

	/* Request arriving in pieces: completes. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	b.n = 0;
	normal(&b, 1, 1, 0);
	if (fork() == 0) {
		size_t off;

		for (off = 0; off < b.n; off += 7) {
			(void)!write(sv[1], b.p + off, b.n - off < 7 ? b.n - off : 7);
			usleep(2000);
		}
		free(scratch);
		free(b.p);
		_exit(0);
	}
	lim.timeout_ms = 3000;
	rc = gk_fcgiguard_wait(sv[0], 0, &lim, scratch, NULL, &res, &err);
	is_int(rc, GK_OK, "socket: request written 7 bytes at a time: OK");
	wait(NULL);
	close(sv[0]);
	close(sv[1]);

	/* Kept connection: leftovers are read away, the next request stays. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	b.n = 0;
	rec(&b, 1, 5, 7, "late body", 9, 7);
	rec(&b, 1, 5, 7, NULL, 0, 0);
	normal(&b, 8, 1, 1);
	(void)!write(sv[1], b.p, b.n);
	rc = gk_fcgiguard_wait(sv[0], 7, &lim, scratch, NULL, &res, &err);
	ok(rc == GK_OK && res.request_id == 8, "socket: leftovers then request 8: OK");
	is_int(recv(sv[0], &c, 1, MSG_PEEK), 1, "socket: one byte readable");
	is_int(recv(sv[0], scratch, lim.bytes_max, MSG_DONTWAIT), (long long)(b.n - 32),
	    "socket: the 32 leftover bytes were consumed, the request was not");
	close(sv[0]);
	close(sv[1]);
	free(scratch);
	free(b.p);
}

/* The event core's settings: management records, FCGI_ABORT_REQUEST, pairs copied out. */
static void
test_event_core(void)
{
	struct gk_fcgiguard_limits lim;
	struct gk_fcgiguard_result res;
	struct gk_err err = { "" };
	struct bytes b = new_bytes(), body = new_bytes();
	char out[512], *vec[8];
	size_t cut;

	gk_fcgiguard_defaults(&lim);
	ok(!lim.management && !lim.abort, "defaults: no management records, no aborts (libfcgi)");
	normal(&b, 1, 2, 0);
	is_int(check(&b, 0, &lim, &res), GK_OK, "a normal request");
	is_int(gk_fcgiguard_pairs(b.p, &res, &lim, out, sizeof(out), vec, 8, &err), GK_OK,
	    "its pairs copy out");
	is_str(vec[0], "REQUEST_METHOD=GET", "... first pair as name=value");
	is_str(vec[3], "HTTP_AUTHORIZATION=Basic YWxpY2U6c2VjcmV0IG9uZQ==", "... the last one");
	ok(vec[4] == NULL, "... NULL after the last");
	is_int(gk_fcgiguard_pairs(b.p, &res, &lim, out, 40, vec, 8, &err), GK_ETOOLONG,
	    "pairs that do not fit: GK_ETOOLONG");
	is_int(gk_fcgiguard_pairs(b.p, &res, &lim, out, sizeof(out), vec, 4, &err), GK_ETOOLONG,
	    "more pairs than slots: GK_ETOOLONG");

	/* FCGI_GET_VALUES */
	b.n = 0;
	nv(&body, "FCGI_MAX_CONNS", "");
	nv(&body, "FCGI_MPXS_CONNS", "");
	rec(&b, 1, 9, 0, body.p, body.n, 0);
	is_int(check(&b, 0, &lim, &res), GK_EINVAL, "FCGI_GET_VALUES without management: refused");
	lim.management = true;
	is_int(check(&b, 0, &lim, &res), GK_OK, "FCGI_GET_VALUES with management: accepted");
	is_int(res.management, 9, "... as a management record of type 9");
	ok(res.length == b.n && res.pairs == 2, "... all of it, two names");
	is_int(gk_fcgiguard_pairs(b.p, &res, &lim, out, sizeof(out), vec, 8, &err), GK_OK,
	    "... whose names copy out");
	is_str(vec[1], "FCGI_MPXS_CONNS=", "... with empty values");
	is_int(gk_fcgiguard_check(b.p, b.n - 1, 0, &lim, &res, &err), GK_FCGIGUARD_INCOMPLETE,
	    "a management record cut short: incomplete");
	b.n = 0;
	body.n = 0;
	put(&body, "\xff\xff\xff\xfe\xff\xff\xff\xfe", 8);
	put(&body, "xxxxxxxxxxxxxxxx", 16);
	rec(&b, 1, 9, 0, body.p, body.n, 0);
	ok(check(&b, 0, &lim, &res) != GK_OK, "FCGI_GET_VALUES with ~2 GiB lengths: refused");
	b.n = 0;
	rec(&b, 1, 0x42, 0, "12345678", 8, 0);
	is_int(check(&b, 0, &lim, &res), GK_OK, "an unknown management type: accepted");
	is_int(res.management, 0x42, "... its type reported (answered with FCGI_UNKNOWN_TYPE)");
	b.n = 0;
	rec(&b, 1, 0, 0, "", 0, 0);
	is_int(check(&b, 0, &lim, &res), GK_EINVAL,
	    "a record of type 0 on id 0: refused (management 0 would read as a request without a role)");
	is_str(res.reason, "management-record", "... reason management-record");
	b.n = 0;
	rec(&b, 1, 0, 0, "\x47\x7e", 2, 0);
	is_int(check(&b, 0, &lim, &res), GK_EINVAL, "the same with a body (the fuzzer's find): refused");

	/* FCGI_ABORT_REQUEST among the PARAMS */
	b.n = 0;
	body.n = 0;
	nv(&body, "REQUEST_URI", "/x");
	begin(&b, 1, 1, 1);
	rec(&b, 1, 4, 1, body.p, body.n, 0);
	cut = b.n;
	rec(&b, 1, 2, 1, NULL, 0, 0);
	is_int(check(&b, 0, &lim, &res), GK_EINVAL, "ABORT_REQUEST without abort: refused");
	lim.abort = true;
	is_int(check(&b, 0, &lim, &res), GK_OK, "ABORT_REQUEST with abort: accepted");
	ok(res.aborted && res.length == b.n && res.request_id == 1 && res.keep_conn,
	    "... as the aborted request 1, to the end of the ABORT record");
	is_int(gk_fcgiguard_pairs(b.p, &res, &lim, out, sizeof(out), vec, 8, &err), GK_EINVAL,
	    "... with no pairs to copy");
	is_int(gk_fcgiguard_check(b.p, cut, 0, &lim, &res, &err), GK_FCGIGUARD_INCOMPLETE,
	    "before the ABORT record: incomplete");
	b.n = 0;
	begin(&b, 1, 1, 0);
	rec(&b, 1, 2, 2, NULL, 0, 0);
	is_int(check(&b, 0, &lim, &res), GK_EINVAL, "an ABORT_REQUEST of another request: refused");
	b.n = 0;
	rec(&b, 1, 2, 3, NULL, 0, 0);
	normal(&b, 4, 2, 0);
	is_int(check(&b, 3, &lim, &res), GK_OK, "an ABORT_REQUEST of the request just answered: skipped");
	ok(res.skip == 8 && res.request_id == 4, "... as leftover bytes before the next request");
	free(b.p);
	free(body.p);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_buffers();
	test_socket();
	test_event_core();
	return done_testing();
}
