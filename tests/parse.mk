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
