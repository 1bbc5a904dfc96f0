#!/bin/bash
# tests/srv_apache_login.sh: the browser login flow through a real Apache 2.4:
# contrib/apache/gatekeep-authnz.conf (mod_authnz_fcgi relays gatekeep's 302) plus
# contrib/apache/gatekeep-login.conf (the sign-in page through mod_proxy_fcgi, no auth),
# then contrib/apache/gatekeep-login-cgi.conf (login.cgi through mod_cgid).
# Flow and checks: tests/servers/login-flow.sh.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/servers/appcookie.sh"

gk_world
gk_login_world
gk_start_authz tcp
gk_start_login
GK_LOGIN_SITE="$CONTRIB/apache/gatekeep-login.conf"
gk_start_apache authnz
diag "apache on $A1 and $A2, gatekeep-authz on tcp:127.0.0.1:$GK_AUTHZ_PORT, gatekeep-login on $LOGIN_SOCK"

gk_check_login apache-login
gk_check_long_inputs apache-login
gk_check_app_cookie_session apache-login

gk_alive login
ok $? "apache-login: gatekeep-login is still running"
gk_check_login_logs apache-login "$LOG/authz.out" "$LOG/login.out"

# the CGI build: login.cgi through mod_cgid, run as Apache's User
gk_stop apache
gk_stop login
gk_install_login_cgi "$RUNUSER" "$RUNGROUP"
: >"$LOG/authz.out"
GK_LOGIN_SITE="$CONTRIB/apache/gatekeep-login-cgi.conf"
gk_start_apache authnz
gk_check_login apache-login-cgi
gk_check_app_cookie_session apache-login-cgi
gk_check_login_logs apache-login-cgi "$LOG/authz.out" "$LOG/apache-error.log"

# Apache hands a CGI program a query string without '=' as argv ("?-c+/dev/null" is
# "-c /dev/null"): gatekeep-login, which also answers as a CGI program, must ignore argv
# when GATEWAY_INTERFACE is set (login.cgi never reads it)
cp "$GK_LOGIN" "$CGIBIN/login.cgi"
for q in '-c+/dev/null' '--print-template' '-h' '--check-config'; do
	nreq "$A1/gatekeep/login?$q"
	is "$CODE" 200 "apache-login-cgi: gatekeep-login as CGI, query '$q' (argv) is ignored -> 200"
	like "$BODY" 'name="csrf"' "apache-login-cgi: ... the sign-in form"
done
like "$(cat "$LOG/apache-error.log")" 'command-line arguments ignored' "apache-login-cgi: ... and says so in the error log"
done_testing
