# tests/strip8.mk: what reaches the app of gatekeep's own cookies and Basic pair (checks the srv_*, seed_* tests run).
EXTRA_DIST += tests/servers/appcookie.sh
