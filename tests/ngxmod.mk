# tests/ngxmod.mk: issue 15, the native nginx zero-hop module (contrib/nginx/gatekeep-module):
# the njs tests run against it (GK_ZEROHOP=module), and its own cases (configuration
# refused, sizes, two Cookie headers, valgrind). Each skips when the module is not built.
NGXMOD_TESTS = tests/ngxmod_zerohop.sh tests/ngxmod_attack.sh tests/ngxmod_cases.sh
TESTS += $(NGXMOD_TESTS)
dist_check_SCRIPTS += $(NGXMOD_TESTS)
