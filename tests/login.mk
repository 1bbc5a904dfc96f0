# tests/login.mk: tests for the login form, its lib modules (form, redirect, lockout) and the browser flow.
check_PROGRAMS += tests/t_form tests/t_redirect tests/t_lockout
tests_t_form_SOURCES = tests/t_form.c tests/tap.h
tests_t_form_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_form_LDADD = $(GK_LIBS)
tests_t_redirect_SOURCES = tests/t_redirect.c tests/tap.h
tests_t_redirect_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_redirect_LDADD = $(GK_LIBS)
tests_t_lockout_SOURCES = tests/t_lockout.c tests/tap.h
tests_t_lockout_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_lockout_LDADD = $(GK_LIBS)
TESTS += tests/t_form tests/t_redirect tests/t_lockout
VALGRIND_TESTS += tests/t_form tests/t_redirect tests/t_lockout
check_PROGRAMS += tests/t_session_cookie
tests_t_session_cookie_SOURCES = tests/t_session_cookie.c tests/tap.h
tests_t_session_cookie_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_session_cookie_LDADD = $(GK_LIBS)
TESTS += tests/t_session_cookie
VALGRIND_TESTS += tests/t_session_cookie
# Shell drivers: login.cgi as CGI and behind lighttpd mod_cgi; the browser flow (nginx + both daemons).
TESTS += tests/login_cgi.sh
dist_check_SCRIPTS += tests/login_cgi.sh
TESTS += tests/login_browser.sh
dist_check_SCRIPTS += tests/login_browser.sh
EXTRA_DIST += tests/login_browser.py
# OpenID Connect / OAuth2 sign-in against a real provider (npm oidc-provider in tests/oidc) and a GitHub stand-in.
TESTS += tests/login_oidc.sh
dist_check_SCRIPTS += tests/login_oidc.sh
EXTRA_DIST += tests/oidc/package.json tests/oidc/package-lock.json tests/oidc/provider.mjs \
	tests/oidc/servers.py tests/oidc/drive.py
# gatekeep-login's FastCGI runtime: pre-check of every request (CVE-2025-23016), pool, privilege drop, seccomp.
TESTS += tests/login_hardening.sh
dist_check_SCRIPTS += tests/login_hardening.sh
check_PROGRAMS += tests/t_auth
tests_t_auth_SOURCES = tests/t_auth.c tests/tap.h
tests_t_auth_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_auth_LDADD = $(GK_LIBS)
TESTS += tests/t_auth
VALGRIND_TESTS += tests/t_auth
check_PROGRAMS += tests/t_origin
tests_t_origin_SOURCES = tests/t_origin.c tests/tap.h
tests_t_origin_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_origin_LDADD = $(GK_LIBS)
TESTS += tests/t_origin
VALGRIND_TESTS += tests/t_origin
