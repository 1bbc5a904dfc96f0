/* fuzz_apptoken.c: fuzz target for gk_apptoken_parse (an app token as the client sends it) and gk_apptoken_scope_parse (--scope). */
#include <config.h>
#include <sodium.h>

#include "apptoken.h"
#include "fuzz.h"

/*
 * Input: "scope\ntoken" (without a '\n': the token alone). A token that parses
 * names a valid user and is exactly as long as its canonical form; a scope that
 * parses is canonical (parsing it again gives itself), fits the stored cap and
 * is what the credentials validator accepts.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *scope_in, *tok, out[GK_CRED_SCOPE_MAX + 1], again[GK_CRED_SCOPE_MAX + 1];
	const uint8_t *rest;
	size_t restlen, i;
	struct gk_apptoken t;
	struct gk_err err;
	int rc;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}
	fuzz_split(data, size, &scope_in, &rest, &restlen);
	tok = fuzz_cstr(rest, restlen);
	rc = gk_apptoken_parse(tok, &t);
	FUZZ_ASSERT(rc == GK_OK || rc == GK_EINVAL);
	if (rc == GK_OK) {
		size_t ul = strlen(t.user);

		FUZZ_ASSERT(ul > 0 && ul <= GK_USER_MAX);
		FUZZ_ASSERT(strlen(tok) == strlen(GK_APPTOKEN_PREFIX) +
		    sodium_base64_ENCODED_LEN(ul, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1 +
		    1 + 16 + 1 + 43);
		FUZZ_ASSERT(strlen(tok) <= GK_APPTOKEN_MAX);
	} else {
		for (i = 0; i < sizeof(t); i++)
			FUZZ_ASSERT(((unsigned char *)&t)[i] == 0);
	}
	if (scope_in != NULL) {
		rc = gk_apptoken_scope_parse(scope_in, out, sizeof(out), &err);
		FUZZ_ASSERT(rc == GK_OK || rc == GK_EINVAL || rc == GK_ETOOLONG);
		if (rc == GK_OK) {
			FUZZ_ASSERT(strlen(out) <= GK_CRED_SCOPE_MAX);
			for (i = 0; out[i] != '\0'; i++)
				FUZZ_ASSERT((unsigned char)out[i] > 0x20 && (unsigned char)out[i] < 0x7f);
			FUZZ_ASSERT(gk_apptoken_scope_parse(out, again, sizeof(again), &err) == GK_OK);
			FUZZ_ASSERT(strcmp(out, again) == 0);
		}
		free(scope_in);
	}
	free(tok);
	return 0;
}
