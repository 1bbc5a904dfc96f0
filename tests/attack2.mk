# tests/attack2.mk: attacks on the directory users and the state store, each a test that failed before its fix.
TESTS += tests/attack2_ldap.sh
dist_check_SCRIPTS += tests/attack2_ldap.sh
GK_UNIT_TESTS += tests/t_attack2
