# tests/totp.mk: TOTP second factor (lib/totp, lib/qr, lib/totp_store) and the self-service account page.
check_PROGRAMS += tests/t_totp
tests_t_totp_SOURCES = tests/t_totp.c tests/tap.h
tests_t_totp_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_totp_LDADD = $(GK_LIBS)
TESTS += tests/t_totp
VALGRIND_TESTS += tests/t_totp
# gatekeep-authz's second-factor check is part of the chain the in-process test drives.
tests_t_authz_decide_SOURCES += fcgi/authz_second.c

# End to end through nginx, gatekeep-authz and gatekeep-login, codes from oathtool.
TESTS += tests/totp_nginx.sh
dist_check_SCRIPTS += tests/totp_nginx.sh
EXTRA_DIST += docs/second-factor.md
