/* t_basic.c: strict RFC 7617 parsing against well-formed and hostile Authorization values. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "basic.h"
#include "tap.h"

static char user[GK_USER_MAX + 1];
static char pass[GK_PASSWORD_MAX + 1];

/* "Basic " + base64 of len raw bytes (which may hold NULs). */
static char *
basic_of(const char *scheme, const void *raw, size_t len)
{
	size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *h = malloc(strlen(scheme) + b64len + 1);

	strcpy(h, scheme);
	sodium_bin2base64(h + strlen(scheme), b64len, raw, len, sodium_base64_VARIANT_ORIGINAL);
	return h;
}

#define RAW(lit) (lit), (sizeof(lit) - 1)

/* Parses header and checks the status (and, on GK_OK, the user and password). */
static void
check(const char *header, int want, const char *wuser, const char *wpass, const char *what)
{
	int rc;

	memset(user, 'U', sizeof(user));
	memset(pass, 'P', sizeof(pass));
	rc = gk_basic_parse(header, user, pass);
	is_int(rc, want, "%s", what);
	if (want == GK_OK) {
		is_str(user, wuser, "  user");
		is_str(pass, wpass, "  password");
	} else {
		ok(user[0] == '\0' && pass[0] == '\0' && user[GK_USER_MAX] == '\0' &&
		    pass[GK_PASSWORD_MAX] == '\0', "  buffers wiped");
	}
}

/* Same, with a header built from raw credentials. */
static void
check_raw(const void *raw, size_t len, int want, const char *wuser, const char *wpass, const char *what)
{
	char *h = basic_of("Basic ", raw, len);

	check(h, want, wuser, wpass, what);
	free(h);
}

static void
test_good(void)
{
	/* "alice:secret" = YWxpY2U6c2VjcmV0 */
	check("Basic YWxpY2U6c2VjcmV0", GK_OK, "alice", "secret", "plain credentials");
	check("basic YWxpY2U6c2VjcmV0", GK_OK, "alice", "secret", "scheme is case-insensitive");
	check("BASIC YWxpY2U6c2VjcmV0", GK_OK, "alice", "secret", "upper-case scheme");
	check("bAsIc YWxpY2U6c2VjcmV0", GK_OK, "alice", "secret", "mixed-case scheme");
	check("Basic    YWxpY2U6c2VjcmV0", GK_OK, "alice", "secret", "several spaces");
	check_raw(RAW("alice:pa:ss:word"), GK_OK, "alice", "pa:ss:word", "split at the first ':'");
	check_raw(RAW("alice:"), GK_OK, "alice", "", "empty password parses (refused later)");
	check_raw(RAW("J\xc3\xbcrgen:p\xc3\xa4ss"), GK_OK, "J\xc3\xbcrgen", "p\xc3\xa4ss", "UTF-8 user and password");
	check_raw(RAW("a b:c d"), GK_OK, "a b", "c d", "inner spaces");
	check_raw(RAW("a:b"), GK_OK, "a", "b", "one-byte user, padding '=='");
	check_raw(RAW("ab:cd"), GK_OK, "ab", "cd", "padding '='");
	check_raw(RAW("abc:def"), GK_OK, "abc", "def", "no padding needed");
}

static void
test_scheme(void)
{
	check(NULL, GK_NOTFOUND, NULL, NULL, "no header");
	check("", GK_NOTFOUND, NULL, NULL, "empty header");
	check("Bearer abc.def.ghi", GK_NOTFOUND, NULL, NULL, "Bearer is another scheme");
	check("Digest username=\"alice\"", GK_NOTFOUND, NULL, NULL, "Digest is another scheme");
	check("Basically YWxpY2U6c2VjcmV0", GK_NOTFOUND, NULL, NULL, "'Basically' is another scheme");
	check("Basic_ YWxpY2U6c2VjcmV0", GK_NOTFOUND, NULL, NULL, "'Basic_' is another scheme");
	check("Basi", GK_NOTFOUND, NULL, NULL, "short");
	check("Basic", GK_EINVAL, NULL, NULL, "Basic without credentials");
	check("Basic ", GK_EINVAL, NULL, NULL, "Basic with empty credentials");
	check("Basic    ", GK_EINVAL, NULL, NULL, "Basic with only spaces");
	check("Basic\tYWxpY2U6c2VjcmV0", GK_EINVAL, NULL, NULL, "HTAB separator");
	check("Basic\nYWxpY2U6c2VjcmV0", GK_EINVAL, NULL, NULL, "LF separator");
	/* libsodium 1.0.18 reads 0x80-0xff as "/": "SsO\xb8..." must not pass as "SsO/..." (fuzz finding) */
	check("Basic SsO\xb8" "cmdlbjpww6RzcyB3OnJk", GK_EINVAL, NULL, NULL, "high-bit byte in base64");
	check("Basic SsO/cmdlbjpww6RzcyB3OnJk", GK_OK, "J\xc3\xbfrgen", "p\xc3\xa4ss w:rd",
	    "same with the real alphabet decodes");
	check("Basic LWFsaWNlOnB3", GK_EINVAL, NULL, NULL, "user name starting with '-' (\"-alice:pw\")");
	check("BasicYWxpY2U6c2VjcmV0", GK_NOTFOUND, NULL, NULL, "no separator: one unknown token");
	check(" Basic YWxpY2U6c2VjcmV0", GK_NOTFOUND, NULL, NULL, "leading space (not trimmed here)");
}

static void
test_base64(void)
{
	check("Basic YWxpY2U6c2VjcmV0 ", GK_EINVAL, NULL, NULL, "trailing space");
	check("Basic YWxpY2U6c2VjcmV0\r\n", GK_EINVAL, NULL, NULL, "trailing CRLF");
	check("Basic YWxpY2U6c2VjcmV0x", GK_EINVAL, NULL, NULL, "trailing junk");
	check("Basic YWxpY2U6c2VjcmV0====", GK_EINVAL, NULL, NULL, "extra padding");
	check("Basic YWxp Y2U6c2VjcmV0", GK_EINVAL, NULL, NULL, "space inside");
	check("Basic YWxp\nY2U6c2VjcmV0", GK_EINVAL, NULL, NULL, "newline inside");
	check("Basic YTpi", GK_OK, "a", "b", "a:b without padding needs none");
	check("Basic YTpiYw", GK_EINVAL, NULL, NULL, "missing padding '=='");
	check("Basic YTpiYw=", GK_EINVAL, NULL, NULL, "missing one '='");
	check("Basic YTpiYw==", GK_OK, "a", "bc", "with the padding it parses");
	check("Basic YTpiYx==", GK_EINVAL, NULL, NULL, "non-zero pad bits (non-canonical)");
	check("Basic YWxpY2U6c2Vj-mV0", GK_EINVAL, NULL, NULL, "'-' (base64url) refused");
	check("Basic YWxpY2U6c2Vj_mV0", GK_EINVAL, NULL, NULL, "'_' (base64url) refused");
	check("Basic YWxpY2U6c2Vj.mV0", GK_EINVAL, NULL, NULL, "'.' refused");
	check("Basic =YWxpY2U6c2VjcmV0", GK_EINVAL, NULL, NULL, "leading '='");
	check("Basic YW=pY2U6c2VjcmV0", GK_EINVAL, NULL, NULL, "'=' in the middle");
	check("Basic Y", GK_EINVAL, NULL, NULL, "one base64 char");
	check("Basic ====", GK_EINVAL, NULL, NULL, "only padding");
	check("Basic YWxpY2U6c2VjcmV0\xc3\xa9", GK_EINVAL, NULL, NULL, "non-ASCII after base64");
	check("Basic YWxpY2U6c2VjcmV0\x01", GK_EINVAL, NULL, NULL, "control byte after base64");
}

static void
test_hostile_payloads(void)
{
	char raw[GK_USER_MAX + GK_PASSWORD_MAX + 64];
	char *h;

	check_raw(RAW("alicesecret"), GK_EINVAL, NULL, NULL, "no ':'");
	check_raw(RAW(":secret"), GK_EINVAL, NULL, NULL, "empty user");
	check_raw(RAW(""), GK_EINVAL, NULL, NULL, "empty payload");
	check_raw(RAW("ali\0ce:secret"), GK_EINVAL, NULL, NULL, "NUL in user");
	check_raw(RAW("alice:sec\0ret"), GK_EINVAL, NULL, NULL, "NUL in password");
	check_raw(RAW("alice\0:secret"), GK_EINVAL, NULL, NULL, "NUL before ':'");
	check_raw(RAW("alice:secret\0"), GK_EINVAL, NULL, NULL, "trailing NUL");
	check_raw(RAW("alice\r\nX-Evil: 1:secret"), GK_EINVAL, NULL, NULL, "CR/LF in user");
	check_raw(RAW("alice:sec\nret"), GK_EINVAL, NULL, NULL, "LF in password");
	check_raw(RAW("alice:sec\tret"), GK_EINVAL, NULL, NULL, "HTAB in password");
	check_raw(RAW("alice:sec\x7fret"), GK_EINVAL, NULL, NULL, "DEL in password");
	check_raw(RAW("alice\x1b[31m:x"), GK_EINVAL, NULL, NULL, "escape in user");
	check_raw(RAW("ali\xc2\x85" "ce:x"), GK_EINVAL, NULL, NULL, "C1 NEL in user");
	check_raw(RAW("\xc0\xaf" "admin:x"), GK_EINVAL, NULL, NULL, "overlong UTF-8 in user");
	check_raw(RAW("\xed\xa0\x80:x"), GK_EINVAL, NULL, NULL, "surrogate in user");
	check_raw(RAW("\xf5\x80\x80\x80:x"), GK_EINVAL, NULL, NULL, "0xF5 in user");
	check_raw(RAW(" alice:x"), GK_EINVAL, NULL, NULL, "leading space in user");
	check_raw(RAW("alice :x"), GK_EINVAL, NULL, NULL, "trailing space in user");
	check_raw(RAW("al,ice:x"), GK_EINVAL, NULL, NULL, "',' in user");
	check_raw(RAW("alice:p\xff\xfe"), GK_OK, "alice", "p\xff\xfe", "8-bit password bytes pass");

	/* Bounds: user 128 ok / 129 too long; password 256 ok / 257 too long. */
	memset(raw, 'u', GK_USER_MAX);
	raw[GK_USER_MAX] = ':';
	memset(raw + GK_USER_MAX + 1, 'p', GK_PASSWORD_MAX);
	h = basic_of("Basic ", raw, GK_USER_MAX + 1 + GK_PASSWORD_MAX);
	memset(user, 0, sizeof(user));
	is_int(gk_basic_parse(h, user, pass), GK_OK, "128-byte user, 256-byte password accepted");
	is_int(strlen(user), GK_USER_MAX, "  full user");
	is_int(strlen(pass), GK_PASSWORD_MAX, "  full password");
	free(h);
	memset(raw, 'u', GK_USER_MAX + 1);
	raw[GK_USER_MAX + 1] = ':';
	check_raw(raw, GK_USER_MAX + 3, GK_ETOOLONG, NULL, NULL, "129-byte user refused");
	memset(raw, 'p', sizeof(raw));
	memcpy(raw, "alice:", 6);
	check_raw(raw, 6 + GK_PASSWORD_MAX + 1, GK_ETOOLONG, NULL, NULL, "257-byte password refused");
	check_raw(raw, sizeof(raw), GK_ETOOLONG, NULL, NULL, "over-long payload refused");

	/* A 100 KB header is refused before any decoding. */
	h = malloc(100 * 1024 + 1);
	memcpy(h, "Basic ", 6);
	memset(h + 6, 'A', 100 * 1024 - 6);
	h[100 * 1024] = '\0';
	check(h, GK_ETOOLONG, NULL, NULL, "100 KB header refused");
	h[1000] = '\0';
	check(h, GK_ETOOLONG, NULL, NULL, "1000-byte base64 refused");
	free(h);

	is_int(gk_basic_parse("Basic YWxpY2U6c2VjcmV0", NULL, pass), GK_EINVAL, "NULL user buffer");
	is_int(gk_basic_parse("Basic YWxpY2U6c2VjcmV0", user, NULL), GK_EINVAL, "NULL password buffer");
}

/* Bit flips, truncations and random bytes: never a crash, never an unterminated or unwiped buffer. */
static void
test_mutations(void)
{
	static const char seed[] = "Basic YWxpY2U6c29tZSBzZWNyZXQgcGFzc3dvcmQ=";
	char h[sizeof(seed) + 8];
	unsigned long x = 12345;
	int i, rc, bad = 0, okays = 0;
	size_t len;

	for (i = 0; i < 20000; i++) {
		memcpy(h, seed, sizeof(seed));
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		len = sizeof(seed) - 1;
		if (i % 3 == 0)
			h[(x >> 33) % len] ^= (char)(1u << ((x >> 20) % 8));
		else if (i % 3 == 1)
			h[(x >> 33) % len] = (char)(x >> 40);
		else
			h[(x >> 33) % (len + 1)] = '\0';
		memset(user, 'U', sizeof(user));
		memset(pass, 'P', sizeof(pass));
		rc = gk_basic_parse(h, user, pass);
		if (rc == GK_OK) {
			okays++;
			if (strlen(user) > GK_USER_MAX || strlen(pass) > GK_PASSWORD_MAX)
				bad++;
		} else if (rc != GK_EINVAL && rc != GK_NOTFOUND && rc != GK_ETOOLONG) {
			bad++;
		} else if (user[0] != '\0' || pass[0] != '\0') {
			bad++;
		}
	}
	is_int(bad, 0, "20000 mutated headers: only defined results, buffers always terminated/wiped");
	ok(okays > 0 && okays < 20000, "some mutations still parse (%d), most do not", okays);
}

/* Apache's own parse of the pair (REMOTE_USER/REMOTE_PASSWD) against the header. */
static void
test_pair_check(void)
{
	char pw513[514], *h;
	bool mm;

	is_int(gk_basic_pair_check("alice", "secret", "Basic YWxpY2U6c2VjcmV0", user, pass, &mm),
	    GK_OK, "pair: the header says the same");
	ok(strcmp(user, "alice") == 0 && strcmp(pass, "secret") == 0 && !mm, "pair: copied out");
	is_int(gk_basic_pair_check("alice", "secret", NULL, user, pass, &mm), GK_OK,
	    "pair: no header (no CGIPassAuth): the pair alone");
	h = basic_of("Basic ", RAW("alice:secret\0junk"));
	is_int(gk_basic_pair_check("alice", "secret", h, user, pass, &mm), GK_EINVAL,
	    "pair: Apache cut the password at a NUL");
	ok(mm && user[0] == '\0' && pass[0] == '\0', "pair: a mismatch, buffers wiped");
	free(h);
	is_int(gk_basic_pair_check("alice", "secret", "Basic YWxpY2U6c2VjcmV0=AAAA", user, pass, &mm),
	    GK_EINVAL, "pair: Apache ignored bytes after the base64");
	is_int(gk_basic_pair_check("alice", "secret", "Basic YWxpY2U6c2VjcmV0, Basic Ym9iOng=", user,
	    pass, &mm), GK_EINVAL, "pair: two comma-merged Authorization headers");
	is_int(gk_basic_pair_check("alice", "secret", "Basic Ym9iOnNlY3JldA==", user, pass, &mm),
	    GK_EINVAL, "pair: the header names another user");
	is_int(gk_basic_pair_check("alice", "secret", "Bearer abc", user, pass, &mm), GK_EINVAL,
	    "pair: the header is another scheme");
	ok(mm, "pair: ... a mismatch");
	memset(pw513, 'p', 513);
	pw513[513] = '\0';
	is_int(gk_basic_pair_check("alice", pw513, NULL, user, pass, &mm), GK_EINVAL,
	    "pair without header: a 513-byte password is over GK_PASSWORD_MAX");
	ok(!mm, "pair: ... a limit, not a mismatch");
	pw513[GK_PASSWORD_MAX] = '\0';
	is_int(gk_basic_pair_check("alice", pw513, NULL, user, pass, &mm), GK_OK,
	    "pair without header: GK_PASSWORD_MAX bytes is fine");
	is_int(gk_basic_pair_check("alice", "a\tb", NULL, user, pass, &mm), GK_EINVAL,
	    "pair without header: a TAB in the password");
	is_int(gk_basic_pair_check("alice", "a\x7f", NULL, user, pass, &mm), GK_EINVAL,
	    "pair without header: DEL in the password");
	is_int(gk_basic_pair_check("al:ice", "x", NULL, user, pass, &mm), GK_EINVAL,
	    "pair without header: an invalid user name");
	is_int(gk_basic_pair_check(NULL, "x", NULL, user, pass, &mm), GK_EINVAL, "pair: no user");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 99;
	test_mutations();
	test_good();
	test_scheme();
	test_base64();
	test_hostile_payloads();
	test_pair_check();
	return done_testing();
}
