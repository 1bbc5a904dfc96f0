# tests/man8.mk: the man pages' Apache, lighttpd and Caddy examples and gatekeep-login(8)'s run as written.
MAN8_TESTS = tests/man8_apache.sh tests/man8_lighttpd.sh tests/man8_caddy.sh tests/man8_login.sh
TESTS += $(MAN8_TESTS)
dist_check_SCRIPTS += $(MAN8_TESTS)
EXTRA_DIST += tests/man8_lib.sh
