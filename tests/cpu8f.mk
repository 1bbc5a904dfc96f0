# tests/cpu8f.mk: the HTTP front's fast paths (lib/httpreq, lib/httpconn) against byte-wise references.
GK_UNIT_TESTS += tests/t_httpfast
# tests/callgrind_http.sh: instructions per decision over --http-listen, by function (a
# measuring tool, never run by make check).
EXTRA_DIST += tests/callgrind_http.sh
