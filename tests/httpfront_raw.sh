#!/bin/bash
# tests/httpfront_raw.sh: gatekeep-authz's HTTP socket (--http-listen, lib/httpconn) under
# hostile bytes sent straight at it: every bad head gets a 403 (never an allow) and a
# decision line, pipelined requests are answered in order, and 500 peers trickling bytes
# cost no request that nginx (contrib/nginx/gatekeep-http*.conf) sends meanwhile; then the
# trusted proxy header and bypass_hosts_on (SERVER_ADDR) through nginx, with restarts.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/httpfront.sh"

RAW="$top_srcdir/tests/httpfront/raw.py"
TOKENTOOL="$top_builddir/tests/tokentool"
PEERS=${GK_TRICKLE_PEERS:-500}
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"

gk_world
# a bad --http-listen names that option, not --listen
timeout 10 "$GK_AUTHZ" -c "$GK/gatekeep.conf" --listen "unix:$GK/unused.sock" \
    --http-listen bogus:1 >"$TMP/hl.out" 2>&1
like "$(cat "$TMP/hl.out")" '--http-listen bogus:1: expected unix:PATH' "a bad --http-listen is named"
gk_start_backend
gk_start_authz unix
gk_start_nginx_http
gen() { "$GK_PASSWD" --show="$1" "$GK/users.db" | sed -n 's/^generation: *//p'; }
TOK=$("$TOKENTOOL" -l 7200 -g "$(gen alice)" issue "$GK/secret" gatekeep alice) || bail "tokentool"

# --- hostile heads straight at the socket -----------------------------------------------------
out=$($PY "$RAW" cases "$GK_HTTP_SOCK")
diag "$(echo $out)"
st() { printf '%s\n' "$out" | awk -v n="$1" '$1 == n { print $2 }'; }
is "$(st valid-anonymous)" 401 "raw: a valid head without credentials -> 401"
is "$(st valid-alice)" 200 "raw: a valid head with Basic alice -> 200 (control)"
for c in cl-and-te two-cl cl-body chunked obs-fold bare-lf bare-cr nul ctl space-before-colon \
    http-0.9 absolute-form leading-crlf underscore-uri underscore-uri-alone twice-uri twice-addr \
    no-addr no-uri no-scheme no-server-addr no-gatekeep-host twice-gatekeep-host underscore-host \
    underscore-host-alone; do
	is "$(st "$c")" 403 "raw: $c -> 403"
done
# GATEKEEP_REQUIRE is a parameter only the web server sets over FastCGI; over HTTP the
# auth location's path names a requirement (/_gatekeep/group:staff), never a field
is "$(st require-bypass)" 401 "raw: X-Gatekeep-Require: bypass is no requirement (-> 401)"
# every refusal is a 403: nginx's auth_request turns a 400, 431 or 505 into a 500
is "$(st http-2)" 403 "raw: HTTP/2.0 in the request line -> 403"
is "$(st huge-head)" 403 "raw: a head over 128 KiB (FastCGI's params cap) -> 403"
is "$(st many-fields)" 403 "raw: 4200 fields (over FastCGI's 4096 pairs) -> 403"
is "$(st big-head)" 200 "raw: a 28 KiB head is decided (alice -> 200)"
is "$(st 150-fields)" 200 "raw: 150 fields are decided (alice -> 200)"
# HTTP_HOST is X-Gatekeep-Host: the head's own Host is nginx's ($proxy_host) and not read
is "$(st twice-host)" 401 "raw: two Host fields are not read (anonymous -> 401, not bad-host)"
unlike "$(st two-authorization)" "^200$" "raw: two Authorization fields -> never 200"
unlike "$out" " garbage" "raw: every answer was an HTTP/1.1 status line"
printf '%s\n' "$out" | grep -Ev '^(valid-alice|big-head|150-fields) ' | grep -q ' 200$'; [ $? -ne 0 ]
ok $? "raw: only the controls got a 200"
like "$(cat "$LOG/authz.out")" 'deny user=- method=http .*reason=bad-http-request' \
    "raw: refused heads are logged as decision lines (fail2ban's format)"
p=$($PY "$RAW" pipeline "$GK_HTTP_SOCK" "$(printf alice:alice-pw | base64 -w0)")
is "$p" "200 401 200" "raw: three pipelined requests answered in order"
gk_alive authz
ok $? "raw: gatekeep-authz is still running"
req -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "raw: nginx's requests still pass"

# --- peers trickling bytes at the HTTP socket -------------------------------------------------
before=$(grep -c 'reason=http-timeout' "$LOG/authz.out")
r=$($PY "$RAW" trickle "$GK_HTTP_SOCK" 7 "$PEERS" -- clients "$PORT" 5 4 "$TOK")
diag "slow peers: $(echo $r)"
requests=0 errors=x wrong=x max_ms=99999 closed_by_server=0
eval "$(printf '%s\n' "$r" | tr ' ' '\n' | grep -E '^(requests|errors|wrong|max_ms|closed_by_server)=[0-9]+$')"
[ "$requests" -gt 20 ] && [ "$errors" = 0 ] && [ "$wrong" = 0 ]
ok $? "slow peers: $requests requests through nginx meanwhile, $errors errors, $wrong wrong answers"
[ "$max_ms" -lt 2000 ]; ok $? "slow peers: none of them waited ($max_ms ms at most)"
# every peer is closed 5 s after its first byte; the run lasts 7 s
[ "$closed_by_server" -ge "$((PEERS / 2))" ]
ok $? "slow peers: closed at their deadline ($closed_by_server closes for $PEERS peers)"
after=$(grep -c 'reason=http-timeout' "$LOG/authz.out")
[ $((after - before)) -ge "$((PEERS / 2))" ]; ok $? "slow peers: an http-timeout deny line each ($((after - before)))"

# --- restarts with other configurations: the trusted proxy header, bypass_hosts_on ----------
IDVAR=HTTP_REMOTE_USER FORBIDDEN=403
gk_check_proxy nginx-http unix
# SERVER_ADDR comes from X-Gatekeep-Server-Addr ($server_addr): bypass_hosts_on binds to it
gk_conf "192.0.2.1/32" "bypass_hosts = gk-lan.test" "bypass_user = erin" "bypass_hosts_on = 127.0.0.1"
gk_restart_authz unix
req -H "Host: gk-lan.test" "$BASE/private/"
is "$CODE/$(appvar HTTP_REMOTE_USER)" 200/erin "nginx-http: bypass_hosts_on = 127.0.0.1 applies (SERVER_ADDR)"
gk_conf "192.0.2.1/32" "bypass_hosts = gk-lan.test" "bypass_user = erin" "bypass_hosts_on = 127.0.0.2"
gk_restart_authz unix
req -H "Host: gk-lan.test" "$BASE/private/"
is "$CODE" 401 "nginx-http: bypass_hosts_on = 127.0.0.2 does not"
gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs httpfront-raw "$LOG/authz.out"
done_testing
