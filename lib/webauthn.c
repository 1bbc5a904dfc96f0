/* webauthn.c: passkey (WebAuthn level 2) registration and assertion verification: pure checks over bytes, no I/O. */
#include <config.h>

#include <string.h>

#include <cbor.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include "webauthn.h"

#define COSE_KTY_OKP   1
#define COSE_KTY_EC2   2
#define COSE_ALG_ES256 (-7)
#define COSE_ALG_EDDSA (-8)
#define COSE_CRV_P256  1
#define COSE_CRV_ED25519 6

#define AUTHDATA_MIN   37        /* rpIdHash 32, flags 1, signCount 4 */

const char *
gk_webauthn_reason(int rc)
{
	switch (rc) {
	case GK_WA_OK: return "ok";
	case GK_WA_MALFORMED: return "malformed";
	case GK_WA_TYPE: return "wrong-type";
	case GK_WA_CHALLENGE: return "wrong-challenge";
	case GK_WA_ORIGIN: return "wrong-origin";
	case GK_WA_RPID: return "wrong-rp-id";
	case GK_WA_NO_UP: return "no-user-presence";
	case GK_WA_NO_UV: return "no-user-verification";
	case GK_WA_ATTESTATION: return "attestation-refused";
	case GK_WA_ALG: return "unsupported-key";
	case GK_WA_SIGNATURE: return "bad-signature";
	case GK_WA_COUNTER: return "counter-not-growing";
	default: return "internal";
	}
}

/* ---- CBOR: sizes first, then libcbor's tree ---- */

/*
 * libcbor 0.8's cbor_load allocates an array or map of the size its header
 * declares before it knows whether the input holds that many items: nine bytes
 * can ask for gigabytes. So a pass of its streaming decoder (which allocates
 * nothing) first refuses a declared count that the bytes left cannot hold.
 */
struct cbor_sizes {
	size_t left;                 /* bytes after the item being decoded */
	bool bad;
};

static void
sizes_array(void *arg, size_t n)
{
	struct cbor_sizes *z = arg;

	if (n > z->left)
		z->bad = true;
}

static void
sizes_map(void *arg, size_t n)
{
	struct cbor_sizes *z = arg;

	if (n > z->left / 2)
		z->bad = true;
}

static cbor_item_t *
cbor_load_checked(const unsigned char *p, size_t n, struct cbor_load_result *res)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;
	struct cbor_decoder_result r;
	struct cbor_sizes z = { 0, false };
	size_t off = 0;

	memset(res, 0, sizeof(*res));
	cb.array_start = sizes_array;
	cb.map_start = sizes_map;
	while (off < n) {
		z.left = n - off - 1;       /* at least the header byte is this item's */
		r = cbor_stream_decode(p + off, n - off, &cb, &z);
		if (r.status != CBOR_DECODER_FINISHED || r.read == 0)
			break;              /* truncated or invalid: cbor_load says which */
		off += r.read;
		if (z.bad) {
			res->error.code = CBOR_ERR_MALFORMATED;
			return NULL;
		}
	}
	return cbor_load(p, n, res);
}

/* ---- clientDataJSON (§7.1 steps 5-10, §7.2 steps 10-14) ---- */

static bool
json_str_is(const json_t *v, const char *want)
{
	return json_is_string(v) && json_string_length(v) == strlen(want) &&
	    memcmp(json_string_value(v), want, strlen(want)) == 0;
}

static int
check_client_data(const struct gk_wa_rp *rp, const char *type,
    const struct gk_wa_client_data *cd)
{
	unsigned char got[GK_WA_CHALLENGE_MAX];
	json_error_t jerr;
	json_t *j, *ch, *xo;
	size_t got_len = 0;
	int rc = GK_WA_OK;

	if (cd->json_len == 0 || cd->json_len > GK_WA_INPUT_MAX || cd->challenge_len == 0 ||
	    cd->challenge_len > GK_WA_CHALLENGE_MAX)
		return GK_WA_MALFORMED;
	j = json_loadb((const char *)cd->json, cd->json_len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		return GK_WA_MALFORMED;
	}
	ch = json_object_get(j, "challenge");
	xo = json_object_get(j, "crossOrigin");
	if (!json_is_string(json_object_get(j, "type")) || !json_is_string(ch) ||
	    !json_is_string(json_object_get(j, "origin")) || (xo != NULL && !json_is_boolean(xo)))
		rc = GK_WA_MALFORMED;
	else if (!json_str_is(json_object_get(j, "type"), type))
		rc = GK_WA_TYPE;
	else if (sodium_base642bin(got, sizeof(got), json_string_value(ch), json_string_length(ch),
	    NULL, &got_len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    got_len != cd->challenge_len || !gk_ct_equal(got, cd->challenge, cd->challenge_len))
		rc = GK_WA_CHALLENGE;
	else if (!json_str_is(json_object_get(j, "origin"), rp->origin) || json_is_true(xo))
		rc = GK_WA_ORIGIN;
	json_decref(j);
	return rc;
}

/* ---- COSE keys ---- */

/* A COSE map's integer label (uint or negint), false for any other kind of key. */
static bool
cose_label(const cbor_item_t *k, int64_t *out)
{
	if (cbor_isa_uint(k) && cbor_get_int(k) <= INT32_MAX) {
		*out = (int64_t)cbor_get_int(k);
		return true;
	}
	if (cbor_isa_negint(k) && cbor_get_int(k) <= INT32_MAX) {
		*out = -1 - (int64_t)cbor_get_int(k);
		return true;
	}
	return false;
}

static bool
cose_int(const cbor_item_t *v, int64_t *out)
{
	return cose_label(v, out);
}

struct cose_key {
	bool bad;                 /* a known label with a value of another type (RSA's n at -1, ...) */
	int64_t kty, alg, crv;
	const unsigned char *x, *y;
	size_t xlen, ylen;
};

static bool
cose_bytes(const cbor_item_t *v, const unsigned char **p, size_t *n)
{
	if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
		return false;
	*p = cbor_bytestring_handle(v);
	*n = cbor_bytestring_length(v);
	return true;
}

/*
 * Reads the labels we know from a definite COSE map. A map that is not one, or a label
 * twice: malformed; a key of a kind we do not take (mistyped or missing values): k->bad.
 */
static int
cose_read(const cbor_item_t *m, struct cose_key *k)
{
	struct cbor_pair *pairs;
	size_t i, n;
	unsigned seen = 0;
	int64_t label;

	memset(k, 0, sizeof(*k));
	if (!cbor_isa_map(m) || !cbor_map_is_definite(m))
		return GK_WA_MALFORMED;
	n = cbor_map_size(m);
	pairs = cbor_map_handle(m);
	if (n > 16)
		return GK_WA_MALFORMED;
	for (i = 0; i < n; i++) {
		unsigned bit;
		bool ok = true;

		if (!cose_label(pairs[i].key, &label))
			return GK_WA_MALFORMED;
		switch (label) {
		case 1: bit = 1; ok = cose_int(pairs[i].value, &k->kty); break;
		case 3: bit = 2; ok = cose_int(pairs[i].value, &k->alg); break;
		case -1: bit = 4; ok = cose_int(pairs[i].value, &k->crv); break;
		case -2: bit = 8; ok = cose_bytes(pairs[i].value, &k->x, &k->xlen); break;
		case -3: bit = 16; ok = cose_bytes(pairs[i].value, &k->y, &k->ylen); break;
		default: bit = 0; break;          /* kid, key_ops...: not ours to judge */
		}
		if (bit != 0 && (seen & bit) != 0)
			return GK_WA_MALFORMED;
		if (!ok)
			k->bad = true;
		seen |= bit;
	}
	if ((seen & 7) != 7)
		k->bad = true;
	return GK_WA_OK;
}

/* The P-256 public key (x, y) as an OpenSSL key, checked to be on the curve; NULL if not. */
static EVP_PKEY *
p256_key(const unsigned char *x, const unsigned char *y)
{
	unsigned char pub[65];
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL, *cctx = NULL;
	EVP_PKEY *pkey = NULL;

	pub[0] = 0x04;                    /* uncompressed point */
	memcpy(pub + 1, x, 32);
	memcpy(pub + 33, y, 32);
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) != 1 ||
	    EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1 ||
	    (cctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_public_check(cctx) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(cctx);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* Checks a parsed key; *alg gets -7 or -8. */
static int
cose_validate(const struct cose_key *k, int *alg)
{
	if (k->bad)
		return GK_WA_ALG;
	if (k->kty == COSE_KTY_EC2 && k->alg == COSE_ALG_ES256 && k->crv == COSE_CRV_P256 &&
	    k->xlen == 32 && k->ylen == 32) {
		EVP_PKEY *p = p256_key(k->x, k->y);

		if (p == NULL)
			return GK_WA_ALG;
		EVP_PKEY_free(p);
		*alg = COSE_ALG_ES256;
		return GK_WA_OK;
	}
	if (k->kty == COSE_KTY_OKP && k->alg == COSE_ALG_EDDSA && k->crv == COSE_CRV_ED25519 &&
	    k->xlen == crypto_sign_ed25519_PUBLICKEYBYTES && k->y == NULL &&
	    crypto_core_ed25519_is_valid_point(k->x) == 1) {
		*alg = COSE_ALG_EDDSA;
		return GK_WA_OK;
	}
	return GK_WA_ALG;
}

/*
 * Loads a stored COSE key (exactly cose_len bytes of CBOR) and checks it.  GK_WA_OK: *m is
 * the loaded map, which the caller releases (k points into it), and *alg is set.  Otherwise
 * GK_WA_ALG and *m is NULL.
 */
static int
cose_load(const unsigned char *cose, size_t cose_len, cbor_item_t **m, struct cose_key *k,
    int *alg)
{
	struct cbor_load_result res;
	int rc = GK_WA_ALG;

	*m = NULL;
	if (cose_len == 0 || cose_len > GK_WA_COSE_MAX)
		return GK_WA_ALG;
	*m = cbor_load_checked(cose, cose_len, &res);
	if (*m != NULL && res.error.code == CBOR_ERR_NONE && res.read == cose_len &&
	    cose_read(*m, k) == GK_WA_OK)
		rc = cose_validate(k, alg);
	if (rc != GK_WA_OK && *m != NULL) {
		cbor_decref(m);
		*m = NULL;
	}
	return rc;
}

int
gk_webauthn_cose_check(const unsigned char *cose, size_t cose_len, int *alg)
{
	struct cose_key k;
	cbor_item_t *m;
	int rc;

	rc = cose_load(cose, cose_len, &m, &k, alg);
	if (m != NULL)
		cbor_decref(&m);
	return rc;
}

/* ---- authenticatorData (§6.1) ---- */

static int
check_auth_head(const struct gk_wa_rp *rp, const unsigned char *ad, size_t ad_len)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	if (ad_len < AUTHDATA_MIN || ad_len > GK_WA_INPUT_MAX)
		return GK_WA_MALFORMED;
	crypto_hash_sha256(h, (const unsigned char *)rp->rp_id, strlen(rp->rp_id));
	if (!gk_ct_equal(h, ad, sizeof(h)))
		return GK_WA_RPID;
	if ((ad[32] & GK_WA_FLAG_UP) == 0)
		return GK_WA_NO_UP;
	if (rp->require_uv && (ad[32] & GK_WA_FLAG_UV) == 0)
		return GK_WA_NO_UV;
	return GK_WA_OK;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Extensions (ED): one CBOR map that must end exactly at the end of authenticatorData. */
static int
skip_extensions(const unsigned char *p, size_t n, bool ed)
{
	struct cbor_load_result res;
	cbor_item_t *m;
	bool ok;

	if (!ed)
		return n == 0 ? GK_WA_OK : GK_WA_MALFORMED;
	if (n == 0)
		return GK_WA_MALFORMED;
	m = cbor_load_checked(p, n, &res);
	ok = m != NULL && res.error.code == CBOR_ERR_NONE && res.read == n && cbor_isa_map(m);
	if (m != NULL)
		cbor_decref(&m);
	return ok ? GK_WA_OK : GK_WA_MALFORMED;
}

/* ---- registration ---- */

static const cbor_item_t *
map_get_text(const cbor_item_t *m, const char *key, int *dups)
{
	struct cbor_pair *pairs = cbor_map_handle(m);
	const cbor_item_t *found = NULL;
	size_t i, n = cbor_map_size(m), kl = strlen(key);

	for (i = 0; i < n; i++) {
		const cbor_item_t *k = pairs[i].key;

		if (cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == kl &&
		    memcmp(cbor_string_handle(k), key, kl) == 0) {
			if (found != NULL)
				(*dups)++;
			found = pairs[i].value;
		}
	}
	return found;
}

static int
parse_att_obj(const unsigned char *att, size_t att_len, cbor_item_t **root,
    const unsigned char **ad, size_t *ad_len)
{
	struct cbor_load_result res;
	const cbor_item_t *fmt, *stmt, *authdata;
	int dups = 0;

	*root = cbor_load_checked(att, att_len, &res);
	if (*root == NULL || res.error.code != CBOR_ERR_NONE || res.read != att_len ||
	    !cbor_isa_map(*root) || !cbor_map_is_definite(*root) || cbor_map_size(*root) != 3)
		return GK_WA_MALFORMED;
	fmt = map_get_text(*root, "fmt", &dups);
	stmt = map_get_text(*root, "attStmt", &dups);
	authdata = map_get_text(*root, "authData", &dups);
	if (dups != 0 || fmt == NULL || stmt == NULL || authdata == NULL ||
	    !cbor_isa_string(fmt) || !cbor_string_is_definite(fmt) || !cbor_isa_map(stmt) ||
	    !cose_bytes(authdata, ad, ad_len))
		return GK_WA_MALFORMED;
	if (cbor_string_length(fmt) != 4 || memcmp(cbor_string_handle(fmt), "none", 4) != 0 ||
	    cbor_map_size(stmt) != 0)
		return GK_WA_ATTESTATION;
	return GK_WA_OK;
}

int
gk_webauthn_register(const struct gk_wa_rp *rp, const struct gk_wa_client_data *cd,
    const unsigned char *att_obj, size_t att_obj_len,
    struct gk_wa_credential *out)
{
	struct cbor_load_result res;
	struct cose_key k;
	cbor_item_t *root = NULL, *key = NULL;
	const unsigned char *ad = NULL;
	size_t ad_len = 0, off, idlen;
	int rc, alg = 0;

	memset(out, 0, sizeof(*out));
	rc = check_client_data(rp, "webauthn.create", cd);
	if (rc != GK_WA_OK)
		return rc;
	if (att_obj_len == 0 || att_obj_len > GK_WA_INPUT_MAX)
		return GK_WA_MALFORMED;
	rc = parse_att_obj(att_obj, att_obj_len, &root, &ad, &ad_len);
	if (rc == GK_WA_OK)
		rc = check_auth_head(rp, ad, ad_len);
	if (rc != GK_WA_OK)
		goto out;
	/* attested credential data: aaguid 16, idlen 2, id, COSE key */
	if ((ad[32] & GK_WA_FLAG_AT) == 0 || ad_len < AUTHDATA_MIN + 18) {
		rc = GK_WA_MALFORMED;
		goto out;
	}
	off = AUTHDATA_MIN + 16;
	idlen = (size_t)ad[off] << 8 | ad[off + 1];
	off += 2;
	if (idlen == 0 || idlen > GK_WA_ID_MAX || idlen > ad_len - off) {
		rc = GK_WA_MALFORMED;
		goto out;
	}
	memcpy(out->id, ad + off, idlen);
	out->idlen = idlen;
	off += idlen;
	key = cbor_load_checked(ad + off, ad_len - off, &res);
	if (key == NULL || res.error.code != CBOR_ERR_NONE) {
		rc = GK_WA_MALFORMED;
		goto out;
	}
	rc = cose_read(key, &k);
	if (rc == GK_WA_OK)
		rc = cose_validate(&k, &alg);
	if (rc == GK_WA_OK && res.read > GK_WA_COSE_MAX)
		rc = GK_WA_ALG;
	if (rc != GK_WA_OK)
		goto out;
	memcpy(out->cose, ad + off, res.read);
	out->coselen = res.read;
	rc = skip_extensions(ad + off + res.read, ad_len - off - res.read,
	    (ad[32] & GK_WA_FLAG_ED) != 0);
	if (rc != GK_WA_OK)
		goto out;
	out->alg = alg;
	out->sign_count = be32(ad + 33);
	out->flags = ad[32];
out:
	if (key != NULL)
		cbor_decref(&key);
	if (root != NULL)
		cbor_decref(&root);
	if (rc != GK_WA_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- assertion ---- */

static int
verify_sig(const unsigned char *cose, size_t cose_len, const unsigned char *msg, size_t msg_len,
    const unsigned char *sig, size_t sig_len)
{
	struct cose_key k;
	cbor_item_t *m;
	int rc, alg = 0;

	if ((rc = cose_load(cose, cose_len, &m, &k, &alg)) != GK_WA_OK)
		return rc;
	if (alg == COSE_ALG_EDDSA) {
		if (sig_len != crypto_sign_BYTES ||
		    crypto_sign_verify_detached(sig, msg, msg_len, k.x) != 0)
			rc = GK_WA_SIGNATURE;
	} else {
		EVP_PKEY *pkey = p256_key(k.x, k.y);
		EVP_MD_CTX *md = EVP_MD_CTX_new();

		if (pkey == NULL || md == NULL)
			rc = GK_WA_INTERNAL;
		else if (sig_len == 0 || sig_len > 72 ||
		    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
		    EVP_DigestVerify(md, sig, sig_len, msg, msg_len) != 1)
			rc = GK_WA_SIGNATURE;
		EVP_MD_CTX_free(md);
		EVP_PKEY_free(pkey);
	}
	cbor_decref(&m);
	return rc;
}

int
gk_webauthn_assert(const struct gk_wa_rp *rp, const struct gk_wa_client_data *cd,
    const unsigned char *auth_data, size_t auth_data_len,
    const unsigned char *sig, size_t sig_len,
    const unsigned char *cose, size_t cose_len, uint64_t stored_count,
    uint32_t *new_count, uint8_t *flags)
{
	unsigned char msg[GK_WA_INPUT_MAX + crypto_hash_sha256_BYTES];
	uint32_t count;
	int rc;

	*new_count = 0;
	*flags = 0;
	rc = check_client_data(rp, "webauthn.get", cd);
	if (rc == GK_WA_OK)
		rc = check_auth_head(rp, auth_data, auth_data_len);
	if (rc != GK_WA_OK)
		return rc;
	/* An assertion carries no attested credential data. */
	if ((auth_data[32] & GK_WA_FLAG_AT) != 0 ||
	    skip_extensions(auth_data + AUTHDATA_MIN, auth_data_len - AUTHDATA_MIN,
	    (auth_data[32] & GK_WA_FLAG_ED) != 0) != GK_WA_OK)
		return GK_WA_MALFORMED;
	memcpy(msg, auth_data, auth_data_len);
	crypto_hash_sha256(msg + auth_data_len, cd->json, cd->json_len);
	rc = verify_sig(cose, cose_len, msg, auth_data_len + crypto_hash_sha256_BYTES, sig, sig_len);
	if (rc != GK_WA_OK)
		return rc;
	count = be32(auth_data + 33);
	if ((count != 0 || stored_count != 0) && (uint64_t)count <= stored_count)
		return GK_WA_COUNTER;
	*new_count = count;
	*flags = auth_data[32];
	return GK_WA_OK;
}
