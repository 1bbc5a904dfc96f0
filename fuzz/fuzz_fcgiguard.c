/* fuzz_fcgiguard.c: fuzz target for gk_fcgiguard_check (FastCGI records checked before libfcgi sees them). */
#include <config.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fcgiguard.h"
#include "fuzz.h"

/*
 * An independent reading of an accepted prefix: BEGIN_REQUEST, then the
 * PARAMS records of that id up to the empty one; the pairs, decoded with
 * size_t, must fill the stream exactly and each must be far from the
 * int overflow in libfcgi's ReadParams (CVE-2025-23016).
 */
static void
reference(const uint8_t *b, size_t len, const struct gk_fcgiguard_result *r,
    const struct gk_fcgiguard_limits *lim)
{
	uint8_t *params = malloc(len + 1);
	size_t pos = r->skip, plen = 0, i = 0, pairs = 0, bytes = 0;
	unsigned rid;

	FUZZ_ASSERT(params != NULL);
	FUZZ_ASSERT(pos + 16 <= len && b[pos] == 1 && b[pos + 1] == 1);
	rid = (unsigned)b[pos + 2] << 8 | b[pos + 3];
	FUZZ_ASSERT(rid != 0 && (int)rid == r->request_id);
	FUZZ_ASSERT(r->role >= 1 && r->role <= 3);
	pos += 8 + 8 + b[pos + 6];
	for (;;) {
		size_t clen, pad;

		FUZZ_ASSERT(pos + 8 <= len);
		FUZZ_ASSERT(b[pos] == 1 && b[pos + 1] == 4);
		FUZZ_ASSERT(((unsigned)b[pos + 2] << 8 | b[pos + 3]) == rid);
		clen = (size_t)b[pos + 4] << 8 | b[pos + 5];
		pad = b[pos + 6];
		FUZZ_ASSERT(pos + 8 + clen + pad <= len);
		memcpy(params + plen, b + pos + 8, clen);
		plen += clen;
		pos += 8 + clen + pad;
		if (clen == 0)
			break;
	}
	FUZZ_ASSERT(pos <= r->length);
	while (i < plen) {
		size_t l[2];
		int k;

		for (k = 0; k < 2; k++) {
			FUZZ_ASSERT(i < plen);
			if (params[i] & 0x80) {
				FUZZ_ASSERT(i + 4 <= plen);
				l[k] = ((size_t)(params[i] & 0x7f) << 24) | (size_t)params[i + 1] << 16 |
				    (size_t)params[i + 2] << 8 | params[i + 3];
				i += 4;
			} else
				l[k] = params[i++];
		}
		FUZZ_ASSERT(l[0] + l[1] + 2 <= (size_t)INT_MAX);
		FUZZ_ASSERT(l[0] + l[1] <= plen - i);
		/* libfcgi builds "name=value": the name must be non-empty, without '=' or NUL */
		FUZZ_ASSERT(l[0] >= 1 && memchr(params + i, '=', l[0]) == NULL &&
		    memchr(params + i, '\0', l[0] + l[1]) == NULL);
		i += l[0] + l[1];
		bytes += l[0] + l[1];
		pairs++;
	}
	FUZZ_ASSERT(i == plen);
	FUZZ_ASSERT(pairs == r->pairs && plen == r->params_bytes);	/* prefixes included */
	FUZZ_ASSERT(pairs <= lim->pairs_max && bytes <= lim->params_max);
	free(params);
}

/*
 * Whether the bytes after an accepted prefix start with complete FCGI_STDIN
 * records of request rid that end with the empty one (the peer sent all).
 */
static bool
stdin_done(const uint8_t *b, size_t len, size_t pos, unsigned rid)
{
	for (; pos + 8 <= len;) {
		size_t clen = (size_t)b[pos + 4] << 8 | b[pos + 5], pad = b[pos + 6];

		if (b[pos] != 1 || b[pos + 1] != 5 || ((unsigned)b[pos + 2] << 8 | b[pos + 3]) != rid ||
		    pos + 8 + clen + pad > len)
			return false;
		if (clen == 0)
			return true;
		pos += 8 + clen + pad;
	}
	return false;
}

/*
 * Input: flags byte (bit 0 want_stdin, bits 1-2 prev_id 0..3, bit 3 management,
 * bit 4 abort: the event core's settings), then the
 * bytes a peer sent. Invariants: documented statuses; INCOMPLETE asks for
 * more than it has; an accepted prefix reads the same to the reference
 * parser, lies inside the input, and every shorter cut of it is
 * INCOMPLETE (a valid request is never refused because it arrived slowly);
 * the check is deterministic; stdin_complete (which decides whether closing
 * must linger) is true with want_stdin and otherwise says exactly whether the
 * empty STDIN record follows the prefix.  With management or abort, an accepted
 * management record or aborted request is a prefix whose last cut is INCOMPLETE; the
 * pairs of anything accepted copy out (gk_fcgiguard_pairs) as "name=value" strings,
 * as many as were counted.
 */
/*
 * The pairs of an accepted prefix copy out, each "name=value", as many as counted, and as
 * gk_fcgiguard_check_env() copied them in the walk that checked them (env, env_status).
 */
static void
check_pairs_copy(const uint8_t *b, const struct gk_fcgiguard_result *r,
    const struct gk_fcgiguard_limits *lim, char **env, int env_status)
{
	struct gk_err err;
	size_t outsz = r->params_bytes + 2 * r->pairs, i;
	char *out, **vec;

	if (r->aborted || (r->management != 0 && r->management != 9))
		return;
	out = malloc(outsz + 1);
	vec = calloc(r->pairs + 1, sizeof(*vec));
	FUZZ_ASSERT(out != NULL && vec != NULL);
	FUZZ_ASSERT(gk_fcgiguard_pairs(b, r, lim, out, outsz, vec, r->pairs + 1, &err) == GK_OK);
	FUZZ_ASSERT(env_status == GK_OK);
	for (i = 0; i < r->pairs; i++) {
		FUZZ_ASSERT(vec[i] != NULL && strchr(vec[i], '=') != NULL && vec[i][0] != '=');
		FUZZ_ASSERT(env[i] != NULL && strcmp(env[i], vec[i]) == 0);
	}
	FUZZ_ASSERT(vec[r->pairs] == NULL && env[r->pairs] == NULL);
	free(out);
	free(vec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gk_fcgiguard_limits lim;
	struct gk_fcgiguard_result r, r2;
	struct gk_fcgiguard_env env;
	struct gk_err err;
	const uint8_t *b;
	size_t len;
	int rc, rc2, prev;

	if (size < 1)
		return 0;
	env.outsz = 3 * size;
	env.vecmax = size + 2;
	env.out = malloc(env.outsz);
	env.vec = calloc(env.vecmax, sizeof(*env.vec));
	FUZZ_ASSERT(env.out != NULL && env.vec != NULL);
	gk_fcgiguard_defaults(&lim);
	lim.want_stdin = data[0] & 1;
	prev = (data[0] >> 1) & 3;
	lim.management = (data[0] & 8) != 0;
	lim.abort = (data[0] & 16) != 0;
	b = data + 1;
	len = size - 1;
	rc = gk_fcgiguard_check(b, len, prev, &lim, &r, &err);
	FUZZ_ASSERT(rc == GK_OK || rc == GK_FCGIGUARD_INCOMPLETE || rc == GK_EINVAL ||
	    rc == GK_ETOOLONG);
	FUZZ_ASSERT(r.reason != NULL);
	/* Deterministic, and the same verdict when the walk also copies the pairs. */
	rc2 = gk_fcgiguard_check_env(b, len, prev, &lim, &env, &r2, &err);
	FUZZ_ASSERT(rc2 == rc && r2.length == r.length && r2.need == r.need &&
	    strcmp(r2.reason, r.reason) == 0 && r2.pairs == r.pairs &&
	    r2.params_bytes == r.params_bytes);
	if (rc == GK_FCGIGUARD_INCOMPLETE)
		FUZZ_ASSERT(r.need > len && r.need <= lim.bytes_max + 8 + 65535 + 255);
	if (rc == GK_OK)
		check_pairs_copy(b, &r, &lim, env.vec, r2.env_status);
	if (rc == GK_OK && (r.management != 0 || r.aborted)) {
		FUZZ_ASSERT(r.length <= len && (lim.management || lim.abort));
		rc2 = gk_fcgiguard_check(b, r.length - 1, prev, &lim, &r2, &err);
		FUZZ_ASSERT(rc2 == GK_FCGIGUARD_INCOMPLETE);
	} else if (rc == GK_OK) {
		size_t cuts[3], k;

		FUZZ_ASSERT(r.length <= len && r.skip < r.length);
		reference(b, len, &r, &lim);
		FUZZ_ASSERT(r.stdin_complete == (lim.want_stdin ||
		    stdin_done(b, len, r.length, (unsigned)r.request_id)));
		cuts[0] = r.length - 1;
		cuts[1] = r.skip + (r.length - r.skip) / 2;
		cuts[2] = r.skip;
		for (k = 0; k < 3; k++) {
			rc2 = gk_fcgiguard_check(b, cuts[k], prev, &lim, &r2, &err);
			FUZZ_ASSERT(rc2 == GK_FCGIGUARD_INCOMPLETE);
		}
		rc2 = gk_fcgiguard_check(b, r.length, prev, &lim, &r2, &err);
		FUZZ_ASSERT(rc2 == GK_OK && r2.length == r.length);
		FUZZ_ASSERT(r2.stdin_complete == lim.want_stdin);
	}
	free(env.out);
	free(env.vec);
	return 0;
}
