# tests/passkeys.mk: passkeys (WebAuthn): lib/webauthn against fixed signed vectors, and the ceremonies end to end in Chromium.
check_PROGRAMS += tests/t_webauthn
tests_t_webauthn_SOURCES = tests/t_webauthn.c tests/tap.h tests/webauthn_vectors.h
tests_t_webauthn_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_webauthn_LDADD = $(LOGIN_LIBS)
TESTS += tests/t_webauthn
VALGRIND_TESTS += tests/t_webauthn
EXTRA_DIST += tests/webauthn_vectors.py
# Chromium with a virtual authenticator through nginx + gatekeep-authz + gatekeep-login.
TESTS += tests/passkeys_browser.sh
dist_check_SCRIPTS += tests/passkeys_browser.sh
EXTRA_DIST += tests/passkeys_browser.py
# lib/webauthn's inputs fuzzed like the other parsers: a replay/AFL driver always (over
# fuzz/corpus/webauthn, run by tests/passkeys_fuzz.sh), a libFuzzer binary with --enable-fuzzing.
check_PROGRAMS += fuzz/replay_webauthn
fuzz_replay_webauthn_SOURCES = fuzz/fuzz_webauthn.c fuzz/fuzz.h
fuzz_replay_webauthn_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_webauthn_LDADD = $(LOGIN_LIBS)
TESTS += tests/passkeys_fuzz.sh
dist_check_SCRIPTS += tests/passkeys_fuzz.sh
if FUZZING
noinst_PROGRAMS += fuzz/fuzz_webauthn
fuzz_fuzz_webauthn_SOURCES = fuzz/fuzz_webauthn.c fuzz/fuzz.h lib/webauthn.c
fuzz_fuzz_webauthn_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_webauthn_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_webauthn_LDADD = $(GK_FUZZ_LIBS) $(CBOR_LIBS) $(LIBCRYPTO_LIBS)
endif
# The passkey pages in-process: challenge binding, expiry, single use, second factor, CSP.
check_PROGRAMS += tests/t_passkey_login
tests_t_passkey_login_SOURCES = tests/t_passkey_login.c tests/tap.h tests/webauthn_vectors.h
tests_t_passkey_login_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_passkey_login_LDADD = $(LOGIN_LIBS)
TESTS += tests/t_passkey_login
VALGRIND_TESTS += tests/t_passkey_login
