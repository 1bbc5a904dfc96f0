# tests/mains.mk: lib/server, the runtime both FastCGI programs run on.
check_PROGRAMS += tests/t_server
tests_t_server_SOURCES = tests/t_server.c tests/tap.h
tests_t_server_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_server_LDADD = $(GK_LIBS) $(FCGI_LIBS)
TESTS += tests/t_server
VALGRIND_TESTS += tests/t_server
