/* fuzz_basic.c: fuzz target for gk_basic_parse (Authorization: Basic), with its output invariants. */
#include <config.h>
#include <sodium.h>
#include <strings.h>

#include "basic.h"
#include "validate.h"
#include "fuzz.h"

/*
 * Input: the Authorization header value. Invariants: the status is one of
 * the documented ones; on failure user and pass are ""; on success the user
 * is a valid name without ':' or control bytes, the password has no control
 * bytes, and the header is exactly "Basic" + spaces + the canonical base64 of
 * "user:pass" (one credential has one spelling).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = fuzz_cstr(data, size);
	char user[GK_USER_MAX + 1], pass[GK_PASSWORD_MAX + 1];
	int rc;

	memset(user, 'U', sizeof(user));
	memset(pass, 'P', sizeof(pass));
	rc = gk_basic_parse(h, user, pass);
	FUZZ_ASSERT(rc == GK_OK || rc == GK_NOTFOUND || rc == GK_EINVAL || rc == GK_ETOOLONG);
	if (rc != GK_OK) {
		FUZZ_ASSERT(user[0] == '\0' && pass[0] == '\0');
	} else {
		size_t ulen = strnlen(user, sizeof(user)), plen = strnlen(pass, sizeof(pass));
		char cred[GK_USER_MAX + 1 + GK_PASSWORD_MAX + 1];
		char b64[sodium_base64_ENCODED_LEN(sizeof(cred), sodium_base64_VARIANT_ORIGINAL)];
		const char *p;

		FUZZ_ASSERT(ulen >= 1 && ulen <= GK_USER_MAX);
		FUZZ_ASSERT(plen <= GK_PASSWORD_MAX);
		FUZZ_ASSERT(gk_valid_user(user, ulen));
		FUZZ_ASSERT(strchr(user, ':') == NULL);
		FUZZ_ASSERT(fuzz_no_ctl(user) && fuzz_no_ctl(pass));
		memcpy(cred, user, ulen);
		cred[ulen] = ':';
		memcpy(cred + ulen + 1, pass, plen);
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)cred, ulen + 1 + plen,
		    sodium_base64_VARIANT_ORIGINAL);
		FUZZ_ASSERT(strncasecmp(h, "basic ", 6) == 0);
		for (p = h + 5; *p == ' '; p++)
			;
		FUZZ_ASSERT(strcmp(p, b64) == 0);
	}
	free(h);
	return 0;
}
