/* t_token.c: HS256 session tokens: round trip, tampering, hostile headers and claims, key rotation. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tap.h"
#include "token.h"

#define NOW INT64_C(1700000000)
#define ISS "https://auth.example.com"
#define V sodium_base64_VARIANT_URLSAFE_NO_PADDING

static const char K1[] = "Zm9vYmFyLXRoaXMtaXMtYS10ZXN0LWtleS0xLTMyYnl0ZXM";
static const char K2[] = "c2Vjb25kLWtleS1mb3ItdGhlLXJvdGF0aW9uLXRlc3RzLTI";

static struct gk_secret
secret(const char *key, const char *prev, int64_t prev_since)
{
	struct gk_secret s;

	memset(&s, 0, sizeof(s));
	s.len = strlen(key);
	memcpy(s.key, key, s.len);
	if (prev != NULL) {
		s.prev_len = strlen(prev);
		memcpy(s.prev, prev, s.prev_len);
		s.prev_since = prev_since;
	}
	return s;
}

static struct gk_claims
claims(void)
{
	struct gk_claims c;

	memset(&c, 0, sizeof(c));
	strcpy(c.sub, "alice");
	strcpy(c.grp, "admins,users");
	strcpy(c.email, "alice@example.com");
	strcpy(c.name, "Alice \xc3\x85sa \"A\"");
	strcpy(c.iss, ISS);
	c.iat = NOW;
	c.exp = NOW + 3600;
	c.gen = 7;
	return c;
}

static int
verify_at(const struct gk_secret *s, const char *tok, int64_t now, int64_t leeway, int64_t ttl)
{
	struct gk_claims c;
	struct gk_err err = { "" };

	return gk_token_verify(s, tok, ISS, now, leeway, ttl, &c, &err);
}

static int
verify(const char *key, const char *tok)
{
	struct gk_secret s = secret(key, NULL, 0);

	return verify_at(&s, tok, NOW + 10, 0, 3600);
}

/* Signs the already-encoded "h.p" with key: tokens no well-behaved issuer would make. */
static void
sign_raw(const char *key, const char *h64, const char *p64, char *out, size_t outsz)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[32];
	size_t n;

	snprintf(out, outsz, "%s.%s.", h64, p64);
	n = strlen(out);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)out, n - 1);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out + n, outsz - n, mac, sizeof(mac), V);
}

static char *
b64(const char *s)
{
	size_t n = strlen(s), sz = sodium_base64_ENCODED_LEN(n, V);
	char *out = malloc(sz);

	sodium_bin2base64(out, sz, (const unsigned char *)s, n, V);
	return out;
}

/* A correctly signed token with arbitrary header and payload JSON. */
static char tokbuf[16384];
static const char *
forge(const char *key, const char *header, const char *payload)
{
	char *h = b64(header), *p = b64(payload);

	sign_raw(key, h, p, tokbuf, sizeof(tokbuf));
	free(h);
	free(p);
	return tokbuf;
}

#define HDR "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define PAY(extra) "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000," \
	"\"exp\":1700003600,\"gen\":0" extra "}"

static void
test_round_trip(char *tok, size_t toksz)
{
	struct gk_claims c = claims(), got;
	struct gk_secret s = secret(K1, NULL, 0);
	struct gk_err err = { "" };

	is_int(gk_token_issue((const unsigned char *)K1, strlen(K1), &c, tok, toksz, &err), GK_OK,
	    "issue a token");
	ok(strncmp(tok, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0,
	    "header is {\"alg\":\"HS256\",\"typ\":\"JWT\"}");
	ok(strlen(tok) < 600, "a typical token is small (%zu bytes)", strlen(tok));
	is_int(gk_token_verify(&s, tok, ISS, NOW + 10, 0, 3600, &got, &err), GK_OK,
	    "verify our own token");
	is_str(got.sub, "alice", "  sub");
	is_str(got.grp, "admins,users", "  grp");
	is_str(got.email, "alice@example.com", "  email");
	is_str(got.name, c.name, "  name (UTF-8 and quotes)");
	is_str(got.iss, ISS, "  iss");
	is_int(got.iat, NOW, "  iat");
	is_int(got.exp, NOW + 3600, "  exp");
	is_int(got.gen, 7, "  gen");

	c.grp[0] = c.email[0] = c.name[0] = '\0';
	c.gen = UINT32_MAX;
	is_int(gk_token_issue((const unsigned char *)K1, strlen(K1), &c, tokbuf, sizeof(tokbuf), &err),
	    GK_OK, "issue a token without optional claims");
	is_int(gk_token_verify(&s, tokbuf, ISS, NOW, 0, 3600, &got, &err), GK_OK, "  verifies");
	ok(got.grp[0] == '\0' && got.email[0] == '\0' && got.name[0] == '\0', "  optional claims empty");
	is_int(got.gen, UINT32_MAX, "  gen UINT32_MAX survives");
}

static void
test_tamper(const char *tok)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
	char t[2048];
	size_t len = strlen(tok), i, j, accepted = 0, tried = 0;

	/* Every byte, every other character: only the original spelling verifies. */
	for (i = 0; i < len; i++) {
		for (j = 0; alphabet[j] != '\0'; j++) {
			if (alphabet[j] == tok[i])
				continue;
			strcpy(t, tok);
			t[i] = alphabet[j];
			tried++;
			if (verify(K1, t) == GK_OK) {
				accepted++;
				diag("accepted with byte %zu changed to '%c'", i, alphabet[j]);
			}
		}
	}
	is_int(accepted, 0, "all %zu single-byte changes are refused", tried);

	accepted = 0;
	for (i = 0; i < len; i++) {
		memcpy(t, tok, i);
		t[i] = '\0';
		if (verify(K1, t) == GK_OK)
			accepted++;
	}
	is_int(accepted, 0, "all %zu truncations are refused", len);

	accepted = 0;
	for (i = 0; i < len; i++) {
		memcpy(t, tok, i);
		strcpy(t + i, tok + i + 1);
		if (verify(K1, t) == GK_OK)
			accepted++;
	}
	is_int(accepted, 0, "all %zu single-byte deletions are refused", len);

	snprintf(t, sizeof(t), "%s=", tok);
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "trailing '=' padding refused");
	snprintf(t, sizeof(t), "%s.", tok);
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "a fourth (empty) segment refused");
	snprintf(t, sizeof(t), "%s.e30", tok);
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "a fourth segment refused");
	snprintf(t, sizeof(t), " %s", tok);
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "leading space refused");
	snprintf(t, sizeof(t), "%s\n", tok);
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "trailing newline refused");
	is_int(verify(K2, tok), GK_TOKEN_BADSIG, "wrong key: bad signature");
	is_int(verify(K1, ""), GK_TOKEN_MALFORMED, "empty token refused");
	is_int(verify(K1, ".."), GK_TOKEN_MALFORMED, "'..' refused");
	is_int(verify(K1, NULL), GK_TOKEN_MALFORMED, "NULL token refused");

	/* The standard alphabet for the same bytes. */
	strcpy(t, tok);
	for (i = 0; t[i] != '\0'; i++) {
		if (t[i] == '-')
			t[i] = '+';
		else if (t[i] == '_')
			t[i] = '/';
	}
	if (strcmp(t, tok) != 0)
		is_int(verify(K1, t), GK_TOKEN_MALFORMED, "'+' and '/' (standard base64) refused");
	else
		ok(verify(K1, "eyJhbGciOiJIUzI1NiJ9.e30.+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+") ==
		    GK_TOKEN_MALFORMED, "'+' and '/' (standard base64) refused");
}

static void
test_hostile_headers(void)
{
	char t[1024], t2[128];
	char *p = b64(PAY("")), *h;

	is_int(verify(K1, forge(K1, HDR, PAY(""))), GK_OK, "a forged-with-the-right-key token is fine");
	is_int(verify(K1, forge(K1, "{\"typ\":\"JWT\",\"alg\":\"HS256\"}", PAY(""))), GK_OK,
	    "header keys in any order");
	is_int(verify(K1, forge(K1, "{\"alg\":\"HS256\"}", PAY(""))), GK_OK, "typ is optional");
	is_int(verify(K1, forge(K1, "{ \"alg\" : \"HS256\" }", PAY(""))), GK_OK,
	    "JSON whitespace in the header is fine");
	is_int(verify(K1, forge(K1, "{\"alg\":\"none\",\"typ\":\"JWT\"}", PAY(""))), GK_TOKEN_BADHEADER,
	    "alg none refused even with a valid MAC");
	is_int(verify(K1, forge(K1, "{\"alg\":\"None\"}", PAY(""))), GK_TOKEN_BADHEADER, "alg None");
	is_int(verify(K1, forge(K1, "{\"alg\":\"HS512\"}", PAY(""))), GK_TOKEN_BADHEADER, "alg HS512");
	is_int(verify(K1, forge(K1, "{\"alg\":\"RS256\"}", PAY(""))), GK_TOKEN_BADHEADER, "alg RS256");
	is_int(verify(K1, forge(K1, "{\"alg\":\"hs256\"}", PAY(""))), GK_TOKEN_BADHEADER, "alg hs256");
	is_int(verify(K1, forge(K1, "{\"alg\":\"HS256 \"}", PAY(""))), GK_TOKEN_BADHEADER, "alg 'HS256 '");
	is_int(verify(K1, forge(K1, "{\"alg\":[\"HS256\"]}", PAY(""))), GK_TOKEN_BADHEADER,
	    "alg as an array");
	is_int(verify(K1, forge(K1, "{\"typ\":\"JWT\"}", PAY(""))), GK_TOKEN_BADHEADER, "no alg");
	is_int(verify(K1, forge(K1, "{\"alg\":\"HS256\",\"typ\":\"jwt\"}", PAY(""))),
	    GK_TOKEN_BADHEADER, "typ jwt (lower case)");
	is_int(verify(K1, forge(K1, "{\"alg\":\"HS256\",\"kid\":\"../../dev/null\"}", PAY(""))),
	    GK_TOKEN_BADHEADER, "extra header key kid");
	is_int(verify(K1, forge(K1, "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", PAY(""))),
	    GK_TOKEN_BADHEADER, "extra header key crit");
	is_int(verify(K1, forge(K1, "{\"alg\":\"HS256\",\"alg\":\"HS256\"}", PAY(""))),
	    GK_TOKEN_BADHEADER, "duplicate alg (same value)");
	is_int(verify(K1, forge(K1, "{\"alg\":\"none\",\"alg\":\"HS256\"}", PAY(""))),
	    GK_TOKEN_BADHEADER, "duplicate alg (none, then HS256)");
	is_int(verify(K1, forge(K1, "{\"alg\\u0000x\":\"none\",\"alg\":\"HS256\"}", PAY(""))),
	    GK_TOKEN_MALFORMED, "NUL inside a header key");
	is_int(verify(K1, forge(K1, "[\"HS256\"]", PAY(""))), GK_TOKEN_BADHEADER, "header is an array");
	is_int(verify(K1, forge(K1, "{\"alg\":\"HS256\"", PAY(""))), GK_TOKEN_MALFORMED,
	    "header not JSON");
	is_int(verify(K1, forge(K1, HDR "x", PAY(""))), GK_TOKEN_MALFORMED, "garbage after the header");

	/* alg none the classic way: no signature at all. */
	snprintf(t, sizeof(t), "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.%s.", p);
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "alg none with an empty signature");
	snprintf(t, sizeof(t), "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.%s", p);
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "alg none with two segments");
	/* Non-canonical base64url (unused bits set) in a correctly signed header. */
	h = b64("{ \"alg\":\"HS256\"}");    /* 16 bytes: the last character has 4 unused bits */
	sign_raw(K1, h, p, t, sizeof(t));
	is_int(verify(K1, t), GK_OK, "  (control: canonical 16-byte header verifies)");
	h[strlen(h) - 1]++;
	sign_raw(K1, h, p, t, sizeof(t));
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "header with non-zero unused bits refused");
	h[strlen(h) - 1]--;
	snprintf(t2, sizeof(t2), "%s==", h);
	sign_raw(K1, t2, p, t, sizeof(t));
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "header with '==' padding refused");
	free(h);
	free(p);
}

static void
test_hostile_claims(void)
{
	char big[5000];
	size_t i, last_len = 0;
	int last_ok;
	char *p;
	char t[1024];

	is_int(verify(K1, forge(K1, HDR, PAY(",\"sub\":\"admin\""))), GK_TOKEN_BADCLAIMS,
	    "duplicate sub refused");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"exp\":1800000000"))), GK_TOKEN_BADCLAIMS,
	    "duplicate exp refused");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"iat\":1700000000,"
	    "\"exp\":1700003600,\"gen\":0}")), GK_TOKEN_BADCLAIMS, "missing sub");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"gen\":0}")), GK_TOKEN_BADCLAIMS, "missing exp");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\","
	    "\"exp\":1700003600,\"gen\":0}")), GK_TOKEN_BADCLAIMS, "missing iat");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":1700003600}")), GK_TOKEN_BADCLAIMS, "missing gen");
	is_int(verify(K1, forge(K1, HDR, "{\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":1700003600,\"gen\":0}")), GK_TOKEN_WRONGISS, "missing iss");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":\"1700003600\",\"gen\":0}")), GK_TOKEN_BADCLAIMS, "exp as a string");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":1700003600.0,\"gen\":0}")), GK_TOKEN_BADCLAIMS, "exp as a float");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":99999999999999999999999,\"gen\":0}")), GK_TOKEN_MALFORMED, "exp overflowing");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":9223372036854775807,\"gen\":0}")), GK_TOKEN_BADCLAIMS, "exp INT64_MAX");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":-5,"
	    "\"exp\":1700003600,\"gen\":0}")), GK_TOKEN_BADCLAIMS, "negative iat");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700003600,"
	    "\"exp\":1700003600,\"gen\":0}")), GK_TOKEN_BADCLAIMS, "exp == iat");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":1700003601,\"gen\":0}")), GK_TOKEN_BADCLAIMS, "lifetime one second over the TTL");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"grp\":[\"admins\"]"))), GK_TOKEN_BADCLAIMS,
	    "grp as an array");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"grp\":\"admins,,x\""))), GK_TOKEN_BADCLAIMS,
	    "grp with an empty element");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"email\":\"a b@c\""))), GK_TOKEN_BADCLAIMS,
	    "email with a space");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"name\":\"x\\ny\""))), GK_TOKEN_BADCLAIMS,
	    "name with a newline");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"gen\":-1"))), GK_TOKEN_BADCLAIMS, "duplicate gen");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":1700003600,\"gen\":-1}")), GK_TOKEN_BADCLAIMS, "gen negative");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":1700003600,\"gen\":4294967296}")), GK_TOKEN_BADCLAIMS, "gen over UINT32_MAX");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"a:b\",\"iat\":1700000000,"
	    "\"exp\":1700003600,\"gen\":0}")), GK_TOKEN_BADCLAIMS, "sub with ':'");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"\",\"iat\":1700000000,"
	    "\"exp\":1700003600,\"gen\":0}")), GK_TOKEN_BADCLAIMS, "empty sub");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\\u0000admin\","
	    "\"iat\":1700000000,\"exp\":1700003600,\"gen\":0}")), GK_TOKEN_MALFORMED, "sub with NUL");
	is_int(verify(K1, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":7,\"iat\":1700000000,"
	    "\"exp\":1700003600,\"gen\":0}")), GK_TOKEN_BADCLAIMS, "sub as a number");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"aud\":\"other\""))), GK_TOKEN_BADCLAIMS,
	    "aud present (cannot be checked) refused");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"nbf\":1700000100"))), GK_TOKEN_NOTYET,
	    "nbf in the future");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"nbf\":1700000000"))), GK_OK, "nbf in the past");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"nbf\":\"x\""))), GK_TOKEN_BADCLAIMS, "nbf a string");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"roles\":{\"a\":[1,2,{\"b\":null}]},\"x\":true"))),
	    GK_OK, "unknown claims are allowed");
	is_int(verify(K1, forge(K1, HDR, PAY(",\"x\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]"))),
	    GK_TOKEN_BADCLAIMS, "deeply nested unknown claim refused");
	is_int(verify(K1, forge(K1, HDR, "[1,2]")), GK_TOKEN_BADCLAIMS, "payload is an array");
	is_int(verify(K1, forge(K1, HDR, "\"x\"")), GK_TOKEN_MALFORMED, "payload is a string");
	is_int(verify(K1, forge(K1, HDR, PAY("") " ")), GK_OK, "trailing whitespace after JSON is JSON");
	is_int(verify(K1, forge(K1, HDR, PAY("") "{}")), GK_TOKEN_MALFORMED, "garbage after payload JSON");
	is_int(verify(K1, forge(K1, HDR, "\xff\xfe")), GK_TOKEN_MALFORMED, "payload not UTF-8");

	/* Size: the last token of at most 4096 bytes is fine, the next one is not. */
	p = malloc(6000);
	last_ok = -1;
	for (i = 2900; i < 3100; i++) {
		memset(big, 'x', i);
		big[i] = '\0';
		snprintf(p, 6000, PAY(",\"pad\":\"%s\""), big);
		forge(K1, HDR, p);
		if (strlen(tokbuf) > GK_TOKEN_MAX)
			break;
		last_ok = verify(K1, tokbuf);
		last_len = strlen(tokbuf);
	}
	ok(last_len >= GK_TOKEN_MAX - 1, "made a token of %zu bytes", last_len);
	is_int(last_ok, GK_OK, "  it verifies (large unknown claims are fine within the cap)");
	ok(strlen(tokbuf) > GK_TOKEN_MAX, "made a token of %zu bytes", strlen(tokbuf));
	is_int(verify(K1, tokbuf), GK_TOKEN_MALFORMED, "  it is refused");
	free(p);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(verify(K1, big), GK_TOKEN_MALFORMED, "4999 bytes of base64 refused");

	/* Signature lengths other than 32 bytes. */
	p = b64(PAY(""));
	snprintf(t, sizeof(t), "eyJhbGciOiJIUzI1NiJ9.%s.AAAA", p);
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "3-byte signature refused");
	snprintf(t, sizeof(t), "eyJhbGciOiJIUzI1NiJ9.%s.%s", p,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	is_int(verify(K1, t), GK_TOKEN_MALFORMED, "64-byte signature refused");
	free(p);
}

static void
test_time_and_issuer(const char *tok)
{
	struct gk_secret s = secret(K1, NULL, 0);
	struct gk_claims c;
	struct gk_err err = { "" };

	is_int(verify_at(&s, tok, NOW + 3599, 0, 3600), GK_OK, "valid one second before exp");
	is_int(verify_at(&s, tok, NOW + 3600, 0, 3600), GK_TOKEN_EXPIRED, "expired at exp");
	is_int(verify_at(&s, tok, NOW + 3659, 60, 3600), GK_OK, "leeway 60 accepts exp + 59");
	is_int(verify_at(&s, tok, NOW + 3660, 60, 3600), GK_TOKEN_EXPIRED, "leeway 60 refuses exp + 60");
	is_int(verify_at(&s, tok, NOW + 86400 * 400, 1000000, 3600), GK_TOKEN_EXPIRED,
	    "a huge leeway is clamped");
	is_int(verify_at(&s, tok, NOW - 1, 0, 3600), GK_TOKEN_NOTYET, "iat one second in the future");
	is_int(verify_at(&s, tok, NOW - 60, 60, 3600), GK_OK, "iat 60 s ahead with leeway 60");
	is_int(verify_at(&s, tok, NOW - 61, 60, 3600), GK_TOKEN_NOTYET, "iat 61 s ahead with leeway 60");
	is_int(verify_at(&s, tok, NOW, 0, 1800), GK_TOKEN_BADCLAIMS, "lifetime longer than the TTL");
	is_int(verify_at(&s, tok, NOW, 0, 0), GK_OK, "TTL 0 means the 30-day cap");
	is_int(gk_token_verify(&s, tok, "https://other.example.com", NOW, 0, 3600, &c, &err),
	    GK_TOKEN_WRONGISS, "wrong iss");
	is_int(gk_token_verify(&s, tok, ISS "/", NOW, 0, 3600, &c, &err), GK_TOKEN_WRONGISS,
	    "iss with a trailing slash is another issuer");
	ok(c.sub[0] == '\0', "claims are cleared on failure");
	ok(strstr(err.msg, tok + 37) == NULL && strstr(err.msg, "wrong-issuer") != NULL,
	    "the error names the reason, not the token: %s", err.msg);
	is_int(gk_token_verify(&s, tok, "", NOW, 0, 3600, &c, &err), GK_EINVAL,
	    "an empty expected issuer is a caller error");
	is_int(gk_token_verify(&s, tok, NULL, NOW, 0, 3600, &c, &err), GK_EINVAL,
	    "a NULL expected issuer is a caller error");
	is_int(gk_token_verify(&s, tok, ISS, -1, 0, 3600, &c, &err), GK_EINVAL, "negative clock");
	is_int(verify_at(&s, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":1702592000,\"gen\":0}"), NOW, 0, 0), GK_OK, "a 30-day lifetime is accepted");
	is_int(verify_at(&s, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":1702592001,\"gen\":0}"), NOW, 0, 0), GK_TOKEN_BADCLAIMS,
	    "30 days and a second is refused even with TTL 0");
	is_int(verify_at(&s, forge(K1, HDR, "{\"iss\":\"" ISS "\",\"sub\":\"bob\",\"iat\":1700000000,"
	    "\"exp\":1702592001,\"gen\":0}"), NOW, 0, 86400 * 365), GK_TOKEN_BADCLAIMS,
	    "  and with a TTL of a year");
}

static void
test_keys(const char *tok)
{
	struct gk_secret s;
	struct gk_claims c = claims();
	struct gk_err err = { "" };
	char out[GK_TOKEN_MAX + 1];

	/* K1 was rotated out 100 s ago: its tokens live for one TTL more. */
	s = secret(K2, K1, NOW - 100);
	is_int(verify_at(&s, tok, NOW + 10, 0, 3600), GK_OK, "previous key accepted inside the window");
	is_int(verify_at(&s, tok, NOW + 3499, 0, 3600), GK_OK, "  until the last second");
	is_int(verify_at(&s, tok, NOW + 3500, 0, 3600), GK_TOKEN_BADSIG, "refused when the window ends");
	s = secret(K2, NULL, 0);
	is_int(verify_at(&s, tok, NOW + 10, 0, 3600), GK_TOKEN_BADSIG, "no previous key: refused");
	s = secret(K2, "short", NOW);
	is_int(verify_at(&s, tok, NOW + 10, 0, 3600), GK_TOKEN_BADSIG, "a short previous key is unused");
	s = secret("0123456789012345678901234567890", NULL, 0);
	is_int(verify_at(&s, tok, NOW + 10, 0, 3600), GK_TOKEN_NOKEY, "31-byte current key: no-key");
	s = secret("", NULL, 0);
	is_int(verify_at(&s, tok, NOW + 10, 0, 3600), GK_TOKEN_NOKEY, "empty current key: no-key");
	is_int(gk_token_verify(NULL, tok, ISS, NOW, 0, 3600, &c, &err), GK_TOKEN_NOKEY, "NULL secret");
	c = claims();

	is_int(gk_token_issue((const unsigned char *)"", 0, &c, out, sizeof(out), &err), GK_TOKEN_NOKEY,
	    "issue refuses an empty key");
	ok(out[0] == '\0', "  and writes no token");
	is_int(gk_token_issue(NULL, 0, &c, out, sizeof(out), &err), GK_TOKEN_NOKEY, "issue: NULL key");
	is_int(gk_token_issue((const unsigned char *)K1, 31, &c, out, sizeof(out), &err),
	    GK_TOKEN_NOKEY, "issue refuses a 31-byte key");
	is_int(gk_token_issue((const unsigned char *)K1, 32, &c, out, sizeof(out), &err), GK_OK,
	    "issue accepts a 32-byte key");
	is_int(gk_token_issue((const unsigned char *)K1, strlen(K1), &c, out, 20, &err), GK_ETOOLONG,
	    "a small output buffer");
	c.sub[0] = '\0';
	is_int(gk_token_issue((const unsigned char *)K1, strlen(K1), &c, out, sizeof(out), &err),
	    GK_TOKEN_BADCLAIMS, "issue refuses an empty sub");
	c = claims();
	c.exp = c.iat;
	is_int(gk_token_issue((const unsigned char *)K1, strlen(K1), &c, out, sizeof(out), &err),
	    GK_TOKEN_BADCLAIMS, "issue refuses exp == iat");
	c = claims();
	c.exp = c.iat + GK_TOKEN_LIFETIME_MAX + 1;
	is_int(gk_token_issue((const unsigned char *)K1, strlen(K1), &c, out, sizeof(out), &err),
	    GK_TOKEN_BADCLAIMS, "issue refuses a lifetime over 30 days");
	c = claims();
	strcpy(c.grp, "a b");
	is_int(gk_token_issue((const unsigned char *)K1, strlen(K1), &c, out, sizeof(out), &err),
	    GK_TOKEN_BADCLAIMS, "issue refuses an invalid group list");
	c = claims();
	c.iss[0] = '\0';
	is_int(gk_token_issue((const unsigned char *)K1, strlen(K1), &c, out, sizeof(out), &err),
	    GK_TOKEN_BADCLAIMS, "issue refuses an empty iss");
	c = claims();
	memset(c.sub, 'a', sizeof(c.sub));
	is_int(gk_token_issue((const unsigned char *)K1, strlen(K1), &c, out, sizeof(out), &err),
	    GK_TOKEN_BADCLAIMS, "issue refuses an unterminated sub");
}

static void
test_reasons(void)
{
	static const int codes[] = { GK_TOKEN_MALFORMED, GK_TOKEN_BADSIG, GK_TOKEN_BADHEADER,
	    GK_TOKEN_BADCLAIMS, GK_TOKEN_EXPIRED, GK_TOKEN_NOTYET, GK_TOKEN_WRONGISS, GK_TOKEN_NOKEY };
	size_t i, j;
	int distinct = 1;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (codes[i] >= 0 || strcmp(gk_token_reason(codes[i]), "error") == 0)
			distinct = 0;
		for (j = 0; j < i; j++)
			if (strcmp(gk_token_reason(codes[i]), gk_token_reason(codes[j])) == 0)
				distinct = 0;
	}
	ok(distinct, "every refusal is negative and has its own reason name");
	is_str(gk_token_reason(GK_OK), "ok", "reason of GK_OK");
	is_str(gk_token_reason(GK_ERR), "error", "reason of another status");
}

int
main(void)
{
	char tok[GK_TOKEN_MAX + 1];

	if (sodium_init() < 0)
		return 2;
	test_round_trip(tok, sizeof(tok));
	test_tamper(tok);
	test_hostile_headers();
	test_hostile_claims();
	test_time_and_issuer(tok);
	test_keys(tok);
	test_reasons();
	return done_testing();
}
