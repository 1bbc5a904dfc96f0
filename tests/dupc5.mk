# tests/dupc5.mk: gatekeep-passwd's --token-* commands in its one option table.
TESTS += tests/dupc5_passwd_cli.sh
dist_check_SCRIPTS += tests/dupc5_passwd_cli.sh
