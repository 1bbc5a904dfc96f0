#!/bin/bash
# tests/attack11_host.sh: a Host gatekeep-authz refuses whoever asks, which the zero hop (njs,
# or the native module with GK_ZEROHOP=module: tests/attack11_ngxhost.sh) passes beside a
# valid session cookie and its ticket, on a site whose fastcgi_params passes the client's
# Host field (nginx's own file, Debian's before its HTTP_HOST $host workaround:
# tests/lead6_fcgihost.sh): an absolute-form target naming another host than the Host field
# (lib/frontend.c: host-mismatch), junk after the port, a port of six digits (bad-host).
# nginx takes them all (and serves the host its $host names). The zero hop must never be
# laxer than gatekeep-authz.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

. "$top_srcdir/tests/servers/zerohop.sh"

gk_start_zerohop 60 alice
grep -v 'HTTP_HOST' /etc/nginx/fastcgi_params >"$RUN/fastcgi_params.upstream"
sed -i "s|include /etc/nginx/fastcgi_params;|include $RUN/fastcgi_params.upstream;|" "$RUN/nginx/site.conf"
grep -q "include $RUN/fastcgi_params.upstream;" "$RUN/nginx/site.conf" || bail "no fastcgi_params include to rewrite"
gk_zerohop_restart
C1="Cookie: gatekeep_session=$TOK"
C2="Cookie: gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET"

n0=$(calls)
req -H "$C2" -H "Host: app.example:8080" "$BASE/private/"
is "$CODE/$(calls)/$(appvar HTTP_REMOTE_USER)" "200/$n0/alice" "Host with a port: the zero hop as alice (the cases below fail for what they test)"
req -H "$C1" -H "Host: app.example:8080" "$BASE/private/"
is "$CODE/$(appvar HTTP_REMOTE_USER)" "200/alice" "... gatekeep-authz allows it with the session cookie alone"

# refused DESCRIPTION CURL-ARGS...: gatekeep-authz's answer with the session cookie alone
# (it must refuse whoever asks), then the zero hop's with the ticket too: it must leave
# the request to gatekeep-authz (one more decision logged), never serve it.
refused() {
	local d=$1 authz n0
	shift
	req -H "$C1" "$@"
	authz=$CODE
	like "$authz" '^4' "$d: gatekeep-authz refuses it with the session cookie alone"
	n0=$(calls)
	req -H "$C2" "$@"
	is "$CODE, $(( $(calls) - n0 )) decision(s)" "$authz, 1 decision(s)" "$d: $ZH leaves it to gatekeep-authz"
}
refused "an absolute-form target naming another host" -H "Host: other.example" \
	--request-target "http://app.example/private/" "$BASE/private/"
refused "junk after the Host's port" -H "Host: app.example:80x" "$BASE/private/"
refused "a Host port of six digits" -H "Host: app.example:123456" "$BASE/private/"
grep -q "reason=host-mismatch" "$LOG/authz.out" && grep -q "reason=bad-host" "$LOG/authz.out"
ok $? "gatekeep-authz logs them as host-mismatch and bad-host"
gk_alive nginx
ok $? "nginx is still running"
done_testing
