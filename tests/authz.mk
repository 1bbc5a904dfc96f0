# tests/authz.mk: gatekeep-authz: path normalisation, policy, credential cache, FastCGI end to end.
check_PROGRAMS += tests/t_pathnorm tests/t_policy tests/t_method tests/t_credcache
tests_t_pathnorm_SOURCES = tests/t_pathnorm.c tests/tap.h
tests_t_pathnorm_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_pathnorm_LDADD = $(GK_LIBS)
tests_t_policy_SOURCES = tests/t_policy.c tests/tap.h
tests_t_policy_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_policy_LDADD = $(GK_LIBS)
tests_t_method_SOURCES = tests/t_method.c tests/tap.h
tests_t_method_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_method_LDADD = $(GK_LIBS)
tests_t_credcache_SOURCES = tests/t_credcache.c tests/tap.h
tests_t_credcache_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_credcache_LDADD = $(GK_LIBS)
TESTS += tests/t_pathnorm tests/t_policy tests/t_method tests/t_credcache tests/authz_fcgi.sh
VALGRIND_TESTS += tests/t_pathnorm tests/t_policy tests/t_method tests/t_credcache
dist_check_SCRIPTS += tests/authz_fcgi.sh tests/fcgi_client.py
# Lockout shared by gatekeep-authz (Basic, Apache pair) and gatekeep-login, across processes.
TESTS += tests/authz_lockout.sh
dist_check_SCRIPTS += tests/authz_lockout.sh
# The same through a real nginx, attacker and victim at two loopback addresses.
TESTS += tests/srv_nginx_lockout.sh
dist_check_SCRIPTS += tests/srv_nginx_lockout.sh
