#!/bin/bash
# tests/attack7_httphost.sh: the host gatekeep-authz decides on over HTTP (X-Gatekeep-Host)
# is the one nginx serves. An absolute-form request target names the host nginx picks the
# server by and passes on ($host: "GET http://admin.example/private/" with "Host:
# other.example" is admin.example's); $http_host is the client's Host field as sent, so
# with it a host rule was skipped (alice passed admin.example's require=group:admins) and
# a bypass host rule covered another host (anyone reached /private/ by naming open.example
# in Host). Debian's fastcgi_params passes $host as HTTP_HOST for the same reason.
# Kept as regressions (they held): with underscores_in_headers on, over HTTP/1.1 and
# HTTP/2 (h2c), a client's X_Gatekeep_Host or x_gatekeep_uri is refused, never read.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/httpfront.sh"

gk_world
gk_conf "192.0.2.1/32" "rule = host=admin.example require=group:admins" \
    "rule = host=open.example path=/private require=bypass"
gk_start_backend
gk_start_authz unix
gk_start_nginx_http

req -u alice:alice-pw -H 'Host: admin.example' "$BASE/private/"
is "$CODE" 403 "Host admin.example: alice is not in admins (control)"
req -H 'Host: open.example' "$BASE/private/"
is "$CODE" 200 "Host open.example: a bypass host (control)"
req -u alice:alice-pw --request-target "http://admin.example/private/" -H 'Host: other.example' "$BASE/"
is "$CODE" 403 "absolute-form admin.example with Host other.example: admin.example's rule (alice -> 403)"
req -u bob:bob-pw --request-target "http://admin.example/private/" -H 'Host: other.example' "$BASE/"
is "$CODE/$(appvar HTTP_REMOTE_USER)" "200/bob" "... bob (admins) is served"
req --request-target "http://app.example/private/" -H 'Host: open.example' "$BASE/"
is "$CODE" 401 "absolute-form app.example with Host open.example: no bypass, a user is needed"
req --request-target "http://ADMIN.example./private/" -u alice:alice-pw "$BASE/"
is "$CODE" 403 "absolute-form ADMIN.example. (case, trailing dot): admin.example's rule"
# what held, kept: with underscores_in_headers on (nginx then passes X_Gatekeep_Host) and
# HTTP/2 (lower-case names), a client's spelling of the fields is refused, never read
gk_stop nginx
H2=$(free_port)     # nginx 1.22 speaks HTTP/2 alone on a cleartext "http2" listener
sed -i "s|listen 127.0.0.1:$PORT;|& listen 127.0.0.1:$H2 http2; underscores_in_headers on;|" "$RUN/nginx/site.conf"
gk_run_nginx "$SRV/nginx-main.conf"
for v in "$BASE" "h2c:http://127.0.0.1:$H2"; do
	u=${v#h2c:} o=()
	[ "$u" = "$v" ] || o=(--http2-prior-knowledge)
	req "${o[@]}" -u alice:alice-pw -H 'Host: admin.example' -H 'X_Gatekeep_Host: other.example' "$u/private/"
	unlike "$CODE" '^2' "${o:-HTTP/1.1}: a client's X_Gatekeep_Host does not move alice off admin.example ($CODE)"
	req "${o[@]}" -H 'x_gatekeep_uri: /public/' -H 'X-Gatekeep-Uri: /public/' "$u/private/"
	unlike "$CODE" '^2' "${o:-HTTP/1.1}: a client's x_gatekeep_uri and X-Gatekeep-Uri do not move /private/ ($CODE)"
done
req --http2-prior-knowledge -u alice:alice-pw -H 'Host: admin.example' "http://127.0.0.1:$H2/private/"
is "$CODE" 403 "HTTP/2: the host is admin.example's (alice -> 403)"
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
