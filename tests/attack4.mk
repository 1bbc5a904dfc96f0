# tests/attack4.mk: attacks on the second factors and the self-service pages, each a test that failed before its fix.
ATTACK4_SHELL_TESTS = tests/attack4_2fa.sh tests/attack4_codes.sh tests/attack4_passkey.sh
TESTS += $(ATTACK4_SHELL_TESTS)
dist_check_SCRIPTS += $(ATTACK4_SHELL_TESTS)
EXTRA_DIST += tests/attack4_authn.py
GK_UNIT_TESTS += tests/t_attack4
