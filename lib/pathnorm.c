/* pathnorm.c: request-path normalisation: decode once, resolve dot segments, flag ambiguity. */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pathnorm.h"
#include "validate.h"


/* Appends n bytes to out at *o; false when they do not fit (leaving room for the NUL). */
static bool
put(char *out, size_t outsz, size_t *o, const char *s, size_t n)
{
	if (n >= outsz - *o)
		return false;
	memcpy(out + *o, s, n);
	*o += n;
	return true;
}

/*
 * Decodes raw segment [s, e) into seg (size segsz); decoded bytes that could
 * change the path's meaning are re-encoded and flagged. Returns GK_OK,
 * GK_EINVAL or GK_ETOOLONG; *seglen receives the length.
 */
static int
decode_segment(const char *s, const char *e, bool raw, char *seg, size_t segsz,
    size_t *seglen, unsigned *flags)
{
	size_t o = 0;

	while (s < e) {
		unsigned char c = (unsigned char)*s;
		char enc[3];

		if (c < 0x20 || c == 0x7f)
			return GK_EINVAL;
		if (c == '%') {
			int hi, lo;

			if (e - s < 3 || (hi = gk_hexval((unsigned char)s[1])) < 0 ||
			    (lo = gk_hexval((unsigned char)s[2])) < 0)
				return GK_EINVAL;
			if (raw) {
				/* Checked, kept as sent: a raw router sees "%75", not 'u'. */
				if (3 >= segsz - o)
					return GK_ETOOLONG;
				memcpy(seg + o, s, 3);
				o += 3;
				s += 3;
				continue;
			}
			c = (unsigned char)(hi << 4 | lo);
			s += 3;
			if (c == 0 || c < 0x20 || c == 0x7f)
				return GK_EINVAL;
			if (c == '/' || c == '\\' || c == '%') {
				/* Keep it inside the segment, in one canonical spelling. */
				static const char hex[] = "0123456789ABCDEF";

				enc[0] = '%';
				enc[1] = hex[c >> 4];
				enc[2] = hex[c & 15];
				if (3 >= segsz - o)
					return GK_ETOOLONG;
				memcpy(seg + o, enc, 3);
				o += 3;
				*flags |= GK_PATH_AMBIGUOUS;
				continue;
			}
		} else {
			s++;
			if (c == '\\')
				*flags |= GK_PATH_AMBIGUOUS;
		}
		if (1 >= segsz - o)
			return GK_ETOOLONG;
		seg[o++] = (char)c;
	}
	seg[o] = '\0';
	*seglen = o;
	return GK_OK;
}

/* Split mode: a copy of the raw path where %2F, %5C and '\\' became '/'. */
static char *
split_copy(const char *p, size_t len)
{
	char *c = malloc(len + 1);
	size_t i, o = 0;

	if (c == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (p[i] == '%' && i + 2 < len + 0 && p[i + 1] == '2' &&
		    (p[i + 2] == 'f' || p[i + 2] == 'F')) {
			c[o++] = '/';
			i += 2;
		} else if (p[i] == '%' && i + 2 < len && p[i + 1] == '5' &&
		    (p[i + 2] == 'c' || p[i + 2] == 'C')) {
			c[o++] = '/';
			i += 2;
		} else if (p[i] == '\\') {
			c[o++] = '/';
		} else {
			c[o++] = p[i];
		}
	}
	c[o] = '\0';
	return c;
}

/* A hex digit at p, raw or percent-encoded ("%36" is '6'); its length in *n, or 0. */
static char
hex_digit_at(const char *p, const char *end, size_t *n)
{
	int hi, lo;

	*n = 0;
	if (p < end && gk_hexval((unsigned char)*p) >= 0 && *p != '%') {
		*n = 1;
		return *p;
	}
	if (end - p >= 3 && p[0] == '%' && (hi = gk_hexval((unsigned char)p[1])) >= 0 &&
	    (lo = gk_hexval((unsigned char)p[2])) >= 0 &&
	    gk_hexval(hi << 4 | lo) >= 0) {
		*n = 3;
		return (char)(hi << 4 | lo);
	}
	return '\0';
}

/* Twice mode: a copy of the raw path where "%25" + two hex digits became one escape. */
static char *
twice_copy(const char *p, size_t len)
{
	const char *end = p + len;
	char *c = calloc(1, len + 1);   /* zeroed: the analyzer cannot follow o <= len */
	size_t o = 0;

	if (c == NULL)
		return NULL;
	while (p < end) {
		size_t n1, n2;
		char h1, h2;

		if (end - p >= 3 && p[0] == '%' && p[1] == '2' && p[2] == '5' &&
		    (h1 = hex_digit_at(p + 3, end, &n1)) != '\0' &&
		    (h2 = hex_digit_at(p + 3 + n1, end, &n2)) != '\0') {
			c[o++] = '%';
			c[o++] = h1;
			c[o++] = h2;
			p += 3 + n1 + n2;
		} else {
			c[o++] = *p++;
		}
	}
	c[o] = '\0';
	return c;
}

static int
normalize(const char *p, size_t len, bool semi_literal, bool raw, char *out, size_t outsz,
    unsigned *flags)
{
	char seg[GK_HEADER_MAX + 1];
	const char *s = p, *end = p + len;
	size_t o = 0;
	bool trailing = false;

	out[0] = '\0';
	while (s < end) {
		const char *e, *semi;
		size_t seglen;
		int rc;

		s++;                    /* past the '/' */
		e = memchr(s, '/', (size_t)(end - s));
		if (e == NULL)
			e = end;
		semi = memchr(s, ';', (size_t)(e - s));
		/*
		 * ";params" are dropped (Tomcat's reading) unless semi_literal (nginx's
		 * and most apps', which may decode "%2f.." inside them): two readings
		 * of one path, so it may never match a bypass prefix.
		 */
		if (semi != NULL)
			*flags |= GK_PATH_AMBIGUOUS;
		if (semi_literal)
			semi = NULL;
		rc = decode_segment(s, semi ? semi : e, raw, seg, sizeof(seg), &seglen, flags);
		if (rc != GK_OK)
			return rc;
		/* Every segment, not only those ".." keeps: "a%c0%af.." is "a/.." to a lenient app. */
		if (!gk_valid_utf8(seg, seglen))
			return GK_EINVAL;
		trailing = e == end && (seglen == 0 || strcmp(seg, ".") == 0 ||
		    strcmp(seg, "..") == 0);
		s = e;
		if (seglen == 0 || strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			char *slash;

			if (o == 0)
				return GK_EINVAL;       /* above the root */
			out[o] = '\0';
			slash = strrchr(out, '/');
			o = (size_t)(slash - out);
			out[o] = '\0';
			continue;
		}
		if (!put(out, outsz, &o, "/", 1) || !put(out, outsz, &o, seg, seglen))
			return GK_ETOOLONG;
		out[o] = '\0';
	}
	if (o == 0 || trailing) {
		if (!put(out, outsz, &o, "/", 1))
			return GK_ETOOLONG;
	}
	out[o] = '\0';
	if (!gk_valid_utf8(out, o))
		return GK_EINVAL;
	return GK_OK;
}

int
gk_path_normalize(const char *target, unsigned opts, char *out, size_t outsz, unsigned *flags)
{
	const char *p = target;
	size_t len;
	unsigned f = 0;
	char *copy = NULL, *twice = NULL;
	int rc;

	if (flags != NULL)
		*flags = 0;
	if (out == NULL || outsz < 2)
		return GK_ETOOLONG;
	out[0] = '\0';
	if (target == NULL)
		return GK_EINVAL;
	if (strnlen(target, GK_HEADER_MAX + 1) > GK_HEADER_MAX)
		return GK_ETOOLONG;
	/* Absolute form (RFC 9112 3.2.2): only the path counts. */
	if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
		p = strstr(p, "://") + 3;
		p += strcspn(p, "/?#");
		if (*p != '/')
			p = "/";
	}
	len = strcspn(p, "?#");
	if (len == 0 || p[0] != '/')
		return GK_EINVAL;
	if (opts & GK_PATHNORM_TWICE) {
		if ((twice = twice_copy(p, len)) == NULL)
			return GK_ERR;
		p = twice;
		len = strlen(twice);
	}
	if (opts & GK_PATHNORM_SPLIT) {
		/* Flag from the literal reading: the split copy has no encoded separators left. */
		for (size_t i = 0; i < len; i++)
			if (p[i] == '\\' || (p[i] == '%' && i + 2 < len && ((p[i + 1] == '2' &&
			    (p[i + 2] == 'f' || p[i + 2] == 'F')) || (p[i + 1] == '5' &&
			    (p[i + 2] == 'c' || p[i + 2] == 'C')))))
				f |= GK_PATH_AMBIGUOUS;
		if ((copy = split_copy(p, len)) == NULL) {
			free(twice);
			return GK_ERR;
		}
		p = copy;
		len = strlen(copy);
	}
	rc = normalize(p, len, (opts & GK_PATHNORM_SEMI_LITERAL) != 0,
	    (opts & GK_PATHNORM_RAW) != 0, out, outsz, &f);
	free(copy);
	free(twice);
	if (rc != GK_OK)
		out[0] = '\0';
	if (flags != NULL)
		*flags = f;
	return rc;
}

bool
gk_path_prefix_match(const char *prefix, const char *path, bool nocase)
{
	size_t n;

	if (prefix == NULL || path == NULL || prefix[0] != '/')
		return false;
	/* Rules are walked for every reading of every request: most differ at their second byte. */
	if (prefix[1] != '\0' && (path[0] == '\0' || (prefix[1] != path[1] && (!nocase ||
	    tolower((unsigned char)prefix[1]) != tolower((unsigned char)path[1])))))
		return false;
	n = strlen(prefix);
	if ((nocase ? strncasecmp(prefix, path, n) : strncmp(prefix, path, n)) != 0)
		return false;
	return prefix[n - 1] == '/' || path[n] == '\0' || path[n] == '/';
}
