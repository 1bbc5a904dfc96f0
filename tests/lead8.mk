# tests/lead8.mk: the default number of workers of each core.
LEAD8_TESTS = tests/lead8_workers.sh
TESTS += $(LEAD8_TESTS)
dist_check_SCRIPTS += $(LEAD8_TESTS)
