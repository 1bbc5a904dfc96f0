#!/bin/bash
# tests/cpuk6_tick.sh: the event core waits in epoll_wait() without a timeout, so no kernel
# timer is armed and cancelled around every wait: its sweep's tick is a periodic timerfd
# (lib/evloop), read about ten times a second.  Counted with strace on the one worker while
# it answers pipelined requests on its HTTP socket; a peer that stops mid-head is still
# closed at its deadline (the tick still sweeps).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/httpfront.sh"
command -v strace >/dev/null || bail "strace is missing (scripts/install-deps test)"

gk_world
gk_start_authz unix 1
gk_wait_sock "$GK_HTTP_SOCK" || bail "no HTTP socket"
W=$(pgrep -P "$(cat "$RUN/authz.pid")" | head -1)
[ -n "$W" ] || bail "no worker"
strace -f -e trace=epoll_wait,epoll_pwait,read -o "$TMP/calls" -p "$W" 2>"$TMP/strace.err" &
SP=$!
at_exit "kill $SP 2>/dev/null"
for _ in $(seq 50); do grep -q attached "$TMP/strace.err" 2>/dev/null && break; sleep 0.1; done
is "$($PY "$top_srcdir/tests/httpfront/raw.py" pipeline "$GK_HTTP_SOCK" "$(printf alice:alice-pw | base64)")" \
	"200 401 200" "three pipelined requests answered"
# a head that never ends: closed at the 5 s deadline by the sweep
t=$($PY - "$GK_HTTP_SOCK" <<'PYEOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1]); s.sendall(b"GET /_gatekeep HTTP/1.1\r\nHost: x\r\n")
t = time.monotonic(); s.settimeout(15)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
print(int(time.monotonic() - t))
PYEOF
)
ok "$([ "$t" -ge 4 ] && [ "$t" -le 7 ]; echo $?)" "a peer stopping mid-head is closed at its deadline (${t} s)"
kill -INT "$SP"; wait "$SP" 2>/dev/null
waits=$(grep -cE 'epoll_(p)?wait\(' "$TMP/calls")
# a wait's timeout is its last argument, printed when it returns (or resumes, under -f)
timed=$(grep -E 'epoll_(p)?wait.*\) += ' "$TMP/calls" | grep -cvE ', -1(, NULL, [0-9]+)?\) += ')
ticks=$(grep -cE 'read\([0-9]+, "[^"]*"(\.\.\.)?, 8\) += 8' "$TMP/calls")
diag "epoll_wait calls: $waits, with a timeout: $timed, tick reads: $ticks"
ok "$([ "$waits" -ge 10 ]; echo $?)" "the worker waited in epoll_wait ($waits times)"
is "$timed" 0 "no epoll_wait with a timeout: no kernel timer per wait"
ok "$([ "$ticks" -ge 20 ] && [ "$ticks" -le 120 ]; echo $?)" "the tick is read about ten times a second ($ticks over ~5 s)"
gk_check_logs cpuk6-tick "$LOG/authz.out"
done_testing
