/* validate.c: byte-exact rules for user names, groups, e-mails, host names and header fields (see validate.h). */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "validate.h"
#include "wordscan.h"

/*
 * The Unicode Standard's table 3-7, well-formed UTF-8 byte sequences: for each range
 * of lead bytes, how many continuation bytes follow and the range the first of them
 * must be in (the others are always 80..BF). A byte not listed (a stray continuation,
 * the C0 and C1 overlongs, F5..FF) starts no sequence.
 */
static const struct utf8_lead {
	unsigned char first, last, need, lo, hi;
} utf8_leads[] = {
	{ 0xC2, 0xDF, 1, 0x80, 0xBF },
	{ 0xE0, 0xE0, 2, 0xA0, 0xBF },	/* overlong below U+0800 */
	{ 0xE1, 0xEC, 2, 0x80, 0xBF },
	{ 0xED, 0xED, 2, 0x80, 0x9F },	/* U+D800..U+DFFF are surrogates */
	{ 0xEE, 0xEF, 2, 0x80, 0xBF },
	{ 0xF0, 0xF0, 3, 0x90, 0xBF },	/* overlong below U+10000 */
	{ 0xF1, 0xF3, 3, 0x80, 0xBF },
	{ 0xF4, 0xF4, 3, 0x80, 0x8F },	/* above U+10FFFF */
};

/*
 * Decodes one UTF-8 sequence at s[*i] (strict: RFC 3629, no overlongs, no
 * surrogates, nothing above U+10FFFF) and advances *i. Returns the code
 * point, or -1 for an invalid sequence.
 */
static long
utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	const struct utf8_lead *l = NULL;
	unsigned char c = s[*i];
	size_t k;
	long cp;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	for (k = 0; k < sizeof(utf8_leads) / sizeof(utf8_leads[0]) && l == NULL; k++)
		if (c >= utf8_leads[k].first && c <= utf8_leads[k].last)
			l = &utf8_leads[k];
	if (l == NULL || len - *i <= l->need)
		return -1;
	cp = c & (0x3F >> l->need);
	for (k = 1; k <= l->need; k++) {
		unsigned char cc = s[*i + k];

		if (k == 1 ? (cc < l->lo || cc > l->hi) : (cc < 0x80 || cc > 0xBF))
			return -1;
		cp = (cp << 6) | (cc & 0x3F);
	}
	*i += l->need + 1;
	return cp;
}

bool
gk_valid_utf8(const char *s, size_t len)
{
	size_t i = 0;

	if (s == NULL)
		return len == 0;
	while (i < len)
		if (utf8_next((const unsigned char *)s, len, &i) < 0)
			return false;
	return true;
}

/* C0, DEL and C1 controls. */
static bool
is_control(long cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/*
 * Code points that are not C0/C1 controls but still break a log line or
 * reorder what an administrator sees: line/paragraph separators, bidi
 * embeddings/overrides/isolates, and noncharacters. We refuse them in names
 * so that a name shown in a log or an admin listing is what it looks like.
 */
static bool
is_deceptive(long cp)
{
	return cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069) ||
	    (cp >= 0xFDD0 && cp <= 0xFDEF) ||
	    (cp & 0xFFFE) == 0xFFFE;
}

/* Valid UTF-8 without controls or deceptive code points; forbid_user adds ':' and ','. */
static bool
valid_text(const char *s, size_t len, bool forbid_user)
{
	size_t i = 0;
	long cp;

	while (i < len) {
		cp = utf8_next((const unsigned char *)s, len, &i);
		if (cp < 0 || is_control(cp) || is_deceptive(cp))
			return false;
		if (forbid_user && (cp == ':' || cp == ','))
			return false;
	}
	return true;
}

bool
gk_valid_stored_user(const char *s, size_t len)
{
	if (s == NULL || len == 0 || len > GK_USER_MAX)
		return false;
	if (s[0] == ' ' || s[len - 1] == ' ')
		return false;
	return valid_text(s, len, true);
}

bool
gk_valid_user(const char *s, size_t len)
{
	return gk_valid_stored_user(s, len) && s[0] != '-';
}

static bool
is_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* An ASCII letter or digit, or one of the bytes in also (never NUL). */
static bool
is_alnum_or(unsigned char c, const char *also)
{
	return is_alnum(c) || (c != '\0' && strchr(also, c) != NULL);
}

/* RFC 5322 atext and RFC 9110 tchar: letters, digits and these. */
static const char atext_punct[] = "!#$%&'*+-/=?^_`{|}~";
static const char tchar_punct[] = "!#$%&'*+-.^_`|~";

bool
gk_valid_group(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len == 0 || len > GK_GROUP_MAX)
		return false;
	if (!is_alnum((unsigned char)s[0]))
		return false;
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alnum_or(c, "._-"))
			return false;
	}
	return true;
}

bool
gk_valid_group_list(const char *s, size_t len)
{
	size_t start = 0, end, p, plen;

	if (s == NULL)
		return len == 0;
	if (len == 0)
		return true;
	if (len > GK_GROUPS_MAX)
		return false;
	/* Every element, including the first and the last, must be a group: no ",," or trailing ','. */
	while (start <= len) {
		const char *comma = memchr(s + start, ',', len - start);

		end = comma ? (size_t)(comma - s) : len;
		if (!gk_valid_group(s + start, end - start))
			return false;
		/* Duplicates: compare with every earlier element (the list is at most 1 KiB). */
		for (p = 0; p < start; p += plen + 1) {
			const char *c2 = memchr(s + p, ',', start - p);

			plen = (size_t)(c2 - (s + p));
			if (plen == end - start && memcmp(s + p, s + start, plen) == 0)
				return false;
		}
		if (comma == NULL)
			break;
		start = end + 1;
	}
	return true;
}

bool
gk_valid_email(const char *s, size_t len)
{
	const char *at;
	size_t llen, dlen, i, label;

	if (s == NULL || len < 3 || len > GK_EMAIL_MAX)
		return false;
	at = memchr(s, '@', len);
	if (at == NULL)
		return false;
	llen = (size_t)(at - s);
	dlen = len - llen - 1;
	if (llen == 0 || llen > 64 || dlen == 0)
		return false;
	/* Local part: dot-atom (no quoted strings, no comments, no leading/trailing/double dot). */
	if (s[0] == '.' || s[llen - 1] == '.')
		return false;
	for (i = 0; i < llen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!is_alnum_or(c, atext_punct)) {
			return false;
		}
	}
	/* Domain: LDH labels (IDNs in their xn-- form), 1..63 bytes, no address literals. */
	label = 0;
	for (i = llen + 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (is_alnum(c) || c == '-') {
			if (label == 0 && c == '-')
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && s[len - 1] != '-';
}

bool
gk_valid_hostname(const char *s, size_t len)
{
	size_t i, label = 0;

	if (s == NULL || len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (!is_alnum_or((unsigned char)s[i], "-") || ++label > 63) {
			return false;
		}
	}
	return label > 0;
}

bool
gk_valid_display(const char *s, size_t len)
{
	if (s == NULL)
		return len == 0;
	if (len > GK_DISPLAY_MAX)
		return false;
	return valid_text(s, len, false);
}

bool
gk_valid_header_value(const char *s, size_t len)
{
	return len <= GK_HEADER_MAX && gk_valid_header_bytes(s, len);
}

bool
gk_valid_header_bytes(const char *s, size_t len)
{
	size_t i;

	if (s == NULL)
		return len == 0;
	/*
	 * Byte rule: no C0 (HTAB included: nothing we emit needs it) and no DEL.
	 * Bytes >= 0x80 pass (UTF-8 names); callers that need UTF-8 check it.
	 * Eight bytes a step (a cookie header is read on every request), then the rest.
	 */
	for (i = 0; len - i >= 8; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (gk_word_has_control(w))
			return false;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7F)
			return false;
	}
	return true;
}

bool
gk_valid_header_name(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len == 0 || len > GK_HEADER_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!is_alnum_or((unsigned char)s[i], tchar_punct))
			return false;
	return true;
}

bool
gk_valid_vchar(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

const char *
gk_http_url_rest(const char *s)
{
	if (strncmp(s, "https://", 8) == 0)
		return s + 8;
	if (strncmp(s, "http://", 7) == 0)
		return s + 7;
	return NULL;
}
