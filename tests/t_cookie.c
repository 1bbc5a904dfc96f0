/* t_cookie.c: Cookie header parsing: lookup, duplicates, size caps, cookie-octets, quoting. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "tap.h"

#define N "gatekeep_session"

static void
check(const char *header, const char *name, int want, const char *wval, const char *what)
{
	char out[256];
	int rc;

	memset(out, 'X', sizeof(out));
	rc = gk_cookie_get(header, name, out, sizeof(out));
	is_int(rc, want, "%s", what);
	if (want == GK_OK)
		is_str(out, wval, "  value");
	else
		is_str(out, "", "  output empty");
}

static void
test_lookup(void)
{
	check(N "=abc", N, GK_OK, "abc", "single cookie");
	check("a=1; " N "=abc; b=2", N, GK_OK, "abc", "in the middle");
	check("a=1;" N "=abc;b=2", N, GK_OK, "abc", "no spaces after ';'");
	check("a=1;   " N "=abc  ;b=2", N, GK_OK, "abc", "extra spaces trimmed");
	check("a=1; " N " = abc", N, GK_OK, "abc", "spaces around '='");
	check("a=1; b=2", N, GK_NOTFOUND, NULL, "absent");
	check("", N, GK_NOTFOUND, NULL, "empty header");
	check(NULL, N, GK_NOTFOUND, NULL, "no header");
	check(N, N, GK_NOTFOUND, NULL, "name without '=' is skipped");
	check("x" N "=evil", N, GK_NOTFOUND, NULL, "suffix match is not a match");
	check(N "x=evil", N, GK_NOTFOUND, NULL, "prefix match is not a match");
	check("GATEKEEP_SESSION=evil", N, GK_NOTFOUND, NULL, "names are case-sensitive");
	check(N "=", N, GK_OK, "", "empty value");
	check(N "=\"\"", N, GK_OK, "", "empty quoted value");
	check(N "=\"abc\"", N, GK_OK, "abc", "quoted value unwrapped");
	check(N "=a=b==", N, GK_OK, "a=b==", "value with '=' (base64 padding)");
	check(N "=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", N, GK_OK,
	    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", "JWT value");
	check("a=has space; " N "=ok", N, GK_OK, "ok", "junk in other cookies is not our problem");
	check("a=\"x; " N "=evil\"", N, GK_EINVAL, NULL,
	    "';' always splits, even inside quotes (the piece holds a '\"')");
	check(";;; ;" N "=v;;", N, GK_OK, "v", "empty pairs skipped");
	check("__Host-" N "=v", "__Host-" N, GK_OK, "v", "__Host- prefixed name");
}

static void
test_duplicates(void)
{
	check(N "=a; " N "=b", N, GK_EDUP, NULL, "duplicate refused");
	check(N "=a; " N "=a", N, GK_EDUP, NULL, "duplicate with the same value refused");
	check(N "=a; x=1; " N "=", N, GK_EDUP, NULL, "duplicate with empty value refused");
	check(N "=a; " N " =b", N, GK_EDUP, NULL, "duplicate with space before '=' refused");
	check(N "=a;\t" N "=b", N, GK_EDUP, NULL, "duplicate after HTAB refused");
	check(N "=a; " N "=bad value", N, GK_EDUP, NULL, "duplicate wins over a bad value");
	check("a=1; a=2; " N "=ok", N, GK_OK, "ok", "duplicates of other names are not ours");
}

static void
test_octets(void)
{
	check(N "=a b", N, GK_EINVAL, NULL, "space inside the value");
	check(N "=a,b", N, GK_EINVAL, NULL, "',' in the value");
	check(N "=a\\b", N, GK_EINVAL, NULL, "'\\' in the value");
	check(N "=a\"b", N, GK_EINVAL, NULL, "'\"' inside the value");
	check(N "=\"abc", N, GK_EINVAL, NULL, "unbalanced quote");
	check(N "=abc\"", N, GK_EINVAL, NULL, "unbalanced trailing quote");
	check(N "=\"", N, GK_EINVAL, NULL, "lone quote");
	check(N "=\"a b\"", N, GK_EINVAL, NULL, "space inside quotes");
	check(N "=a\r\nSet-Cookie: x=1", N, GK_EINVAL, NULL, "CR/LF in the value");
	check(N "=a\x7f", N, GK_EINVAL, NULL, "DEL in the value");
	check(N "=a\x01", N, GK_EINVAL, NULL, "control byte in the value");
	check(N "=\xc3\xa9", N, GK_EINVAL, NULL, "non-ASCII in the value");
	check(N "=!#$%&'()*+-./:<=>?@[]^_`{|}~", N, GK_OK, "!#$%&'()*+-./:<=>?@[]^_`{|}~",
	    "every cookie-octet punctuation accepted");
}

static void
test_limits(void)
{
	char out[8], *h;
	size_t len = GK_COOKIE_HEADER_MAX + 1024;

	is_int(gk_cookie_get(N "=1234567", N, out, sizeof(out)), GK_OK, "value that just fits");
	is_str(out, "1234567", "  value");
	is_int(gk_cookie_get(N "=12345678", N, out, sizeof(out)), GK_ETOOLONG, "value one byte too long");
	is_int(gk_cookie_get(N "=x", N, NULL, 8), GK_EINVAL, "NULL output");
	is_int(gk_cookie_get(N "=x", N, out, 0), GK_EINVAL, "zero-size output");
	is_int(gk_cookie_get(N "=x", "bad name", out, sizeof(out)), GK_EINVAL, "bad name");
	is_int(gk_cookie_get(N "=x", "", out, sizeof(out)), GK_EINVAL, "empty name");
	is_int(gk_cookie_get(N "=x", NULL, out, sizeof(out)), GK_EINVAL, "NULL name");
	is_int(gk_cookie_get("a;b=x", "a;b", out, sizeof(out)), GK_EINVAL, "name with ';'");
	is_int(gk_cookie_get("a=b=x", "a=b", out, sizeof(out)), GK_EINVAL, "name with '='");

	/* A header over GK_COOKIE_HEADER_MAX: refused before it is scanned. */
	h = malloc(len + 1);
	memset(h, 'a', len);
	memcpy(h, N "=ok; pad=", strlen(N "=ok; pad="));
	h[len] = '\0';
	check(h, N, GK_ETOOLONG, NULL, "header over GK_COOKIE_HEADER_MAX refused");
	/* Exactly GK_COOKIE_HEADER_MAX is scanned; one more byte is refused. */
	h[GK_COOKIE_HEADER_MAX] = '\0';
	check(h, N, GK_OK, "ok", "header of exactly GK_COOKIE_HEADER_MAX");
	h[GK_COOKIE_HEADER_MAX] = 'a';
	h[GK_COOKIE_HEADER_MAX + 1] = '\0';
	check(h, N, GK_ETOOLONG, NULL, "header of GK_COOKIE_HEADER_MAX + 1");
	/* A jar past GK_HEADER_MAX (other sites' cookies of the domain): still read. */
	h[GK_HEADER_MAX + 100] = '\0';
	check(h, N, GK_OK, "ok", "header of GK_HEADER_MAX + 100");
	/* Many tiny cookies, ours last and duplicated at the very end. */
	{
		size_t n = 0;

		while (n + 4 < GK_HEADER_MAX - 64) {
			memcpy(h + n, "a=1;", 4);
			n += 4;
		}
		strcpy(h + n, N "=v;" N "=w");
		check(h, N, GK_EDUP, NULL, "duplicate at the end of a long header");
		strcpy(h + n, N "=v");
		check(h, N, GK_OK, "v", "found at the end of a long header");
	}
	free(h);

	ok(gk_cookie_name_valid(N), "name valid");
	ok(gk_cookie_name_valid("__Host-gk"), "__Host- name valid");
	ok(!gk_cookie_name_valid("a b"), "space invalid");
	ok(!gk_cookie_name_valid("a=b"), "'=' invalid");
	ok(!gk_cookie_name_valid("a;b"), "';' invalid");
	ok(!gk_cookie_name_valid(""), "empty invalid");
	ok(!gk_cookie_name_valid(NULL), "NULL invalid");
	ok(!gk_cookie_name_valid("a\r\n"), "CR/LF invalid");
}

/* Random mutations of a realistic header: only defined results, output always terminated. */
static void
test_mutations(void)
{
	static const char seed[] = "_ga=GA1.2.3; " N "=\"eyJhbGciOiJIUzI1NiJ9.e30.c2ln\"; theme=dark";
	char h[sizeof(seed)], out[64];
	unsigned long x = 99;
	int i, rc, bad = 0, okays = 0;
	size_t len = sizeof(seed) - 1;

	for (i = 0; i < 20000; i++) {
		memcpy(h, seed, sizeof(seed));
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		h[(x >> 33) % len] = (char)(x >> 40);
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		if (i % 2)
			h[(x >> 33) % len] = (i % 4 == 1) ? ';' : '=';
		memset(out, 'X', sizeof(out));
		rc = gk_cookie_get(h, N, out, sizeof(out));
		if (memchr(out, '\0', sizeof(out)) == NULL)
			bad++;
		else if (rc == GK_OK)
			okays++;
		else if (rc != GK_NOTFOUND && rc != GK_EDUP && rc != GK_EINVAL && rc != GK_ETOOLONG)
			bad++;
		else if (out[0] != '\0')
			bad++;
	}
	is_int(bad, 0, "20000 mutated headers: only defined results, output always terminated");
	ok(okays > 0, "many mutations still find the cookie (%d)", okays);
}

int
main(void)
{
	test_mutations();
	test_lookup();
	test_duplicates();
	test_octets();
	test_limits();
	return done_testing();
}
