#!/bin/bash
# tests/lead6_fcgihost.sh: the host gatekeep-authz decides on behind nginx over FastCGI is the
# one nginx serves, whatever fastcgi_params passes. An absolute-form target names the host
# nginx picks the server by ($host: "GET http://admin.example/private/" with "Host:
# other.example" is admin.example's). Debian's fastcgi_params passes "HTTP_HOST $host";
# nginx's own file (and older packages) pass the client's Host field, and with it alice
# passed admin.example's group rule and anyone borrowed a bypass host. The shipped confs set
# GATEKEEP_HOST $host and HTTP_HOST must agree with it (lib/frontend.c gk_frontend_host).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
gk_conf "192.0.2.1/32" "rule = host=admin.example require=group:admins" \
    "rule = host=open.example path=/private require=bypass"
gk_start_backend
gk_start_authz unix
# nginx's own fastcgi_params: no HTTP_HOST line, so the client's Host field is passed
grep -v 'HTTP_HOST' /etc/nginx/fastcgi_params >"$RUN/fastcgi_params.upstream"
for params in "$RUN/fastcgi_params.upstream" /etc/nginx/fastcgi_params; do
	GK_FASTCGI_PARAMS=$params gk_start_nginx
	p=$(basename "$params")
	req -u alice:alice-pw -H 'Host: admin.example' "$BASE/private/"
	is "$CODE" 403 "$p: Host admin.example: alice is not in admins (control)"
	req -u bob:bob-pw -H 'Host: admin.example:8080' "$BASE/private/"
	is "$CODE/$(appvar HTTP_REMOTE_USER)" "200/bob" "$p: Host with a port: bob (admins) is served"
	req -H 'Host: open.example' "$BASE/private/"
	is "$CODE" 200 "$p: Host open.example: a bypass host (control)"
	req -u alice:alice-pw --request-target "http://admin.example/private/" -H 'Host: other.example' "$BASE/"
	is "$CODE" 403 "$p: absolute-form admin.example, Host other.example: not served to alice"
	req --request-target "http://app.example/private/" -H 'Host: open.example' "$BASE/"
	unlike "$CODE" '^2' "$p: absolute-form app.example, Host open.example: no bypass ($CODE)"
	req -u alice:alice-pw --request-target "http://ADMIN.example./private/" -H 'Host: admin.example' "$BASE/"
	is "$CODE" 403 "$p: absolute-form ADMIN.example. (case, trailing dot): admin.example's rule"
	gk_stop nginx
done
grep -q "reason=host-mismatch" "$LOG/authz.out"
ok $? "the refusal is logged as host-mismatch"
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
