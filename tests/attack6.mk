# tests/attack6.mk: attacks on the newest work (zero hop, login, front ends).
ATTACK6_TESTS = tests/attack6_zerohop.sh tests/attack6_ldap.sh tests/attack6_host.sh
TESTS += $(ATTACK6_TESTS)
dist_check_SCRIPTS += $(ATTACK6_TESTS)
