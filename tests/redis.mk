# tests/redis.mk: the shared state store (state_backend = redis): lib/statestore, lib/lockout_redis,
# and two gatekeep-authz "machines" behind two nginx servers sharing one redis-server.
check_PROGRAMS += tests/t_statestore
tests_t_statestore_SOURCES = tests/t_statestore.c tests/tap.h
tests_t_statestore_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_statestore_LDADD = $(GK_LIBS)
TESTS += tests/t_statestore tests/redis_state.sh tests/redis_two_machines.sh
VALGRIND_TESTS += tests/t_statestore
dist_check_SCRIPTS += tests/redis_state.sh tests/redis_two_machines.sh
# Lockout decisions per second, the table beside the store: `scripts/bench --only lockout`.
EXTRA_PROGRAMS += tests/bench_lockout
tests_bench_lockout_SOURCES = tests/bench_lockout.c
tests_bench_lockout_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_bench_lockout_LDADD = $(GK_LIBS)
EXTRA_DIST += docs/two-machines.md
