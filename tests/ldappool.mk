# tests/ldappool.mk: issue 15: the LDAP backend's binds run in the event core's pool
# (lib/hashpool), so a slow directory never stalls a worker's other connections.
LDAPPOOL_TESTS = tests/ldappool.sh
TESTS += $(LDAPPOOL_TESTS)
dist_check_SCRIPTS += $(LDAPPOOL_TESTS)
EXTRA_DIST += tests/servers/slapd.sh
