# tests/userdb.mk: the record encoding and the GDBM user database.
GK_UNIT_TESTS += tests/t_record tests/t_userdb
check_PROGRAMS += tests/userdb_crash
# The crash/concurrency driver: run by tests/userdb_crash.sh, not a test by itself.
tests_userdb_crash_SOURCES = tests/userdb_crash.c
tests_userdb_crash_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_userdb_crash_LDADD = $(GK_LIBS)
TESTS += tests/userdb_crash.sh
dist_check_SCRIPTS += tests/userdb_crash.sh

# Lookup and write cost at 10^3..10^6 users; run by scripts/bench, never by make check.
noinst_PROGRAMS += tests/bench_userdb
tests_bench_userdb_SOURCES = tests/bench_userdb.c
tests_bench_userdb_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_bench_userdb_LDADD = $(GK_LIBS)

# The format and durability contract the tests above check.
EXTRA_DIST += docs/userdb-format.md
