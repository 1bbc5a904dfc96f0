# tests/userdb.mk: the record encoding and the GDBM user database.
check_PROGRAMS += tests/t_record tests/t_userdb tests/userdb_crash
tests_t_record_SOURCES = tests/t_record.c tests/tap.h
tests_t_record_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_record_LDADD = $(GK_LIBS)
tests_t_userdb_SOURCES = tests/t_userdb.c tests/tap.h
tests_t_userdb_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_userdb_LDADD = $(GK_LIBS)
# The crash/concurrency driver: run by tests/userdb_crash.sh, not a test by itself.
tests_userdb_crash_SOURCES = tests/userdb_crash.c
tests_userdb_crash_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_userdb_crash_LDADD = $(GK_LIBS)
TESTS += tests/t_record tests/t_userdb tests/userdb_crash.sh
VALGRIND_TESTS += tests/t_record tests/t_userdb
dist_check_SCRIPTS += tests/userdb_crash.sh

# Lookup and write cost at 10^3..10^6 users; run by scripts/bench, never by make check.
noinst_PROGRAMS += tests/bench_userdb
tests_bench_userdb_SOURCES = tests/bench_userdb.c
tests_bench_userdb_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_bench_userdb_LDADD = $(GK_LIBS)

# The format and durability contract the tests above check.
EXTRA_DIST += docs/userdb-format.md
