# tests/attack11.mk: attacks on the nginx zero hop (contrib/nginx/gatekeep.js and the native
# module); tests/attack11_ngxmod.sh skips when the module is not built.
ATTACK11_TESTS = tests/attack11_zerohop.sh tests/attack11_ngxmod.sh
TESTS += $(ATTACK11_TESTS)
dist_check_SCRIPTS += $(ATTACK11_TESTS)
