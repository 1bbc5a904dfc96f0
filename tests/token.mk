# tests/token.mk: session tokens (HS256 JWT) and the secret file.
GK_UNIT_TESTS += tests/t_secret

GK_UNIT_TESTS += tests/t_token

# tokentool: issue/verify from the shell, for the interop test below.
check_PROGRAMS += tests/tokentool
tests_tokentool_SOURCES = tests/tokentool.c
tests_tokentool_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_tokentool_LDADD = $(GK_LIBS)

# PyJWT (python3-jwt) verifies our tokens and we verify its tokens.
TESTS += tests/token_pyjwt.sh
dist_check_SCRIPTS += tests/token_pyjwt.sh
EXTRA_DIST += tests/token_pyjwt.py

# Token throughput for scripts/bench: built by `make bench-programs`, never run by make check.
EXTRA_PROGRAMS += tests/bench_token
tests_bench_token_SOURCES = tests/bench_token.c
tests_bench_token_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_bench_token_LDADD = $(GK_LIBS)
