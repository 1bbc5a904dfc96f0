/* totp.c: TOTP codes (liboath) and recovery codes (libsodium): nothing here touches storage. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "totp.h"

#define RECOVERY_RAW   10
#define RECOVERY_B32   16
#define RECOVERY_SALT  16

static bool
oath_ready(void)
{
	static int state;       /* 0 not yet, 1 ok, -1 failed */

	if (state == 0)
		state = oath_init() == OATH_OK ? 1 : -1;
	return state == 1;
}

void
gk_totp_seed_new(unsigned char seed[GK_TOTP_SEED_LEN])
{
	randombytes_buf(seed, GK_TOTP_SEED_LEN);
}

/* base32 of len bytes, without '=' padding; GK_OK or GK_ETOOLONG/GK_ERR. */
static int
b32(const unsigned char *in, size_t len, char *out, size_t outsz)
{
	char *enc = NULL;
	size_t n = 0;
	int rc;

	if (!oath_ready() || oath_base32_encode((const char *)in, len, &enc, &n) != OATH_OK)
		return GK_ERR;
	while (n > 0 && enc[n - 1] == '=')
		n--;
	rc = gk_memcpy_str(out, outsz, enc, n);
	gk_wipe(enc, strlen(enc));
	free(enc);
	return rc;
}

int
gk_totp_seed_b32(const unsigned char *seed, size_t len, char *out, size_t outsz)
{
	return b32(seed, len, out, outsz);
}

/* Percent-encodes everything but RFC 3986 unreserved bytes. */
static int
pct(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (o + 4 > outsz)
			return GK_ETOOLONG;
		if (isalnum(c) && c < 0x80)
			out[o++] = (char)c;
		else if (c == '-' || c == '.' || c == '_' || c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return GK_OK;
}

int
gk_totp_uri(const unsigned char *seed, size_t len, const char *issuer, const char *user,
    char *out, size_t outsz)
{
	char s[GK_TOTP_B32_MAX], ei[3 * 128 + 1], eu[3 * GK_USER_MAX + 1];
	int n, rc;

	if (issuer == NULL || user == NULL || issuer[0] == '\0' || user[0] == '\0')
		return GK_EINVAL;
	if ((rc = b32(seed, len, s, sizeof(s))) != GK_OK)
		return rc;
	if (pct(issuer, ei, sizeof(ei)) != GK_OK || pct(user, eu, sizeof(eu)) != GK_OK) {
		gk_wipe(s, sizeof(s));
		return GK_ETOOLONG;
	}
	n = snprintf(out, outsz, "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d"
	    "&period=%d", ei, eu, s, ei, GK_TOTP_DIGITS, GK_TOTP_STEP);
	gk_wipe(s, sizeof(s));
	if (n < 0 || (size_t)n >= outsz) {
		gk_wipe(out, outsz);
		return GK_ETOOLONG;
	}
	return GK_OK;
}

bool
gk_totp_code_shape(const char *s)
{
	return s != NULL && strlen(s) == GK_TOTP_DIGITS &&
	    strspn(s, "0123456789") == GK_TOTP_DIGITS;
}

int
gk_totp_code(const unsigned char *seed, size_t len, int64_t now, char out[GK_TOTP_DIGITS + 1])
{
	if (!oath_ready() || seed == NULL || len == 0 || now < 0)
		return GK_EINVAL;
	return oath_totp_generate((const char *)seed, len, (time_t)now, GK_TOTP_STEP, 0,
	    GK_TOTP_DIGITS, out) == OATH_OK ? GK_OK : GK_ERR;
}

int
gk_totp_check(const unsigned char *seed, size_t len, int64_t now, const char *code,
    uint64_t last_step, uint64_t *step, bool *replay)
{
	uint64_t counter = 0;
	int pos = 0, rc;

	*step = 0;
	*replay = false;
	if (!gk_totp_code_shape(code) || seed == NULL || len == 0 || now < GK_TOTP_STEP ||
	    !oath_ready())
		return GK_EINVAL;
	/* liboath compares the code at now's step, then +1, -1 (the window both ways). */
	rc = oath_totp_validate3((const char *)seed, len, (time_t)now, GK_TOTP_STEP, 0,
	    GK_TOTP_WINDOW, &pos, &counter, code);
	if (rc < 0)
		return GK_NOTFOUND;
	if (counter <= last_step) {
		*replay = true;
		return GK_NOTFOUND;
	}
	*step = counter;
	return GK_OK;
}

bool
gk_recovery_norm(const char *typed, char out[GK_RECOVERY_LEN + 1])
{
	size_t o = 0;

	if (typed == NULL || strlen(typed) > 64)
		return false;
	for (; *typed != '\0'; typed++) {
		unsigned char c = (unsigned char)*typed;

		if (c == '-' || c == ' ')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) || o == RECOVERY_B32)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return o == RECOVERY_B32;
}

bool
gk_recovery_shape(const char *typed)
{
	char n[GK_RECOVERY_LEN + 1];
	bool ok = gk_recovery_norm(typed, n);

	gk_wipe(n, sizeof(n));
	return ok;
}

static void
recovery_hash(const unsigned char salt[RECOVERY_SALT], const char norm[RECOVERY_B32 + 1],
    unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)norm, RECOVERY_B32, salt, RECOVERY_SALT);
}

void
gk_recovery_new(char code[GK_RECOVERY_LEN + 1])
{
	unsigned char raw[RECOVERY_RAW];
	char s[RECOVERY_B32 + 8];
	size_t i, o = 0;

	randombytes_buf(raw, sizeof(raw));
	code[0] = '\0';
	if (b32(raw, sizeof(raw), s, sizeof(s)) == GK_OK && strlen(s) == RECOVERY_B32) {
		for (i = 0; i < RECOVERY_B32; i++) {
			if (i > 0 && i % 4 == 0)
				code[o++] = '-';
			code[o++] = (char)tolower((unsigned char)s[i]);
		}
		code[o] = '\0';
	}
	gk_wipe(raw, sizeof(raw));
	gk_wipe(s, sizeof(s));
}

int
gk_recovery_hash(const char *code, unsigned char *out, size_t outsz, size_t *len)
{
	char n[GK_RECOVERY_LEN + 1];

	*len = 0;
	if (outsz < GK_RECOVERY_HASH_LEN || !gk_recovery_norm(code, n))
		return GK_EINVAL;
	randombytes_buf(out, RECOVERY_SALT);
	recovery_hash(out, n, out + RECOVERY_SALT);
	gk_wipe(n, sizeof(n));
	*len = GK_RECOVERY_HASH_LEN;
	return GK_OK;
}

bool
gk_recovery_match(const char *typed, const unsigned char *stored, size_t storedlen)
{
	char n[GK_RECOVERY_LEN + 1];
	unsigned char h[32];
	bool ok;

	if (storedlen != GK_RECOVERY_HASH_LEN || !gk_recovery_norm(typed, n))
		return false;
	recovery_hash(stored, n, h);
	ok = sodium_memcmp(h, stored + RECOVERY_SALT, sizeof(h)) == 0;
	gk_wipe(n, sizeof(n));
	gk_wipe(h, sizeof(h));
	return ok;
}
