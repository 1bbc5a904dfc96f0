# tests/cpuh7.mk: the HTTP front's head reader, params and answers byte for byte (lib/httpreq, lib/httpconn).
GK_UNIT_TESTS += tests/t_httpfront
# The HTTP front's user-space CPU per request for scripts/bench --only cpu: built by
# `make bench-programs`, never run by make check.
EXTRA_PROGRAMS += tests/bench_httpfront
tests_bench_httpfront_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_bench_httpfront_LDADD = $(GK_LIBS)
