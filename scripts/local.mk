# scripts/local.mk: the demo, test, bench and dependency scripts, and the `make bench` target.
dist_noinst_SCRIPTS += scripts/demo scripts/test scripts/bench scripts/install-deps
EXTRA_DIST += .ci/run tests/bench_floor.c

# Benchmark programs: built by `make bench` only, never part of `make check`.
EXTRA_PROGRAMS += tests/bench_floor
tests_bench_floor_SOURCES = tests/bench_floor.c
tests_bench_floor_CFLAGS = $(AM_CFLAGS) $(FCGI_CFLAGS)
tests_bench_floor_LDADD = $(FCGI_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)

bench-programs: all $(EXTRA_PROGRAMS)

bench: bench-programs
	$(SHELL) $(top_srcdir)/scripts/bench --builddir '$(abs_top_builddir)'
