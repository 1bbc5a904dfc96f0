# tests/ops.mk: operations: shared metrics, their exposition, health, a real Prometheus scraping them.
check_PROGRAMS += tests/t_metrics
tests_t_metrics_SOURCES = tests/t_metrics.c tests/tap.h
tests_t_metrics_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_metrics_LDADD = $(GK_LIBS)
TESTS += tests/t_metrics
VALGRIND_TESTS += tests/t_metrics
# A real Prometheus scraping gatekeep-authz through a real nginx.
TESTS += tests/ops_prometheus.sh
dist_check_SCRIPTS += tests/ops_prometheus.sh
# log_format = json
check_PROGRAMS += tests/t_logjson
tests_t_logjson_SOURCES = tests/t_logjson.c tests/tap.h
tests_t_logjson_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_logjson_LDADD = $(GK_LIBS)
TESTS += tests/t_logjson
VALGRIND_TESTS += tests/t_logjson
EXTRA_DIST += docs/metrics.md
# systemd's Type=notify protocol (READY, WATCHDOG, STOPPING) without libsystemd.
TESTS += tests/ops_sdnotify.sh
dist_check_SCRIPTS += tests/ops_sdnotify.sh
