# tests/attack7.mk: attacks on the HTTP front (lib/httpreq, lib/httpconn) and the native
# nginx zero-hop module; tests/ngxmod_attack7.sh skips when the module is not built.
ATTACK7_TESTS = tests/attack7_zerohop.sh tests/ngxmod_attack7.sh tests/attack7_httphost.sh
TESTS += $(ATTACK7_TESTS)
dist_check_SCRIPTS += $(ATTACK7_TESTS)
