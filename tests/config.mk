# tests/config.mk: configuration, CIDR lists, logging, and the man page lint.
check_PROGRAMS += tests/t_config tests/t_cidr tests/t_log
tests_t_config_SOURCES = tests/t_config.c tests/tap.h
tests_t_config_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_config_LDADD = $(GK_LIBS)
tests_t_cidr_SOURCES = tests/t_cidr.c tests/tap.h
tests_t_cidr_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_cidr_LDADD = $(GK_LIBS)
tests_t_log_SOURCES = tests/t_log.c tests/tap.h
tests_t_log_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_log_LDADD = $(GK_LIBS)
TESTS += tests/t_config tests/t_cidr tests/t_log tests/man_lint.sh tests/docs_agree.sh
VALGRIND_TESTS += tests/t_config tests/t_cidr tests/t_log
dist_check_SCRIPTS += tests/man_lint.sh tests/docs_agree.sh

# The commented example configuration (t_config checks it against the built-in defaults).
EXTRA_DIST += contrib/gatekeep.conf
