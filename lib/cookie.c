/* cookie.c: finds one cookie in an RFC 6265 Cookie header; refuses duplicates and bad octets. */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "cookie.h"
#include "validate.h"
#include "wordscan.h"

/* RFC 6265 4.1.1 cookie-octet: no CTL, whitespace, DQUOTE, ',', ';' or '\'. */
static bool
is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	    (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

/*
 * Whether the 8 bytes of w are all cookie-octets, a word at a time (a session cookie's
 * ~200 octets are checked on every request).  A byte is refused when it is >= 0x80, below
 * 0x21, DEL, or one of '"' ',' ';' '\\' (lib/wordscan.h; t_cpu8d puts every byte value at
 * every position).
 */
static bool
word_is_cookie_octets(uint64_t w)
{
	return ((w & GK_WORD_HIGHS) | gk_word_has_less(w, 0x21) | gk_word_has_byte(w, 0x7F) |
	    gk_word_has_byte(w, '"') | gk_word_has_byte(w, ',') | gk_word_has_byte(w, ';') |
	    gk_word_has_byte(w, '\\')) == 0;
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

bool
gk_cookie_name_valid(const char *name)
{
	return name != NULL && gk_valid_header_name(name, strnlen(name, 257));
}

int
gk_cookie_get(const char *header, const char *name, char *out, size_t outsz)
{
	const char *p, *end, *pair_end, *eq, *n0, *n1, *v0 = NULL, *v1 = NULL;
	size_t hlen, nlen, found = 0;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if (out == NULL || outsz == 0 || !gk_cookie_name_valid(name))
		return GK_EINVAL;
	if (header == NULL)
		return GK_NOTFOUND;
	hlen = strnlen(header, GK_COOKIE_HEADER_MAX + 1);
	if (hlen > GK_COOKIE_HEADER_MAX)
		return GK_ETOOLONG;
	nlen = strlen(name);
	end = header + hlen;
	/*
	 * Browsers send "a=1; b=2". Split on every ';' (a ';' is never part of a
	 * value, quoted or not), trim optional whitespace around the name and the
	 * value, and count every pair whose name is exactly ours: two of them
	 * (cookie tossing from a sibling subdomain, or a path-scoped shadow) are
	 * refused rather than guessed between.
	 */
	for (p = header; p < end; p = pair_end + 1) {
		pair_end = memchr(p, ';', (size_t)(end - p));
		if (pair_end == NULL)
			pair_end = end;
		eq = memchr(p, '=', (size_t)(pair_end - p));
		if (eq == NULL)
			continue;	/* RFC 6265 5.4 servers: a pair without '=' is ignored */
		n0 = p;
		while (n0 < eq && is_ows(*n0))
			n0++;
		n1 = eq;
		while (n1 > n0 && is_ows(n1[-1]))
			n1--;
		if ((size_t)(n1 - n0) != nlen || memcmp(n0, name, nlen) != 0)
			continue;
		if (++found > 1)
			return GK_EDUP;
		v0 = eq + 1;
		v1 = pair_end;
		while (v0 < v1 && is_ows(*v0))
			v0++;
		while (v1 > v0 && is_ows(v1[-1]))
			v1--;
	}
	if (found == 0)
		return GK_NOTFOUND;
	/* cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ) */
	if (v1 - v0 >= 2 && v0[0] == '"' && v1[-1] == '"') {
		v0++;
		v1--;
	}
	for (p = v0; v1 - p >= 8; p += 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		if (!word_is_cookie_octets(w))
			return GK_EINVAL;
	}
	for (; p < v1; p++)
		if (!is_cookie_octet((unsigned char)*p))
			return GK_EINVAL;
	return gk_memcpy_str(out, outsz, v0, (size_t)(v1 - v0));
}
