#!/bin/bash
# tests/evcore2_hashpool.sh: a password hash on a credential-cache miss does not stall the
# worker (lib/hashpool): with ONE worker, while a slow yescrypt verification runs for one
# connection, cached requests on other connections are answered; the slow request is then
# answered right (200, or 401 for a wrong password) and logged once, never as "pending".
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

PY=/usr/bin/python3
STALL="$top_srcdir/tests/evcore2/stall.py"
[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
DB=$TMP/users.db SOCK=$TMP/authz.sock CONF=$TMP/gatekeep.conf LOG=$TMP/authz.log

"$GK_PASSWD" -c -b "$DB" alice 'alice-pw' 2>/dev/null || bail "passwd alice"
# yescrypt at cost 8: some hundreds of ms, long enough to see who waits for whom
"$GK_PASSWD" -b -y -C 8 "$DB" slow 'slow-pw' 2>/dev/null || bail "passwd slow"
cat > "$CONF" <<CONF
database = $DB
secret_file = $TMP/secret
methods = basic
on_unauthenticated = basic
basic_cache_ttl = 5m
max_failures = 0
log_target = stderr
log_level = info
$GK_RUN_LINES
CONF
gk_give_nobody "$TMP"
"$GK_AUTHZ" -c "$CONF" --listen "unix:$SOCK" --workers 1 2>>"$LOG" &
AUTHZ_PID=$!
at_exit "kill $AUTHZ_PID"
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || bail "gatekeep-authz did not start: $(cat "$LOG")"

b64() { printf '%s' "$1" | base64 -w0; }
FAST=$(b64 alice:alice-pw)
# warm alice's entry in the credential cache
r=$($PY "$STALL" "$SOCK" "$FAST" "$FAST" 0)
like "$r" "slow_status=200" "alice's first request (a miss, through the pool) -> 200"

r=$($PY "$STALL" "$SOCK" "$(b64 slow:slow-pw)" "$FAST")
diag "$r"
like "$r" "slow_status=200 " "the slow hash's request is answered 200 when its hash ends"
n=$(printf '%s' "$r" | sed -n 's/.*fast_before_slow=\([0-9]*\).*/\1/p')
ok "$([ "${n:-0}" -ge 3 ]; echo $?)" "cached requests on other connections were answered meanwhile ($n of them)"
ok "$(printf '%s' "$r" | grep -qE 'fast_200=([0-9]+)/\1$'; echo $?)" "... all of them 200"

r=$($PY "$STALL" "$SOCK" "$(b64 slow:wrong-pw)" "$FAST")
diag "$r"
like "$r" "slow_status=401 " "a wrong password through the pool -> 401"
n=$(printf '%s' "$r" | sed -n 's/.*fast_before_slow=\([0-9]*\).*/\1/p')
ok "$([ "${n:-0}" -ge 3 ]; echo $?)" "... and the worker kept answering meanwhile ($n)"
r=$($PY "$STALL" "$SOCK" "$(b64 nobody-here:x)" "$FAST" 0)
like "$r" "slow_status=401 " "an unknown user (the dummy hash, through the pool) -> 401"

sleep 0.3
is "$(grep -c 'reason=pending' "$LOG")" 0 "no decision line says 'pending' (the first run is thrown away)"
is "$(grep -c 'deny user=slow .*reason=bad-password' "$LOG")" 1 "the wrong password is logged once"
is "$(grep -c 'allow user=slow ' "$LOG")" 1 "the slow user's success is logged once"
kill -0 "$AUTHZ_PID" 2>/dev/null
ok $? "gatekeep-authz is still running"
done_testing
