#!/bin/bash
# tests/attack7_zerohop.sh: requests gatekeep-authz refuses whoever asks, which the zero
# hop (njs, or the native module with GK_ZEROHOP=module: tests/ngxmod_attack7.sh) passed
# beside a valid session cookie and its ticket: a path longer than GK_PATH_MAX
# (lib/pathread.c: bad-path), a "..;" segment above the root (Tomcat's reading drops the
# ";params", nginx's does not: bad-path), a method longer than GK_METHOD_LEN_MAX
# (bad-method) and a DEL byte in the Cookie header (nginx passes it, lib/request.c
# refuses it: bad-cookie-header). The zero hop must never be laxer than gatekeep-authz.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

. "$top_srcdir/tests/servers/zerohop.sh"

gk_start_zerohop 60 alice
LONG=$(printf '%04097d' 0)      # one byte over GK_PATH_MAX with its leading '/'
A33=$(printf 'M%.0s' $(seq 1 33))
DEL=$'\x7f'

# refused DESCRIPTION CURL-ARGS...: @C@ is the Cookie line, first with the session cookie
# alone (gatekeep-authz decides: it must refuse), then with the ticket too: the zero hop
# must leave the request to gatekeep-authz (one more decision logged), never serve it.
refused() {
	local d=$1 authz n0 a
	shift
	a=("${@//@C@/Cookie: gatekeep_session=$TOK}")
	req "${a[@]}"
	authz=$CODE
	like "$authz" '^4' "$d: gatekeep-authz refuses it with the session cookie alone"
	a=("${@//@C@/Cookie: gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET}")
	n0=$(calls)
	req "${a[@]}"
	is "$CODE, $(( $(calls) - n0 )) decision(s)" "$authz, 1 decision(s)" "$d: $ZH leaves it to gatekeep-authz"
}
for p in "/${LONG:2}" "/private/a;x/;y=1"; do
	n0=$(calls)
	req -H "Cookie: gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET" "$BASE$p"
	is "$CODE/$(calls)" "200/$n0" "zero hop for ${p:0:20}... (${#p} bytes): the cases below fail for what they test"
done
refused "a path over GK_PATH_MAX" -H "@C@" "$BASE/${LONG:1}"
refused "a ..; segment above the root" -H "@C@" "$BASE/..;/private/"
refused "..; segments above the root, deeper" -H "@C@" "$BASE/private/..;/..;/x"
refused "a method over GK_METHOD_LEN_MAX" -H "@C@" -X "$A33" "$BASE/private/"
refused "a DEL in the Cookie header" -H "@C@; x=a$DEL" "$BASE/private/"
if [ "$GK_ZEROHOP" = module ]; then
	# A location nested in the checked one inherits its gatekeep_zero_hop, as it would
	# an auth_request: it was served to anyone, with no check at all.
	app=$(sed -n 's|^[[:space:]]*proxy_pass \(http://127\.0\.0\.1:[0-9]*\);$|\1|p' "$RUN/nginx/site.conf" | head -1)
	sed -i "0,/^[[:space:]]*gatekeep_zero_hop @gatekeep_checked;/s||& location /private/nested/ { proxy_pass $app; }|" "$RUN/nginx/site.conf"
	grep -q "location /private/nested/ { proxy_pass http" "$RUN/nginx/site.conf" || bail "no nested location"
	gk_stop nginx
	gk_run_nginx "$SRV/nginx-main.conf" "load_module $GK_NGXMOD_SO;"
	req "$BASE/private/nested/"
	is "$CODE" 401 "a location nested in the zero hop's: no session, no entry"
	n0=$(calls)
	req -H "Cookie: gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET" "$BASE/private/nested/"
	is "$CODE/$(calls)/$(appvar HTTP_REMOTE_USER)" "200/$n0/alice" "... with the ticket: the zero hop, as alice"
fi
gk_alive nginx
ok $? "nginx is still running"
done_testing
