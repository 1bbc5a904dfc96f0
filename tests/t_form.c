/* t_form.c: tests for lib/form (urlencoded parsing, duplicates, bounds, encoding). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "tap.h"

static int
get(const char *s, const char *name, char *out, size_t outsz)
{
	return gk_form_get(s, strlen(s), name, out, outsz);
}

int
main(void)
{
	char out[64], big[GK_FORM_MAX + 16], enc[64];
	size_t i;
	int rc;

	is_int(get("user=alice&password=s3cret", "user", out, sizeof(out)), GK_OK, "simple field");
	is_str(out, "alice", "value");
	is_int(get("user=alice&password=s3cret", "password", out, sizeof(out)), GK_OK, "second field");
	is_str(out, "s3cret", "second value");
	is_int(get("user=a+b%20c%2B%26%3D", "user", out, sizeof(out)), GK_OK, "plus and escapes");
	is_str(out, "a b c+&=", "decoded");
	is_int(get("user=%C3%A9t%c3%a9", "user", out, sizeof(out)), GK_OK, "UTF-8, mixed-case hex");
	is_str(out, "\xc3\xa9t\xc3\xa9", "UTF-8 bytes");
	is_int(get("user=alice", "pass", out, sizeof(out)), GK_NOTFOUND, "missing field");
	is_str(out, "", "out empty when missing");
	is_int(get("flag&user=x", "flag", out, sizeof(out)), GK_OK, "pair without '='");
	is_str(out, "", "empty value");
	is_int(get("user=", "user", out, sizeof(out)), GK_OK, "explicit empty value");
	is_int(get("&&user=bob&&", "user", out, sizeof(out)), GK_OK, "empty pairs ignored");
	is_str(out, "bob", "value between empty pairs");
	is_int(get("", "user", out, sizeof(out)), GK_NOTFOUND, "empty form");
	is_int(get("a=1=2", "a", out, sizeof(out)), GK_OK, "'=' inside value");
	is_str(out, "1=2", "value keeps later '='");

	/* Hostile inputs. */
	is_int(get("user=alice&user=mallory", "user", out, sizeof(out)), GK_EDUP, "duplicate refused");
	is_int(get("user=alice&us%65r=mallory", "user", out, sizeof(out)), GK_EDUP,
	    "duplicate hidden behind an escape refused");
	is_str(out, "", "out wiped after duplicate");
	is_int(get("user=al%00ice", "user", out, sizeof(out)), GK_EINVAL, "encoded NUL refused");
	is_int(get("user=%zz", "user", out, sizeof(out)), GK_EINVAL, "bad hex refused");
	is_int(get("user=abc%4", "user", out, sizeof(out)), GK_EINVAL, "truncated escape refused");
	is_int(get("user=abc%", "user", out, sizeof(out)), GK_EINVAL, "lone percent sign refused");
	is_int(get("x=%zz&user=a", "user", out, sizeof(out)), GK_EINVAL,
	    "bad escape in another field's name/value fails the whole form");
	is_int(get("user=0123456789", "user", out, 8), GK_ETOOLONG, "value too long for buffer");
	is_str(out, "", "out wiped after overflow");
	is_int(get("user=0123456", "user", out, 8), GK_OK, "value exactly fits");

	/* Embedded NUL in the raw data: the length, not the NUL, bounds the parse. */
	rc = gk_form_get("user=ab\0cd", 10, "user", out, sizeof(out));
	ok(rc == GK_EINVAL && out[0] == '\0', "raw NUL byte in the data refused (rc=%d)", rc);
	rc = gk_form_get("user=abcd\0&user=x", 6, "user", out, sizeof(out));
	ok(rc == GK_OK && strcmp(out, "a") == 0, "length bounds the parse, not a NUL (rc=%d)", rc);

	memset(big, 'a', sizeof(big));
	memcpy(big, "user=", 5);
	is_int(gk_form_get(big, GK_FORM_MAX + 1, "user", out, sizeof(out)), GK_ETOOLONG,
	    "body over GK_FORM_MAX refused");
	big[0] = '\0';
	for (i = 0; i < GK_FORM_PAIRS + 1; i++)
		strcat(big, "a=1&");
	strcat(big, "user=x");
	is_int(get(big, "user", out, sizeof(out)), GK_ETOOLONG, "too many pairs refused");
	/* A very long name that cannot match is skipped, not an error. */
	memset(big, 'n', 600);
	strcpy(big + 600, "=1&user=z");
	is_int(get(big, "user", out, sizeof(out)), GK_OK, "over-long foreign name skipped");
	is_str(out, "z", "field after a long name");
	is_int(gk_form_get(NULL, 0, "user", out, sizeof(out)), GK_EINVAL, "NULL input");

	is_int(gk_form_encode("/app/?a=1&b=2 c", enc, sizeof(enc)), GK_OK, "encode");
	is_str(enc, "%2Fapp%2F%3Fa%3D1%26b%3D2%20c", "encoded form");
	is_int(gk_form_encode("a-b.c_d~e", enc, sizeof(enc)), GK_OK, "unreserved stay");
	is_str(enc, "a-b.c_d~e", "unreserved unchanged");
	is_int(gk_form_encode("\r\n", enc, sizeof(enc)), GK_OK, "CR LF encoded");
	is_str(enc, "%0D%0A", "CR LF escaped");
	is_int(gk_form_encode("////", enc, 12), GK_ETOOLONG, "encode overflow");
	is_int(gk_form_encode("///", enc, 10), GK_OK, "encode exact fit");

	done_testing();
}
