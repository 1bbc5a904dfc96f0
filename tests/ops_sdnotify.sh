#!/bin/bash
# tests/ops_sdnotify.sh: gatekeep-authz under systemd's Type=notify protocol, without
# systemd: a datagram socket plays $NOTIFY_SOCKET (a path, then an abstract "@name") and
# must receive READY=1 once the workers are forked, WATCHDOG=1 at half of $WATCHDOG_USEC,
# and STOPPING=1 on SIGTERM.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
# listen ADDR OUT: collect datagrams at ADDR (a path or @abstract) into OUT, one a line, 8 s
listen() {
	python3 -c '
import socket, sys, time
a = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + a[1:] if a.startswith("@") else a)
if not a.startswith("@"):
    import os; os.chmod(a, 0o666)   # the supervisor sends after its drop to run_user, as systemd allows
open(sys.argv[2] + ".up", "w").close()
s.settimeout(0.2)
end = time.time() + 8
with open(sys.argv[2], "a", buffering=1) as f:
    while time.time() < end:
        try:
            f.write(s.recv(4096).decode() + "\n")
        except socket.timeout:
            pass
' "$1" "$2" &
	for i in $(seq 1 50); do [ -e "$2.up" ] && return 0; sleep 0.1; done
	bail "the notify socket did not come up"
}
# waitfor FILE REGEX: up to 6 s
waitfor() {
	local i
	for i in $(seq 1 60); do grep -Eq "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

for addr in "$TMP/notify.sock" "@gatekeep-test-$$"; do
	out="$TMP/notify.$RANDOM"
	listen "$addr" "$out"
	rm -f "$GK_SOCK"
	NOTIFY_SOCKET="$addr" WATCHDOG_USEC=1000000 gk_bg authz "$GK_AUTHZ" -c "$GK/gatekeep.conf" \
	    --listen "unix:$GK_SOCK" --socket-mode 0666 --workers 2
	waitfor "$out" '^READY=1$'
	ok $? "$addr: READY=1"
	waitfor "$out" '^WATCHDOG=1$'
	ok $? "$addr: WATCHDOG=1 (WATCHDOG_USEC=1000000)"
	gk_wait_sock "$GK_SOCK"
	ok $? "... and the FastCGI socket is there"
	is "$(grep -c '^READY=1$' "$out")" 1 "$addr: READY=1 sent once"
	gk_stop authz
	waitfor "$out" '^STOPPING=1$'
	ok $? "$addr: STOPPING=1 on SIGTERM"
	wait
done
# Not under systemd (no NOTIFY_SOCKET): nothing to send, it just runs.
rm -f "$GK_SOCK"
gk_bg authz "$GK_AUTHZ" -c "$GK/gatekeep.conf" --listen "unix:$GK_SOCK" --socket-mode 0666 --workers 1
gk_wait_sock "$GK_SOCK" && gk_alive authz
ok $? "without NOTIFY_SOCKET it serves as before"
done_testing
