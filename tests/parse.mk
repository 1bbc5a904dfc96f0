# tests/parse.mk: unit tests of the request/credential parsers, validators and password hashing.
check_PROGRAMS += tests/t_validate
tests_t_validate_SOURCES = tests/t_validate.c tests/tap.h
tests_t_validate_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_validate_LDADD = $(GK_LIBS)
TESTS += tests/t_validate
VALGRIND_TESTS += tests/t_validate

check_PROGRAMS += tests/t_password
tests_t_password_SOURCES = tests/t_password.c tests/tap.h
tests_t_password_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_password_LDADD = $(GK_LIBS)
TESTS += tests/t_password
VALGRIND_TESTS += tests/t_password

check_PROGRAMS += tests/t_request
tests_t_request_SOURCES = tests/t_request.c tests/tap.h
tests_t_request_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_request_LDADD = $(GK_LIBS)
TESTS += tests/t_request
VALGRIND_TESTS += tests/t_request

check_PROGRAMS += tests/t_basic
tests_t_basic_SOURCES = tests/t_basic.c tests/tap.h
tests_t_basic_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_basic_LDADD = $(GK_LIBS)
TESTS += tests/t_basic
VALGRIND_TESTS += tests/t_basic

check_PROGRAMS += tests/t_cookie
tests_t_cookie_SOURCES = tests/t_cookie.c tests/tap.h
tests_t_cookie_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_cookie_LDADD = $(GK_LIBS)
TESTS += tests/t_cookie
VALGRIND_TESTS += tests/t_cookie

# Not a test: prints the verify cost per hash method; run by scripts/bench.
noinst_PROGRAMS += tests/bench_password
tests_bench_password_SOURCES = tests/bench_password.c
tests_bench_password_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_bench_password_LDADD = $(GK_LIBS)

check_PROGRAMS += tests/t_frontend
tests_t_frontend_SOURCES = tests/t_frontend.c tests/tap.h
tests_t_frontend_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_frontend_LDADD = $(GK_LIBS)
TESTS += tests/t_frontend
VALGRIND_TESTS += tests/t_frontend
