#!/bin/bash
# tests/attack10_loginrole.sh: gatekeep-login asked in the FastCGI Authorizer role. The two
# sockets sit side by side (/run/gatekeep/authz.sock, /run/gatekeep/login.sock, both
# root:www-data 0660): a site whose lighttpd authorizer names login.sock (a typo, a
# copied block of contrib/lighttpd/gatekeep-login.conf) asks gatekeep-login for every
# decision. gatekeep-login answered an Authorizer request as it answers a page request: its
# sign-in form, "Status: 200", which an authorizer's web server reads as "allow" - every
# protected URL was served to anyone, without a user. gatekeep-authz answers its own pages
# (metrics, health) only in the Responder role for the same reason; gatekeep-login, which
# never decides, must refuse the Authorizer (and Filter) role: never a 2xx. nginx asks in
# the Responder role (auth_request): there the request carries params only the
# authorizer's location sets (GATEKEEP_HOST in contrib/nginx/gatekeep.conf; Caddy's
# transport sets GATEKEEP_METHOD), and the same 200 was an allow.
# Held (not asserted here): Apache's mod_authnz_fcgi sends an authorizer no FCGI_STDIN, so
# gatekeep-login waits for it and closes (fastcgi-timeout): Apache answers 500.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"

CLIENT="$top_srcdir/tests/fcgi_client.py"
gk_world
gk_login_world
# gatekeep-login where the authorizer's socket should be (contrib's authz.sock renders to $GK_SOCK)
LOGIN_SOCK=$GK_SOCK
gk_start_login

# role ROLE: the Status of gatekeep-login's answer to a GET of a protected URL in ROLE
role() {
	"$PY" "$CLIENT" "$GK_SOCK" --role "$1" REQUEST_METHOD=GET HTTP_HOST=app.example.com \
		REQUEST_URI=/private/ SCRIPT_NAME=/private/ DOCUMENT_URI=/private/ REMOTE_ADDR=192.0.2.7 |
		tr -d '\r' | sed -n 's/^Status: \([0-9]*\).*/\1/p' | head -1
}
is "$(role responder)" 200 "Responder role: the sign-in form, as for a page request"
S=$(role authorizer)
unlike "${S:-none}" '^2' "Authorizer role: never a 2xx, the web server's 'allow' (got ${S:-none})"
S=$(role filter)
unlike "${S:-none}" '^2' "Filter role: never a 2xx (got ${S:-none})"
grep -q "Authorizer role: this is gatekeep-login; point the authorizer at gatekeep-authz's socket" "$LOG/login.out"
ok $? "the log names the likely misconfiguration"
# responder PARAM=VALUE: the Status of a Responder-role GET of the sign-in page with PARAM
responder() {
	"$PY" "$CLIENT" "$GK_SOCK" --role responder REQUEST_METHOD=GET HTTP_HOST=app.example.com \
		REQUEST_URI=/gatekeep/login SCRIPT_NAME=/gatekeep/login REMOTE_ADDR=192.0.2.7 "$1" |
		tr -d '\r' | sed -n 's/^Status: \([0-9]*\).*/\1/p' | head -1
}
for p in GATEKEEP_HOST=app.example.com GATEKEEP_METHOD=GET; do
	is "$(responder "$p")" 403 "Responder role with the authorizer's $p: 403"
done
# a requirement set for a whole host (SetEnvIf Host ...) reaches the login's location too
is "$(responder GATEKEEP_REQUIRE=group:admins)" 200 "a host-wide GATEKEEP_REQUIRE still gets the sign-in page"
# a client's header of that name arrives as HTTP_GATEKEEP_HOST, which is no authorizer's param
is "$(responder HTTP_GATEKEEP_HOST=x)" 200 "a client's Gatekeep-Host header changes nothing"

# lighttpd, contrib/lighttpd/gatekeep.conf, its authorizer socket gatekeep-login's
gk_start_lighttpd socket
req "$BASE/private/"
unlike "$CODE $(appvar REMOTE_USER)" '^200' "lighttpd: /private/ without credentials is not served ($CODE)"
unlike "$BODY" 'app-ok' "lighttpd: the app was not reached"
req -u alice:alice-pw "$BASE/admin/"
unlike "$CODE" '^200' "lighttpd: nor /admin/ ($CODE)"

# nginx, contrib/nginx/gatekeep.conf, its auth_request location's socket gatekeep-login's:
# the Responder role there, but with the authorizer's own params (GATEKEEP_HOST), which no
# page request of gatekeep-login's location carries
gk_stop lighttpd
ln -sf "$GK_SOCK" "$RUN/login.sock"     # its own location reaches it as well
gk_start_backend
gk_start_nginx
req "$BASE/private/"
unlike "$CODE $BODY" '^200 app-ok' "nginx: /private/ without credentials is not served ($CODE)"
req "$BASE/gatekeep/login"
is "$CODE" 200 "nginx: the sign-in page itself is still served"
gk_alive login
ok $? "gatekeep-login is still running"
done_testing
