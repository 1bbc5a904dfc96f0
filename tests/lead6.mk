# tests/lead6.mk: the host behind nginx over FastCGI (GATEKEEP_HOST against HTTP_HOST).
LEAD6_TESTS = tests/lead6_fcgihost.sh
TESTS += $(LEAD6_TESTS)
dist_check_SCRIPTS += $(LEAD6_TESTS)
