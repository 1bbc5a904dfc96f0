# tests/httpfront.mk: gatekeep-authz over HTTP/1.1 for nginx's auth_request (--http-listen).
HTTPFRONT_TESTS = tests/httpfront_nginx.sh tests/httpfront_raw.sh
TESTS += $(HTTPFRONT_TESTS)
dist_check_SCRIPTS += $(HTTPFRONT_TESTS)
EXTRA_DIST += tests/httpfront/raw.py tests/servers/httpfront.sh

# the HTTP head reader's fuzz target: a replay driver always, libFuzzer with --enable-fuzzing
check_PROGRAMS += fuzz/replay_httpreq
fuzz_replay_httpreq_SOURCES = fuzz/fuzz_httpreq.c fuzz/fuzz.h
fuzz_replay_httpreq_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
fuzz_replay_httpreq_LDADD = $(GK_LIBS)
EXTRA_DIST += fuzz/corpus/httpreq
TESTS += tests/httpfront_fuzz.sh
dist_check_SCRIPTS += tests/httpfront_fuzz.sh
if FUZZING
noinst_PROGRAMS += fuzz/fuzz_httpreq
fuzz_fuzz_httpreq_SOURCES = fuzz/fuzz_httpreq.c fuzz/fuzz.h
fuzz_fuzz_httpreq_CFLAGS = $(GK_FUZZ_CC)
fuzz_fuzz_httpreq_LDFLAGS = $(GK_FUZZ_LINK)
fuzz_fuzz_httpreq_LDADD = $(GK_FUZZ_LIBS)
endif
