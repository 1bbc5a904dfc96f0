# tests/seams7.mk: what the client sees behind nginx when gatekeep-authz refuses a request
# for its size or bytes, over HTTP and FastCGI (403, never nginx's 500).
SEAMS7_TESTS = tests/seams7_refusals.sh tests/seams7_hostport.sh
TESTS += $(SEAMS7_TESTS)
dist_check_SCRIPTS += $(SEAMS7_TESTS)
# A host= rule and the port (lib/policy.c gk_host_pattern_has_port, lib/conf_check.c
# gk_config_warnings); --check-config and the start-up log warn: tests/seams7_hostport.sh.
GK_UNIT_TESTS += tests/t_hostport
