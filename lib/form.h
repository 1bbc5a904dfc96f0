/* form.h: bounded application/x-www-form-urlencoded (body and query string) parsing and encoding. */
#ifndef GK_FORM_H
#define GK_FORM_H

#include "common.h"

#define GK_FORM_MAX      16384  /* a form body or query string we are willing to parse, bytes */
#define GK_FORM_PAIRS    64     /* name=value pairs in one form */

/*
 * Finds field `name` in form data s (len bytes, not necessarily
 * NUL-terminated): pairs split on '&', a pair without '=' has an empty
 * value, '+' is a space, %XX is a byte (a '%' not followed by two hex digits
 * is GK_EINVAL). Names are compared after decoding.
 * Returns GK_OK with the decoded value (NUL-terminated) in out,
 * GK_NOTFOUND, GK_EDUP if the name occurs more than once (never pick one),
 * GK_ETOOLONG if len > GK_FORM_MAX, there are more than GK_FORM_PAIRS pairs,
 * or the value does not fit outsz, GK_EINVAL for bad escapes or a decoded
 * NUL byte. out is wiped on every failure (it may hold a password).
 */
int gk_form_get(const char *s, size_t len, const char *name, char *out, size_t outsz);

/*
 * An optional field: gk_form_get, with an absent name read as "" (true).  false for every
 * other failure (duplicated, too long, bad escape), with out wiped.
 */
bool gk_form_optional(const char *s, size_t len, const char *name, char *out, size_t outsz);

/*
 * Percent-encodes s for a query-string value (RFC 3986 unreserved bytes
 * stay, everything else becomes %XX). GK_ETOOLONG if it does not fit outsz.
 */
int gk_form_encode(const char *s, char *out, size_t outsz);

#endif
