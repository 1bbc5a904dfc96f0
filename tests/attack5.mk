# tests/attack5.mk: attacks on the session's newest work (zero-hop cookie differentials).
ATTACK5_TESTS = tests/attack5_zerohop.sh
TESTS += $(ATTACK5_TESTS)
dist_check_SCRIPTS += $(ATTACK5_TESTS)
EXTRA_DIST += tests/servers/zerohop.sh
