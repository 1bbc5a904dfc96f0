#!/bin/bash
# tests/seams7_refusals.sh: what the client sees behind a real nginx when gatekeep-authz
# refuses a request for its size or bytes, over HTTP/1.1 (--http-listen) and over FastCGI.
# auth_request turns any answer but 2xx, 401 and 403 into a 500, so a refusal must be a 403
# (fail closed, a 4xx, never a 500), and the HTTP front must take every head that fits the
# FastCGI caps (lib/fcgiguard.h): nginx passes heads up to large_client_header_buffers
# (4 x 8k), a big-cookie user's included. Old code: 120 fields or a 28 KiB head got 431, a
# control byte 400, each a 500 at the client.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/httpfront.sh"

gk_world
gk_start_backend
gk_start_authz unix
# heads for curl -H @FILE: N fields of SIZE bytes each
fields() { "$PY" -c 'import sys; n, k = map(int, sys.argv[1:]); print("\n".join("x%d: %s" % (i, "v" * k) for i in range(n)))' "$1" "$2" >"$TMP/h.$1.$2"; }
fields 120 1; fields 4 7000; fields 600 1
for S in nginx-http nginx-fcgi; do
	if [ "$S" = nginx-http ]; then gk_start_nginx_http; else gk_start_nginx; fi
	req -u alice:alice-pw -H @"$TMP/h.120.1" "$BASE/private/"
	is "$CODE/$(appvar HTTP_REMOTE_USER)" 200/alice "$S: 120 fields are decided (alice -> 200)"
	# (the backend itself refuses a 28 KiB head: gatekeep's own answers here)
	req -H @"$TMP/h.4.7000" "$BASE/private/"
	is "$CODE" 401 "$S: a 28 KiB head (nginx's default takes 32) is decided (anonymous -> 401)"
	req -u alice:alice-pw -H @"$TMP/h.4.7000" "$BASE/admin/"
	is "$CODE" 403 "$S: ... and alice at /admin/ -> 403"
	# over the decision's 512 params (fcgi/authz_decide.h), under nginx's own count
	req -u alice:alice-pw -H @"$TMP/h.600.1" "$BASE/private/"
	is "$CODE" 403 "$S: 600 fields -> 403, not 500"
	req -u alice:alice-pw -H $'X-A: a\x01b' "$BASE/private/"
	# over FastCGI a control byte is decided (the backend then refuses it: its 400)
	[ "$S" = nginx-http ] && is "$CODE" 403 "$S: a control byte in a value -> 403, not 500"
	unlike "$CODE" '^5' "$S: a control byte in a value: no 5xx ($CODE)"
	gk_stop nginx
done
# a head sent a line at a time is parsed again per line: bounded (64 x the 128 KiB cap), as
# over FastCGI, where 4096 fields of 128 KiB would cost a parse of up to 128 KiB each
is "$($PY "$top_srcdir/tests/httpfront/raw.py" fragmented "$GK_HTTP_SOCK" 3000)" 403 \
    "a head of 3000 lines sent one by one -> 403"
like "$(cat "$LOG/authz.out")" 'HTTP connection refused: too-fragmented' "... refused as too-fragmented"
grep 'auth request unexpected status' "$LOG/nginx-error.log" | sed 's/^/#   /'
is "$(grep -c 'auth request unexpected status' "$LOG/nginx-error.log")" 0 \
    "nginx met no auth answer it turns into a 500"
n=$(grep -c 'deny user=- method=http .*reason=bad-http-request' "$LOG/authz.out")
is "$n" 2 "each HTTP refusal is a deny line (reason=bad-http-request)"
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
