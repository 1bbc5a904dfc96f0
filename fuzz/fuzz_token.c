/* fuzz_token.c: fuzz target for gk_token_verify, signing fuzzed JSON so that the claim checks are reached. */
#include <config.h>
#include <sodium.h>

#include "token.h"
#include "validate.h"
#include "fuzz.h"

#define NOW    INT64_C(1700000000)
#define LEEWAY 60
#define TTL    86400
#define ISS    "gatekeep"

static const char std_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
static const char std_payload[] = "{\"iss\":\"gatekeep\",\"sub\":\"alice\",\"iat\":1699999000,"
    "\"exp\":1700003600,\"gen\":1}";

static void
b64url(const void *in, size_t n, char *out, size_t outsz)
{
	sodium_bin2base64(out, outsz, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Appends "." + base64url(HMAC-SHA256(key, tok)) to tok (which has room). */
static void
sign(char *tok, size_t toksz, const unsigned char *key, size_t keylen)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	size_t n = strlen(tok);

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)tok, n);
	crypto_auth_hmacsha256_final(&st, mac);
	tok[n] = '.';
	b64url(mac, sizeof(mac), tok + n + 1, toksz - n - 1);
}

static void
check_claims(const struct gk_claims *c)
{
	FUZZ_ASSERT(gk_valid_user(c->sub, strlen(c->sub)));
	FUZZ_ASSERT(strcmp(c->iss, ISS) == 0);
	FUZZ_ASSERT(0 < c->iat && c->iat < c->exp && c->exp <= GK_TOKEN_TIME_MAX);
	FUZZ_ASSERT(c->exp - c->iat <= TTL);
	FUZZ_ASSERT(c->iat <= NOW + LEEWAY && NOW < c->exp + LEEWAY);
	FUZZ_ASSERT(gk_valid_group_list(c->grp, strlen(c->grp)));
	FUZZ_ASSERT(c->email[0] == '\0' || gk_valid_email(c->email, strlen(c->email)));
	FUZZ_ASSERT(gk_valid_display(c->name, strlen(c->name)));
}

/*
 * Input: one mode byte, then data. Mode & 3: 0 the token itself; 1
 * "header.payload" that we sign; 2 payload JSON (standard header, signed);
 * 3 header JSON (standard payload, signed). Mode & 4: sign with the previous
 * key (still inside its window). Invariants: a gk_token_result; claims zeroed
 * on failure; on success every claim rule holds, and re-issuing the claims
 * gives a token that verifies to the same claims.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gk_secret s;
	static int ready;
	struct gk_claims c, c2;
	struct gk_err err;
	char *tok, *in;
	size_t toksz;
	const unsigned char *key;
	size_t keylen;
	int mode, rc;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		memset(&s, 0, sizeof(s));
		memcpy(s.key, "fuzz-current-key-0123456789abcdef0123456789", 43);
		s.len = 43;
		memcpy(s.prev, "fuzz-previous-key-0123456789abcdef012345678", 43);
		s.prev_len = 43;
		s.prev_since = NOW - 100;
		ready = 1;
	}
	if (size < 1)
		return 0;
	mode = data[0];
	in = fuzz_cstr(data + 1, size - 1);
	key = (mode & 4) ? s.prev : s.key;
	keylen = (mode & 4) ? s.prev_len : s.len;
	toksz = 2 * (size + sizeof(std_payload) + sizeof(std_header)) + 128;
	tok = malloc(toksz);
	if (tok == NULL)
		abort();
	switch (mode & 3) {
	case 0:
		strcpy(tok, in);
		break;
	case 1:
		strcpy(tok, in);
		sign(tok, toksz, key, keylen);
		break;
	case 2:
		b64url(std_header, strlen(std_header), tok, toksz);
		strcat(tok, ".");
		b64url(in, strlen(in), tok + strlen(tok), toksz - strlen(tok));
		sign(tok, toksz, key, keylen);
		break;
	default:
		b64url(in, strlen(in), tok, toksz);
		strcat(tok, ".");
		b64url(std_payload, strlen(std_payload), tok + strlen(tok), toksz - strlen(tok));
		sign(tok, toksz, key, keylen);
		break;
	}
	memset(&c, 0xa5, sizeof(c));
	rc = gk_token_verify(&s, tok, ISS, NOW, LEEWAY, TTL, &c, &err);
	FUZZ_ASSERT(rc == GK_TOKEN_OK || (rc <= GK_TOKEN_MALFORMED && rc >= GK_TOKEN_NOKEY) ||
	    rc == GK_ETOOLONG || rc == GK_EINVAL || rc == GK_ERR);
	FUZZ_ASSERT(gk_token_reason(rc) != NULL);
	if (rc != GK_TOKEN_OK) {
		FUZZ_ASSERT(fuzz_all_zero(&c, sizeof(c)));
	} else {
		char tok2[GK_TOKEN_MAX + 1];

		check_claims(&c);
		rc = gk_token_issue(s.key, s.len, &c, tok2, sizeof(tok2), &err);
		FUZZ_ASSERT(rc == GK_TOKEN_OK);
		rc = gk_token_verify(&s, tok2, ISS, NOW, LEEWAY, TTL, &c2, &err);
		FUZZ_ASSERT(rc == GK_TOKEN_OK);
		FUZZ_ASSERT(strcmp(c.sub, c2.sub) == 0 && strcmp(c.grp, c2.grp) == 0 &&
		    strcmp(c.email, c2.email) == 0 && strcmp(c.name, c2.name) == 0 &&
		    strcmp(c.iss, c2.iss) == 0 && c.iat == c2.iat && c.exp == c2.exp &&
		    c.gen == c2.gen);
	}
	free(tok);
	free(in);
	return 0;
}
