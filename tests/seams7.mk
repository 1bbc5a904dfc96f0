# tests/seams7.mk: what the client sees behind nginx when gatekeep-authz refuses a request
# for its size or bytes, over HTTP and FastCGI (403, never nginx's 500).
SEAMS7_TESTS = tests/seams7_refusals.sh
TESTS += $(SEAMS7_TESTS)
dist_check_SCRIPTS += $(SEAMS7_TESTS)
