/* t_fcgiguard_flat.c: the guard's straight walk of a one-record PARAMS stream answers exactly as its split-anywhere walk. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgiguard.h"
#include "tap.h"

/*
 * lib/fcgiguard walks the pairs of a complete PARAMS stream straight over its record when
 * the whole stream is one record, and through its record cursor otherwise.  The same
 * content bytes sent as one record and cut into several must get the same status, reason,
 * counts and copied "name=value" strings, from gk_fcgiguard_check_env() and from
 * gk_fcgiguard_pairs(); an FCGI_GET_VALUES record with those bytes must be read the same.
 */

#define CONTENT_MAX 4096
#define BUF_MAX (CONTENT_MAX * 9 + 64)
#define OUT_MAX (CONTENT_MAX * 3)
#define VEC_MAX (CONTENT_MAX + 2)

struct outcome {
	int rc, env_status, pairs_rc;
	const char *reason;
	size_t pairs, bytes, elen, plen;
	char env[OUT_MAX], viapairs[OUT_MAX];
};

static struct gk_fcgiguard_limits lim;
static size_t outsz = OUT_MAX, vecmax = VEC_MAX;
static unsigned char buf[BUF_MAX];
static char out[OUT_MAX], *vec[VEC_MAX];
static struct outcome flat, split;
static int mismatches, compared, accepted;
static char first[200];
static const char *const reasons[] = { "ok", "truncated-pair", "empty-name", "pair-overflow",
	"too-many-pairs", "bad-name", "nul-in-value", "params-too-big", "pairs-do-not-fit" };
static unsigned seen;       /* bit i: reasons[i] was an outcome of the one-record layout */

static size_t
header(unsigned char *p, int type, unsigned id, size_t clen, size_t pad)
{
	const unsigned char h[8] = { 1, (unsigned char)type, (unsigned char)(id >> 8),
		(unsigned char)id, (unsigned char)(clen >> 8), (unsigned char)clen,
		(unsigned char)pad, 0 };

	memcpy(p, h, sizeof(h));
	memset(p + 8 + clen, 0xa5, pad);
	return 8;
}

/* The strings of vec, each with its NUL, one after the other. */
static size_t
flatten(char **v, char *dst)
{
	size_t n = 0, i;

	for (i = 0; v[i] != NULL; i++) {
		size_t k = strlen(v[i]) + 1;

		memcpy(dst + n, v[i], k);
		n += k;
	}
	return n;
}

/*
 * BEGIN_REQUEST, the n content bytes as PARAMS records cut at cuts[0..ncuts-1] (each with
 * pad padding bytes), the empty PARAMS and STDIN records; or with mgmt one FCGI_GET_VALUES
 * record holding them.  Returns the stream's length.
 */
static size_t
build(const unsigned char *c, size_t n, const size_t *cuts, size_t ncuts, size_t pad, bool mgmt)
{
	static const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	size_t len = 0, from = 0, i;

	if (mgmt) {
		len += header(buf, 9, 0, n, pad);
		memcpy(buf + len, c, n);
		return len + n + pad;
	}
	len += header(buf, 1, 1, 8, 0);
	memcpy(buf + len, begin, 8);
	len += 8;
	for (i = 0; i <= ncuts && n > 0; i++) {
		size_t to = i < ncuts ? cuts[i] : n;

		len += header(buf + len, 4, 1, to - from, pad);
		memcpy(buf + len, c + from, to - from);
		len += to - from + pad;
		from = to;
	}
	len += header(buf + len, 4, 1, 0, 0);
	len += header(buf + len, 5, 1, 0, 0);
	return len;
}

static void
run(const unsigned char *c, size_t n, const size_t *cuts, size_t ncuts, size_t pad, bool mgmt,
    struct outcome *o)
{
	const struct gk_fcgiguard_env env = { out, outsz, vec, vecmax };
	struct gk_fcgiguard_result res;
	struct gk_err err;
	size_t len = build(c, n, cuts, ncuts, pad, mgmt);

	memset(vec, 0, sizeof(vec));
	o->rc = gk_fcgiguard_check_env(buf, len, 0, &lim, &env, &res, &err);
	o->reason = res.reason;
	o->pairs = o->bytes = o->elen = o->plen = 0;
	o->env_status = o->pairs_rc = -1;
	if (o->rc != GK_OK)
		return;
	o->pairs = res.pairs;
	o->bytes = res.params_bytes;
	o->env_status = res.env_status;
	if (res.env_status == GK_OK)
		o->elen = flatten(vec, o->env);
	memset(vec, 0, sizeof(vec));
	o->pairs_rc = gk_fcgiguard_pairs(buf, &res, &lim, out, outsz, vec, vecmax, &err);
	if (o->pairs_rc == GK_OK)
		o->plen = flatten(vec, o->viapairs);
}

static bool
same(const struct outcome *a, const struct outcome *b)
{
	return a->rc == b->rc && strcmp(a->reason, b->reason) == 0 && a->pairs == b->pairs &&
	    a->bytes == b->bytes && a->env_status == b->env_status && a->pairs_rc == b->pairs_rc &&
	    a->elen == b->elen && memcmp(a->env, b->env, a->elen) == 0 && a->plen == b->plen &&
	    memcmp(a->viapairs, b->viapairs, a->plen) == 0 &&
	    a->elen == a->plen && memcmp(a->env, a->viapairs, a->elen) == 0;
}

static void
note(const char *what, const struct outcome *a, const struct outcome *b)
{
	mismatches++;
	if (first[0] == '\0')
		snprintf(first, sizeof(first), "%s: one record %d %s %zu pairs, split %d %s %zu pairs",
		    what, a->rc, a->reason, a->pairs, b->rc, b->reason, b->pairs);
}

/* The content as one record, as GET_VALUES, and cut at every point, then into single bytes. */
static void
compare_all(const unsigned char *c, size_t n, size_t pad)
{
	static size_t cuts[CONTENT_MAX];
	static struct outcome mgmt;
	size_t k;

	run(c, n, NULL, 0, pad, false, &flat);
	if (flat.rc == GK_OK)
		accepted++;
	for (k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++)
		if (strcmp(flat.reason, reasons[k]) == 0 ||
		    (k == 8 && flat.env_status == GK_ETOOLONG))
			seen |= 1u << k;
	lim.management = true;
	run(c, n, NULL, 0, pad, true, &mgmt);
	lim.management = false;
	compared++;
	/* A GET_VALUES record is not a PARAMS stream: only params-too-big does not apply to it. */
	if (strcmp(flat.reason, "params-too-big") != 0 && (mgmt.rc != flat.rc ||
	    strcmp(mgmt.reason, flat.rc == GK_OK ? "ok" : flat.reason) != 0 ||
	    mgmt.pairs != flat.pairs || mgmt.elen != flat.elen ||
	    memcmp(mgmt.env, flat.env, flat.elen) != 0))
		note("get-values", &flat, &mgmt);
	for (k = 1; k < n; k++) {
		run(c, n, &k, 1, pad, false, &split);
		compared++;
		if (!same(&flat, &split))
			note("cut", &flat, &split);
	}
	for (k = 1; k < n; k++)
		cuts[k - 1] = k;
	if (n > 1) {
		run(c, n, cuts, n - 1, pad, false, &split);
		compared++;
		if (!same(&flat, &split))
			note("bytewise", &flat, &split);
	}
}

/* Appends a length in the 1-byte form when it fits and long is false, else in the 4-byte form. */
static size_t
put_len(unsigned char *p, size_t v, bool longform)
{
	if (v <= 127 && !longform) {
		p[0] = (unsigned char)v;
		return 1;
	}
	p[0] = (unsigned char)(0x80 | (v >> 24 & 0x7f));
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return 4;
}

static size_t
put_pair(unsigned char *p, size_t nl, size_t vl, bool ln, bool lv, unsigned char fill)
{
	size_t n = put_len(p, nl, ln);

	n += put_len(p + n, vl, lv);
	memset(p + n, fill, nl);
	memset(p + n + nl, 'v', vl);
	return n + nl + vl;
}

static void
edge_cases(void)
{
	static const size_t lens[] = { 0, 1, 2, 126, 127, 128, 129, 255, 256 };
	static unsigned char c[CONTENT_MAX];
	size_t i, j, n, k;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			n = put_pair(c, lens[i], lens[j], false, false, 'n');
			n += put_pair(c + n, 1, 1, true, true, 'm');
			compare_all(c, n, 0);
		}
	/* A NUL or '=' in a name, a NUL in a value, at the start, middle and end. */
	for (k = 0; k < 3; k++) {
		size_t at = k == 0 ? 0 : k == 1 ? 64 : 127;

		n = put_pair(c, 128, 128, false, false, 'n');
		c[8 + at] = '\0';
		compare_all(c, n, 1);
		c[8 + at] = '=';
		compare_all(c, n, 0);
		c[8 + at] = 'n';
		c[8 + 128 + at] = '\0';
		compare_all(c, n, 0);
	}
	/* Lengths over what is left: by one, the CVE's 31-bit ones; one that fits exactly. */
	n = put_pair(c, 3, 4, false, false, 'n');
	for (k = 0; k < 4; k++) {
		unsigned char d[64];
		size_t m = 0;

		m += put_len(d, k == 3 ? 0x7fffffff : 3 + (k == 0), k >= 2);
		m += put_len(d + m, k == 3 ? 0x7fffffff : 4 + (k == 1), k >= 2);
		memcpy(d + m, c + 2, 7);
		compare_all(d, m + 7 - (k == 2), 0);
	}
	/* Cut lengths: a 4-byte length stopped after 1-3 bytes, a name length alone. */
	n = put_pair(c, 1, 200, false, false, 'n');
	for (k = 1; k <= 4; k++)
		compare_all(c, k, 0);
	c[0] = 0x05;
	compare_all(c, 1, 0);
	c[0] = 0x80;
	compare_all(c, 3, 0);
	/* An empty name; an empty value. */
	n = put_pair(c, 0, 3, false, false, 'n');
	compare_all(c, n, 0);
	n = put_pair(c, 3, 0, false, true, 'n');
	compare_all(c, n, 0);
	/* Over the pair count and at it; over the byte cap and at it. */
	lim.pairs_max = 5;
	for (k = 4; k <= 6; k++) {
		for (n = 0, i = 0; i < k; i++)
			n += put_pair(c + n, 2, 3, false, false, 'p');
		compare_all(c, n, 0);
	}
	gk_fcgiguard_defaults(&lim);
	lim.params_max = 300;
	for (k = 296; k <= 306; k += 5) {
		n = put_pair(c, 100, k - 100 - 2 - 4, false, true, 'q');
		compare_all(c, n, 0);
	}
	gk_fcgiguard_defaults(&lim);
	/* Pairs that do not fit the caller's buffers. */
	n = put_pair(c, 10, 10, false, false, 'r');
	n += put_pair(c + n, 10, 10, false, false, 's');
	outsz = 30;
	compare_all(c, n, 0);
	outsz = OUT_MAX;
	vecmax = 2;
	compare_all(c, n, 0);
	/* The densest pairs (3 bytes each) with buffers around the size they need. */
	for (n = 0, i = 0; i < 20; i++)
		n += put_pair(c + n, 1, 0, false, false, 'd');
	for (outsz = n - 2; outsz <= n + 1; outsz++)
		for (vecmax = n / 3 - 1; vecmax <= n / 2 + 3; vecmax++) {
			run(c, n, NULL, 0, 0, false, &flat);
			run(c, n, &i, 1, 0, false, &split);
			compared++;
			if (!same(&flat, &split))
				note("buffers", &flat, &split);
		}
	outsz = OUT_MAX;
	vecmax = VEC_MAX;
}

static unsigned char
pick_byte(void)
{
	static const unsigned char b[] = { 'a', 'Z', '=', '\0', 0x7f, 0x80, 0xff, 0x01 };

	return random() % 4 == 0 ? b[random() % sizeof(b)] : (unsigned char)random();
}

/* Pairs with lengths near the form boundaries, bytes from a hostile alphabet, lengths bent. */
static void
random_streams(int rounds)
{
	static const size_t lens[] = { 0, 1, 127, 128, 129 };
	static unsigned char c[CONTENT_MAX];
	static size_t cuts[64];
	int r;

	for (r = 0; r < rounds; r++) {
		size_t n = 0, np = (size_t)random() % 6, i, ncuts, pad = (size_t)random() % 3;

		for (i = 0; i < np && n < CONTENT_MAX - 600; i++) {
			size_t nl = random() % 2 ? lens[random() % 5] : (size_t)random() % 40;
			size_t vl = random() % 2 ? lens[random() % 5] : (size_t)random() % 200, k;

			n += put_len(c + n, nl + (random() % 8 == 0), random() % 4 == 0);
			n += put_len(c + n, vl - (vl > 0 && random() % 8 == 0), random() % 4 == 0);
			for (k = 0; k < nl + vl; k++)
				c[n + k] = random() % 16 == 0 ? pick_byte() : 'x';
			n += nl + vl;
		}
		if (n > 0 && random() % 4 == 0)
			n -= (size_t)random() % n;
		run(c, n, NULL, 0, pad, false, &flat);
		if (flat.rc == GK_OK)
			accepted++;
		for (i = 0; i < 4 && n > 1; i++) {
			size_t k, at = 0;

			for (ncuts = 0, k = 0; k < (size_t)random() % 8 + 1; k++) {
				at += 1 + (size_t)random() % (n / 4 + 1);
				if (at >= n)
					break;
				cuts[ncuts++] = at;
			}
			run(c, n, cuts, ncuts, pad, false, &split);
			compared++;
			if (!same(&flat, &split))
				note("random", &flat, &split);
		}
	}
}

int
main(void)
{
	gk_fcgiguard_defaults(&lim);
	srandom(15);
	edge_cases();
	ok(mismatches == 0, "edge cases (127/128 lengths in both forms, NUL and '=', overflows, cuts, "
	    "caps, small buffers): one record, every cut and byte-wise records agree (%d compared)",
	    compared);
	if (first[0] != '\0')
		diag("%s", first);
	ok(accepted > 50, "... and many of them are accepted (%d)", accepted);
	is_int(seen, (1u << sizeof(reasons) / sizeof(reasons[0])) - 1,
	    "... and they reach every refusal of a pair and the copy's");
	mismatches = compared = accepted = 0;
	first[0] = '\0';
	random_streams(3000);
	ok(mismatches == 0, "3000 random streams, 4 random layouts each: results agree (%d compared)",
	    compared);
	if (first[0] != '\0')
		diag("%s", first);
	ok(accepted > 300 && accepted < 2700, "... accepted and refused both (%d accepted)", accepted);
	return done_testing();
}
