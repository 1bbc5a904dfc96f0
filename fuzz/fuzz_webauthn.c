/* fuzz_webauthn.c: fuzz target for lib/webauthn: the attestation object, clientDataJSON, authenticatorData and COSE keys, each fuzzed beside valid others. */
#include <config.h>
#include <sodium.h>

#include "webauthn.h"
#include "fuzz.h"
#include "../tests/webauthn_vectors.h"

static const struct gk_wa_rp rp = { V_RP_ID, V_ORIGIN, false };
static const struct gk_wa_client_data cd_reg = { v_ch_reg, sizeof(v_ch_reg), v_cd_reg,
	sizeof(v_cd_reg) };
static const struct gk_wa_client_data cd_get = { v_ch_get, sizeof(v_ch_get), v_cd_get,
	sizeof(v_cd_get) };

static void
check_result(int rc)
{
	FUZZ_ASSERT(rc == GK_WA_OK || (rc <= GK_WA_MALFORMED && rc >= GK_WA_INTERNAL));
	FUZZ_ASSERT(gk_webauthn_reason(rc) != NULL);
}

/* The first byte chooses which input the rest replaces; the others stay valid. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gk_wa_credential c;
	uint32_t count;
	uint8_t flags;
	int rc, alg = 0;

	if (size < 1 || sodium_init() < 0)
		return 0;
	switch (data[0] % 5) {
	case 0:
		rc = gk_webauthn_register(&rp, &cd_reg, data + 1, size - 1, &c);
		check_result(rc);
		if (rc == GK_WA_OK) {
			/* What we would store must be a key we can use later. */
			FUZZ_ASSERT(c.idlen >= 1 && c.idlen <= GK_WA_ID_MAX);
			FUZZ_ASSERT(c.coselen >= 1 && c.coselen <= GK_WA_COSE_MAX);
			FUZZ_ASSERT(gk_webauthn_cose_check(c.cose, c.coselen, &alg) == GK_WA_OK);
			FUZZ_ASSERT(alg == c.alg && (c.flags & GK_WA_FLAG_UP));
		} else
			FUZZ_ASSERT(c.idlen == 0 && c.coselen == 0);
		break;
	case 1:
		check_result(gk_webauthn_register(&rp,
		    &(const struct gk_wa_client_data){ v_ch_reg, sizeof(v_ch_reg), data + 1, size - 1 },
		    v_att_es256, sizeof(v_att_es256), &c));
		break;
	case 2:
		rc = gk_webauthn_assert(&rp, &cd_get, data + 1, size - 1, v_sig_ed25519,
		    sizeof(v_sig_ed25519), v_cose_ed25519, sizeof(v_cose_ed25519), 0, &count, &flags);
		check_result(rc);
		/* Ed25519 is deterministic: only the signed authenticatorData verifies. */
		FUZZ_ASSERT(rc != GK_WA_OK || (size - 1 == sizeof(v_ad_get) &&
		    memcmp(data + 1, v_ad_get, sizeof(v_ad_get)) == 0));
		break;
	case 3:
		rc = gk_webauthn_cose_check(data + 1, size - 1, &alg);
		FUZZ_ASSERT(rc == GK_WA_OK || rc == GK_WA_ALG);
		FUZZ_ASSERT(rc != GK_WA_OK || alg == -7 || alg == -8);
		break;
	default:
		rc = gk_webauthn_assert(&rp, &cd_get, v_ad_get, sizeof(v_ad_get), v_sig_es256,
		    sizeof(v_sig_es256), data + 1, size - 1, 0, &count, &flags);
		check_result(rc);
		break;
	}
	return 0;
}
