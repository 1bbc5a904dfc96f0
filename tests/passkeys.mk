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
