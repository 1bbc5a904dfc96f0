# tests/ops2.mk: operations, second part: the counters file in state_dir, gatekeep-login's counters, the largest exposition.
check_PROGRAMS += tests/t_metrics_file
tests_t_metrics_file_SOURCES = tests/t_metrics_file.c tests/tap.h
tests_t_metrics_file_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_metrics_file_LDADD = $(GK_LIBS)
TESTS += tests/t_metrics_file
VALGRIND_TESTS += tests/t_metrics_file
# lighttpd bin-path spawning gatekeep-authz: one counters file; login.cgi's counters; the worst case.
TESTS += tests/ops2_servers.sh
dist_check_SCRIPTS += tests/ops2_servers.sh
# state_dir made for run_user before the drop by both programs; gatekeep-login --check-config as root.
TESTS += tests/ops2_statedir.sh
dist_check_SCRIPTS += tests/ops2_statedir.sh
# gatekeep-login's ban lines match the shipped fail2ban filter.
TESTS += tests/ops2_fail2ban.sh
dist_check_SCRIPTS += tests/ops2_fail2ban.sh
