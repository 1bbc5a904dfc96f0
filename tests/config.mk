# tests/config.mk: configuration, CIDR lists, logging, and the man page lint.
GK_UNIT_TESTS += tests/t_config tests/t_cidr tests/t_log
TESTS += tests/man_lint.sh tests/docs_agree.sh
dist_check_SCRIPTS += tests/man_lint.sh tests/docs_agree.sh

# The commented example configuration (t_config checks it against the built-in defaults).
EXTRA_DIST += contrib/gatekeep.conf
