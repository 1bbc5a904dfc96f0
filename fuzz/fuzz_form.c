/* fuzz_form.c: fuzz target for gk_form_get and gk_form_encode (login form bodies, query strings). */
#include <config.h>
#include "form.h"
#include "fuzz.h"

/*
 * Input: "name\nform-data" (no '\n': name "password"). The form data is
 * passed with its length and without a NUL (exact-size heap copy, so ASan
 * sees any read past len). Invariants: documented statuses only; out wiped
 * on failure; len > GK_FORM_MAX is GK_ETOOLONG; on success the value fits,
 * and encoding name and value and parsing that again gives the same value.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name, *form, out[1024];
	const uint8_t *rest;
	size_t restlen;
	int rc;

	fuzz_split(data, size, &name, &rest, &restlen);
	form = malloc(restlen > 0 ? restlen : 1);
	if (form == NULL)
		abort();
	if (restlen > 0)
		memcpy(form, rest, restlen);
	else
		form[0] = '\0';	/* never read (len 0); keeps -Wmaybe-uninitialized quiet */
	memset(out, 'X', sizeof(out));
	rc = gk_form_get(form, restlen, name != NULL ? name : "password", out, sizeof(out));
	FUZZ_ASSERT(rc == GK_OK || rc == GK_NOTFOUND || rc == GK_EDUP || rc == GK_ETOOLONG ||
	    rc == GK_EINVAL);
	if (restlen > GK_FORM_MAX)
		FUZZ_ASSERT(rc == GK_ETOOLONG);
	if (rc != GK_OK && rc != GK_NOTFOUND) {
		FUZZ_ASSERT(fuzz_all_zero(out, sizeof(out)) || out[0] == '\0');
	}
	if (rc == GK_OK) {
		char en[3 * 1024 + 1], ev[3 * 1024 + 1], again[1024], re[2 * 3 * 1024 + 2];
		const char *n = name != NULL ? name : "password";

		FUZZ_ASSERT(memchr(out, '\0', sizeof(out)) != NULL);
		FUZZ_ASSERT(gk_form_encode(n, en, sizeof(en)) == GK_OK);
		FUZZ_ASSERT(gk_form_encode(out, ev, sizeof(ev)) == GK_OK);
		snprintf(re, sizeof(re), "%s=%s", en, ev);
		rc = gk_form_get(re, strlen(re), n, again, sizeof(again));
		FUZZ_ASSERT(rc == GK_OK && strcmp(again, out) == 0);
	}
	free(form);
	free(name);
	return 0;
}
