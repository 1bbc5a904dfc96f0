#!/bin/bash
# tests/seed_pytorrent.sh: docs/howto-pytorrent.md for real: nginx + gatekeep-authz + a
# pyTorrent stand-in (PYTORRENT_AUTH_PROVIDER=proxy) that needs a non-empty Remote-User,
# auto-creates users, checks Origin on unsafe API calls and serves Socket.IO over a real
# RFC 6455 WebSocket: the upgrade is authorized with the same identity as plain requests.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/seeds/seedlib.sh"

seed_docs_match pytorrent gatekeep.conf nginx.conf pytorrent.env
gk_world
"$GK_PASSWD" -b "$GK/users.db" admin "$("$PY" -c 'import secrets; print(secrets.token_hex(24))')" \
	>>"$LOG/passwd.out" 2>&1 || bail "cannot create the bypass user"
TOKENTOOL="$top_builddir/tests/tokentool"
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
chmod 600 "$GK/secret"
seed_start_app pytorrent
# The private listener (10.11.1.11:8090 in the example) is 127.0.0.2:$PORT here: nginx
# sends it as SERVER_ADDR, which bypass_hosts_on must name.
LAN=127.0.0.2
SEED_SED="s|listen 10\.11\.1\.11:8090;|listen $LAN:$PORT;|; s|^bypass_hosts_on = 10\.11\.1\.11\$|bypass_hosts_on = $LAN|"
seed_start_gk pytorrent 8090
grep -q "^bypass_hosts_on = $LAN\$" "$GK/gatekeep.conf" || bail "bypass_hosts_on was not rendered"
seed_start_nginx pytorrent 8090
grep -q "listen $LAN:$PORT;" "$TMP/contrib/nginx/gatekeep.conf" || bail "the private listener was not rendered"
NG="127.0.0.1:$PORT"
LANBASE="http://$LAN:$PORT"
ORIGIN='https://pytorrent.example.com'
SIO='/socket.io/?EIO=4&transport=websocket'

# plain requests
req "$BASE/api/torrents"
is "$CODE" 401 "no credentials -> 401"
unlike "$BODY" pytorrent "... pyTorrent did not see the request"
req -u alice:alice-pw "$BASE/api/torrents"
is "$CODE" 200 "alice (Basic) -> 200"
is "$(jget user)/$(jget role)/$(jget permission)" alice/user/full \
	"pyTorrent auto-created alice with PYTORRENT_AUTH_PROXY_AUTO_CREATE_ROLE/_PERMISSION (rw = full)"
req -u alice:alice-pw -H 'Remote-User: admin' "$BASE/api/torrents"
is "$(jget user)" alice "a client Remote-User: admin does not change who pyTorrent sees"
req -H 'Remote-User: admin' "$BASE/api/torrents"
is "$CODE" 401 "a client Remote-User: admin alone -> 401"
seed_spoof 200 "alice on /api/torrents" "$BASE/api/torrents" -u alice:alice-pw
seed_app_cookie "alice on /api/torrents" "$BASE/api/torrents" -u alice:alice-pw
seed_app_cookie "alice on /socket.io/" "$BASE/socket.io/?EIO=4&transport=polling" -u alice:alice-pw
seed_spoof 200 "alice on /socket.io/ (polling)" "$BASE/socket.io/?EIO=4&transport=polling" -u alice:alice-pw
seed_spoof 401 "/api/torrents without credentials" "$BASE/api/torrents"

# direct-IP bypass (bypass_hosts/bypass_user): pyTorrent's built-in admin, no login,
# only on the private listener
req -H 'Host: 10.11.1.11:8090' "$LANBASE/api/torrents"
is "$CODE" 200 "private listener, Host: 10.11.1.11:8090 (bypass_hosts) without credentials -> 200"
is "$(jget user)/$(jget role)" admin/admin "... as pyTorrent's default admin (bypass_user)"
req -H 'Host: 10.11.1.11' "$LANBASE/api/torrents"
is "$(jget user)" admin "private listener, Host: 10.11.1.11 -> admin"
seed_spoof 200 "private listener (bypass_hosts)" "$LANBASE/api/torrents" -H 'Host: 10.11.1.11'
req -H 'Host: 10.11.1.12:8090' "$LANBASE/api/torrents"
is "$CODE" 401 "private listener, another private Host -> 401"
# (Debian's fastcgi_params sends HTTP_HOST as nginx's $host, lower case without port or
# trailing dot, which is also what pyTorrent gets: "10.11.1.11." is 10.11.1.11 there.)
# the same Host values on the public listener: anyone can send them
for h in 10.11.1.11:8090 10.11.1.11 10.11.1.11. 10.11.1.11:8090. 10.11.1.11$'\t' 10.11.1.11' ' 10.11.1.11$'\t'x; do
	req -H "Host: $h" "$BASE/api/torrents"
	like "$CODE" '^40[01]$' "public listener, a forged Host: $(printf %q "$h") -> no bypass (got $CODE)"
	unlike "$BODY" '"user"' "... pyTorrent did not see the request"
done
req -H 'Host: pytorrent.example.com' "$BASE/api/torrents"
is "$CODE" 401 "the public name -> 401"

# origin checks on unsafe API calls (gatekeep's allowed_origins, then pyTorrent's own)
req -u alice:alice-pw -X POST -H "Origin: $ORIGIN" -d 'x=1' "$BASE/api/torrents/add"
is "$CODE" 200 "POST with Origin $ORIGIN -> 200"
is "$(jget method)" POST "... pyTorrent ran the POST"
req -u alice:alice-pw -X POST -H 'Origin: https://evil.example' -d 'x=1' "$BASE/api/torrents/add"
is "$CODE" 403 "POST with a foreign Origin -> 403"
unlike "$BODY" pytorrent "... refused by gatekeep before pyTorrent"
req -u alice:alice-pw -X POST -H 'Referer: https://evil.example/x' -d 'x=1' "$BASE/api/torrents/add"
is "$CODE" 403 "POST with a foreign Referer -> 403"
req -u alice:alice-pw -X POST -H "Referer: $ORIGIN/ui" -d 'x=1' "$BASE/api/torrents/add"
is "$CODE" 200 "POST with a Referer on $ORIGIN -> 200"
req -u alice:alice-pw -X POST -d 'x=1' "$BASE/api/torrents/add"
is "$CODE/$(jget error)" "403/origin check failed" "POST without Origin: gatekeep lets a non-browser by, pyTorrent's own check refuses"

# Socket.IO over a real WebSocket, through nginx
ws "$NG" "$SIO" hello -u alice:alice-pw -H "Origin: $ORIGIN"
like "$WS" 'status=101' "WebSocket upgrade with Basic alice -> 101"
like "$WS" 'accept=ok' "... Sec-WebSocket-Accept is right (RFC 6455)"
like "$WS" 'frame=echo user=alice data=hello role=user' "... the echo frame names alice, as for plain requests"
tok=$("$TOKENTOOL" -g 1 issue "$GK/secret" gatekeep alice) || bail "tokentool issue"
ws "$NG" "$SIO" cookie -H "Cookie: gatekeep_session=$tok" -H "Origin: $ORIGIN"
like "$WS" 'status=101' "WebSocket upgrade with alice's session cookie -> 101"
like "$WS" 'frame=echo user=alice data=cookie' "... the same identity (alice)"
ws "$NG" "$SIO" x -H "Cookie: gatekeep_session=$(tamper "$tok")"
like "$WS" '^status=401' "a tampered session cookie -> 401"
unlike "$WS" '101|frame=' "... never 101"
ws "$NG" "$SIO" anon
like "$WS" '^status=401' "WebSocket upgrade without credentials -> 401"
unlike "$WS" '101|frame=' "... never 101, no frame"
ws "$NG" "$SIO" x -u "alice:$BADPW"
like "$WS" '^status=401' "WebSocket upgrade with a bad password -> 401"
ws "$NG" "$SIO" x -H 'Remote-User: admin'
like "$WS" '^status=401' "WebSocket upgrade with only a client Remote-User: admin -> 401"
ws "$NG" "$SIO" forged -u erin:erin-pw -H 'Remote-User: admin'
like "$WS" 'frame=echo user=erin data=forged' "Basic erin + client Remote-User: admin -> the socket is erin's"
ws "$NG" "$SIO" x -u alice:alice-pw -H 'Origin: https://evil.example'
like "$WS" '^status=403' "Socket.IO from a foreign Origin: pyTorrent's CORS check refuses (403, no 101)"
ws "$LAN:$PORT" "$SIO" lan -H 'Host: 10.11.1.11:8090'
like "$WS" 'frame=echo user=admin data=lan role=admin' "WebSocket on the private listener runs as the bypass user"
ws "$NG" "$SIO" x -H 'Host: 10.11.1.11:8090'
like "$WS" '^status=401' "WebSocket on the public listener with Host: 10.11.1.11:8090 -> 401"
req -u alice:alice-pw "$BASE/socket.io/?EIO=4&transport=polling"
is "$(jget user)/$(jget transport)" alice/polling "Socket.IO long-polling (no upgrade) sees alice too"

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs pytorrent "$LOG/authz.out"
done_testing
