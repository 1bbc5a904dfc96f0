#!/bin/bash
# tests/cpu8d_login_jar.sh: the sign-in of a browser whose cookie jar for the domain is
# full (other apps' cookies around ours in a 24 KiB Cookie header): the login page reads
# its CSRF cookie out of the long header, the session cookie it sets is found beside them,
# and the app is served. Before GK_COOKIE_HEADER_MAX both refused the header (over GK_HEADER_MAX), and
# the user went round the login forever. nginx with large_client_header_buffers raised.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/servers/cookiejar.sh"

gk_world
gk_login_world
cat >"$TMP/jar.conf" <<'CONF'
large_client_header_buffers 4 64k;
CONF
GK_NGINX_INCLUDE="$TMP/jar.conf"
gk_start_login_nginx

# A browser sends every cookie of the domain in one Cookie header (curl's own jar sends at
# most 8 KiB of it, so the header is written here): 12 KiB of other apps' cookies.
P=$(pad 12288)
nreq -H "$HTML" -H "Cookie: $P" "$A1/private/"
is "$CODE" 302 "a 12 KiB Cookie header and no session: sent to sign in"
like "$(grep -a 'deny ' "$LOG/authz.out" | tail -1)" 'reason=no-credentials' "... as one with no credentials"
nreq -H "$HTML" -H "Cookie: $P" "$A1/gatekeep/login"
csrf=$(cookieval gatekeep_session_csrf) tok=$(field csrf)
like "$csrf" '^[A-Za-z0-9_-]+$' "the sign-in page sets its CSRF cookie"
nreq -H "Origin: $A1" -H "Cookie: $P; gatekeep_session_csrf=$csrf; $P" \
	--data-urlencode "csrf=$tok" --data-urlencode user=alice --data-urlencode password=alice-pw \
	--data-urlencode "rd=$A1/private/" "$A1/gatekeep/login"
is "$CODE" 303 "the sign-in, its CSRF cookie amid 24 KiB of others: 303"
sess=$(cookieval gatekeep_session)
like "$sess" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "... the session cookie set"
nreq -H "$HTML" -H "Cookie: $P; gatekeep_session=$sess; $P" "$A1/private/"
is "$CODE/$(appvar HTTP_REMOTE_USER)" "200/alice" "back at the app, the session cookie amid 24 KiB of others: alice"
like "$(grep -a ' user=alice ' "$LOG/authz.out" | tail -1)" 'allow .*method=session' "... a session allow"
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
