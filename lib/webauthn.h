/* webauthn.h: passkey (WebAuthn level 2) registration and assertion verification: pure checks over bytes, no I/O. */
#ifndef GK_WEBAUTHN_H
#define GK_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

/*
 * What this module checks (WebAuthn L2 §7.1 registration, §7.2 assertion):
 *  - clientDataJSON (jansson, duplicate keys refused): "type" is
 *    "webauthn.create" / "webauthn.get"; "challenge" is the base64url (no
 *    padding, libsodium) of exactly the expected challenge bytes, compared in
 *    constant time; "origin" equals the configured login origin byte for byte;
 *    "crossOrigin": true is refused (the ceremony never runs in a frame).
 *  - authenticatorData: rpIdHash = SHA-256(rp_id); UP set; UV set when
 *    require_uv; the 32-bit big-endian signature counter; for registration the
 *    attested credential data (AT) with a credential id of 1..GK_WA_ID_MAX
 *    bytes and a COSE public key; extensions (ED) are parsed as CBOR and
 *    ignored; any other trailing byte is refused.
 *  - Registration: the attestation object (libcbor, a definite map of exactly
 *    "fmt", "attStmt", "authData", no duplicates) must have fmt "none" and an
 *    empty attStmt. Any other format is refused (GK_WA_ATTESTATION): we do not
 *    verify attestation chains, and a statement we do not check must not be
 *    mistaken for one we did. The page asks the browser for attestation
 *    "none", which every browser honours.
 *  - Public keys: COSE ES256 (kty 2, alg -7, crv 1 P-256, 32-byte x and y, a
 *    point on the curve: OpenSSL) or EdDSA (kty 1, alg -8, crv 6 Ed25519,
 *    32-byte x: libsodium). Anything else: GK_WA_ALG.
 *  - Assertion: the signature over authenticatorData || SHA-256(clientDataJSON)
 *    (ES256: DER ECDSA via OpenSSL EVP; EdDSA: crypto_sign_verify_detached);
 *    then the counter: when the stored or the new counter is non-zero, the new
 *    one must be greater (WebAuthn's clone signal): GK_WA_COUNTER.
 * Every refusal has its own result, and gk_webauthn_reason names it for the log.
 */

#define GK_WA_ID_MAX        255     /* credential id bytes we store (lib/creds.h GK_CRED_ID_MAX) */
#define GK_WA_COSE_MAX      160     /* COSE key bytes we store (GK_CRED_DATA_MAX) */
#define GK_WA_CHALLENGE_MAX 64
#define GK_WA_INPUT_MAX     4096    /* clientDataJSON, attestation object, authenticatorData */

/* authenticatorData flags (§6.1) */
#define GK_WA_FLAG_UP 0x01
#define GK_WA_FLAG_UV 0x04
#define GK_WA_FLAG_BE 0x08
#define GK_WA_FLAG_BS 0x10
#define GK_WA_FLAG_AT 0x40
#define GK_WA_FLAG_ED 0x80

enum gk_wa_result {
	GK_WA_OK = GK_OK,
	GK_WA_MALFORMED = -200,      /* sizes, JSON, CBOR, authenticatorData layout */
	GK_WA_TYPE = -201,           /* clientData type is not the ceremony's */
	GK_WA_CHALLENGE = -202,      /* challenge differs */
	GK_WA_ORIGIN = -203,         /* origin differs, or crossOrigin */
	GK_WA_RPID = -204,           /* rpIdHash differs */
	GK_WA_NO_UP = -205,          /* user presence flag missing */
	GK_WA_NO_UV = -206,          /* user verification required and missing */
	GK_WA_ATTESTATION = -207,    /* fmt other than "none" or a non-empty attStmt */
	GK_WA_ALG = -208,            /* unsupported or invalid public key */
	GK_WA_SIGNATURE = -209,      /* signature does not verify */
	GK_WA_COUNTER = -210,        /* signature counter did not grow: a cloned authenticator */
	GK_WA_INTERNAL = -211        /* out of memory, library failure */
};

/* The relying party as configured. */
struct gk_wa_rp {
	const char *rp_id;           /* a registrable domain, e.g. "example.com" */
	const char *origin;          /* the login page's origin, e.g. "https://login.example.com" */
	bool require_uv;
};

/* A newly registered credential (what goes into the credentials store). */
struct gk_wa_credential {
	size_t idlen;
	unsigned char id[GK_WA_ID_MAX];
	size_t coselen;
	unsigned char cose[GK_WA_COSE_MAX];
	int alg;                     /* -7 or -8 */
	uint32_t sign_count;
	uint8_t flags;               /* the authenticatorData flags */
};

/*
 * What both ceremonies check first (§7.1 steps 5-10, §7.2 steps 10-14): the challenge this
 * server issued for the ceremony and the clientDataJSON the browser answered with.
 */
struct gk_wa_client_data {
	const unsigned char *challenge;
	size_t challenge_len;
	const unsigned char *json;
	size_t json_len;
};

/* A short, fixed, loggable name for a gk_wa_result ("wrong-origin", ...). */
const char *gk_webauthn_reason(int rc);

/* §7.1 steps 5-21 over the browser's response; fills *out on GK_WA_OK. */
int gk_webauthn_register(const struct gk_wa_rp *rp, const struct gk_wa_client_data *cd,
    const unsigned char *att_obj, size_t att_obj_len,
    struct gk_wa_credential *out);

/*
 * §7.2 steps 11-21 for a credential found by the caller (id and user already
 * matched): cose is the stored public key, stored_count its counter.  On
 * GK_WA_OK *new_count and *flags are what the caller stores.
 */
int gk_webauthn_assert(const struct gk_wa_rp *rp, const struct gk_wa_client_data *cd,
    const unsigned char *auth_data, size_t auth_data_len,
    const unsigned char *sig, size_t sig_len,
    const unsigned char *cose, size_t cose_len, uint64_t stored_count,
    uint32_t *new_count, uint8_t *flags);

/* Checks a stored COSE key (GK_WA_OK or GK_WA_ALG) and tells its algorithm. */
int gk_webauthn_cose_check(const unsigned char *cose, size_t cose_len, int *alg);

#endif
