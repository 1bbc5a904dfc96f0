# tests/attack4.mk: attacks on the second factors and the self-service pages, each a test that failed before its fix.
TESTS += tests/attack4_2fa.sh
dist_check_SCRIPTS += tests/attack4_2fa.sh
EXTRA_DIST += tests/attack4_authn.py
TESTS += tests/attack4_codes.sh
dist_check_SCRIPTS += tests/attack4_codes.sh
