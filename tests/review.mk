# tests/review.mk: seams found by attacking the merged ops and restructuring work.
# The ops endpoints behind Caddy (a handle to gatekeep-authz, forward_auth) and lighttpd.
TESTS += tests/ops_servers.sh
dist_check_SCRIPTS += tests/ops_servers.sh
# gatekeep-login's log in log_format = json.
TESTS += tests/login_logjson.sh
dist_check_SCRIPTS += tests/login_logjson.sh
