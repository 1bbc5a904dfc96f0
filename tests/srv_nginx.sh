#!/bin/bash
# tests/srv_nginx.sh: gatekeep-authz behind a real nginx (auth_request -> FastCGI unix
# socket), with contrib/nginx/gatekeep.conf as shipped; the app is app.cgi behind a
# proxy_pass backend that receives the identity as the Remote-User header.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/servers/appcookie.sh"

gk_world
"$GK_PASSWD" --name 'Alice Liddell' "$GK/users.db" alice >>"$LOG/passwd.out" 2>&1 || bail "set alice's name"
gk_start_backend
gk_start_authz unix
gk_start_nginx
diag "nginx on $BASE, gatekeep-authz on $GK_SOCK"

IDVAR=HTTP_REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
gk_check_auth nginx

# nginx specifics
req -u alice:alice-pw "$BASE/private/"
is "$(appvar REMOTE_USER)" "" "nginx: the proxied app gets no REMOTE_USER (only the Remote-User header)"
# Debian's fastcgi_params hands the authorizer REMOTE_USER=$remote_user, the unverified
# Basic name: with a wrong password it must not count.
req -u "bob:$BADPW" "$BASE/admin/"
is "$CODE" 401 "nginx: REMOTE_USER=bob from fastcgi_params with a bad password -> 401"
# ... a NUL in that name reaches gatekeep inside REMOTE_USER: refused before libfcgi, and
# answered (403), never dropped (nginx would tell the client 500)
req -H "Authorization: Basic $(printf 'al\0ice:alice-pw' | base64 -w0)" "$BASE/private/"
is "$CODE" 403 "nginx: a NUL in the Basic user name (REMOTE_USER) -> 403, not 500"
gk_alive authz
ok $? "nginx: ... gatekeep-authz is still running"
req -H 'Accept: text/html' "$BASE/private/?a=1&b=2"
like "$(hdr Location)" 'rd=' "nginx: the login redirect carries the return address"
# nginx drops headers with underscores by default, so they never reach gatekeep
req -u alice:alice-pw -H 'Remote_User: bob' "$BASE/private/"
is "$(appvar HTTP_REMOTE_USER)" alice "nginx: a Remote_User header does not reach the app"
# the display name is gatekeep's, never the client's (bob has none)
req -u alice:alice-pw -H 'Remote-Name: Administrator' "$BASE/private/"
is "$(appvar HTTP_REMOTE_NAME)" "Alice Liddell" "nginx: Remote-Name is gatekeep's display name, not the client's"
req -u bob:bob-pw -H 'remote-name: Administrator' "$BASE/private/"
is "$CODE/$(appvar HTTP_REMOTE_NAME)" 200/ "nginx: a user without one: no Remote-Name, not the client's"
req -X POST -d 'x=1' -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "nginx: POST with a body is authorized too (body not sent to the authorizer)"
is "$(appvar BODY_LENGTH)" 3 "nginx: ... and the app got the request body"
req -u bob:bob-pw "$BASE/staff/"
is "$CODE" 200 "nginx: admins pass group:staff"

gk_check_app_cookie nginx

gk_check_path_readings nginx
like "$(cat "$LOG/authz.out")" 'deny user=alice method=basic .*reason=forbidden uri=/admin/\.\.;/x' \
    "nginx: a path with several readings is logged as sent (not as Tomcat's /x)"
gk_check_proxy nginx unix
gk_check_bypass_host nginx unix gk-lan.test 200/erin
gk_alive authz
ok $? "nginx: gatekeep-authz is still running"
gk_check_logs nginx "$LOG/authz.out"
done_testing
