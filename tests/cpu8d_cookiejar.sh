#!/bin/bash
# tests/cpu8d_cookiejar.sh: a browser with many cookies for the domain sends one Cookie
# header over GK_HEADER_MAX (8 KiB). gatekeep-authz refused it (bad-cookie-header), so the
# user was sent to log in, got a cookie, and was refused again, forever. Through a real
# nginx (large_client_header_buffers raised, as such a site must): a 12 KiB Cookie header
# with the session cookie at the start, in the middle or at the end is allowed; a control
# byte in it, a second session cookie or a bad octet in ours are still refused.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/cookiejar.sh"

gk_world
# alice's session cookie, as gatekeep-login would issue it
gen=$("$GK_PASSWD" --show alice "$GK/users.db" | sed -n 's/^generation: //p')
TOK=$("$top_builddir/tests/tokentool" -g "$gen" -l 3600 issue "$GK/secret" gatekeep alice) ||
	bail "tests/tokentool (built by make check) cannot issue a session cookie"
# nginx takes the long header line (the test app's lighttpd takes 64 KiB of head)
cat >"$TMP/jar.conf" <<'EOF'
large_client_header_buffers 4 64k;
EOF
GK_NGINX_INCLUDE="$TMP/jar.conf"
gk_start_backend
gk_start_authz unix
gk_start_nginx
lastlog() { grep -a "$1" "$LOG/authz.out" | tail -1; }

P6=$(pad 6144)
P12=$(pad 12288)

req -H "Cookie: gatekeep_session=$TOK" "$BASE/private/"
is "$CODE/$(appvar HTTP_REMOTE_USER)" "200/alice" "the session cookie alone: alice (control)"
for where in start middle end; do
	case $where in
	start) c="gatekeep_session=$TOK; $P12" ;;
	middle) c="$P6; gatekeep_session=$TOK; $P6" ;;
	end) c="$P12; gatekeep_session=$TOK" ;;
	esac
	req -H "Cookie: $c" "$BASE/private/"
	is "$CODE/$(appvar HTTP_REMOTE_USER)" "200/alice" \
	    "a ${#c}-byte Cookie header, the session cookie at the $where: alice"
	like "$(lastlog ' user=alice ')" 'allow .*method=session' "... logged as a session allow"
done

req -H "Cookie: $P6; gatekeep_session=$TOK; $P6"$'\x01' "$BASE/private/"
is "$CODE" 401 "a control byte at the end of a 12 KiB Cookie header: still refused"
like "$(lastlog 'deny ')" 'reason=bad-cookie-header' "... reason=bad-cookie-header"
req -H "Cookie: gatekeep_session=$TOK; $P12; gatekeep_session=$TOK" "$BASE/private/"
is "$CODE" 401 "two session cookies 12 KiB apart: still refused"
like "$(lastlog 'deny ')" 'reason=session-duplicate' "... reason=session-duplicate"
req -H "Cookie: $P12; gatekeep_session=$TOK\\" "$BASE/private/"
is "$CODE" 401 "a '\\' in the session cookie at the end of 12 KiB: still refused"
like "$(lastlog 'deny ')" 'reason=session-malformed' "... reason=session-malformed"
req -H "Cookie: $P12" "$BASE/private/"
is "$CODE" 401 "12 KiB of other cookies and no session cookie: no credentials"
like "$(lastlog 'deny ')" 'reason=no-credentials' "... reason=no-credentials"
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
