#!/bin/bash
# tests/log8_ontime.sh: the event core holds a wake-up's stderr lines for one write
# (gk_log_flush before it waits): a decision's line must still be in the log before the
# next request on the same kept connection is answered (that request needs another wake-up),
# whole and in order, and the last one within a moment, with nothing held back.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
DB=$TMP/users.db LOG=$TMP/authz.log
"$GK_PASSWD" -c -b "$DB" alice 'alice-pw' 2>/dev/null || bail "passwd alice"
printf 'database = %s\nsecret_file = %s\nmethods = proxy\nproxy_trusted = 127.0.0.1\n' \
	"$DB" "$TMP/secret" > "$TMP/gatekeep.conf"
printf 'log_target = stderr\nlog_level = info\n%s\n' "$GK_RUN_LINES" >> "$TMP/gatekeep.conf"
gk_authz_one_worker
# One kept connection, N requests one after the other (allow, or deny for every fifth);
# after each answer, the log must already hold the previous request's line.
out=$(/usr/bin/python3 - "$TMP/h.sock" "$LOG" 40 <<'PY'
import socket, sys, time
sock, log, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock)
f = s.makefile("rb")
def ask(i):
    user = b"" if i % 5 == 4 else b"Remote-User: alice\r\n"
    s.sendall(b"GET /_gatekeep HTTP/1.1\r\nHost: app.example.com\r\nX-Gatekeep-Method: GET\r\n"
              b"X-Gatekeep-Uri: /r%d\r\nX-Gatekeep-Addr: 127.0.0.1\r\nX-Gatekeep-Scheme: http\r\n"
              b"X-Gatekeep-Server-Addr: 127.0.0.1\r\nX-Gatekeep-Host: app.example.com\r\n%s\r\n"
              % (i, user))
    status = f.readline().split()[1].decode()
    length = 0
    while True:
        h = f.readline()
        if h in (b"\r\n", b""):
            break
        if h.lower().startswith(b"content-length:"):
            length = int(h.split(b":")[1])
    f.read(length)
    return status
def logged(i):
    with open(log, "rb") as lf:
        return sum(1 for l in lf if l.rstrip(b"\n").endswith(b" uri=/r%d" % i))
late = []
statuses = []
for i in range(n):
    statuses.append(ask(i))
    if i > 0 and logged(i - 1) != 1:
        late.append(i - 1)
print("statuses", " ".join(sorted(set(statuses))))
print("late", " ".join(map(str, late)) or "none")
for _ in range(50):
    if logged(n - 1) == 1:
        break
    time.sleep(0.02)
print("last", logged(n - 1))
PY
)
diag "$(echo $out)"
r() { printf '%s\n' "$out" | sed -n "s/^$1 //p"; }
is "$(r statuses)" "200 401" "the requests were answered (allows and denies)"
is "$(r late)" none "each decision's line was in the log before the next request's answer"
is "$(r last)" 1 "the last decision's line follows within a moment, once"
# whole lines, in order, in the stable format, and nothing else
lines=$(grep -c ' uri=/r' "$LOG")
is "$lines" 40 "40 decision lines"
grep ' uri=/r' "$LOG" | sed -n 's/.* uri=\/r//p' | tr '\n' ' ' >"$TMP/order"
is "$(cat "$TMP/order")" "$(seq -s ' ' 0 39) " "in the order of the requests"
bad=$(grep ' uri=/r' "$LOG" | grep -Evc '^gatekeep-authz\[[0-9]+\]: (info: allow user=alice method=proxy|notice: deny user=- method=- from=127\.0\.0\.1 reason=[a-z-]+) ' || true)
bad2=$(grep ' uri=/r' "$LOG" | grep -Ec 'method=proxy from=127\.0\.0\.1 uri=/r[0-9]+$|reason=[a-z-]+ uri=/r[0-9]+$' || true)
is "$bad/$bad2" "0/40" "each line whole, in the decision-line format"
kill -0 "$AUTHZ_PID" 2>/dev/null
ok $? "gatekeep-authz is still running"
done_testing
