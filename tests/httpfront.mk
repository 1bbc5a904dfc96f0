# tests/httpfront.mk: gatekeep-authz over HTTP/1.1 for nginx's auth_request (--http-listen).
HTTPFRONT_TESTS = tests/httpfront_nginx.sh tests/httpfront_raw.sh
TESTS += $(HTTPFRONT_TESTS)
dist_check_SCRIPTS += $(HTTPFRONT_TESTS)
EXTRA_DIST += tests/httpfront/raw.py tests/servers/httpfront.sh
# The HTTP head reader's fuzz target (fuzz/replay_httpreq) is in fuzz/local.mk, replayed by
# tests/fuzz_replay.sh with the others.
