#!/bin/bash
# tests/fcgi_roles.sh: a FastCGI role gatekeep-authz does not serve (FILTER, 0, 7, 0xFFFF) gets a
# 403 and a log line from both cores, never a 500 nor a dropped connection (the web server's 502).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

PY=/usr/bin/python3
HOSTILE="$top_srcdir/tests/fcgi_hostile.py"
"$GK_PASSWD" -c -b "$TMP/users.db" alice 'secret one' 2>/dev/null || bail "gatekeep-passwd -c failed"
printf '%s\n' "database = $TMP/users.db" "secret_file = $TMP/secret" "methods = basic" \
	"log_target = stderr" "$GK_RUN_LINES" >"$TMP/gk.conf"
gk_give_nobody "$TMP"

for core in events libfcgi; do
	SOCK=$TMP/$core.sock LOG=$TMP/$core.log
	args=(); [ $core = libfcgi ] && args=(--core libfcgi)
	"$GK_AUTHZ" -c "$TMP/gk.conf" --listen "unix:$SOCK" --workers 1 "${args[@]}" -d 2>"$LOG" &
	at_exit "kill $!"
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	for c in role-filter role-zero role-unknown role-ffff; do
		r=$($PY "$HOSTILE" "$SOCK" "$c" 2>&1)
		like "$r" "^$c status=403 probe=200 noauth=401\$" "$core core, $c: 403, the pool unharmed ($r)"
	done
	like "$(cat "$LOG")" 'reason=unknown-role' "$core core: FILTER logged as reason=unknown-role"
	like "$(cat "$LOG")" 'reason=bad-fastcgi-record' "$core core: a role outside 1..3 logged"
	# denied before the target was read: uri=- (absent), never \x2d (a literal "-" URI)
	like "$(grep 'reason=unknown-role' "$LOG")" 'reason=unknown-role uri=-$' "$core core: the early deny logs uri=-"
	$PY "$top_srcdir/tests/fcgi_client.py" "$SOCK" REQUEST_METHOD=GET 'REQUEST_URI=/app/x?k=secret' \
		REMOTE_ADDR=127.0.0.1 HTTP_HOST=a.test HTTP_HOST=b.test >/dev/null
	sleep 0.2
	like "$(grep 'reason=bad-host' "$LOG")" 'reason=bad-host uri=/app/x$' "$core core: a bad Host logs the target read (no query)"
	unlike "$(cat "$LOG")" 'uri=\\x2d' "$core core: no uri=\\x2d"
	unlike "$(cat "$LOG")" 'AddressSanitizer|runtime error|LeakSanitizer' "$core core: no sanitizer report"
done
done_testing
