/* form.c: bounded application/x-www-form-urlencoded (body and query string) parsing and encoding. */
#include <config.h>

#include <string.h>

#include "form.h"


/*
 * Decodes s[0..len) into out (outsz bytes incl. NUL). Decoding the name of
 * every pair fully (rather than comparing raw bytes) means "us%65r" and
 * "user" are the same field, so a duplicate cannot hide behind an escape.
 */
static int
decode(const char *s, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;
	int hi, lo;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (len - i < 3)        /* needs two more bytes */
				return GK_EINVAL;
			hi = gk_hexval((unsigned char)s[i + 1]);
			lo = gk_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return GK_EINVAL;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			return GK_EINVAL;
		if (o + 1 >= outsz)
			return GK_ETOOLONG;
		out[o++] = (char)c;
	}
	if (outsz == 0)
		return GK_ETOOLONG;
	out[o] = '\0';
	return GK_OK;
}

/*
 * The whole input must be well-formed, not just the field asked for: a
 * parser that skips junk elsewhere invites disagreement with other parsers.
 */
static int
well_formed(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			return GK_EINVAL;
		if (s[i] == '%') {
			if (len - i < 3 || gk_hexval((unsigned char)s[i + 1]) < 0 ||
			    gk_hexval((unsigned char)s[i + 2]) < 0 ||
			    (s[i + 1] == '0' && s[i + 2] == '0'))
				return GK_EINVAL;
			i += 2;
		}
	}
	return GK_OK;
}

int
gk_form_get(const char *s, size_t len, const char *name, char *out, size_t outsz)
{
	char key[256];
	const char *p, *end, *amp, *eq;
	size_t pairs = 0, klen;
	int found = 0, rc = GK_OK;

	if (outsz > 0)
		out[0] = '\0';
	if (s == NULL || name == NULL || out == NULL || outsz == 0)
		return GK_EINVAL;
	if (len > GK_FORM_MAX)
		return GK_ETOOLONG;
	if (well_formed(s, len) != GK_OK)
		return GK_EINVAL;
	p = s;
	end = s + len;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {         /* "a=1&&b=2": empty pair, ignored */
			p = amp + 1;
			continue;
		}
		if (++pairs > GK_FORM_PAIRS) {
			rc = GK_ETOOLONG;
			goto fail;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		klen = (size_t)((eq != NULL ? eq : amp) - p);
		rc = decode(p, klen, key, sizeof(key));
		if (rc == GK_ETOOLONG) {
			/* A name longer than any we look for cannot match; skip it. */
		} else if (rc != GK_OK) {
			goto fail;
		} else if (strcmp(key, name) == 0) {
			if (found) {
				rc = GK_EDUP;
				goto fail;
			}
			found = 1;
			if (eq == NULL)
				out[0] = '\0';
			else if ((rc = decode(eq + 1, (size_t)(amp - eq - 1), out, outsz)) != GK_OK)
				goto fail;
		}
		p = amp + 1;
	}
	gk_wipe(key, sizeof(key));
	return found ? GK_OK : GK_NOTFOUND;
fail:
	gk_wipe(key, sizeof(key));
	gk_wipe(out, outsz);
	return rc;
}

int
gk_form_encode(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	if (outsz == 0)
		return GK_ETOOLONG;
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			if (o + 1 >= outsz)
				goto toolong;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outsz)
				goto toolong;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return GK_OK;
toolong:
	out[0] = '\0';
	return GK_ETOOLONG;
}

bool
gk_form_optional(const char *s, size_t len, const char *name, char *out, size_t outsz)
{
	int rc = gk_form_get(s, len, name, out, outsz);

	if (rc == GK_NOTFOUND) {
		out[0] = '\0';
		return true;
	}
	return rc == GK_OK;
}
