# tests/local.mk: the test harness; each area adds its tests in its own fragment.
EXTRA_DIST += tests/tap.h tests/testdb.h tests/tokenfix.h tests/loginfix.h tests/lib.sh tests/browser_stack.sh
VALGRIND_TESTS =
# The C unit tests: a fragment adds tests/t_NAME to GK_UNIT_TESTS and that is all. Each is
# built from tests/t_NAME.c (automake's default source) with the flags of the libraries
# lib/ uses, linked with lib/ (LDADD, the default of every program that sets no _LDADD of
# its own), run by make check and by make check-valgrind. A unit test that needs other
# sources or libraries (t_authz_decide, t_login, t_server) sets its tests_t_NAME_ variables
# and registers itself the long way.
GK_UNIT_TESTS =
include tests/parse.mk
include tests/userdb.mk
include tests/config.mk
include tests/admin.mk
include tests/authz.mk
include tests/servers.mk
include tests/token.mk
include tests/login.mk
include tests/login_lib.mk
include tests/hardening.mk
include tests/seeds.mk
include tests/seams.mk
include tests/docsrun.mk
include tests/authzunit.mk
include tests/mains.mk
include tests/pkg.mk
include tests/ops.mk
include tests/evcore2.mk
include tests/review.mk
include tests/tokens.mk
include tests/fixes.mk
include tests/ldap.mk
include tests/redis.mk
include tests/totp.mk
include tests/passkeys.mk
include tests/ops2.mk
include tests/perf.mk
include tests/attack.mk
include tests/attack2.mk
include tests/attack4.mk
include tests/attack5.mk
include tests/attack6.mk
include tests/selfsvc.mk
include tests/lead.mk
include tests/dupb.mk
include tests/dupa.mk
include tests/dupc5.mk
include tests/cpu.mk
include tests/attack7.mk
include tests/attack8.mk

check_PROGRAMS += $(GK_UNIT_TESTS)
TESTS += $(GK_UNIT_TESTS)
VALGRIND_TESTS += $(GK_UNIT_TESTS)
LDADD = $(GK_LIBS)
$(addsuffix .$(OBJEXT),$(GK_UNIT_TESTS)): AM_CFLAGS += $(GK_DEP_CFLAGS)

# make check-unit: the C unit tests (every TESTS entry that is a program); make check-e2e:
# the shell and Python tests, which start the programs and real servers.
check-unit: $(check_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(filter-out %.sh %.py,$(TESTS))'
check-e2e: all $(check_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(filter %.sh %.py,$(TESTS))'
.PHONY: check-unit check-e2e
include tests/ldappool.mk
include tests/fixes5.mk
include tests/cpu5.mk
include tests/ngxmod.mk
include tests/ngxfix.mk
include tests/httpfront.mk
include tests/lead6.mk
include tests/cpuu6.mk
include tests/cpuk6.mk
include tests/seams7.mk
include tests/attack9.mk
include tests/tofu8.mk
include tests/cpuh7.mk
include tests/guard7.mk
include tests/left8.mk
include tests/cpu8f.mk
include tests/man8.mk
include tests/cpu8d.mk
include tests/attack10.mk
include tests/fix10.mk
include tests/strip8.mk
include tests/log8.mk
include tests/attack11.mk
include tests/fix11.mk
include tests/review9a.mk
include tests/review9b.mk
include tests/logdef8.mk
include tests/lead8.mk
