/* token.c: HS256 JWT session tokens: libsodium HMAC and base64url, jansson JSON, strict checks. */
#include "config.h"

#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "token.h"
#include "validate.h"

#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define MAC_LEN crypto_auth_hmacsha256_BYTES
#define JSON_DEPTH_MAX 8

/* base64url of {"alg":"HS256","typ":"JWT"}: the only header we issue. */
static const char header_b64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

const char *
gk_token_reason(int rc)
{
	switch (rc) {
	case GK_TOKEN_OK:
		return "ok";
	case GK_TOKEN_MALFORMED:
		return "malformed";
	case GK_TOKEN_BADSIG:
		return "bad-signature";
	case GK_TOKEN_BADHEADER:
		return "bad-header";
	case GK_TOKEN_BADCLAIMS:
		return "bad-claims";
	case GK_TOKEN_EXPIRED:
		return "expired";
	case GK_TOKEN_NOTYET:
		return "not-yet-valid";
	case GK_TOKEN_WRONGISS:
		return "wrong-issuer";
	case GK_TOKEN_NOKEY:
		return "no-key";
	default:
		return "error";
	}
}

static int
fail(struct gk_err *err, int rc, const char *why)
{
	gk_err_set(err, "token %s: %s", gk_token_reason(rc), why);
	return rc;
}

static bool
b64url_char(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/*
 * Strict unpadded base64url: the whole input must decode, and the final
 * partial group must re-encode to the same characters, so unused trailing bits
 * are zero and each byte string has exactly one spelling.
 */
static bool
b64url_decode(const char *in, size_t inlen, unsigned char *out, size_t outmax,
    size_t *outlen)
{
	char tail[8];
	const char *end = NULL;
	size_t r;

	*outlen = 0;
	if (inlen == 0 || inlen > GK_TOKEN_MAX)
		return false;
	if (sodium_base642bin(out, outmax, in, inlen, NULL, outlen, &end, B64_VARIANT) != 0)
		return false;
	if (end != in + inlen)
		return false;
	r = *outlen % 3;
	if (r == 0)
		return inlen == *outlen / 3 * 4;
	sodium_bin2base64(tail, sizeof(tail), out + *outlen - r, r, B64_VARIANT);
	return inlen == *outlen / 3 * 4 + r + 1 && memcmp(tail, in + inlen - (r + 1), r + 1) == 0;
}

static void
hmac(const unsigned char *key, size_t keylen, const char *msg, size_t len,
    unsigned char mac[MAC_LEN])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, len);
	crypto_auth_hmacsha256_final(&st, mac);
	gk_wipe(&st, sizeof(st));
}

/* Constant-time check of the decoded MAC against one key. */
static bool
mac_matches(const unsigned char *key, size_t keylen, const char *msg, size_t len,
    const unsigned char sig[MAC_LEN])
{
	unsigned char mac[MAC_LEN];
	bool same;

	hmac(key, keylen, msg, len, mac);
	same = gk_ct_equal(mac, sig, MAC_LEN);
	gk_wipe(mac, sizeof(mac));
	return same;
}

static bool
json_depth_ok(const json_t *j, int depth)
{
	const char *key;
	json_t *v;
	size_t i;

	if (depth > JSON_DEPTH_MAX)
		return false;
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, key, v) {
			if (!json_depth_ok(v, depth + 1))
				return false;
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			if (!json_depth_ok(v, depth + 1))
				return false;
		}
	}
	return true;
}

static bool
json_str_is(const json_t *v, const char *want)
{
	size_t n = strlen(want);

	return json_is_string(v) && json_string_length(v) == n &&
	    memcmp(json_string_value(v), want, n) == 0;
}

/*
 * One decoded token part (part names it in err) as a JSON object, a duplicate key refused:
 * GK_OK and *obj (the caller decrefs it), GK_TOKEN_MALFORMED for what is not JSON, or bad
 * for a duplicate key or a value that is not an object.
 */
static int
load_object(const unsigned char *buf, size_t len, const char *part, int bad, json_t **obj,
    struct gk_err *err)
{
	json_error_t je;

	*obj = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	if (*obj == NULL) {
		bool dup = json_error_code(&je) == json_error_duplicate_key;
		int rc = dup ? bad : GK_TOKEN_MALFORMED;

		gk_err_set(err, "token %s: %s %s", gk_token_reason(rc), part,
		    dup ? "has a duplicate key" : "is not JSON");
		return rc;
	}
	if (!json_is_object(*obj)) {
		json_decref(*obj);
		*obj = NULL;
		gk_err_set(err, "token %s: %s is not an object", gk_token_reason(bad), part);
		return bad;
	}
	return GK_OK;
}

/* {"alg":"HS256"} with an optional "typ":"JWT" and nothing else. */
static int
check_header(const unsigned char *buf, size_t len, struct gk_err *err)
{
	json_t *h, *v;
	const char *key;
	size_t keylen;
	bool alg = false;
	int rc;

	if ((rc = load_object(buf, len, "header", GK_TOKEN_BADHEADER, &h, err)) != GK_OK)
		return rc;
	json_object_keylen_foreach(h, key, keylen, v) {
		if (keylen == 3 && memcmp(key, "alg", 3) == 0) {
			if (!json_str_is(v, "HS256")) {
				rc = fail(err, GK_TOKEN_BADHEADER, "alg is not HS256");
				goto out;
			}
			alg = true;
		} else if (keylen == 3 && memcmp(key, "typ", 3) == 0) {
			if (!json_str_is(v, "JWT")) {
				rc = fail(err, GK_TOKEN_BADHEADER, "typ is not JWT");
				goto out;
			}
		} else {
			/* kid, jku, jwk, x5u, crit, ...: nothing may steer verification. */
			rc = fail(err, GK_TOKEN_BADHEADER, "unexpected header parameter");
			goto out;
		}
	}
	if (!alg)
		rc = fail(err, GK_TOKEN_BADHEADER, "no alg");
out:
	json_decref(h);
	return rc;
}

/* Looks a claim up: 1 found with *v of type, 0 absent, -1 present but of another type. */
static int
claim_get(const json_t *p, const char *name, json_type type, const json_t **v)
{
	if ((*v = json_object_get(p, name)) == NULL)
		return 0;
	return json_typeof(*v) == type ? 1 : -1;
}

/* 1 found and valid, 0 absent, -1 present but not an integer in [lo, hi]. */
static int
claim_int(const json_t *p, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
	const json_t *v;
	int found = claim_get(p, name, JSON_INTEGER, &v);

	if (found != 1)
		return found;
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return -1;
	*out = (int64_t)json_integer_value(v);
	return 1;
}

/* Same contract for strings: copied into dst only when valid(s, len) (if given) holds. */
static int
claim_str(const json_t *p, const char *name, char *dst, size_t dstsz,
    bool (*valid)(const char *, size_t))
{
	const json_t *v;
	int found = claim_get(p, name, JSON_STRING, &v);
	const char *s;
	size_t n;

	if (found != 1)
		return found;
	s = json_string_value(v);
	n = json_string_length(v);
	if (memchr(s, '\0', n) != NULL || (valid != NULL && !valid(s, n)))
		return -1;
	return gk_memcpy_str(dst, dstsz, s, n) == GK_OK ? 1 : -1;
}

/* amr names in bit order (lib/token.h). */
static const char *const amr_names[] = { "pwd", "otp", "hwk" };

/* The "amr" claim: 0 absent or parsed into *out, -1 not an array of strings. */
static int
claim_amr(const json_t *p, uint32_t *out)
{
	const json_t *a, *v;
	size_t i, k;
	int found;

	*out = 0;
	if ((found = claim_get(p, "amr", JSON_ARRAY, &a)) != 1)
		return found;
	if (json_array_size(a) > 16)
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return -1;
		for (k = 0; k < sizeof(amr_names) / sizeof(amr_names[0]); k++)
			if (strcmp(json_string_value(v), amr_names[k]) == 0)
				*out |= 1u << k;
	}
	return 0;
}

static json_t *
amr_array(uint32_t amr)
{
	json_t *a = json_array();
	size_t k;

	for (k = 0; a != NULL && k < sizeof(amr_names) / sizeof(amr_names[0]); k++)
		if ((amr & (1u << k)) && json_array_append_new(a, json_string(amr_names[k])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static int
check_payload(const unsigned char *buf, size_t len, const char *expected_iss,
    int64_t now, int64_t leeway, int64_t maxlife, struct gk_claims *c, struct gk_err *err)
{
	json_t *p;
	int64_t gen = 0, nbf = 0;
	int rc;

	if ((rc = load_object(buf, len, "payload", GK_TOKEN_BADCLAIMS, &p, err)) != GK_OK)
		return rc;
	if (!json_depth_ok(p, 0)) {
		rc = fail(err, GK_TOKEN_BADCLAIMS, "payload nested too deeply");
		goto out;
	}
	if (claim_str(p, "sub", c->sub, sizeof(c->sub), gk_valid_user) != 1) {
		rc = fail(err, GK_TOKEN_BADCLAIMS, "sub missing or invalid");
		goto out;
	}
	if (claim_int(p, "iat", 1, GK_TOKEN_TIME_MAX, &c->iat) != 1 ||
	    claim_int(p, "exp", 1, GK_TOKEN_TIME_MAX, &c->exp) != 1) {
		rc = fail(err, GK_TOKEN_BADCLAIMS, "iat or exp missing or not an integer time");
		goto out;
	}
	if (c->exp <= c->iat || c->exp - c->iat > maxlife) {
		rc = fail(err, GK_TOKEN_BADCLAIMS, "lifetime (exp - iat) out of bounds");
		goto out;
	}
	if (claim_int(p, "gen", 0, UINT32_MAX, &gen) != 1) {
		rc = fail(err, GK_TOKEN_BADCLAIMS, "gen missing or invalid");
		goto out;
	}
	c->gen = (uint32_t)gen;
	if (claim_str(p, "grp", c->grp, sizeof(c->grp), gk_valid_group_list) < 0 ||
	    claim_str(p, "email", c->email, sizeof(c->email), gk_valid_email) < 0 ||
	    claim_str(p, "name", c->name, sizeof(c->name), gk_valid_display) < 0) {
		rc = fail(err, GK_TOKEN_BADCLAIMS, "grp, email or name invalid");
		goto out;
	}
	if (claim_amr(p, &c->amr) < 0) {
		rc = fail(err, GK_TOKEN_BADCLAIMS, "amr is not an array of strings");
		goto out;
	}
	/* An audience we cannot check must not be silently accepted (PyJWT agrees). */
	if (json_object_get(p, "aud") != NULL) {
		rc = fail(err, GK_TOKEN_BADCLAIMS, "aud present");
		goto out;
	}
	if (claim_int(p, "nbf", 0, GK_TOKEN_TIME_MAX, &nbf) < 0) {
		rc = fail(err, GK_TOKEN_BADCLAIMS, "nbf not an integer time");
		goto out;
	}
	if (claim_str(p, "iss", c->iss, sizeof(c->iss), NULL) != 1) {
		rc = fail(err, GK_TOKEN_WRONGISS, "iss missing or invalid");
		goto out;
	}
	if (strcmp(c->iss, expected_iss) != 0) {
		rc = fail(err, GK_TOKEN_WRONGISS, "iss does not match");
		goto out;
	}
	if (c->iat > now + leeway || nbf > now + leeway) {
		rc = fail(err, GK_TOKEN_NOTYET, "issued in the future");
		goto out;
	}
	if (now >= c->exp + leeway) {
		rc = fail(err, GK_TOKEN_EXPIRED, "expired");
		goto out;
	}
out:
	json_decref(p);
	return rc;
}

int
gk_token_verify(const struct gk_secret *s, const char *token, const char *expected_iss,
    int64_t now, int64_t leeway, int64_t ttl, struct gk_claims *c, struct gk_err *err)
{
	bool by_prev;

	return gk_token_verify_key(s, token, expected_iss, now, leeway, ttl, c, &by_prev, err);
}

int
gk_token_verify_key(const struct gk_secret *s, const char *token, const char *expected_iss,
    int64_t now, int64_t leeway, int64_t ttl, struct gk_claims *c, bool *by_prev,
    struct gk_err *err)
{
	unsigned char sig[MAC_LEN + 3];
	unsigned char buf[GK_TOKEN_MAX];
	const char *dot1 = NULL, *dot2 = NULL;
	size_t len, i, n;
	int64_t maxlife;
	int rc;

	if (c == NULL)
		return gk_err_set(err, "no claims buffer");
	memset(c, 0, sizeof(*c));
	*by_prev = false;
	if (expected_iss == NULL || *expected_iss == '\0' ||
	    strlen(expected_iss) > GK_TOKEN_ISS_MAX) {
		gk_err_set(err, "token: no valid expected issuer configured");
		return GK_EINVAL;
	}
	if (now < 0 || now > GK_TOKEN_TIME_MAX) {
		gk_err_set(err, "token: clock out of range");
		return GK_EINVAL;
	}
	if (s == NULL || s->len < GK_SECRET_MIN || s->len > GK_SECRET_MAX)
		return fail(err, GK_TOKEN_NOKEY, "no usable key");
	if (leeway < 0)
		leeway = 0;
	if (leeway > GK_TOKEN_LEEWAY_MAX)
		leeway = GK_TOKEN_LEEWAY_MAX;
	maxlife = ttl <= 0 || ttl > GK_TOKEN_LIFETIME_MAX ? GK_TOKEN_LIFETIME_MAX : ttl;

	if (token == NULL)
		return fail(err, GK_TOKEN_MALFORMED, "no token");
	len = strnlen(token, GK_TOKEN_MAX + 1);
	if (len > GK_TOKEN_MAX)
		return fail(err, GK_TOKEN_MALFORMED, "too long");
	for (i = 0; i < len; i++) {
		if (token[i] == '.') {
			if (dot1 == NULL)
				dot1 = token + i;
			else if (dot2 == NULL)
				dot2 = token + i;
			else
				return fail(err, GK_TOKEN_MALFORMED, "more than three segments");
		} else if (!b64url_char((unsigned char)token[i])) {
			return fail(err, GK_TOKEN_MALFORMED, "character outside base64url");
		}
	}
	if (dot2 == NULL || dot1 == token || dot2 == dot1 + 1 || dot2 + 1 == token + len)
		return fail(err, GK_TOKEN_MALFORMED, "not three non-empty segments");

	/* The MAC first: nothing an unauthenticated sender wrote reaches the JSON parser. */
	if (!b64url_decode(dot2 + 1, (size_t)(token + len - (dot2 + 1)), sig, sizeof(sig), &n) ||
	    n != MAC_LEN)
		return fail(err, GK_TOKEN_MALFORMED, "signature is not 32 bytes of base64url");
	if (!mac_matches(s->key, s->len, token, (size_t)(dot2 - token), sig)) {
		if (!(gk_secret_prev_usable(s, now, maxlife) &&
		    mac_matches(s->prev, s->prev_len, token, (size_t)(dot2 - token), sig)))
			return fail(err, GK_TOKEN_BADSIG, "signature does not match");
		*by_prev = true;
	}

	/* Fast path: the exact header we (and PyJWT) write needs no parsing. */
	if ((size_t)(dot1 - token) != sizeof(header_b64) - 1 ||
	    memcmp(token, header_b64, sizeof(header_b64) - 1) != 0) {
		if (!b64url_decode(token, (size_t)(dot1 - token), buf, sizeof(buf), &n))
			return fail(err, GK_TOKEN_MALFORMED, "header is not base64url");
		if ((rc = check_header(buf, n, err)) != GK_OK)
			return rc;
	}
	if (!b64url_decode(dot1 + 1, (size_t)(dot2 - (dot1 + 1)), buf, sizeof(buf), &n))
		return fail(err, GK_TOKEN_MALFORMED, "payload is not base64url");
	rc = check_payload(buf, n, expected_iss, now, leeway, maxlife, c, err);
	if (rc != GK_OK)
		memset(c, 0, sizeof(*c));
	return rc;
}

static bool
valid_iss(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= GK_TOKEN_ISS_MAX && gk_valid_display(s, n);
}

/* What we sign must pass our own verification (apart from the clock). */
static bool
claims_ok(const struct gk_claims *c)
{
	return memchr(c->sub, '\0', sizeof(c->sub)) != NULL &&
	    gk_valid_user(c->sub, strlen(c->sub)) &&
	    memchr(c->grp, '\0', sizeof(c->grp)) != NULL &&
	    gk_valid_group_list(c->grp, strlen(c->grp)) &&
	    memchr(c->email, '\0', sizeof(c->email)) != NULL &&
	    (c->email[0] == '\0' || gk_valid_email(c->email, strlen(c->email))) &&
	    memchr(c->name, '\0', sizeof(c->name)) != NULL &&
	    gk_valid_display(c->name, strlen(c->name)) &&
	    memchr(c->iss, '\0', sizeof(c->iss)) != NULL && valid_iss(c->iss) &&
	    c->iat > 0 && c->exp > c->iat && c->exp <= GK_TOKEN_TIME_MAX &&
	    c->exp - c->iat <= GK_TOKEN_LIFETIME_MAX;
}

static int
set_str(json_t *o, const char *key, const char *val)
{
	if (val[0] == '\0')
		return 0;
	return json_object_set_new(o, key, json_string(val));
}

int
gk_token_issue(const unsigned char *key, size_t keylen, const struct gk_claims *c,
    char *out, size_t outsz, struct gk_err *err)
{
	char payload[GK_TOKEN_MAX];
	char tok[GK_TOKEN_MAX + 1];
	unsigned char mac[MAC_LEN];
	json_t *o;
	size_t plen, hlen, elen, pos;
	int rc = GK_OK;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	/* An empty or short key would make every token forgeable offline. */
	if (key == NULL || keylen < GK_SECRET_MIN || keylen > GK_SECRET_MAX)
		return fail(err, GK_TOKEN_NOKEY, "refusing to sign with a missing or short key");
	if (c == NULL || !claims_ok(c))
		return fail(err, GK_TOKEN_BADCLAIMS, "refusing to sign invalid claims");
	if (out == NULL)
		return gk_err_set(err, "no output buffer");

	o = json_object();
	if (o == NULL)
		return gk_err_set(err, "out of memory");
	if (json_object_set_new(o, "iss", json_string(c->iss)) != 0 ||
	    json_object_set_new(o, "sub", json_string(c->sub)) != 0 ||
	    set_str(o, "grp", c->grp) != 0 || set_str(o, "email", c->email) != 0 ||
	    set_str(o, "name", c->name) != 0 ||
	    json_object_set_new(o, "iat", json_integer((json_int_t)c->iat)) != 0 ||
	    json_object_set_new(o, "exp", json_integer((json_int_t)c->exp)) != 0 ||
	    json_object_set_new(o, "gen", json_integer((json_int_t)c->gen)) != 0 ||
	    (c->amr != 0 && json_object_set_new(o, "amr", amr_array(c->amr)) != 0)) {
		json_decref(o);
		return gk_err_set(err, "out of memory");
	}
	plen = json_dumpb(o, payload, sizeof(payload), JSON_COMPACT);
	json_decref(o);
	if (plen == 0 || plen > sizeof(payload))
		return fail(err, GK_TOKEN_BADCLAIMS, "claims too large");

	hlen = sizeof(header_b64) - 1;
	elen = sodium_base64_ENCODED_LEN(plen, B64_VARIANT);     /* includes the NUL */
	/* header "." payload "." 43-char MAC must fit what gk_token_verify accepts. */
	if (hlen + 1 + (elen - 1) + 1 + 43 > GK_TOKEN_MAX)
		return fail(err, GK_TOKEN_BADCLAIMS, "claims too large");
	memcpy(tok, header_b64, hlen);
	tok[hlen] = '.';
	sodium_bin2base64(tok + hlen + 1, sizeof(tok) - hlen - 1, (const unsigned char *)payload,
	    plen, B64_VARIANT);
	pos = hlen + 1 + (elen - 1);
	hmac(key, keylen, tok, pos, mac);
	tok[pos++] = '.';
	sodium_bin2base64(tok + pos, sizeof(tok) - pos, mac, sizeof(mac), B64_VARIANT);
	gk_wipe(mac, sizeof(mac));
	if (gk_strcpy(out, outsz, tok) != GK_OK) {
		gk_err_set(err, "token buffer too small");
		rc = GK_ETOOLONG;
	}
	return rc;
}
