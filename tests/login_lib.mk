# tests/login_lib.mk: lib/liblogin (the request logic both login mains link) driven in-process.
check_PROGRAMS += tests/t_login
tests_t_login_SOURCES = tests/t_login.c tests/tap.h
tests_t_login_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_login_LDADD = $(LOGIN_LIBS)
TESTS += tests/t_login
VALGRIND_TESTS += tests/t_login
