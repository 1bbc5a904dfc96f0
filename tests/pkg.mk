# tests/pkg.mk: the Debian package built from this tree, installed, served behind nginx and
# purged (tests/pkg_install.sh; root and dpkg-buildpackage, else skipped). debian/ ships in
# the release tarball, so a tarball builds the same package.
TESTS += tests/pkg_install.sh
dist_check_SCRIPTS += tests/pkg_install.sh
EXTRA_DIST += \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/rules \
	debian/source/format \
	debian/gatekeep.postinst \
	debian/gatekeep.postrm \
	docs/packaging.md
# make check-pkg: only this one.
check-pkg:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='tests/pkg_install.sh'
.PHONY: check-pkg
# lib/deploycheck: --check-config's look at the files, modes, owners and users a program needs.
GK_UNIT_TESTS += tests/t_deploycheck
# gatekeep-authz --check-config with lib/deploycheck behind it.
TESTS += tests/check_config_deploy.sh
dist_check_SCRIPTS += tests/check_config_deploy.sh
