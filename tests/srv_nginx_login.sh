#!/bin/bash
# tests/srv_nginx_login.sh: the browser login flow through a real nginx with
# contrib/nginx/gatekeep.conf as shipped (auth_request + error_page 401 turning gatekeep's
# Location into a 302; the sign-in page under location /gatekeep/ without auth_request);
# the app is app.cgi behind a plain lighttpd, which sees the user as the Remote-User
# header nginx sets. Flow and checks: tests/servers/login-flow.sh.
# Then a secret rotation with the real gatekeep-passwd while both programs run: no
# restart, no signal; the old key is honoured for one session TTL after a routine
# rotation and not at all after --leaked, and new sessions are signed with the new key.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/servers/appcookie.sh"

gk_world
gk_login_world
gk_start_login_nginx
diag "nginx on $A1 and $A2, gatekeep-authz on $GK_SOCK, gatekeep-login on $LOGIN_SOCK"

IDVAR=HTTP_REMOTE_USER
gk_check_login nginx-login
gk_check_long_inputs nginx-login
gk_check_app_cookie_session nginx-login

# signed_with KEYFILE TOKEN: true if TOKEN's HS256 signature verifies with KEYFILE's key.
signed_with() {
	"$PY" - "$1" "$2" <<'PY'
import sys, jwt
key = open(sys.argv[1], "rb").read().rstrip(b"\n")
try:
    jwt.decode(sys.argv[2], key, algorithms=["HS256"], options={"verify_aud": False})
except jwt.InvalidSignatureError:
    sys.exit(1)
PY
}
# session_as LABEL COOKIE USER|-: the app answers as USER with COOKIE, or (-) refuses it.
session_as() {
	nreq -H "Cookie: gatekeep_session=$2" "$A1/private/"
	if [ "$3" = - ]; then
		is "$CODE" 401 "$1: refused (401)"
		unlike "$BODY" 'app-ok' "$1: the app did not run"
	else
		is "$CODE" 200 "$1: 200"
		is "$(appvar HTTP_REMOTE_USER)" "$3" "$1: as $3"
	fi
}
# fresh_login: a new form login; prints nothing, sets NEW to the session cookie's value.
fresh_login() {
	rm -f "$JAR"
	form_login alice alice-pw "$A1/private/"
	NEW=$(cookieval gatekeep_session)
}
R="nginx-login rotation"
# the processes that serve (pool parents and workers): a restart or a SIGHUP would change them
serving() { echo $(cat "$RUN/authz.pid" "$RUN/login.pid") $(pgrep -P "$(cat "$RUN/authz.pid")") $(pgrep -P "$(cat "$RUN/login.pid")"); }
pids_before=$(serving)
cp "$GK/secret" "$TMP/key0"
fresh_login
is "$CODE" 303 "$R: signed in"
c0=$NEW
signed_with "$TMP/key0" "$c0"; ok $? "$R: the cookie is signed with the current key"
session_as "$R: before any rotation" "$c0" alice

"$GK_PASSWD" --rotate-secret --secret-file "$GK/secret" "$GK/users.db" >"$LOG/rotate.out" 2>&1
ok $? "$R: gatekeep-passwd --rotate-secret"
cp "$GK/secret" "$TMP/key1"
session_as "$R: routine rotation, a cookie of the previous key (inside one session TTL)" "$c0" alice
fresh_login
is "$CODE" 303 "$R: routine rotation: signed in again"
c1=$NEW
signed_with "$TMP/key1" "$c1"; ok $? "$R: routine rotation: gatekeep-login signs with the new key at once"
! signed_with "$TMP/key0" "$c1"; ok $? "$R: ... not with the old one"
session_as "$R: routine rotation, a cookie of the new key" "$c1" alice
# one session TTL (12 h) after the rotation: the previous key stops verifying
touch -d '-13 hours' "$GK/secret.prev"
session_as "$R: 13 h after a routine rotation, a cookie of the previous key" "$c0" -
session_as "$R: 13 h after a routine rotation, a cookie of the new key" "$c1" alice

"$GK_PASSWD" --rotate-secret --leaked --secret-file "$GK/secret" "$GK/users.db" >>"$LOG/rotate.out" 2>&1
ok $? "$R: gatekeep-passwd --rotate-secret --leaked"
[ ! -e "$GK/secret.prev" ]; ok $? "$R: --leaked leaves no previous key"
session_as "$R: after --leaked, the cookie of the leaked key" "$c1" -
session_as "$R: after --leaked, an older cookie" "$c0" -
fresh_login
is "$CODE" 303 "$R: after --leaked: signed in again"
c2=$NEW
signed_with "$GK/secret" "$c2"; ok $? "$R: after --leaked: gatekeep-login signs with the new key"
session_as "$R: after --leaked, a cookie of the new key" "$c2" alice
is "$(serving)" "$pids_before" "$R: neither program nor any worker was restarted or reloaded"
like "$pids_before" '^[0-9]+ [0-9]+ [0-9]+ [0-9]+' "$R: ... (both pools have workers: $pids_before)"
like "$(cat "$LOG/authz.out")" "secret_file $GK/secret: changed on disk, key reloaded" \
    "$R: gatekeep-authz logged the reload"
like "$(cat "$LOG/login.out")" "secret_file $GK/secret: changed on disk, key reloaded" \
    "$R: gatekeep-login logged the reload"

gk_alive login
ok $? "nginx-login: gatekeep-login is still running"
gk_check_login_logs nginx-login "$LOG/authz.out" "$LOG/login.out"
done_testing
