# tests/cpuk6.mk: issue 15, the event core's kernel side: no kernel timer per epoll_wait.
CPUK6_TESTS = tests/cpuk6_tick.sh
TESTS += $(CPUK6_TESTS)
dist_check_SCRIPTS += $(CPUK6_TESTS)
