/* fuzz_cookie.c: fuzz target for gk_cookie_get (Cookie header), exact-size output buffers. */
#include <config.h>
#include "cookie.h"
#include "fuzz.h"

static int
cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
	    (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

/* Calls gk_cookie_get with a heap buffer of exactly outsz bytes (ASan sees overflows). */
static int
get(const char *h, const char *name, size_t outsz, char **outp)
{
	char *out = malloc(outsz);
	int rc;

	if (out == NULL)
		abort();
	memset(out, 'X', outsz);
	rc = gk_cookie_get(h, name, out, outsz);
	*outp = out;
	return rc;
}

/*
 * Input: "name\nheader" (no '\n': the whole input is the header, the name
 * is "gatekeep"). Invariants: documented statuses only; an over-long header
 * is GK_ETOOLONG; on success the value is cookie-octets, occurs in the
 * header, and the call succeeds with outsz = len+1 and fails with GK_ETOOLONG
 * for outsz = len (never a silent truncation).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name, *h, *out, *out2;
	const uint8_t *rest;
	size_t restlen, len, i;
	int rc, rc2;

	fuzz_split(data, size, &name, &rest, &restlen);
	h = fuzz_cstr(rest, restlen);
	rc = get(h, name != NULL ? name : "gatekeep", GK_COOKIE_HEADER_MAX + 1, &out);
	FUZZ_ASSERT(rc == GK_OK || rc == GK_NOTFOUND || rc == GK_EDUP || rc == GK_ETOOLONG ||
	    rc == GK_EINVAL);
	if (rc != GK_OK)
		FUZZ_ASSERT(out[0] == '\0');
	if (strlen(h) > GK_COOKIE_HEADER_MAX && gk_cookie_name_valid(name != NULL ? name : "gatekeep"))
		FUZZ_ASSERT(rc == GK_ETOOLONG);
	if (rc == GK_OK) {
		len = strlen(out);
		for (i = 0; i < len; i++)
			FUZZ_ASSERT(cookie_octet((unsigned char)out[i]));
		FUZZ_ASSERT(strstr(h, out) != NULL);
		rc2 = get(h, name != NULL ? name : "gatekeep", len + 1, &out2);
		FUZZ_ASSERT(rc2 == GK_OK && strcmp(out, out2) == 0);
		free(out2);
		if (len > 0) {
			rc2 = get(h, name != NULL ? name : "gatekeep", len, &out2);
			FUZZ_ASSERT(rc2 == GK_ETOOLONG);
			free(out2);
		}
	}
	free(out);
	free(h);
	free(name);
	return 0;
}
