#!/bin/bash
# tests/srv_nginx_login.sh: the browser login flow through a real nginx with
# contrib/nginx/gatekeep.conf as shipped (auth_request + error_page 401 turning gatekeep's
# Location into a 302; the sign-in page under location /gatekeep/ without auth_request);
# the app is app.cgi behind a plain lighttpd, which sees the user as the Remote-User
# header nginx sets. Flow and checks: tests/servers/login-flow.sh.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"

gk_world
gk_login_world
gk_start_authz unix
gk_start_login
gk_start_backend
# Debian's fastcgi_params (security update) passes HTTP_HOST as $host, without the
# port: on a non-standard port (like this test's) the return address would lose its
# port and the form's Origin would not match its Host. docs/login.md gives the fix used
# here: a copy of fastcgi_params with HTTP_HOST $host:$server_port.
GK_FASTCGI_PARAMS="$RUN/fastcgi_params"
sed 's|^\(fastcgi_param[[:space:]]*HTTP_HOST[[:space:]]*\)\$host;|\1$host:$server_port;|' \
	/etc/nginx/fastcgi_params >"$GK_FASTCGI_PARAMS"
gk_start_nginx
diag "nginx on $A1 and $A2, gatekeep-authz on $GK_SOCK, gatekeep-login on $LOGIN_SOCK"

IDVAR=HTTP_REMOTE_USER
gk_check_login nginx-login
gk_check_long_inputs nginx-login

gk_alive login
ok $? "nginx-login: gatekeep-login is still running"
gk_check_login_logs nginx-login "$LOG/authz.out" "$LOG/login.out"
done_testing
