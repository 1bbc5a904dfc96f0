# tests/dupa.mk: lib/liblogin's page template and form reader in-process (tests/t_login_page.c).
GK_UNIT_TESTS += tests/t_login_page
tests_t_login_page_LDADD = $(LOGIN_LIBS)
