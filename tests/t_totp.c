/* t_totp.c: lib/totp: RFC 6238 test vectors, the +-1 step window, replay refusal, URIs, recovery codes; lib/qr draws. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qr.h"
#include "tap.h"
#include "totp.h"

/* RFC 6238 appendix B, SHA1 seed; the six-digit codes are the last six of the eight. */
static const unsigned char SEED[] = "12345678901234567890";
static const struct { int64_t t; const char *code; } vec[] = {
	{ 59, "287082" }, { 1111111109, "081804" }, { 1111111111, "050471" },
	{ 1234567890, "005924" }, { 2000000000, "279037" }, { INT64_C(20000000000), "353130" },
};

int
main(void)
{
	char code[GK_TOTP_DIGITS + 1], uri[GK_TOTP_URI_MAX], rc1[GK_RECOVERY_LEN + 1], up[GK_TOTP_B32_MAX];
	unsigned char stored[GK_RECOVERY_HASH_LEN], seed[GK_TOTP_SEED_LEN];
	uint64_t step;
	bool replay;
	size_t i, len;
	int64_t t = 1111111111;
	char *s;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		is_int(gk_totp_code(SEED, 20, vec[i].t, code), GK_OK, "generate at %lld", (long long)vec[i].t);
		is_str(code, vec[i].code, "RFC 6238 vector at %lld", (long long)vec[i].t);
		is_int(gk_totp_check(SEED, 20, vec[i].t, vec[i].code, 0, &step, &replay), GK_OK,
		    "vector %zu accepted", i);
		is_int(step, vec[i].t / 30, "its step");
	}

	/* The window: the code of the step before and after now is accepted, two away is not. */
	gk_totp_code(SEED, 20, t - 30, code);
	is_int(gk_totp_check(SEED, 20, t, code, 0, &step, &replay), GK_OK, "previous step accepted");
	is_int(step, t / 30 - 1, "as the previous step");
	gk_totp_code(SEED, 20, t + 30, code);
	is_int(gk_totp_check(SEED, 20, t, code, 0, &step, &replay), GK_OK, "next step accepted");
	is_int(step, t / 30 + 1, "as the next step");
	gk_totp_code(SEED, 20, t - 60, code);
	is_int(gk_totp_check(SEED, 20, t, code, 0, &step, &replay), GK_NOTFOUND, "two steps back refused");
	ok(!replay, "not as a replay");
	gk_totp_code(SEED, 20, t + 60, code);
	is_int(gk_totp_check(SEED, 20, t, code, 0, &step, &replay), GK_NOTFOUND, "two steps ahead refused");

	/* Replay: a step at or before the last accepted one is refused, even when the code is right. */
	gk_totp_code(SEED, 20, t, code);
	is_int(gk_totp_check(SEED, 20, t, code, (uint64_t)(t / 30), &step, &replay), GK_NOTFOUND,
	    "same step again refused");
	ok(replay, "as a replay");
	gk_totp_code(SEED, 20, t - 30, code);
	is_int(gk_totp_check(SEED, 20, t, code, (uint64_t)(t / 30), &step, &replay), GK_NOTFOUND,
	    "an older step after a newer one refused");
	ok(replay, "as a replay");
	gk_totp_code(SEED, 20, t + 30, code);
	is_int(gk_totp_check(SEED, 20, t, code, (uint64_t)(t / 30), &step, &replay), GK_OK,
	    "a later step after it accepted");

	/* Malformed codes never reach liboath. */
	is_int(gk_totp_check(SEED, 20, t, "12345", 0, &step, &replay), GK_EINVAL, "five digits");
	is_int(gk_totp_check(SEED, 20, t, "1234567", 0, &step, &replay), GK_EINVAL, "seven digits");
	is_int(gk_totp_check(SEED, 20, t, " 05047", 0, &step, &replay), GK_EINVAL, "a space");
	is_int(gk_totp_check(SEED, 20, t, "05047a", 0, &step, &replay), GK_EINVAL, "a letter");
	is_int(gk_totp_check(SEED, 20, t, "", 0, &step, &replay), GK_EINVAL, "empty");
	is_int(gk_totp_check(SEED, 20, t, "000000", 0, &step, &replay), GK_NOTFOUND, "wrong code");

	/* otpauth URI: the base32 seed, issuer and user percent-encoded. */
	is_int(gk_totp_uri(SEED, 20, "gate keep", "al@ice", uri, sizeof(uri)), GK_OK, "uri");
	is_str(uri, "otpauth://totp/gate%20keep:al%40ice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	    "&issuer=gate%20keep&algorithm=SHA1&digits=6&period=30", "uri text");
	is_int(gk_totp_uri(SEED, 20, "", "alice", uri, sizeof(uri)), GK_EINVAL, "empty issuer refused");
	is_int(gk_totp_uri(SEED, 20, "gk", "alice", uri, 20), GK_ETOOLONG, "small buffer refused");
	gk_totp_seed_new(seed);
	is_int(gk_totp_seed_b32(seed, sizeof(seed), up, sizeof(up)), GK_OK, "seed base32");
	is_int(strlen(up), 32, "160 bits in 32 letters");

	/* Recovery codes: shape, match once hashed, case and dashes ignored, a wrong one refused. */
	gk_recovery_new(rc1);
	is_int(strlen(rc1), GK_RECOVERY_LEN, "recovery code length");
	ok(rc1[4] == '-' && rc1[9] == '-' && rc1[14] == '-', "grouped by four");
	ok(gk_recovery_shape(rc1), "its shape");
	is_int(gk_recovery_hash(rc1, stored, sizeof(stored), &len), GK_OK, "hashed");
	is_int(len, GK_RECOVERY_HASH_LEN, "salt and hash");
	ok(memmem(stored, sizeof(stored), rc1, 4) == NULL, "not stored in the clear");
	ok(gk_recovery_match(rc1, stored, len), "matches");
	for (i = 0; rc1[i]; i++)
		up[i] = rc1[i] == '-' ? ' ' : (char)(rc1[i] >= 'a' && rc1[i] <= 'z' ? rc1[i] - 32 : rc1[i]);
	up[i] = '\0';
	ok(gk_recovery_match(up, stored, len), "upper case with spaces matches");
	up[0] = up[0] == 'A' ? 'B' : 'A';
	ok(!gk_recovery_match(up, stored, len), "one letter off refused");
	ok(!gk_recovery_match(rc1, stored, len - 1), "truncated stored value refused");
	ok(!gk_recovery_shape("123456"), "a TOTP code is no recovery code");
	is_int(gk_recovery_hash("abc", stored, sizeof(stored), &len), GK_EINVAL, "malformed not hashed");

	/* QR: a terminal drawing and an SVG without script. */
	gk_totp_uri(SEED, 20, "gatekeep", "alice", uri, sizeof(uri));
	s = gk_qr_terminal(uri, false);
	ok(s != NULL && strstr(s, "\xe2\x96\x80") != NULL && strchr(s, '\n') != NULL, "terminal QR");
	free(s);
	s = gk_qr_svg(uri);
	ok(s != NULL && strncmp(s, "<svg ", 5) == 0 && strstr(s, "script") == NULL &&
	    strstr(s, "</svg>") != NULL, "SVG QR");
	free(s);
	memset(uri, 'a', sizeof(uri) - 1);
	uri[sizeof(uri) - 1] = '\0';
	s = gk_qr_svg(uri);
	ok(s != NULL, "a long text still encodes");
	free(s);
	return done_testing();
}
