# tests/perf.mk: issue 15's CPU work per decision: lib/filewatch (no stat() of the user
# database and the secret per request) and the event core's system calls per decision.
check_PROGRAMS += tests/t_filewatch
tests_t_filewatch_SOURCES = tests/t_filewatch.c tests/tap.h
tests_t_filewatch_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_filewatch_LDADD = $(GK_LIBS)
TESTS += tests/t_filewatch
VALGRIND_TESTS += tests/t_filewatch

TESTS += tests/perf_syscalls.sh
dist_check_SCRIPTS += tests/perf_syscalls.sh

# lib/cookie.c against gatekeep.js's cookie parser, through real nginx + njs
check_PROGRAMS += tests/cookie_verdict
tests_cookie_verdict_SOURCES = tests/cookie_verdict.c
tests_cookie_verdict_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_cookie_verdict_LDADD = $(GK_LIBS)
TESTS += tests/perf_cookie_diff.sh
dist_check_SCRIPTS += tests/perf_cookie_diff.sh
