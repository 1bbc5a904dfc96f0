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

# What users type as a second factor, fuzzed like the other parsers (docs/fuzzing.md).
check_PROGRAMS += fuzz/replay_totp
fuzz_replay_totp_SOURCES = fuzz/fuzz_totp.c fuzz/fuzz.h
fuzz_replay_totp_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_totp_LDADD = $(GK_LIBS)
TESTS += tests/totp_fuzz.sh
dist_check_SCRIPTS += tests/totp_fuzz.sh
if FUZZING
noinst_PROGRAMS += fuzz/fuzz_totp
fuzz_fuzz_totp_SOURCES = fuzz/fuzz_totp.c fuzz/fuzz.h
fuzz_fuzz_totp_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_totp_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_totp_LDADD = $(GK_FUZZ_LIBS) $(OATH_LIBS) $(QRENCODE_LIBS)
endif
