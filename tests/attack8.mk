# tests/attack8.mk: attacks on the login, the decision caches and the admin tool, each a test that failed before its fix.
ATTACK8_TESTS = tests/attack8_ldap.sh
TESTS += $(ATTACK8_TESTS)
dist_check_SCRIPTS += $(ATTACK8_TESTS)
GK_UNIT_TESTS += tests/t_attack8
