# tests/attack9.mk: hostile peers of the event core (lib/evloop, lib/fcgiconn, lib/httpconn,
# lib/hashpool) and the shipped app configurations against client-forged identities.
ATTACK9_TESTS = tests/attack9_core.sh
TESTS += $(ATTACK9_TESTS)
dist_check_SCRIPTS += $(ATTACK9_TESTS)
EXTRA_DIST += tests/attack9/core.py
ATTACK9_TESTS += tests/attack9_caddy.sh
EXTRA_DIST += tests/attack9/caddy29.py
