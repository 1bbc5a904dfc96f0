# tests/parse.mk: unit tests of the request/credential parsers, validators and password hashing.
GK_UNIT_TESTS += tests/t_validate

GK_UNIT_TESTS += tests/t_password

GK_UNIT_TESTS += tests/t_request

GK_UNIT_TESTS += tests/t_basic

GK_UNIT_TESTS += tests/t_cookie

# Not a test: prints the verify cost per hash method; run by scripts/bench.
noinst_PROGRAMS += tests/bench_password
tests_bench_password_SOURCES = tests/bench_password.c
tests_bench_password_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_bench_password_LDADD = $(GK_LIBS)

GK_UNIT_TESTS += tests/t_frontend
