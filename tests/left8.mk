# tests/left8.mk: the man pages' nginx examples run as written, and the LDAP createTimestamp
# parser (lib/ldapusers) on hostile input.
LEFT8_TESTS = tests/left8_mannginx.sh
TESTS += $(LEFT8_TESTS)
dist_check_SCRIPTS += $(LEFT8_TESTS)
GK_UNIT_TESTS += tests/t_ldapgentime
