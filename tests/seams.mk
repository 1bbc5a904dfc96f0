# tests/seams.mk: the differential seam checker (tests/seams.sh, docs/seams.md): seeded
# mutated requests through the five real front ends, every request the app served checked
# against a model of the policy. `make check-seams` runs it alone; `tests/seams.sh --long`
# (from the build directory, with top_srcdir set) is the long run. It fails on any
# violation; GK_SEAMS_EXPECT_CLEAN=0 reports them as TODO instead.
TESTS += tests/seams.sh
dist_check_SCRIPTS += tests/seams.sh
EXTRA_DIST += \
	tests/seams/recorder.py \
	tests/seams/seamcheck.py \
	tests/seams/mutate.py \
	tests/seams/policy.py \
	tests/seams/summarize.py \
	tests/seams/selftest.py \
	tests/seams/lighttpd-main.conf \
	docs/seams.md
# make check-seams: only this one (it needs the programs and tests/tokentool built first).
check-seams: $(bin_PROGRAMS) $(sbin_PROGRAMS) tests/tokentool$(EXEEXT)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='tests/seams.sh'
.PHONY: check-seams
