/* bytes.c: pieces of the binary values: big-endian numbers, a bounds-checked reader, a checksum. */
#include <config.h>

#include <string.h>

#include <sodium.h>

#include "bytes.h"

unsigned char *
gk_put_be(unsigned char *p, uint64_t v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
	return p + bytes;
}

bool
gk_get_be(struct gk_cursor *c, int bytes, uint64_t *v)
{
	int i;

	if (c->end - c->p < bytes)
		return false;
	*v = 0;
	for (i = 0; i < bytes; i++)
		*v = *v << 8 | c->p[i];
	c->p += bytes;
	return true;
}

bool
gk_get_time(struct gk_cursor *c, int64_t *t)
{
	uint64_t v;

	if (!gk_get_be(c, 8, &v))
		return false;
	*t = (int64_t)v;
	return true;
}

size_t
gk_seal(unsigned char *buf, unsigned char *end, size_t sumlen)
{
	crypto_generichash(end, sumlen, buf, (unsigned long long)(end - buf), NULL, 0);
	return (size_t)(end - buf) + sumlen;
}

bool
gk_sealed(const unsigned char *buf, size_t len, size_t sumlen)
{
	unsigned char sum[crypto_generichash_BYTES_MAX];

	if (sumlen > sizeof(sum))
		return false;
	crypto_generichash(sum, sumlen, buf, len - sumlen, NULL, 0);
	return memcmp(sum, buf + len - sumlen, sumlen) == 0;
}

int
gk_sealed_frame(const unsigned char *buf, size_t len, size_t min, size_t max,
    size_t sumlen, const char *what, struct gk_err *err)
{
	if (buf == NULL || len == 0)
		return gk_err_set(err, "empty %s", what), GK_ECORRUPT;
	if (len > max)
		return gk_err_set(err, "%s of %zu bytes exceeds %zu", what, len, max), GK_ECORRUPT;
	if (len < min || len < sumlen)
		return gk_err_set(err, "truncated %s (%zu bytes)", what, len), GK_ECORRUPT;
	if (!gk_sealed(buf, len, sumlen))
		return gk_err_set(err, "%s checksum mismatch (damaged or truncated)", what),
		    GK_ECORRUPT;
	return GK_OK;
}
