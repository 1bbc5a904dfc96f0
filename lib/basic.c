/* basic.c: strict RFC 7617 Basic credentials: bounded, canonical base64, no control bytes. */
#include <config.h>

#include <string.h>

#include <sodium.h>

#include "basic.h"
#include "validate.h"

/* Longest "user:password" we accept, and its padded base64 length. */
#define DECODED_MAX  (GK_USER_MAX + 1 + GK_PASSWORD_MAX)
#define ENCODED_MAX  (4 * ((DECODED_MAX + 2) / 3))

/* ASCII-only case-insensitive prefix test: strncasecmp follows the locale (Turkish 'I'). */
static bool
ascii_prefix_ci(const char *s, const char *lower)
{
	for (; *lower != '\0'; s++, lower++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *lower)
			return false;
	}
	return true;
}

static int
fail(char *user, char *pass, int rc)
{
	gk_wipe(user, GK_USER_MAX + 1);
	gk_wipe(pass, GK_PASSWORD_MAX + 1);
	return rc;
}

/*
 * Every byte is of base64's standard alphabet or '=' (RFC 4648 4).  A loop, not strspn with
 * the 65-character set, which builds its table on every call (a fifth of the parse).
 */
static bool
b64_alphabet(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '+' || c == '/' || c == '='))
			return false;
	}
	return true;
}

int
gk_basic_parse(const char *header, char *user, char *pass)
{
	unsigned char dec[3 * (ENCODED_MAX / 4)];
	const char *b64, *b64_end, *colon;
	size_t hlen, blen, dlen, ulen, plen, i;
	int rc;

	if (user == NULL || pass == NULL)
		return GK_EINVAL;
	user[0] = '\0';
	pass[0] = '\0';
	if (header == NULL)
		return fail(user, pass, GK_NOTFOUND);
	/* Scheme token, case-insensitive (RFC 9110 11.1): anything else is another scheme. */
	hlen = strnlen(header, GK_HEADER_MAX + 1);
	if (hlen > GK_HEADER_MAX)
		return fail(user, pass, GK_ETOOLONG);
	if (hlen < 5 || !ascii_prefix_ci(header, "basic") ||
	    gk_valid_header_name(header + 5, 1))
		return fail(user, pass, GK_NOTFOUND);	/* "Bearer ...", "Basically ..." */
	/* 1*SP then token68; no HTAB, no trailing whitespace (servers trim OWS already). */
	b64 = header + 5;
	if (*b64 != ' ')
		return fail(user, pass, GK_EINVAL);
	while (*b64 == ' ')
		b64++;
	blen = hlen - (size_t)(b64 - header);
	if (blen == 0)
		return fail(user, pass, GK_EINVAL);
	if (blen > ENCODED_MAX)
		return fail(user, pass, GK_ETOOLONG);
	/* libsodium 1.0.18 decodes bytes 0x80-0xff as '/': check the alphabet ourselves. */
	if (!b64_alphabet(b64, blen))
		return fail(user, pass, GK_EINVAL);
	/*
	 * Standard alphabet with padding, no ignored characters, the whole input
	 * consumed; libsodium also refuses non-zero pad bits, so the encoding is
	 * canonical (one credential has one spelling).
	 */
	if (sodium_base642bin(dec, sizeof(dec), b64, blen, NULL, &dlen, &b64_end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || b64_end != b64 + blen) {
		gk_wipe(dec, sizeof(dec));
		return fail(user, pass, GK_EINVAL);
	}
	/* No NUL (it would cut the C strings), no C0 or DEL anywhere in the credentials. */
	for (i = 0; i < dlen; i++) {
		if (dec[i] < 0x20 || dec[i] == 0x7F) {
			gk_wipe(dec, sizeof(dec));
			return fail(user, pass, GK_EINVAL);
		}
	}
	/* RFC 7617: the user-id cannot contain ':', so the first ':' separates. */
	colon = memchr(dec, ':', dlen);
	if (colon == NULL) {
		gk_wipe(dec, sizeof(dec));
		return fail(user, pass, GK_EINVAL);
	}
	ulen = (size_t)(colon - (const char *)dec);
	plen = dlen - ulen - 1;
	rc = GK_OK;
	if (ulen > GK_USER_MAX || plen > GK_PASSWORD_MAX)
		rc = GK_ETOOLONG;
	else if (!gk_valid_user((const char *)dec, ulen))
		rc = GK_EINVAL;
	if (rc == GK_OK) {
		memcpy(user, dec, ulen);
		user[ulen] = '\0';
		memcpy(pass, colon + 1, plen);
		pass[plen] = '\0';
	}
	gk_wipe(dec, sizeof(dec));
	return rc == GK_OK ? GK_OK : fail(user, pass, rc);
}

int
gk_basic_pair_check(const char *remote_user, const char *remote_passwd, const char *header,
    char *user, char *pass, bool *mismatch)
{
	size_t ulen, plen, i;

	*mismatch = false;
	if (user == NULL || pass == NULL)
		return GK_EINVAL;
	user[0] = '\0';
	pass[0] = '\0';
	if (remote_user == NULL || remote_passwd == NULL)
		return GK_EINVAL;
	if (header != NULL) {
		char huser[GK_USER_MAX + 1], hpass[GK_PASSWORD_MAX + 1];
		bool same;

		same = gk_basic_parse(header, huser, hpass) == GK_OK &&
		    strcmp(huser, remote_user) == 0 && strcmp(hpass, remote_passwd) == 0;
		gk_wipe(huser, sizeof(huser));
		gk_wipe(hpass, sizeof(hpass));
		if (!same) {
			*mismatch = true;
			return fail(user, pass, GK_EINVAL);
		}
	}
	ulen = strnlen(remote_user, GK_USER_MAX + 1);
	plen = strnlen(remote_passwd, GK_PASSWORD_MAX + 1);
	if (ulen > GK_USER_MAX || plen > GK_PASSWORD_MAX || !gk_valid_user(remote_user, ulen))
		return fail(user, pass, GK_EINVAL);
	for (i = 0; i < plen; i++)
		if ((unsigned char)remote_passwd[i] < 0x20 || remote_passwd[i] == 0x7F)
			return fail(user, pass, GK_EINVAL);
	memcpy(user, remote_user, ulen + 1);
	memcpy(pass, remote_passwd, plen + 1);
	return GK_OK;
}
