# tests/tokens.mk: the credentials store beside the user record, and app passwords / API tokens.
check_PROGRAMS += tests/t_creds
tests_t_creds_SOURCES = tests/t_creds.c tests/tap.h
tests_t_creds_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_creds_LDADD = $(GK_LIBS)
TESTS += tests/t_creds
VALGRIND_TESTS += tests/t_creds
check_PROGRAMS += tests/t_apptoken
tests_t_apptoken_SOURCES = tests/t_apptoken.c tests/tap.h
tests_t_apptoken_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_apptoken_LDADD = $(GK_LIBS)
TESTS += tests/t_apptoken
VALGRIND_TESTS += tests/t_apptoken
# Real nginx (auth_request) with curl, and login.cgi: tokens as Basic and Bearer, scope, revocation, lockout.
TESTS += tests/tokens_nginx.sh
dist_check_SCRIPTS += tests/tokens_nginx.sh
# The authorizer's decision chain in-process (tests/authzunit.mk) links the token method too.
tests_t_authz_decide_SOURCES += fcgi/authz_token.c
EXTRA_DIST += docs/app-passwords.md
# Real Apache (mod_authnz_fcgi: the REMOTE_USER/REMOTE_PASSWD pair) with curl.
TESTS += tests/tokens_apache.sh
dist_check_SCRIPTS += tests/tokens_apache.sh
