# tests/ldap.mk: directory users (user_backend = ldap): the filter escaping and config check
# without a directory, then a real slapd behind real nginx, gatekeep-authz and gatekeep-login.
LDAP_TESTS = tests/ldap_nginx.sh
TESTS += tests/t_ldapconf tests/t_userbackend $(LDAP_TESTS)
check_PROGRAMS += tests/t_ldapconf tests/t_userbackend
tests_t_ldapconf_SOURCES = tests/t_ldapconf.c tests/tap.h
tests_t_ldapconf_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_ldapconf_LDADD = $(GK_LIBS)
tests_t_userbackend_SOURCES = tests/t_userbackend.c tests/tap.h
tests_t_userbackend_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_userbackend_LDADD = $(GK_LIBS)
dist_check_SCRIPTS += $(LDAP_TESTS)
EXTRA_DIST += docs/ldap.md
dist_noinst_SCRIPTS += scripts/bench_ldap
VALGRIND_TESTS += tests/t_ldapconf tests/t_userbackend
