/* fuzz_creds.c: fuzz target for gk_creds_decode/gk_creds_encode (a user's credentials value). */
#include <config.h>
#include <sodium.h>

#include "creds.h"
#include "fuzz.h"

#define SUM_LEN 16      /* lib/creds.c CREDS_SUM */

/*
 * Input: mode byte, then the value. Mode & 1: replace the value's last 16 bytes by
 * the correct checksum, so that mutations reach the entry parser instead of
 * stopping at the checksum. A value that decodes must validate, re-encode to the
 * same bytes and decode to the same entries.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static struct gk_creds c, c2;
	static unsigned char out[GK_CREDS_VALUE_MAX];
	unsigned char *buf;
	struct gk_err err;
	size_t len, outlen = 0;
	int rc;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}
	if (size < 1)
		return 0;
	len = size - 1;
	if ((buf = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(buf, data + 1, len);
	if ((data[0] & 1) && len > SUM_LEN)
		crypto_generichash(buf + len - SUM_LEN, SUM_LEN, buf, len - SUM_LEN, NULL, 0);
	rc = gk_creds_decode(buf, len, &c, &err);
	FUZZ_ASSERT(rc == GK_OK || rc == GK_ECORRUPT);
	if (rc == GK_OK) {
		FUZZ_ASSERT(c.n <= GK_CREDS_MAX);
		FUZZ_ASSERT(gk_creds_validate(&c, &err) == GK_OK);
		FUZZ_ASSERT(gk_creds_encode(&c, out, sizeof(out), &outlen, &err) == GK_OK);
		FUZZ_ASSERT(outlen == len && memcmp(out, buf, len) == 0);
		FUZZ_ASSERT(gk_creds_decode(out, outlen, &c2, &err) == GK_OK);
		FUZZ_ASSERT(memcmp(&c, &c2, sizeof(c)) == 0);
	} else {
		FUZZ_ASSERT(c.n == 0);
	}
	free(buf);
	return 0;
}
