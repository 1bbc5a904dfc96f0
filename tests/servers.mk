# tests/servers.mk: gatekeep-authz end to end behind real nginx, Apache (mod_authnz_fcgi,
# mod_fcgid), lighttpd and Caddy, and the browser login flow through nginx, Apache, lighttpd
# and Caddy.
# The tests render the shipped contrib/ configs.
SERVER_TESTS = \
	tests/srv_nginx.sh \
	tests/srv_apache_authnz.sh \
	tests/srv_apache_fcgid.sh \
	tests/srv_lighttpd.sh \
	tests/srv_caddy.sh \
	tests/srv_nginx_login.sh \
	tests/srv_apache_login.sh \
	tests/srv_lighttpd_login.sh \
	tests/srv_caddy_login.sh \
	tests/srv_nginx_events.sh
TESTS += $(SERVER_TESTS)
dist_check_SCRIPTS += $(SERVER_TESTS)
EXTRA_DIST += \
	tests/servers/harness.sh \
	tests/servers/login-flow.sh \
	tests/servers/app.cgi \
	tests/servers/gatekeep.conf.in \
	tests/servers/backend-lighttpd.conf \
	tests/servers/nginx-main.conf \
	tests/servers/apache-main.conf \
	tests/servers/lighttpd-main.conf \
	tests/servers/Caddyfile.main \
	contrib/nginx/gatekeep.conf \
	contrib/apache/gatekeep-authnz.conf \
	contrib/apache/gatekeep-fcgid.conf \
	contrib/apache/gatekeep-login.conf \
	contrib/apache/gatekeep-login-cgi.conf \
	contrib/lighttpd/gatekeep.conf \
	contrib/lighttpd/gatekeep-binpath.conf \
	contrib/lighttpd/gatekeep-login.conf \
	contrib/lighttpd/gatekeep-login-cgi.conf \
	contrib/caddy/Caddyfile \
	docs/servers.md \
	docs/login.md
# make check-servers: only these (they need the programs built first).
check-servers: $(bin_PROGRAMS) $(sbin_PROGRAMS) $(cgibin_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(SERVER_TESTS)'
.PHONY: check-servers
