/* t_totp.c: lib/totp: RFC 6238 test vectors, the +-1 step window, replay refusal, URIs, recovery codes; lib/qr draws. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "policy.h"
#include "qr.h"
#include "second_factor.h"
#include "tap.h"
#include "token.h"
#include "totp.h"
#include "totp_store.h"

static const char KEY[] = "dGVzdC1rZXktZm9yLXRoZS1hbXItY2xhaW0tdGVzdHMtMzI";

/* Signs payload (JSON) as an HS256 token with KEY, by hand, as another issuer might. */
static void
sign_raw(const char *payload, char *out, size_t outsz)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[32];
	char p64[1024], m64[64];
	size_t n;

	sodium_bin2base64(p64, sizeof(p64), (const unsigned char *)payload, strlen(payload),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	n = (size_t)snprintf(out, outsz, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%s", p64);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)KEY, strlen(KEY));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)out, n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(m64, sizeof(m64), mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out + n, outsz - n, ".%s", m64);
}

/* The amr claim: issued, verified, absent in older tokens, refused when malformed. */
static void
amr_tests(void)
{
	struct gk_secret sec;
	struct gk_claims c, got;
	struct gk_err err = { "" };
	char tok[GK_TOKEN_MAX + 1], payload[512];
	int64_t now = 1700000000;

	memset(&sec, 0, sizeof(sec));
	sec.len = strlen(KEY);
	memcpy(sec.key, KEY, sec.len);
	memset(&c, 0, sizeof(c));
	strcpy(c.sub, "alice");
	strcpy(c.iss, "gatekeep");
	c.iat = now;
	c.exp = now + 600;
	c.gen = 3;
	c.amr = GK_AMR_PWD | GK_AMR_OTP;
	is_int(gk_token_issue(sec.key, sec.len, &c, tok, sizeof(tok), &err), GK_OK, "issue with amr");
	is_int(gk_token_verify(&sec, tok, "gatekeep", now, 0, 3600, &got, &err), GK_OK, "verify it");
	is_int(got.amr, GK_AMR_PWD | GK_AMR_OTP, "amr pwd+otp read back");
	ok(gk_second_factor_done(got.amr), "counts as a second factor");
	c.amr = 0;
	gk_token_issue(sec.key, sec.len, &c, tok, sizeof(tok), &err);
	ok(strstr(tok, "amr") == NULL, "amr 0 is not written");
	snprintf(payload, sizeof(payload), "{\"iss\":\"gatekeep\",\"sub\":\"alice\",\"iat\":%lld,"
	    "\"exp\":%lld,\"gen\":3}", (long long)now, (long long)now + 600);
	sign_raw(payload, tok, sizeof(tok));
	is_int(gk_token_verify(&sec, tok, "gatekeep", now, 0, 3600, &got, &err), GK_OK,
	    "an older token without amr verifies");
	is_int(got.amr, 0, "... as no second factor");
	ok(!gk_second_factor_done(got.amr), "... password only");
	snprintf(payload, sizeof(payload), "{\"iss\":\"gatekeep\",\"sub\":\"alice\",\"iat\":%lld,"
	    "\"exp\":%lld,\"gen\":3,\"amr\":[\"pwd\",\"sms\",\"hwk\"]}", (long long)now,
	    (long long)now + 600);
	sign_raw(payload, tok, sizeof(tok));
	is_int(gk_token_verify(&sec, tok, "gatekeep", now, 0, 3600, &got, &err), GK_OK,
	    "unknown amr values are ignored");
	is_int(got.amr, GK_AMR_PWD | GK_AMR_HWK, "... the known ones read");
	snprintf(payload, sizeof(payload), "{\"iss\":\"gatekeep\",\"sub\":\"alice\",\"iat\":%lld,"
	    "\"exp\":%lld,\"gen\":3,\"amr\":\"otp\"}", (long long)now, (long long)now + 600);
	sign_raw(payload, tok, sizeof(tok));
	is_int(gk_token_verify(&sec, tok, "gatekeep", now, 0, 3600, &got, &err), GK_TOKEN_BADCLAIMS,
	    "amr as a string is refused");
	snprintf(payload, sizeof(payload), "{\"iss\":\"gatekeep\",\"sub\":\"alice\",\"iat\":%lld,"
	    "\"exp\":%lld,\"gen\":3,\"amr\":[\"otp\",1]}", (long long)now, (long long)now + 600);
	sign_raw(payload, tok, sizeof(tok));
	is_int(gk_token_verify(&sec, tok, "gatekeep", now, 0, 3600, &got, &err), GK_TOKEN_BADCLAIMS,
	    "amr with a number is refused");
}

/* The 2fa: requirement prefix and second_factor_groups. */
static void
policy_tests(void)
{
	struct gk_requirement r;
	struct gk_requirements rs;
	struct gk_config cfg;
	struct gk_user u;
	struct gk_err err = { "" };

	is_int(gk_requirement_parse("2fa:group:admins", &r), GK_OK, "2fa:group:admins parses");
	ok(r.second_factor && r.kind == GK_REQ_GROUP && strcmp(r.list, "admins") == 0, "... a group requirement with the second factor");
	is_int(gk_requirement_parse("group:admins", &r), GK_OK, "group:admins parses");
	ok(!r.second_factor, "... without it");
	is_int(gk_requirement_parse("2fa:any", &r), GK_OK, "2fa:any");
	is_int(gk_requirement_parse("2fa:2", &r), GK_OK, "2fa:2 (a level)");
	is_int(gk_requirement_parse("2fa:bypass", &r), GK_EINVAL, "2fa:bypass refused");
	is_int(gk_requirement_parse("2fa:deny", &r), GK_EINVAL, "2fa:deny refused");
	is_int(gk_requirement_parse("2fa:level:999", &r), GK_EINVAL, "2fa:level:999 refused");
	is_int(gk_requirement_parse("2fa:", &r), GK_EINVAL, "2fa: alone refused");
	is_int(gk_requirement_parse("2fa:2fa:any", &r), GK_EINVAL, "2fa: twice refused");
	is_int(gk_requirement_parse("2FA:any", &r), GK_EINVAL, "2FA: in upper case refused");

	if (gk_config_defaults(&cfg, &err) != GK_OK) {
		ok(0, "config defaults: %s", err.msg);
		return;
	}
	memset(&rs, 0, sizeof(rs));
	memset(&u, 0, sizeof(u));
	strcpy(u.name, "bob");
	strcpy(u.groups, "users,ops");
	gk_requirement_parse("any", &rs.r[rs.count++]);
	ok(!gk_second_factor_needed(&cfg, &rs, &u), "any, no second_factor_groups: not needed");
	gk_requirement_parse("2fa:any", &rs.r[rs.count++]);
	ok(gk_second_factor_needed(&cfg, &rs, &u), "one of the requirements says 2fa: needed");
	rs.count = 1;
	free(cfg.second_factor_groups);
	cfg.second_factor_groups = strdup("admins,ops");
	ok(gk_second_factor_needed(&cfg, &rs, &u), "a member of second_factor_groups: needed");
	strcpy(u.groups, "users,opsx");
	ok(!gk_second_factor_needed(&cfg, &rs, &u), "a group that only starts the same: not needed");
	strcpy(u.groups, "");
	ok(!gk_second_factor_needed(&cfg, &rs, &u), "no groups: not needed");
	gk_config_free(&cfg);
}

/* RFC 6238 appendix B, SHA1 seed; the six-digit codes are the last six of the eight. */
static const unsigned char SEED[] = "12345678901234567890";
static const struct { int64_t t; const char *code; } vec[] = {
	{ 59, "287082" }, { 1111111109, "081804" }, { 1111111111, "050471" },
	{ 1234567890, "005924" }, { 2000000000, "279037" }, { INT64_C(20000000000), "353130" },
};

/* The reason words the deny lines carry (tests/attack4_codes.sh greps replayed-code). */
static void
test_verdict_names(void)
{
	is_str(gk_totp_verdict_name(GK_TOTP_ACCEPTED), "accepted", "verdict name: accepted");
	is_str(gk_totp_verdict_name(GK_TOTP_RECOVERY), "recovery-code", "verdict name: recovery");
	is_str(gk_totp_verdict_name(GK_TOTP_WRONG), "wrong-code", "verdict name: wrong");
	is_str(gk_totp_verdict_name(GK_TOTP_REPLAY), "replayed-code", "verdict name: replay");
	is_str(gk_totp_verdict_name(GK_TOTP_NOT_ENROLLED), "no-totp", "verdict name: not enrolled");
	is_str(gk_totp_verdict_name(GK_TOTP_ERROR), "error", "verdict name: error");
	is_str(gk_totp_verdict_name((enum gk_totp_verdict)99), "error", "verdict name: out of range");
	is_str(gk_totp_verdict_name((enum gk_totp_verdict)-1), "error", "verdict name: negative");
}

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

	test_verdict_names();
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
	amr_tests();
	policy_tests();
	return done_testing();
}
