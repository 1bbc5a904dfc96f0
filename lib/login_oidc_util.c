/* login_oidc_util.c: the small helpers lib/login_oidc*.c share: lower-casing, a plain word, a JSON string member, freeing the keys. */
#include <config.h>

#include <string.h>

#include "login_oidc_int.h"
#include "validate.h"

void
login_oidc_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

bool
login_oidc_word_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && gk_valid_vchar(s, n);
}

const char *
login_oidc_jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

void
login_oidc_keys_free(struct login_oidc *o)
{
	size_t i;

	for (i = 0; i < o->nkeys; i++)
		cjose_jwk_release(o->keys[i].k);
	o->nkeys = 0;
}
