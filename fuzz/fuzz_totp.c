/* fuzz_totp.c: fuzz target for what a user types as a second factor (gk_totp_check, the recovery codes) and the 2fa: requirement prefix. */
#include <config.h>
#include "fuzz.h"
#include "policy.h"
#include "totp.h"

static const unsigned char SEED[] = "12345678901234567890";
/* A recovery code and its stored form, made once. */
static char rc_text[GK_RECOVERY_LEN + 1];
static unsigned char rc_stored[GK_RECOVERY_HASH_LEN];

/*
 * Input: the typed text (a NUL ends it; exact-size heap copy otherwise).
 * Invariants: gk_totp_check answers only GK_OK, GK_NOTFOUND or GK_EINVAL,
 * GK_OK only for six digits whose step is within one of now's, and never for
 * a step at or before the last one used; a recovery code matches only text of
 * its shape; a "2fa:" requirement never wraps bypass, deny or another "2fa:".
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const int64_t now = 1111111111;
	struct gk_requirement r;
	char *s = malloc(size + 1);
	uint64_t step = 0;
	bool replay = false;
	size_t len = 0;
	int rc;

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (rc_text[0] == '\0') {
		gk_recovery_new(rc_text);
		FUZZ_ASSERT(gk_recovery_hash(rc_text, rc_stored, sizeof(rc_stored), &len) == GK_OK);
	}
	rc = gk_totp_check(SEED, 20, now, s, 0, &step, &replay);
	FUZZ_ASSERT(rc == GK_OK || rc == GK_NOTFOUND || rc == GK_EINVAL);
	if (rc == GK_OK) {
		FUZZ_ASSERT(gk_totp_code_shape(s));
		FUZZ_ASSERT(step + 1 >= (uint64_t)(now / GK_TOTP_STEP) && step <= (uint64_t)(now / GK_TOTP_STEP) + 1);
		FUZZ_ASSERT(gk_totp_check(SEED, 20, now, s, step, &step, &replay) == GK_NOTFOUND && replay);
	}
	if (rc == GK_EINVAL)
		FUZZ_ASSERT(!gk_totp_code_shape(s));
	if (gk_recovery_match(s, rc_stored, sizeof(rc_stored)))
		FUZZ_ASSERT(gk_recovery_shape(s));
	if (gk_requirement_parse(s, &r) == GK_OK && r.second_factor)
		FUZZ_ASSERT(strncmp(s, "2fa:", 4) == 0 && r.kind != GK_REQ_BYPASS &&
		    r.kind != GK_REQ_DENY && strncmp(s + 4, "2fa:", 4) != 0);
	free(s);
	return 0;
}
