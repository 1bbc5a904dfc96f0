# tests/dupa.mk: lib/liblogin's page template and form reader in-process (tests/t_login_page.c).
check_PROGRAMS += tests/t_login_page
tests_t_login_page_SOURCES = tests/t_login_page.c tests/tap.h
tests_t_login_page_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_login_page_LDADD = $(LOGIN_LIBS)
TESTS += tests/t_login_page
VALGRIND_TESTS += tests/t_login_page
