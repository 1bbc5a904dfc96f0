# tests/authzunit.mk: gatekeep-authz's decision chain and the external-user upsert, in-process.
GK_UNIT_TESTS += tests/t_extuser
check_PROGRAMS += tests/t_authz_decide
tests_t_authz_decide_SOURCES = tests/t_authz_decide.c tests/tap.h \
	fcgi/authz_decide.h fcgi/authz_decide.c fcgi/authz_chain.h fcgi/authz_chain.c \
	fcgi/authz_methods.c \
	fcgi/authz_proxy.c fcgi/authz_state.c fcgi/authz_answer.h fcgi/authz_answer.c
tests_t_authz_decide_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fcgi
tests_t_authz_decide_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_authz_decide_LDADD = $(GK_LIBS)
TESTS += tests/t_authz_decide
VALGRIND_TESTS += tests/t_authz_decide
