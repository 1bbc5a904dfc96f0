#!/bin/bash
# tests/srv_caddy.sh: gatekeep-authz behind a real Caddy 2 (forward_auth with transport
# fastcgi over a unix socket), contrib/caddy/Caddyfile as shipped; the app is app.cgi
# behind reverse_proxy and receives the identity as the Remote-User header.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/servers/appcookie.sh"

gk_world
GK_EXTRA_CONF="frontend = caddy"
gk_conf "192.0.2.1/32"
gk_start_backend
gk_start_authz unix
gk_start_caddy
diag "caddy on $BASE, gatekeep-authz on $GK_SOCK"

IDVAR=HTTP_REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
gk_check_auth caddy

# Caddy specifics
req -u alice:alice-pw "$BASE/private/"
is "$(appvar HTTP_REMOTE_GROUPS)" users "caddy: copy_headers passes Remote-Groups"
req -H 'Remote-User: bob' -H 'Remote-Groups: admins' "$BASE/public/"
unlike "$(appvar HTTP_REMOTE_GROUPS)" 'admins' "caddy: a client Remote-Groups does not survive a bypass answer"
req -u alice:alice-pw -H 'Remote_User: bob' "$BASE/private/"
is "$CODE" 400 "caddy: a Remote_User header is refused by the contrib config"
req -u bob:bob-pw "$BASE/staff/"
is "$CODE" 200 "caddy: admins pass group:staff"
req -X POST -d 'x=1' -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "caddy: POST with a body is authorized"
is "$(appvar BODY_LENGTH)" 3 "caddy: ... and the app got the request body"

# Underscore spellings (Caddy's FastCGI environment is a Go map keyed HTTP_ + name with
# '-' -> '_': a client's X_Forwarded_Uri and Caddy's X-Forwarded-Uri share one key and
# either may win). 30 tries each: with a random winner, one would get through.
N=30
# under_try LABEL WANT_RE CURL_ARGS...: N requests; every status must match WANT_RE and
# the app must never run.
under_try() {
	local label="$1" want="$2" i codes="" ran=0
	shift 2
	for i in $(seq $N); do
		req "$@"
		codes="$codes $CODE"
		case "$BODY" in app-ok*) ran=$((ran + 1)) ;; esac
	done
	codes=$(echo $codes | tr ' ' '\n' | sort | uniq -c | tr -s ' \n' ' ')
	like "$codes" "^ *([0-9]+ ($want) *)+$" "caddy: $label: $N x never served (statuses:$codes)"
	is "$ran" 0 "caddy: $label: ... the app never ran"
}
# 1. The shipped Caddyfile refuses them (400) before gatekeep is asked.
under_try "X_Forwarded_Uri: /public/x on /private/" 400 -H 'X_Forwarded_Uri: /public/x' "$BASE/private/"
under_try "X_Forwarded_Method: GET on rita's DELETE" 400 -u rita:rita-pw -X DELETE \
	-H 'X_Forwarded_Method: GET' "$BASE/private/"
under_try "x_forwarded_host (any case)" 400 -H 'x_forwarded_host: 10.11.1.11' "$BASE/private/"
req -u alice:alice-pw -H 'X_Remote_User: zed' "$BASE/private/"
is "$CODE/$(appvar HTTP_X_REMOTE_USER)" 200/ "caddy: any other header with '_' is dropped before the app"
# 2. Without those lines in the Caddyfile, gatekeep's cross-check alone still holds.
gk_stop caddy
GK_CADDY_SED='/respond @us_/d; /request_header -\*_\*/d' gk_start_caddy
req -u alice:alice-pw "$BASE/private/"
is "$CODE/$(appvar HTTP_REMOTE_USER)" 200/alice "caddy without the '_' guard: alice still gets in"
under_try "unguarded: X_Forwarded_Uri: /public/x on /private/" '401|403' \
	-H 'X_Forwarded_Uri: /public/x' "$BASE/private/"
under_try "unguarded: alice + X_Forwarded_Uri: /x on /admin/" 403 -u alice:alice-pw \
	-H 'X_Forwarded_Uri: /x' "$BASE/admin/"
under_try "unguarded: rita's DELETE + X_Forwarded_Method: GET" 403 -u rita:rita-pw -X DELETE \
	-H 'X_Forwarded_Method: GET' "$BASE/private/"
gk_conf "192.0.2.1/32" "bypass_hosts = 10.11.1.11" "bypass_hosts_from = 127.0.0.0/8" "bypass_user = erin"
gk_restart_authz unix
under_try "unguarded: X_Forwarded_Host: <a bypass host>" '401|403' \
	-H 'X_Forwarded_Host: 10.11.1.11' "$BASE/private/"
like "$(cat "$LOG/authz.out")" 'reason=forwarded-uri-mismatch' "caddy: the forged URI was logged as such"
like "$(cat "$LOG/authz.out")" 'reason=forwarded-method-mismatch' "caddy: the forged method was logged as such"
like "$(cat "$LOG/authz.out")" 'reason=forwarded-host-mismatch' "caddy: the forged host was logged as such"
gk_stop caddy
gk_conf "192.0.2.1/32"
gk_restart_authz unix
gk_start_caddy

gk_check_proxy caddy unix
gk_check_app_cookie caddy
# Caddy 2.6 sends no SERVER_ADDR: bypass_hosts_on never holds (set env SERVER_ADDR in
# the transport of a site that listens on the private address only)
gk_check_bypass_host caddy unix "127.0.0.1:$PORT" 401
gk_alive authz
ok $? "caddy: gatekeep-authz is still running"
gk_check_logs caddy "$LOG/authz.out"
done_testing
