# tests/cpu5.mk: the user-space CPU of one decision, for docs/event-core.md: built by
# `make bench-programs`, never run by make check.
EXTRA_PROGRAMS += tests/bench_decide
tests_bench_decide_SOURCES = tests/bench_decide.c \
	fcgi/authz_decide.h fcgi/authz_decide.c fcgi/authz_chain.h fcgi/authz_chain.c \
	fcgi/authz_methods.c fcgi/authz_proxy.c fcgi/authz_state.c fcgi/authz_second.c \
	fcgi/authz_token.c fcgi/authz_answer.h fcgi/authz_answer.c
tests_bench_decide_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fcgi
tests_bench_decide_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_bench_decide_LDADD = $(GK_LIBS)
