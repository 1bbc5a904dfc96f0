# tests/cpu8f.mk: the HTTP front's fast paths (lib/httpreq, lib/httpconn) against byte-wise references.
GK_UNIT_TESTS += tests/t_httpfast
# tests/callgrind_http.sh: instructions per decision over --http-listen, by function (a
# measuring tool, never run by make check).
EXTRA_DIST += tests/callgrind_http.sh
# gatekeep-authz's allow answer byte for byte (fcgi/authz_answer.c), in-process.
check_PROGRAMS += tests/t_authz_answer
tests_t_authz_answer_SOURCES = tests/t_authz_answer.c tests/tap.h fcgi/authz_answer.h \
	fcgi/authz_answer.c
tests_t_authz_answer_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fcgi
tests_t_authz_answer_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_authz_answer_LDADD = $(GK_LIBS)
TESTS += tests/t_authz_answer
