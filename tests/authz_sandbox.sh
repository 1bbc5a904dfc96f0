#!/bin/bash
# authz_sandbox.sh: gatekeep-authz privilege drop, no_new_privs, seccomp in workers, close-on-exec fds,
# socket mode, and the FastCGI pre-check (CVE-2025-23016) against a live, sandboxed pool.
# The rest of the suite (authz_fcgi.sh, srv_*.sh) runs with the same default filter (kill).
. "$top_srcdir/tests/lib.sh"

PY=/usr/bin/python3
CLIENT="$top_srcdir/tests/fcgi_client.py"
[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
[ "$(id -u)" -eq 0 ] || bail "needs root (privilege drop to nobody); CI runs the suite as root"
getent passwd nobody >/dev/null || bail "no user nobody"
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)

# A directory nobody can read: the database must be readable after the drop.
chmod 0711 "$TMP"
D=$TMP/sbx
mkdir -m 0755 "$D"
DB=$D/users.db
SOCK=$D/authz.sock
CONF=$D/gatekeep.conf
LOG=$TMP/authz.log
"$GK_PASSWD" -c -b "$DB" alice 'pw alice' >/dev/null 2>&1 || bail "passwd alice"
chmod 0644 "$DB"
chmod 0644 "$D"/secret 2>/dev/null
cat > "$CONF" <<EOF
database = $DB
methods = basic
realm = Sandbox
log_target = stderr
run_user = nobody
EOF
chmod 0644 "$CONF"
ALICE="HTTP_AUTHORIZATION=Basic $(printf 'alice:pw alice' | base64 -w0)"
st() { $PY "$CLIENT" "$SOCK" --role authorizer REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=192.0.2.1 "$@" \
	| tr -d '\r' | head -1; }
field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status" | tr -s " \t" " "; }
workers() { pgrep -P "$1" | sort; }

start() {  # start [ENV=VALUE...]: a 2-worker pool as root with run_user=nobody
	rm -f "$SOCK"
	env "$@" "$GK_AUTHZ" -c "$CONF" --listen "unix:$SOCK" --workers 2 -d 2>>"$LOG" &
	AUTHZ_PID=$!
	at_exit "kill $AUTHZ_PID"
	for _ in $(seq 50); do [ -S "$SOCK" ] && [ "$(workers $AUTHZ_PID | wc -l)" -eq 2 ] && break; sleep 0.1; done
	[ -S "$SOCK" ] || bail "gatekeep-authz did not start: $(cat "$LOG")"
	sleep 0.2
}
stop() { kill -TERM "$AUTHZ_PID"; wait "$AUTHZ_PID"; }

start
is "$(st "$ALICE")" "Status: 200" "started as root with run_user=nobody: answers (database readable)"
is "$(stat -c %a "$SOCK")" 660 "unix socket mode 0660 by default"

# --- the supervisor ---------------------------------------------------------------------
is "$(field $AUTHZ_PID Uid)" "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" "parent: real/effective/saved/fs uid nobody"
is "$(field $AUTHZ_PID Gid)" "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" "parent: all gids nobody's group"
is "$(field $AUTHZ_PID Groups)" "$NOBODY_GID" "parent: supplementary groups reduced to that group"
is "$(field $AUTHZ_PID NoNewPrivs)" 1 "parent: no_new_privs"
is "$(field $AUTHZ_PID CapEff)" 0000000000000000 "parent: no effective capabilities"
is "$(field $AUTHZ_PID Seccomp)" 0 "parent: no filter (it forks, waits, kills and reloads; see gatekeep-authz(8))"

# --- the workers --------------------------------------------------------------------------
W=$(workers $AUTHZ_PID)
is "$(echo "$W" | wc -l)" 2 "two workers"
for w in $W; do
	is "$(field "$w" Seccomp)" 2 "worker $w: seccomp filter mode"
	is "$(field "$w" NoNewPrivs)" 1 "worker $w: no_new_privs"
	is "$(field "$w" Uid)" "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" "worker $w: uid nobody"
done

# --- close-on-exec: every descriptor above 2, in the parent and in a worker holding a connection
# A peer that sends half a request and then nothing holds one worker... for 5 seconds.
hold_silent_peer "$SOCK" 9
SLOW=$SILENT_PID
sleep 0.5
bad=$(fds_without_cloexec $AUTHZ_PID); is "$bad" "" "parent: all descriptors close-on-exec"
holder=
for w in $W; do
	n=$(ls /proc/"$w"/fd | wc -l)
	bad=$(fds_without_cloexec "$w"); is "$bad" "" "worker $w: all $n descriptors close-on-exec"
	[ "$(ls -l /proc/"$w"/fd | grep -c socket:)" -ge 2 ] && holder=$w
done
ok "$([ -n "$holder" ]; echo $?)" "one worker holds the silent connection (listener + connection)"
is "$(st "$ALICE")" "Status: 200" "the other worker keeps answering meanwhile"
for _ in $(seq 80); do grep -q 'reason=fastcgi-timeout' "$LOG" && break; sleep 0.1; done
like "$(cat "$LOG")" 'deny user=- method=fastcgi from=- reason=fastcgi-timeout' \
    "the silent peer is dropped after the deadline and logged"
is "$(st "$ALICE")" "Status: 200" "...and its worker serves again"
kill $SLOW 2>/dev/null; wait $SLOW 2>/dev/null

# --- CVE-2025-23016: the record never reaches libfcgi; no worker dies ----------------------
before=$(workers $AUTHZ_PID | tr '\n' ' ')
for _ in 1 2 3 4; do $PY "$CLIENT" "$SOCK" --hostile huge-lengths >/dev/null 2>&1; done
# the exact residual shape of CVE-2025-23016: 0x7ffffffe + 0x7ffffffe, and the end of PARAMS
$PY "$CLIENT" "$SOCK" --role authorizer --hostile residual >/dev/null 2>&1
sleep 0.3
is "$(workers $AUTHZ_PID | tr '\n' ' ')" "$before" "hostile lengths: the same workers are alive"
is "$(grep -cE 'reason=(bad-fastcgi-record|request-too-large)' "$LOG")" 5 "each hostile request refused with one log line"
unlike "$(cat "$LOG")" 'killed by signal|exited with status|AddressSanitizer|allocation-size' "no worker died"
is "$(st "$ALICE")" "Status: 200" "pool answers after the hostile records"
stop; ok $? "SIGTERM: exit 0 after the privilege drop"

# --- a forbidden system call kills the worker (test-only preload; the product has no trigger)
CC=${CC:-cc}
if $CC -shared -fPIC -o "$TMP/trip.so" "$top_srcdir/tests/sandbox_trip.c" -ldl 2>"$TMP/cc.err"; then
	: > "$LOG"
	start LD_PRELOAD="$TMP/trip.so" GK_TRIP_FILE="$TMP/trip" ASAN_OPTIONS=verify_asan_link_order=0
	is "$(st "$ALICE")" "Status: 200" "preload loaded, not tripped: answers"
	touch "$TMP/trip"
	is "$(st "$ALICE")" "" "tripped: chdir() in a worker, no answer"
	rm -f "$TMP/trip"
	for _ in $(seq 30); do grep -q 'killed by signal' "$LOG" && break; sleep 0.1; done
	like "$(cat "$LOG")" 'worker [0-9]+ killed by signal 31' "the worker died of SIGSYS (31)"
	ok=1
	for _ in $(seq 30); do [ "$(st "$ALICE")" = "Status: 200" ] && { ok=0; break; }; sleep 0.1; done
	ok $ok "the pool replaced it and answers"
	stop
	: > "$LOG"
	start LD_PRELOAD="$TMP/trip.so" GK_TRIP_FILE="$TMP/trip" ASAN_OPTIONS=verify_asan_link_order=0 GATEKEEP_SECCOMP=log
	touch "$TMP/trip"
	is "$(st "$ALICE")" "Status: 200" "GATEKEEP_SECCOMP=log: the same call is only logged"
	like "$(cat "$LOG")" 'GATEKEEP_SECCOMP=log: debugging mode' "debug mode warns"
	rm -f "$TMP/trip"
	stop
else
	ok 1 "cannot build the preload: $(cat "$TMP/cc.err")"
fi

# --- switches and refusals ------------------------------------------------------------------
start GATEKEEP_SECCOMP=off
for w in $(workers $AUTHZ_PID); do is "$(field "$w" Seccomp)" 0 "GATEKEEP_SECCOMP=off: worker $w unfiltered"; done
stop
out=$(GATEKEEP_SECCOMP=bogus "$GK_AUTHZ" -c "$CONF" --listen "unix:$SOCK" 2>&1); r=$?
is "$r" 1 "GATEKEEP_SECCOMP=bogus: exit 1"
like "$out" 'expected kill, log, trap or off' "...with the accepted values"
sed -i 's/^run_user = .*/run_user = gk-no-such-user/' "$CONF"
out=$("$GK_AUTHZ" -c "$CONF" --listen "unix:$SOCK" -d 2>&1); r=$?
ok "$([ $r -ne 0 ]; echo $?)" "run_user that cannot be used: refuses to start (exit $r)"
like "$out" 'no such user|cannot drop privileges|gk-no-such-user' "...and says why"
# root without run_user: the default user gatekeep if it exists, otherwise no start at all
sed -i '/^run_user = /d' "$CONF"
if getent passwd gatekeep >/dev/null; then
	start
	is "$(ps -o user= -p "$AUTHZ_PID" | tr -d ' ')" gatekeep "run_user unset: serves as the default user gatekeep"
	stop
else
	rm -f "$SOCK"
	out=$(timeout 10 "$GK_AUTHZ" -c "$CONF" --listen "unix:$SOCK" --workers 1 -d 2>&1); r=$?
	is "$r" 1 "run_user unset as root (no user gatekeep): refuses to start (exit 1), never serves as root"
	like "$out" 'started as root and run_user is not set: set run_user' "...naming the key to set"
	out=$(timeout 10 "$GK_LOGIN" -c "$CONF" --listen "unix:$D/login.sock" --workers 1 -d 2>&1); r=$?
	is "$r" 1 "gatekeep-login too: refuses to start as root without run_user"
	like "$out" 'started as root and run_user is not set' "...naming the key to set"
fi
done_testing
