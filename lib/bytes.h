/* bytes.h: pieces of the binary values: big-endian numbers, a bounds-checked reader, a checksum. */
#ifndef GK_BYTES_H
#define GK_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* Writes the low `bytes` (1..8) bytes of v, most significant first; returns p past them. */
unsigned char *gk_put_be(unsigned char *p, uint64_t v, int bytes);

/* A reader over encoded bytes that never reads past end. */
struct gk_cursor {
	const unsigned char *p, *end;
};

/* Reads a `bytes`-byte (1..8) number, most significant first; false if fewer bytes are left. */
bool gk_get_be(struct gk_cursor *c, int bytes, uint64_t *v);
/* Reads an 8-byte time (two's complement, as gk_put_be wrote the int64_t); false as above. */
bool gk_get_time(struct gk_cursor *c, int64_t *t);

/*
 * The checksum that ends the user record and the credentials value: sumlen bytes of
 * BLAKE2b over all before. It catches accidents (a flipped bit), not attackers.
 * gk_seal writes it at end (buf..end is the value so far) and returns the whole length;
 * gk_sealed tells whether the last sumlen of len bytes (len >= sumlen) are right.
 */
size_t gk_seal(unsigned char *buf, unsigned char *end, size_t sumlen);
bool gk_sealed(const unsigned char *buf, size_t len, size_t sumlen);

/*
 * The frame of a sealed value, checked before any byte of it is read: not empty, at most
 * max bytes, at least min (its fixed start and the checksum), the checksum right (so a
 * damaged byte never reaches the field parser, the version byte included).  what names
 * the value in err ("user record").  GK_OK, or GK_ECORRUPT with err set.
 */
int gk_sealed_frame(const unsigned char *buf, size_t len, size_t min, size_t max,
    size_t sumlen, const char *what, struct gk_err *err);

#endif
