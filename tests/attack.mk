# tests/attack.mk: regressions for weaknesses found attacking app tokens and the credentials store.
check_PROGRAMS += tests/t_attack
tests_t_attack_SOURCES = tests/t_attack.c tests/tap.h
tests_t_attack_CFLAGS = $(AM_CFLAGS) $(GK_DEP_CFLAGS)
tests_t_attack_LDADD = $(GK_LIBS)
TESTS += tests/t_attack
VALGRIND_TESTS += tests/t_attack
