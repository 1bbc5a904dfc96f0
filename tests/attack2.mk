# tests/attack2.mk: attacks on the directory users and the state store, each a test that failed before its fix.
TESTS += tests/attack2_ldap.sh
dist_check_SCRIPTS += tests/attack2_ldap.sh
GK_UNIT_TESTS += tests/t_attack2
# needs a redis-server: run by tests/attack2_redis.sh, not on its own
check_PROGRAMS += tests/t_attack2_redis
tests_t_attack2_redis_SOURCES = tests/t_attack2_redis.c tests/tap.h
tests_t_attack2_redis_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_attack2_redis_LDADD = $(GK_LIBS)
TESTS += tests/attack2_redis.sh
dist_check_SCRIPTS += tests/attack2_redis.sh
