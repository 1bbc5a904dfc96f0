#!/bin/bash
# tests/srv_caddy_login.sh: the browser login flow through a real Caddy 2 with
# contrib/caddy/Caddyfile as shipped (forward_auth relays gatekeep's 302 to the sign-in
# page under handle /gatekeep/*, which reverse_proxy + transport fastcgi serves from
# gatekeep-login without forward_auth); the app is app.cgi behind a plain lighttpd, which
# sees the user as the Remote-User header Caddy copies from the auth answer.
# Flow and checks: tests/servers/login-flow.sh.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/servers/appcookie.sh"

gk_world
gk_login_world
# forward_auth sends the original method, URI, host and scheme as X-Forwarded-* headers:
# without frontend = caddy there is no login redirect (and rd has no host to go back to)
GK_EXTRA_CONF="$GK_EXTRA_CONF
frontend = caddy"
gk_conf "192.0.2.1/32"
gk_start_authz unix
gk_start_login
gk_start_backend
# one site for both host names (as an SSO set-up lists its apps)
GK_CADDY_SITE="http://$H1, http://$H2"
gk_start_caddy
diag "caddy on $A1 and $A2, gatekeep-authz on $GK_SOCK, gatekeep-login on $LOGIN_SOCK"

IDVAR=HTTP_REMOTE_USER
gk_check_login caddy-login
gk_check_app_cookie_session caddy-login

# Caddy specifics: the sign-in page learns its own URL from REQUEST_URI and the Origin
# check needs HTTP_HOST with the port; a client's X-Forwarded-Host never becomes rd
rm -f "$JAR"
breq -H "$HTML" -H 'X-Forwarded-Host: evil.example' -H 'X-Forwarded-Proto: https' \
	-H 'X-Forwarded-Uri: /public/' "$A1/private/?y=2"
is "$CODE" 302 "caddy-login: client X-Forwarded-* headers -> still 302"
is "$(hdr Location)" "/gatekeep/login?rd=$(urlenc "$A1/private/?y=2")" \
	"caddy-login: ... rd is built from what Caddy saw, not the client's X-Forwarded-*"
breq "$A2/gatekeep/whoami"
is "$CODE $BODY" '401 {"error":"unauthenticated"}' "caddy-login: /gatekeep/whoami without a session -> gatekeep-login's 401"
form_login alice alice-pw "$A2/private/"
is "$CODE $(hdr Location)" "303 $A2/private/" "caddy-login: signed in again"
breq "$A2/gatekeep/whoami"
is "$CODE" 200 "caddy-login: /gatekeep/whoami with the session -> 200"
like "$BODY" '"user": *"alice"' "caddy-login: ... names alice"
nreq -H "$HTML" -H 'Remote_User: bob' "$A1/gatekeep/login"
is "$CODE" 400 "caddy-login: the underscore-header refusal covers the sign-in page too"

gk_alive login
ok $? "caddy-login: gatekeep-login is still running"
gk_alive caddy
ok $? "caddy-login: caddy is still running"
gk_check_login_logs caddy-login "$LOG/authz.out" "$LOG/login.out"
done_testing
