# tests/ngxfix.mk: issue 15, the native nginx module follows gatekeep.js's request rules
# (tests/attack6_zerohop.sh against it).
TESTS += tests/ngxmod_attack6.sh
dist_check_SCRIPTS += tests/ngxmod_attack6.sh
