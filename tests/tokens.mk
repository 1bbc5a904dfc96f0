# tests/tokens.mk: the credentials store beside the user record, and app passwords / API tokens.
check_PROGRAMS += tests/t_creds
tests_t_creds_SOURCES = tests/t_creds.c tests/tap.h
tests_t_creds_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_creds_LDADD = $(GK_LIBS)
TESTS += tests/t_creds
VALGRIND_TESTS += tests/t_creds
