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

# Fuzz targets (fuzz/local.mk's pattern): replay drivers always, libFuzzer binaries with --enable-fuzzing.
check_PROGRAMS += fuzz/replay_creds fuzz/replay_apptoken
fuzz_replay_creds_SOURCES = fuzz/fuzz_creds.c fuzz/fuzz.h
fuzz_replay_creds_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_creds_LDADD = $(GK_LIBS)
fuzz_replay_apptoken_SOURCES = fuzz/fuzz_apptoken.c fuzz/fuzz.h
fuzz_replay_apptoken_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_apptoken_LDADD = $(GK_LIBS)
TESTS += tests/tokens_fuzz.sh
dist_check_SCRIPTS += tests/tokens_fuzz.sh
if FUZZING
noinst_PROGRAMS += fuzz/fuzz_creds fuzz/fuzz_apptoken
fuzz_fuzz_creds_SOURCES = fuzz/fuzz_creds.c fuzz/fuzz.h
fuzz_fuzz_creds_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_creds_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_creds_LDADD = $(GK_FUZZ_LIBS)
fuzz_fuzz_apptoken_SOURCES = fuzz/fuzz_apptoken.c fuzz/fuzz.h
fuzz_fuzz_apptoken_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_apptoken_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_apptoken_LDADD = $(GK_FUZZ_LIBS)
endif
