/* t_ldapgentime.c: the LDAP createTimestamp/modifyTimestamp parser (lib/ldapusers) on good, odd and hostile GeneralizedTime. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ldapusers.h"
#include "tap.h"

#define T0 1765029600           /* 2025-12-06 14:00:00Z */
#define FAR INT64_MAX

static int64_t
g(const char *s)
{
	return gk_ldap_gentime(s, FAR);
}

int
main(void)
{
	/* the forms directories write: OpenLDAP, 389-ds ("Z"), AD (".0Z"), offsets */
	is_int(g("20251206140000Z"), T0, "20251206140000Z");
	is_int(g("20251206140000.0Z"), T0, "a fraction (AD's .0Z) is ignored");
	is_int(g("20251206140000,123456Z"), T0, "... with a comma too, and many digits");
	is_int(g("20251206090000-0500"), T0, "-0500 is applied (09:00 at -05:00 is 14:00Z)");
	is_int(g("20251206190000+0500"), T0, "+0500 is applied");
	is_int(g("20251206183000+0430"), T0, "+0430: the minutes of an offset count");
	is_int(g("20251206090000.5-0500"), T0, "a fraction and an offset");
	is_int(g("20251206120000-02"), T0, "-02 (hours only, RFC 4517) is applied: 12:00 there is 14:00Z");
	is_int(g("20251206140000+0000"), T0, "+0000 is Z");
	is_int(g("20251206140000-0000"), T0, "-0000 is Z");
	is_int(g("20251206235959+2359"), 1764979259, "+2359, the widest offset: 23:59:59 there is 00:00:59Z");
	is_int(g("20240229000000Z"), 1709164800, "29 February of a leap year");
	is_int(g("20001231235960Z"), 978307200, "a leap second (:60) is the next second");
	is_int(g("19700101000001Z"), 1, "the first second after the epoch");
	is_int(g("99991231235959Z"), 253402300799, "9999-12-31T23:59:59Z: no overflow");

	/* garbage: no time at all ("unreadable": logged, never a time in the past or future) */
	static const char *const bad[] = {
		"", "Z", "2025", "2025120614", "202512061400Z", "2025120614000Z",
		"20251206140000",                      /* no zone: whose local time? */
		"20251206140000z", "20251206140000ZZ", "20251206140000Z ", " 20251206140000Z",
		"20251206140000Z\n", "20251206140000UTC", "20251206140000GMT",
		"2025-1-1-1-1-1Z", "2025+1+1+1+1+1Z", "2025 1 1 1 1 1Z", "-0251206140000Z",
		"+2025120614000Z", "20251206 40000Z", "2025120614000xZ", "２０２５1206140000Z",
		"20251306140000Z", "20250006140000Z", "20251200140000Z", "20251232140000Z",
		"20250229140000Z", "21000229140000Z", "20250431140000Z", "20251206240000Z",
		"20251206146000Z", "20251206140061Z", "99999999999999Z",
		"20251206140000.Z", "20251206140000.-5Z", "20251206140000. 5Z", "20251206140000..5Z",
		"20251206140000.5", "20251206140000+5", "20251206140000+050", "20251206140000+05000",
		"20251206140000+2400", "20251206140000+0560", "20251206140000+-500", "20251206140000--0500",
		"20251206140000+ 500", "20251206140000+05:00", "20251206140000-05 ", "20251206140000Z+0500",
		"20251206140000+0500Z", "20251206140000\x00Z",
		"19700101000000Z", "19691231235959Z", "00000101000000Z", "16010101000000Z",
		"19700101010000+0100", "19700101000000-0000",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(g(bad[i]) == 0, "not a time: \"%s\" (got %lld)", bad[i], (long long)g(bad[i]));

	/* the clock bound: a created time ahead of not_after is no creation time */
	is_int(gk_ldap_gentime("20251206140000Z", T0), T0, "exactly not_after: kept");
	ok(gk_ldap_gentime("20251206140001Z", T0) == 0, "one second after not_after: no time");
	ok(gk_ldap_gentime("20251206090001-0500", T0) == 0, "... also when only the offset puts it there");
	ok(gk_ldap_gentime("20251206190000+0500", T0) == T0, "... and an offset that brings it back is applied first");
	ok(gk_ldap_gentime("99991231235959Z", T0 + 60) == 0, "year 9999 is no creation time");
	return done_testing();
}
