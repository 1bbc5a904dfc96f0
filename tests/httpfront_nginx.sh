#!/bin/bash
# tests/httpfront_nginx.sh: gatekeep-authz over HTTP/1.1 (--http-listen, lib/httpconn) behind
# a real nginx with contrib/nginx/gatekeep-http*.conf: the same decisions as over FastCGI,
# the request's X-Gatekeep-* fields never forged by a client's spelling, kept connections
# reused.  The trusted proxy header, bypass_hosts_on, hostile heads and slow peers:
# tests/httpfront_raw.sh.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/httpfront.sh"


TOKENTOOL="$top_builddir/tests/tokentool"

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
req -H 'X-Gatekeep-Require: bypass' -H 'X_Gatekeep_Require: bypass' "$BASE/private/"
is "$CODE" 401 "nginx-http: a client's X-Gatekeep-Require: bypass is no requirement"
req -u alice:alice-pw -H 'Transfer-Encoding: chunked' -d x=1 "$BASE/private/"
is "$CODE/$(appvar BODY_LENGTH)" 200/3 "nginx-http: a chunked POST: decided (no body reaches gatekeep), the app gets the body"
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

# --- the host: X-Gatekeep-Host ($host), never the head's own Host ---------------------------
# The head's Host is nginx's ($proxy_host, "gatekeep_authz", unless a line sets it): read
# as HTTP_HOST, a host rule was matched against the upstream's name and skipped (200).
gk_conf "192.0.2.1/32" "rule = host=admin.example require=group:admins"
gk_restart_authz unix
req -u alice:alice-pw -H 'Host: admin.example' "$BASE/private/"
is "$CODE" 403 "nginx-http: host=admin.example's rule applies to the client's Host (alice -> 403)"
req -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "nginx-http: ... and not to another host (control: 200)"
req -u alice:alice-pw -H 'Host: admin.example' -H 'X-Gatekeep-Host: app.example' "$BASE/private/"
is "$CODE" 403 "nginx-http: a client's X-Gatekeep-Host does not move the host"
req -u alice:alice-pw -H 'Host: admin.example' -H 'X_Gatekeep_Host: app.example' "$BASE/private/"
is "$CODE" 403 "nginx-http: a client's X_Gatekeep_Host does not move the host"
# HTTP/1.0 without Host: $host is the server's name, decided as over FastCGI (Debian's
# fastcgi_params: HTTP_HOST $host); an absolute-form target: tests/attack7_httphost.sh
n400=$(grep -c 'reason=bad-http-request' "$LOG/authz.out")
req --http1.0 -H 'Host:' -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "nginx-http: HTTP/1.0 without Host: decided under the server's name"
is "$(grep -c 'reason=bad-http-request' "$LOG/authz.out")" "$n400" "nginx-http: ... not a refused head"
# an auth location without the X-Gatekeep-Host line: every request refused, none allowed
gk_stop nginx
sed -i '/X-Gatekeep-Host/d' "$RUN/nginx/auth.conf"
gk_run_nginx "$SRV/nginx-main.conf"
req -u alice:alice-pw -H 'Host: admin.example' "$BASE/private/"
is "$CODE" 403 "nginx-http: no X-Gatekeep-Host line: refused (403), never the default rule"
req -u alice:alice-pw "$BASE/private/"
is "$CODE" 403 "nginx-http: no X-Gatekeep-Host line: any host refused"

gk_alive authz
ok $? "nginx-http: gatekeep-authz is still running"
gk_check_logs nginx-http "$LOG/authz.out"
done_testing
