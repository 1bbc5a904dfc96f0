# tests/token.mk: session tokens (HS256 JWT) and the secret file.
check_PROGRAMS += tests/t_secret
tests_t_secret_SOURCES = tests/t_secret.c tests/tap.h
tests_t_secret_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_secret_LDADD = $(GK_LIBS)
TESTS += tests/t_secret
VALGRIND_TESTS += tests/t_secret

check_PROGRAMS += tests/t_token
tests_t_token_SOURCES = tests/t_token.c tests/tap.h
tests_t_token_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_token_LDADD = $(GK_LIBS)
TESTS += tests/t_token
VALGRIND_TESTS += tests/t_token
