# tests/attack10.mk: attacks on the admin tool's import, the sign-in service and the
# servers' readings (see each test's header).
ATTACK10_TESTS = tests/attack10_hashcost.sh tests/attack10_loginrole.sh \
	tests/attack10_importcase.sh tests/attack10_importcreds.sh
TESTS += $(ATTACK10_TESTS)
dist_check_SCRIPTS += $(ATTACK10_TESTS)
