# tests/cpu8d.mk: a decision on a small stack, and the Cookie header of a full cookie jar, in-process and through nginx.
check_PROGRAMS += tests/t_cpu8d
tests_t_cpu8d_SOURCES = tests/t_cpu8d.c tests/tap.h \
	fcgi/authz_decide.h fcgi/authz_decide.c fcgi/authz_chain.h fcgi/authz_chain.c \
	fcgi/authz_methods.c fcgi/authz_proxy.c fcgi/authz_state.c fcgi/authz_answer.h \
	fcgi/authz_answer.c fcgi/authz_token.c fcgi/authz_second.c
tests_t_cpu8d_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fcgi
tests_t_cpu8d_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS) -pthread
tests_t_cpu8d_LDADD = $(GK_LIBS) -lpthread
TESTS += tests/t_cpu8d
# The same through a real nginx (large_client_header_buffers raised), and its zero hop
# (njs, the native module): they need tests/tokentool.
CPU8D_TESTS = tests/cpu8d_cookiejar.sh tests/cpu8d_zerohop_jar.sh tests/ngxmod_zerohop_jar.sh \
	tests/cpu8d_login_jar.sh
TESTS += $(CPU8D_TESTS)
dist_check_SCRIPTS += $(CPU8D_TESTS)
EXTRA_DIST += tests/servers/cookiejar.sh
VALGRIND_TESTS += tests/t_cpu8d
