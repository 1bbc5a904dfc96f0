/* t_webauthn.c: lib/webauthn against fixed vectors built and signed by tests/webauthn_vectors.py (P-256 and Ed25519). */
#include <config.h>

#include <string.h>

#include <sodium.h>

#include "tap.h"
#include "webauthn.h"
#include "webauthn_vectors.h"

#define V(x) v_##x, sizeof(v_##x)
#define CD(...) (&(const struct gk_wa_client_data){ __VA_ARGS__ })

static const struct gk_wa_rp rp = { V_RP_ID, V_ORIGIN, false };
static const struct gk_wa_rp rp_uv = { V_RP_ID, V_ORIGIN, true };
static const struct gk_wa_rp rp_other_origin = { V_RP_ID, "https://gk.test", false };
static const struct gk_wa_rp rp_other_id = { "login.gk.test", V_ORIGIN, false };
static const struct gk_wa_client_data cd_reg = { V(ch_reg), V(cd_reg) };
static const struct gk_wa_client_data cd_get = { V(ch_get), V(cd_get) };

static void
expect(int got, int want, const char *what)
{
	ok(got == want, "%s: %s (want %s)", what, gk_webauthn_reason(got), gk_webauthn_reason(want));
}

static void
registration(void)
{
	struct gk_wa_credential c;
	unsigned char buf[sizeof(v_att_es256)], ch[sizeof(v_ch_reg)];
	size_t i;
	int alg = 0;

	expect(gk_webauthn_register(&rp, &cd_reg, V(att_es256), &c), GK_WA_OK,
	    "ES256 registration");
	ok(c.alg == -7 && c.idlen == sizeof(v_id_es256) && memcmp(c.id, v_id_es256, c.idlen) == 0,
	    "ES256: credential id and alg");
	ok(c.coselen == sizeof(v_cose_es256) && memcmp(c.cose, v_cose_es256, c.coselen) == 0,
	    "ES256: COSE key stored as sent");
	ok((c.flags & GK_WA_FLAG_UP) && c.sign_count == 0, "ES256: flags and counter");
	expect(gk_webauthn_register(&rp, &cd_reg, V(att_ed25519), &c), GK_WA_OK,
	    "Ed25519 registration");
	ok(c.alg == -8 && c.coselen == sizeof(v_cose_ed25519), "Ed25519: alg and key");

	memcpy(ch, v_ch_reg, sizeof(ch));
	ch[0] ^= 1;
	expect(gk_webauthn_register(&rp, CD(ch, sizeof(ch), V(cd_reg)), V(att_es256), &c),
	    GK_WA_CHALLENGE, "registration: wrong challenge");
	expect(gk_webauthn_register(&rp, CD(v_ch_reg, sizeof(v_ch_reg) - 1, V(cd_reg)),
	    V(att_es256), &c), GK_WA_CHALLENGE, "registration: challenge a byte shorter");
	expect(gk_webauthn_register(&rp_other_origin, &cd_reg, V(att_es256), &c),
	    GK_WA_ORIGIN, "registration: wrong origin");
	expect(gk_webauthn_register(&rp_other_id, &cd_reg, V(att_es256), &c),
	    GK_WA_RPID, "registration: wrong rpIdHash");
	expect(gk_webauthn_register(&rp, CD(V(ch_reg), V(cd_get)), V(att_es256), &c),
	    GK_WA_TYPE, "registration: clientData of an assertion");
	expect(gk_webauthn_register(&rp, &cd_reg, V(att_no_up), &c),
	    GK_WA_NO_UP, "registration: UP missing");
	expect(gk_webauthn_register(&rp_uv, &cd_reg, V(att_es256), &c),
	    GK_OK, "registration: UV present when required");
	expect(gk_webauthn_register(&rp, &cd_reg, V(att_packed), &c),
	    GK_WA_ATTESTATION, "registration: fmt packed refused");
	expect(gk_webauthn_register(&rp, &cd_reg, V(att_rs256), &c),
	    GK_WA_ALG, "registration: RS256 key refused");
	ok(c.idlen == 0 && c.coselen == 0, "a refused registration leaves nothing behind");

	/* Malformed CBOR: every truncation, and a few flipped bytes, refused without a crash. */
	for (i = 0; i < sizeof(v_att_es256); i++) {
		int rc = gk_webauthn_register(&rp, &cd_reg, v_att_es256, i, &c);

		if (rc == GK_OK) {
			ok(0, "truncated attestation object of %zu bytes accepted", i);
			break;
		}
	}
	ok(i == sizeof(v_att_es256), "every truncated attestation object refused");
	memcpy(buf, v_att_es256, sizeof(buf));
	buf[0] = 0xbf;         /* indefinite-length map */
	ok(gk_webauthn_register(&rp, &cd_reg, buf, sizeof(buf), &c) != GK_OK,
	    "indefinite map refused");
	memcpy(buf, v_att_es256, sizeof(buf));
	buf[0] = 0x82;         /* an array instead of a map */
	expect(gk_webauthn_register(&rp, &cd_reg, buf, sizeof(buf), &c),
	    GK_WA_MALFORMED, "array instead of map: malformed");
	{
		unsigned char longer[sizeof(v_att_es256) + 1];

		memcpy(longer, v_att_es256, sizeof(v_att_es256));
		longer[sizeof(v_att_es256)] = 0;
		expect(gk_webauthn_register(&rp, &cd_reg, longer, sizeof(longer), &c),
		    GK_WA_MALFORMED, "trailing byte after the attestation object: malformed");
	}
	expect(gk_webauthn_register(&rp, CD(V(ch_reg), (const unsigned char *)"{\"type\":1}", 10),
	    V(att_es256), &c), GK_WA_MALFORMED, "clientDataJSON with a number type: malformed");
	expect(gk_webauthn_register(&rp, CD(V(ch_reg), (const unsigned char *)"not json", 8),
	    V(att_es256), &c), GK_WA_MALFORMED, "clientDataJSON not JSON: malformed");
	{
		/* Nine bytes that declare a map of 2^63 pairs (or an array of 2^32 items): refused
		 * before libcbor allocates for them (ASan: allocation-size-too-big otherwise). */
		static const unsigned char huge_map[] = { 0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02 };
		static const unsigned char huge_arr[] = { 0xa1, 0x63, 'f', 'm', 't', 0x9a, 0xff, 0xff, 0xff, 0xff, 0x00 };

		expect(gk_webauthn_cose_check(huge_map, sizeof(huge_map), &alg), GK_WA_ALG,
		    "COSE key declaring 2^63 pairs");
		expect(gk_webauthn_register(&rp, &cd_reg, huge_map, sizeof(huge_map), &c),
		    GK_WA_MALFORMED, "attestation object declaring 2^63 pairs");
		expect(gk_webauthn_register(&rp, &cd_reg, huge_arr, sizeof(huge_arr), &c),
		    GK_WA_MALFORMED, "attestation object with an array of 2^32 items");
	}
	ok(gk_webauthn_cose_check(V(cose_es256), &alg) == GK_OK && alg == -7, "stored ES256 key checks");
	ok(gk_webauthn_cose_check(V(cose_ed25519), &alg) == GK_OK && alg == -8, "stored Ed25519 key checks");
	{
		unsigned char bad[sizeof(v_cose_es256)];

		memcpy(bad, v_cose_es256, sizeof(bad));
		bad[sizeof(bad) - 1] ^= 1;     /* y off the curve */
		expect(gk_webauthn_cose_check(bad, sizeof(bad), &alg), GK_WA_ALG,
		    "P-256 point off the curve refused");
	}
}

static void
assertion(void)
{
	unsigned char sig[80], ch[sizeof(v_ch_get)];
	uint32_t count = 0;
	uint8_t flags = 0;

	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_get), V(sig_es256), V(cose_es256),
	    6, &count, &flags), GK_OK, "ES256 assertion");
	ok(count == 7 && (flags & GK_WA_FLAG_UV), "ES256: new counter 7, UV flag");
	expect(gk_webauthn_assert(&rp_uv, &cd_get, V(ad_get), V(sig_ed25519),
	    V(cose_ed25519), 0, &count, &flags), GK_OK, "Ed25519 assertion, UV required");

	memcpy(ch, v_ch_get, sizeof(ch));
	ch[31] ^= 0x80;
	expect(gk_webauthn_assert(&rp, CD(ch, sizeof(ch), V(cd_get)), V(ad_get), V(sig_es256),
	    V(cose_es256), 0, &count, &flags), GK_WA_CHALLENGE, "assertion: wrong challenge");
	expect(gk_webauthn_assert(&rp, CD(V(ch_get), V(cd_evil)), V(ad_get), V(sig_es256_evil),
	    V(cose_es256), 0, &count, &flags), GK_WA_ORIGIN, "assertion: signed, but wrong origin");
	expect(gk_webauthn_assert(&rp, CD(V(ch_get), V(cd_type)), V(ad_get), V(sig_es256_type),
	    V(cose_es256), 0, &count, &flags), GK_WA_TYPE, "assertion: signed, but webauthn.create");
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_other_rp), V(sig_es256_other_rp),
	    V(cose_es256), 0, &count, &flags), GK_WA_RPID, "assertion: signed, but wrong rpIdHash");
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_no_up), V(sig_es256_no_up),
	    V(cose_es256), 0, &count, &flags), GK_WA_NO_UP, "assertion: signed, but UP missing");
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_no_uv), V(sig_ed25519_no_uv),
	    V(cose_ed25519), 0, &count, &flags), GK_OK, "assertion without UV when not required");
	expect(gk_webauthn_assert(&rp_uv, &cd_get, V(ad_no_uv), V(sig_ed25519_no_uv),
	    V(cose_ed25519), 0, &count, &flags), GK_WA_NO_UV, "assertion without UV when required");

	/* The counter: must grow when either side is non-zero. */
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_get), V(sig_es256), V(cose_es256),
	    7, &count, &flags), GK_WA_COUNTER, "counter equal to the stored one: clone");
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_get), V(sig_es256), V(cose_es256),
	    1000, &count, &flags), GK_WA_COUNTER, "counter below the stored one: clone");
	ok(count == 0, "a refused assertion reports no counter");
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_zero), V(sig_ed25519_zero),
	    V(cose_ed25519), 0, &count, &flags), GK_OK, "counter 0 with stored 0: no counter");
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_zero), V(sig_ed25519_zero),
	    V(cose_ed25519), 5, &count, &flags), GK_WA_COUNTER, "counter 0 after 5: clone");

	/* Signatures. */
	memcpy(sig, v_sig_es256, sizeof(v_sig_es256));
	sig[sizeof(v_sig_es256) - 1] ^= 1;
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_get), sig, sizeof(v_sig_es256),
	    V(cose_es256), 0, &count, &flags), GK_WA_SIGNATURE, "ES256: flipped signature bit");
	memcpy(sig, v_sig_ed25519, sizeof(v_sig_ed25519));
	sig[5] ^= 1;
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_get), sig, sizeof(v_sig_ed25519),
	    V(cose_ed25519), 0, &count, &flags), GK_WA_SIGNATURE, "Ed25519: flipped signature bit");
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_get), V(sig_ed25519),
	    V(cose_es256), 0, &count, &flags), GK_WA_SIGNATURE, "Ed25519 signature against the P-256 key");
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_get), V(sig_es256),
	    V(cose_ed25519), 0, &count, &flags), GK_WA_SIGNATURE, "P-256 signature against the Ed25519 key");
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_zero), V(sig_ed25519),
	    V(cose_ed25519), 0, &count, &flags), GK_WA_SIGNATURE, "signature over other authenticatorData");
	expect(gk_webauthn_assert(&rp, &cd_get, v_ad_get, 36, V(sig_es256),
	    V(cose_es256), 0, &count, &flags), GK_WA_MALFORMED, "authenticatorData of 36 bytes");
	expect(gk_webauthn_assert(&rp, &cd_get, V(ad_get), V(sig_es256),
	    v_cose_es256, sizeof(v_cose_es256) - 1, 0, &count, &flags), GK_WA_ALG,
	    "truncated stored key");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	registration();
	assertion();
	return done_testing();
}
