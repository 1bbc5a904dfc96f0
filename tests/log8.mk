# tests/log8.mk: the event loop's held stderr lines (gk_log_flush) and a decision's line on time.
GK_UNIT_TESTS += tests/t_loghold
LOG8_TESTS = tests/log8_ontime.sh
TESTS += $(LOG8_TESTS)
dist_check_SCRIPTS += $(LOG8_TESTS)
