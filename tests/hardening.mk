# tests/hardening.mk
# lib/fcgiguard: FastCGI record pre-check (CVE-2025-23016 mitigation).
check_PROGRAMS += tests/t_fcgiguard
tests_t_fcgiguard_SOURCES = tests/t_fcgiguard.c tests/tap.h
tests_t_fcgiguard_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_fcgiguard_LDADD = $(GK_LIBS)
TESTS += tests/t_fcgiguard
VALGRIND_TESTS += tests/t_fcgiguard
