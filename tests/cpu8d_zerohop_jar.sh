#!/bin/bash
# tests/cpu8d_zerohop_jar.sh: the zero hop takes the Cookie header of a full cookie jar as
# gatekeep-authz does (GK_COOKIE_HEADER_MAX, not GK_HEADER_MAX): behind nginx with
# large_client_header_buffers raised, a 12 KiB Cookie header with the session cookie and
# its ticket among other sites' cookies passes without asking gatekeep-authz, and one with
# a control byte still goes to gatekeep-authz, which refuses it. GK_ZEROHOP=module (the
# native module, tests/ngxmod_zerohop_jar.sh) or njs (the default).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/zerohop.sh"
. "$top_srcdir/tests/servers/cookiejar.sh"

gk_start_zerohop 60 alice
# nginx takes the long line (the test app's lighttpd takes 64 KiB of head)
gk_stop nginx
sed -i -e 's|^server {$|&\n\tlarge_client_header_buffers 4 64k;|' "$RUN/nginx/site.conf"
if [ "$GK_ZEROHOP" = module ]; then
	gk_run_nginx "$SRV/nginx-main.conf" "load_module $GK_NGXMOD_SO;"
else
	gk_run_nginx "$SRV/nginx-main.conf" "load_module $NJS_MOD;"
fi

hop() {  # hop COOKIE-HEADER: WHO="zero hop CODE" or "authz CODE" (who decided)
	local n0
	n0=$(calls)
	req -H "Cookie: $1" "$BASE/private/"
	if [ "$(calls)" = "$n0" ]; then WHO="zero hop $CODE"; else WHO="authz $CODE"; fi
}
P6=$(pad 6144)
BOTH="gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET"

hop "$BOTH"
is "$WHO/$(appvar HTTP_REMOTE_USER)" "zero hop 200/alice" "$ZH: the session cookie and its ticket alone: zero hop (control)"
hop "$P6; $BOTH; $P6"
is "$WHO/$(appvar HTTP_REMOTE_USER)" "zero hop 200/alice" \
    "$ZH: the two in the middle of a 12 KiB Cookie header: zero hop"
hop "$P6; $P6; $BOTH"
is "$WHO/$(appvar HTTP_REMOTE_USER)" "zero hop 200/alice" "$ZH: ... at its end: zero hop"
hop "$P6; $BOTH; $P6"$'\x01'
is "$WHO" "authz 401" "$ZH: a control byte in it: gatekeep-authz decides, and refuses"
gk_alive nginx
ok $? "nginx is still running"
done_testing
