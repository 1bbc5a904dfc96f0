#!/bin/bash
# tests/httpfront_nginx.sh: gatekeep-authz over HTTP/1.1 (--http-listen, lib/httpconn) behind
# a real nginx with contrib/nginx/gatekeep-http*.conf: the same decisions as over FastCGI,
# the request's X-Gatekeep-* fields never forged by a client's spelling, kept connections
# reused, hostile heads refused (4xx or closed, never an allow), slow peers harmless.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/httpfront.sh"

RAW="$top_srcdir/tests/httpfront/raw.py"
TOKENTOOL="$top_builddir/tests/tokentool"
PEERS=${GK_TRICKLE_PEERS:-500}
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"

gk_world
gk_start_backend
gk_start_authz unix
gk_start_nginx_http
diag "nginx on $BASE, gatekeep-authz over HTTP on $GK_HTTP_SOCK"

IDVAR=HTTP_REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
gk_check_auth nginx-http

# --- the session cookie ---------------------------------------------------------------------
gen() { "$GK_PASSWD" --show="$1" "$GK/users.db" | sed -n 's/^generation: *//p'; }
TOK=$("$TOKENTOOL" -l 7200 -g "$(gen alice)" issue "$GK/secret" gatekeep alice) || bail "tokentool"
req -H "Cookie: gatekeep_session=$TOK" "$BASE/private/"
is "$CODE" 200 "nginx-http: session cookie -> 200"
is "$(appvar HTTP_REMOTE_USER)" alice "nginx-http: ... the app sees alice"
req -H "Cookie: gatekeep_session=$(tamper "$TOK")" "$BASE/private/"
is "$CODE" 401 "nginx-http: a tampered session cookie -> 401"
req -H "Cookie: gatekeep_session=$TOK" "$BASE/admin/"
is "$CODE" 403 "nginx-http: alice's cookie for /admin/ -> 403"

# --- a client's spelling of the X-Gatekeep-* fields -----------------------------------------
# nginx replaces the fields of its proxy_set_header lines (any case); underscore spellings
# it drops (underscores_in_headers off); straight at the socket they are refused (below).
req -u alice:alice-pw -H 'X-Gatekeep-Uri: /private/' "$BASE/admin/"
is "$CODE" 403 "nginx-http: a client's X-Gatekeep-Uri: /private/ does not move /admin/"
req -H 'x-gatekeep-uri: /public/' -H 'X-GATEKEEP-URI: /public/' "$BASE/private/"
is "$CODE" 401 "nginx-http: a client's x-gatekeep-uri twice, any case, is no bypass"
req -H 'X_Gatekeep_Uri: /public/' -H 'X-Gatekeep-Uri: /public/, /x' "$BASE/private/"
is "$CODE" 401 "nginx-http: underscore and comma-merged X-Gatekeep-Uri are no bypass"
req -H 'X-Gatekeep-Method: GET' -u rita:rita-pw -X POST -d x=1 "$BASE/private/"
is "$CODE" 403 "nginx-http: a client's X-Gatekeep-Method: GET does not hide a POST (rita ro)"
req -H 'X-Forwarded-Uri: /public/' -H 'X-Original-Uri: /public/' -H 'X-Rewrite-Url: /public/' "$BASE/private/"
is "$CODE" 401 "nginx-http: X-Forwarded-Uri / X-Original-Uri / X-Rewrite-Url forms are no bypass"
req -H 'X-Gatekeep-Addr: 192.0.2.1' -H 'Remote-User: bob' "$BASE/private/"
is "$CODE" 401 "nginx-http: a client's X-Gatekeep-Addr naming the trusted proxy is not believed"

# --- kept connections are reused --------------------------------------------------------------
# The connections to the HTTP socket (ss: the accepted ends carry its path): after a first
# request, and after 40 more, the same one(s); every request was answered on them.
conns() { ss -xH state established 2>/dev/null | awk -v p="$GK_HTTP_SOCK" '$4 == p { print $5 }' | sort; }
req -u alice:alice-pw "$BASE/private/"
c1=$(conns)
for i in $(seq 1 40); do curl -s -o /dev/null -u alice:alice-pw "$BASE/private/"; done
c2=$(conns)
[ -n "$c1" ] && [ "$c1" = "$c2" ]
ok $? "nginx-http: 41 decisions on the same kept connection(s) [$(echo $c1)] -> [$(echo $c2)]"
[ "$(printf '%s\n' "$c2" | grep -c .)" -le 2 ]
ok $? "nginx-http: at most 2 connections for 41 sequential requests"

# --- hostile heads straight at the socket -----------------------------------------------------
out=$($PY "$RAW" cases "$GK_HTTP_SOCK")
diag "$(echo $out)"
st() { printf '%s\n' "$out" | awk -v n="$1" '$1 == n { print $2 }'; }
is "$(st valid-anonymous)" 401 "raw: a valid head without credentials -> 401"
is "$(st valid-alice)" 200 "raw: a valid head with Basic alice -> 200 (control)"
for c in cl-and-te two-cl cl-body chunked obs-fold bare-lf bare-cr nul ctl space-before-colon \
    http-0.9 absolute-form leading-crlf underscore-uri underscore-uri-alone twice-uri twice-addr \
    no-addr no-uri; do
	is "$(st "$c")" 400 "raw: $c -> 400"
done
is "$(st http-2)" 505 "raw: HTTP/2.0 in the request line -> 505"
is "$(st huge-head)" 431 "raw: a 20 KiB head -> 431"
is "$(st many-fields)" 431 "raw: 150 fields -> 431"
is "$(st twice-host)" 403 "raw: two Host fields -> 403 (the decision's bad-host)"
unlike "$(st two-authorization)" "^200$" "raw: two Authorization fields -> never 200"
unlike "$out" " garbage" "raw: every answer was an HTTP/1.1 status line"
printf '%s\n' "$out" | grep -v '^valid-alice ' | grep -q ' 200$'; [ $? -ne 0 ]
ok $? "raw: only the control got a 200"
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
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
c=$(printf '%s\n' "$r" | head -1)
t=$(printf '%s\n' "$r" | tail -1)
[ "$(kv requests "$c")" -gt 20 ]; ok $? "slow peers: requests through nginx went on ($(kv requests "$c"))"
is "$(kv errors "$c")" 0 "slow peers: zero errors"
is "$(kv wrong "$c")" 0 "slow peers: zero wrong answers"
[ "$(kv max_ms "$c")" -lt 2000 ]; ok $? "slow peers: no request waited ($(kv max_ms "$c") ms at most)"
[ "$(kv closed_by_server "$t")" -ge "$((PEERS / 2))" ]
ok $? "slow peers: closed at their deadline ($(kv closed_by_server "$t") closes for $PEERS peers)"
after=$(grep -c 'reason=http-timeout' "$LOG/authz.out")
[ $((after - before)) -ge "$((PEERS / 2))" ]; ok $? "slow peers: an http-timeout deny line each ($((after - before)))"

gk_check_proxy nginx-http unix
gk_check_bypass_host nginx-http unix gk-lan.test 200/erin
gk_alive authz
ok $? "nginx-http: gatekeep-authz is still running"
gk_check_logs nginx-http "$LOG/authz.out"
done_testing
