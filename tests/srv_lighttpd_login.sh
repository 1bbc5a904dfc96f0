#!/bin/bash
# tests/srv_lighttpd_login.sh: the browser login flow through a real lighttpd:
# contrib/lighttpd/gatekeep.conf (authorizer mode relays gatekeep's "Status: 302") plus
# contrib/lighttpd/gatekeep-login.conf (the sign-in page as a FastCGI responder, no
# authorizer under /gatekeep/), then contrib/lighttpd/gatekeep-login-cgi.conf (login.cgi
# through mod_cgi). Flow and checks: tests/servers/login-flow.sh.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"

gk_world
gk_login_world
gk_start_authz unix
gk_start_login
GK_LOGIN_SITE="$CONTRIB/lighttpd/gatekeep-login.conf"
gk_start_lighttpd socket
diag "lighttpd on $A1 and $A2, gatekeep-authz on $GK_SOCK, gatekeep-login on $LOGIN_SOCK"

gk_check_login lighttpd-login

gk_alive login
ok $? "lighttpd-login: gatekeep-login is still running"
gk_check_login_logs lighttpd-login "$LOG/authz.out" "$LOG/login.out"

# the CGI build: login.cgi through mod_cgi (lighttpd runs as the test's user here, or as
# nobody when that is root)
gk_stop lighttpd
gk_stop login
# (as root, lighttpd runs its CGIs as nobody, the user gatekeep-authz serves as: both use
# one lockout table, which must belong to the user that writes it)
if [ "$(id -u)" = 0 ]; then
	GK_LIGHTTPD_USER=nobody
	chown nobody:nogroup "$LOG/lighttpd-error.log"   # reopened after the switch
	gk_install_login_cgi nobody nogroup
else
	gk_install_login_cgi "$(id -un)" "$(id -gn)"
fi
: >"$LOG/authz.out"
GK_LOGIN_SITE="$CONTRIB/lighttpd/gatekeep-login-cgi.conf"
gk_start_lighttpd socket
gk_check_login lighttpd-login-cgi
gk_check_login_logs lighttpd-login-cgi "$LOG/authz.out" "$LOG/lighttpd.out"
done_testing
