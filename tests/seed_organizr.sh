#!/bin/bash
# tests/seed_organizr.sh: docs/howto-organizr.md for real: Organizr-style server auth
# (auth_request /auth/N, N = Organizr group level) answered by gatekeep-authz behind nginx,
# for users at levels 0..4, 998 and 999, with Basic and with a session cookie.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/seeds/seedlib.sh"

seed_docs_match organizr gatekeep.conf nginx.conf organizr.env
gk_world
for l in 0 1 2 3 4 999; do
	"$GK_PASSWD" -b --level "$l" "$GK/users.db" "lvl$l" "lvl$l-pw" >>"$LOG/passwd.out" 2>&1 ||
		bail "cannot create lvl$l"
done
"$GK_PASSWD" --email alice@example.com "$GK/users.db" alice >>"$LOG/passwd.out" 2>&1 || bail "alice's e-mail"
TOKENTOOL="$top_builddir/tests/tokentool"
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
chmod 600 "$GK/secret"
seed_start_app organizr
seed_start_gk organizr "9000 8989 7878 5055 8181"
seed_start_nginx organizr "9000 8989 7878 5055 8181"

# expect LOCATION USER WANT: the status USER gets (Basic; "-" = no credentials)
expect() {
	if [ "$2" = - ]; then req "$BASE$1"; else req -u "$2:$2-pw" "$BASE$1"; fi
	is "$CODE" "$3" "$1 as $2 -> $3"
	if [ "$3" = 200 ]; then
		is "$(jget path)" "$1" "... the service answered"
	else
		unlike "$BODY" '"app"' "... the service did not run"
	fi
}
# /portainer/ = /auth/0 (Admin)
expect /portainer/ lvl0 200
expect /portainer/ lvl1 403
expect /portainer/ alice 403
expect /portainer/ bob 200          # group admins passes every level
expect /portainer/ - 401
# /sonarr/ = /auth/2 (Super User and above)
expect /sonarr/ lvl1 200
expect /sonarr/ lvl2 200
expect /sonarr/ lvl3 403
expect /sonarr/ lvl4 403
# /radarr/ = /auth/level:3
expect /radarr/ lvl3 200
expect /radarr/ lvl4 403
# /requests/ = /auth/998 (any logged-in user)
expect /requests/ lvl4 200
expect /requests/ alice 200         # default level 998
expect /requests/ lvl999 403        # a guest-level account is not "logged in" in Organizr's sense
expect /requests/ - 401
# /status/ = /auth/999 (guests)
expect /status/ - 200
expect /status/ lvl999 200

req -u alice:alice-pw "$BASE/requests/"
is "$(jget user)/$(jget email)" alice/alice@example.com "the service gets X-Organizr-User/-Email from gatekeep"
req -u alice:alice-pw -H 'X-Organizr-User: lvl0' "$BASE/requests/"
is "$(jget user)" alice "a client X-Organizr-User: lvl0 is replaced"
req -u lvl4:lvl4-pw -H 'X-Organizr-User: lvl0' -H 'Remote-User: lvl0' "$BASE/portainer/"
is "$CODE" 403 "client identity headers do not raise lvl4 to admin"
seed_spoof 200 "alice on /requests/ (/auth/998)" "$BASE/requests/" -u alice:alice-pw
seed_spoof 200 "/status/ without credentials (/auth/999)" "$BASE/status/"
seed_app_cookie "alice on /requests/" "$BASE/requests/" -u alice:alice-pw
seed_spoof 403 "lvl4 on /portainer/ (/auth/0)" "$BASE/portainer/" -u lvl4:lvl4-pw
req -u "lvl0:$BADPW" "$BASE/portainer/"
is "$CODE" 401 "bad password -> 401"

# one login for every service (session cookie)
tok=$("$TOKENTOOL" -g 1 issue "$GK/secret" gatekeep lvl2) || bail "tokentool issue"
req -H "Cookie: gatekeep_session=$tok" "$BASE/sonarr/"
is "$CODE" 200 "lvl2's session cookie opens /sonarr/ (/auth/2)"
req -H "Cookie: gatekeep_session=$tok" "$BASE/portainer/"
is "$CODE" 403 "... but not /portainer/ (/auth/0)"
req -H 'Accept: text/html' "$BASE/sonarr/"
is "$CODE" 302 "a browser without a session is sent to the login page"

# the auth endpoint itself is internal
req -u lvl0:lvl0-pw "$BASE/auth/0"
is "$CODE" 404 "/auth/0 cannot be requested from outside (internal)"
req -u lvl0:lvl0-pw "$BASE/organizr-auth/0"
is "$CODE" 404 "/organizr-auth/0 neither"

# level changes apply at once (no restart): lvl4 promoted to 2
"$GK_PASSWD" --level 2 "$GK/users.db" lvl4 >>"$LOG/passwd.out" 2>&1
expect /sonarr/ lvl4 200

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs organizr "$LOG/authz.out"
done_testing
