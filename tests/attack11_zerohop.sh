#!/bin/bash
# tests/attack11_zerohop.sh: a request whose FastCGI parameters nginx cannot hand to
# gatekeep-authz at all (nginx builds them as one FastCGI record, at most 65535 bytes:
# "fastcgi request record is too big", the auth_request fails with 500 whoever asks),
# which the zero hop passed beside a valid session cookie and its ticket: a long target
# (REQUEST_URI: the auth_request subrequest has its own path and no query) and 61 kB of
# header lines, on a site that takes them (large_client_header_buffers 4 32k, a common
# setting for long cookies). njs counts no header bytes; the native module
# (GK_ZEROHOP=module: tests/attack11_ngxmod.sh) counts header names and values only, up
# to 64 kB. On that site njs also passes one line with an 8 KiB value and a long name,
# which gatekeep-authz refuses (oversized-params). The zero hop must never be laxer than
# the path through gatekeep-authz.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

. "$top_srcdir/tests/servers/zerohop.sh"

gk_start_zerohop 60 alice
sed -i "0,/^[[:space:]]*server_name .*;/s||&\n\tlarge_client_header_buffers 4 32k;|" "$RUN/nginx/site.conf"
grep -q "large_client_header_buffers 4 32k;" "$RUN/nginx/site.conf" || bail "no server_name line to add to"
gk_zerohop_restart
C1="Cookie: gatekeep_session=$TOK"
C2="Cookie: gatekeep_session=$TOK; gatekeep_session_ticket=$TICKET"

# N header lines X-Pad-i of SIZE bytes each (name and value)
pad() {
	local i v
	v=$(head -c "$(( $2 - 9 ))" /dev/zero | tr '\0' v)
	for i in $(seq 1 "$1"); do printf -- '-H\nX-Pad-%02d: %s\n' "$i" "$v"; done
}
mapfile -t SMALL < <(pad 5 999)      # 5 kB: under every bound, the app's (lighttpd: 8 kB) too
mapfile -t BIG < <(pad 8 7600)       # 61 kB: under the module's 64 kB of header bytes
LONG="$BASE/private/$(head -c 3990 /dev/zero | tr '\0' a)?q=$(head -c 4096 /dev/zero | tr '\0' b)"

n0=$(calls)
req -H "$C2" "${SMALL[@]}" "$BASE/private/"
is "$CODE/$(calls)/$(appvar HTTP_REMOTE_USER)" "200/$n0/alice" "5 kB of headers: the zero hop as alice (the case below fails for what it tests)"

# The app here takes at most 8 kB of header (lighttpd answers 431 to more): a request the
# zero hop passes gets that, one it leaves to gatekeep-authz gets nginx's 500.
req -H "$C1" "${BIG[@]}" "$LONG"
authz=$CODE
is "$authz/$(grep -c 'fastcgi request record is too big' "$LOG/nginx-error.log")" "500/1" \
	"a long target and 61 kB of headers: nginx cannot ask gatekeep-authz, whoever asks"
req -H "$C2" "${BIG[@]}" "$LONG"
is "$CODE" "$authz" "... and $ZH does not pass it with the ticket either (431: passed on to the app)"

# One header line over gatekeep-authz's bound on one parameter (lib/authz_decide.c: name and
# value at most GK_HEADER_MAX + 256 bytes: oversized-params): a 300-byte name, an 8 KiB value.
# njs bounded the value alone (the module: name and value, 8 KiB).
LINE=("-H" "X-$(head -c 298 /dev/zero | tr '\0' n): $(head -c 8192 /dev/zero | tr '\0' v)")
req -H "$C1" "${LINE[@]}" "$BASE/private/"
authz=$CODE
like "$authz" '^4' "a 300-byte name with an 8 KiB value: gatekeep-authz refuses it whoever asks"
req -H "$C2" "${LINE[@]}" "$BASE/private/"
is "$CODE" "$authz" "... and $ZH does not pass it with the ticket either (431: passed on to the app)"
gk_alive nginx
ok $? "nginx is still running"
done_testing
