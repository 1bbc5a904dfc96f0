#!/bin/bash
# tests/attack7_httphost.sh: the host gatekeep-authz decides on over HTTP (X-Gatekeep-Host)
# is the one nginx serves. An absolute-form request target names the host nginx picks the
# server by and passes on ($host: "GET http://admin.example/private/" with "Host:
# other.example" is admin.example's); $http_host is the client's Host field as sent, so
# with it a host rule was skipped (alice passed admin.example's require=group:admins) and
# a bypass host rule covered another host (anyone reached /private/ by naming open.example
# in Host). Debian's fastcgi_params passes $host as HTTP_HOST for the same reason.
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
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
