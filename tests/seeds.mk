# tests/seeds.mk: the seed apps' how-tos (docs/howto-*.md) run for real: nginx +
# gatekeep-authz + a stand-in app enforcing the app's documented auth contract.
SEED_TESTS = \
	tests/seed_navidrome.sh \
	tests/seed_pytorrent.sh \
	tests/seed_2fauth.sh \
	tests/seed_organizr.sh \
	tests/seed_tisbackup.sh
TESTS += $(SEED_TESTS)
dist_check_SCRIPTS += $(SEED_TESTS)
EXTRA_DIST += \
	tests/seeds/seedlib.sh \
	tests/seeds/backend.py \
	tests/seeds/wsclient.py \
	docs/howto-navidrome.md \
	contrib/apps/navidrome/gatekeep.conf \
	contrib/apps/navidrome/nginx.conf \
	contrib/apps/navidrome/navidrome.env \
	docs/howto-pytorrent.md \
	contrib/apps/pytorrent/gatekeep.conf \
	contrib/apps/pytorrent/nginx.conf \
	contrib/apps/pytorrent/pytorrent.env \
	docs/howto-2fauth.md \
	contrib/apps/2fauth/gatekeep.conf \
	contrib/apps/2fauth/nginx.conf \
	contrib/apps/2fauth/2fauth.env \
	docs/howto-organizr.md \
	contrib/apps/organizr/gatekeep.conf \
	contrib/apps/organizr/nginx.conf \
	contrib/apps/organizr/organizr.env \
	docs/howto-tisbackup.md \
	contrib/apps/tisbackup/gatekeep.conf \
	contrib/apps/tisbackup/nginx.conf \
	contrib/apps/tisbackup/tisbackup_gui.ini \
	contrib/apps/tisbackup/tisbackup.env
# make check-seeds: only these (they need the programs built first).
check-seeds: $(bin_PROGRAMS) $(sbin_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(SEED_TESTS)'
.PHONY: check-seeds
