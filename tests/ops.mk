# tests/ops.mk: operations: shared metrics, their exposition, health, a real Prometheus scraping them.
GK_UNIT_TESTS += tests/t_metrics
# A real Prometheus scraping gatekeep-authz through a real nginx.
TESTS += tests/ops_prometheus.sh
dist_check_SCRIPTS += tests/ops_prometheus.sh
# log_format = json
GK_UNIT_TESTS += tests/t_logjson
EXTRA_DIST += docs/metrics.md
# systemd's Type=notify protocol (READY, WATCHDOG, STOPPING) without libsystemd.
TESTS += tests/ops_sdnotify.sh
dist_check_SCRIPTS += tests/ops_sdnotify.sh
