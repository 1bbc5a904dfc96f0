# tests/fix11.mk: the zero hop's Host check in njs (contrib/nginx/gatekeep.js) against
# lib/frontend.c's, through tests/host_verdict (tests/servers/njsfn.sh: njs answering with
# one of its functions).
check_PROGRAMS += tests/host_verdict
tests_host_verdict_SOURCES = tests/host_verdict.c
tests_host_verdict_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_host_verdict_LDADD = $(GK_LIBS)
TESTS += tests/fix11_njshost.sh
dist_check_SCRIPTS += tests/fix11_njshost.sh
EXTRA_DIST += tests/servers/njsfn.sh
