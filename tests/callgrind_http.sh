#!/bin/bash
# tests/callgrind_http.sh: instructions per decision of gatekeep-authz over --http-listen on one
# kept connection, split by function (valgrind's callgrind: counts, not times, so a shared
# machine does not blur them).  Not a test (make check never runs it): a measuring tool.
#   tests/callgrind_http.sh [--builddir DIR] [--requests N] [--top K] [--keep DIR] [CASE...]
#   CASE: basic (cached Basic), proxy (trusted proxy header), cookie (session cookie); all three
#   when none is named.
# One worker (--workers 1) under callgrind serves a warm-up, then N more requests, in two runs
# (W and W + N requests); the difference of the two runs' counts, divided by N, is what one
# more decision costs, start-up and first-request work (the Basic hash, file loads) left out.
# The head is the one nginx sends for auth_request with contrib/nginx/gatekeep-http-auth.conf
# (captured from nginx 1.22 behind `ab -k`), the client's own fields after nginx's.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build/plain" n=2000 warm=200 topk=25 keep=
while [ $# -gt 0 ]; do
	case "$1" in
	--builddir) build="$2"; shift 2 ;;
	--requests) n="$2"; shift 2 ;;
	--top) topk="$2"; shift 2 ;;
	--keep) keep="$2"; shift 2 ;;
	-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
	--*) echo "callgrind_http: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=(basic proxy cookie)
command -v valgrind >/dev/null || { echo "callgrind_http: needs valgrind" >&2; exit 1; }
(cd "$build" && make -s fcgi/gatekeep-authz admin/gatekeep-passwd tests/tokentool) >/dev/null
tmp=$(mktemp -d /tmp/gkcg.XXXXXX); chmod 777 "$tmp"
gk_pid=
cleanup() { [ -z "$gk_pid" ] || kill "$gk_pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
[ -z "${CG_DEBUG:-}" ] || set -x
P="$build/admin/gatekeep-passwd"
"$P" --init "$tmp/users.db" >/dev/null
"$P" -b "$tmp/users.db" alice 'bench-Pa55word' >/dev/null
cat >"$tmp/gatekeep.conf" <<CONF
database = $tmp/users.db
secret_file = $tmp/secret
methods = proxy, session, basic
proxy_trusted = 127.0.0.1
on_unauthenticated = basic
basic_cache_ttl = 5m
log_target = stderr
log_level = err
CONF
[ "$(id -u)" != 0 ] || printf 'run_user = nobody\n' >>"$tmp/gatekeep.conf"
# the secret: made by a first start, then the session token signed with it
"$build/fcgi/gatekeep-authz" -c "$tmp/gatekeep.conf" --check-config >/dev/null 2>&1 || true
[ "$(id -u)" != 0 ] || chown nobody:nogroup "$tmp/users.db" "$tmp/secret" 2>/dev/null || true
gen=$("$P" --show alice "$tmp/users.db" | sed -n 's/^generation: //p')
token=
[ -f "$tmp/secret" ] && token=$("$build/tests/tokentool" -g "$gen" -l 43200 issue "$tmp/secret" gatekeep alice)

# client SOCK COUNT HEADER: COUNT requests on one connection, each answer read whole; exit 1
# unless every answer is a 200 (a deny is not the path being measured)
cat >"$tmp/client.py" <<'PY'
import socket, sys, time
path, count, hdr = sys.argv[1], int(sys.argv[2]), sys.argv[3]
head = ("GET /_gatekeep HTTP/1.1\r\nX-Gatekeep-Method: GET\r\nX-Gatekeep-Uri: /app/page\r\n"
        "X-Gatekeep-Addr: 127.0.0.1\r\nX-Gatekeep-Scheme: http\r\nX-Gatekeep-Server-Addr: 127.0.0.1\r\n"
        "X-Gatekeep-Host: 127.0.0.1\r\nHost: gatekeep_authz\r\n" + hdr + "\r\n"
        "User-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n").encode()
for i in range(600):
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(path); break
    except OSError:
        time.sleep(0.1)
buf = b""
for i in range(count):
    s.sendall(head)
    while True:
        e = buf.find(b"\r\n\r\n")
        if e >= 0:
            break
        d = s.recv(65536)
        if not d:
            sys.exit("closed after %d answers" % i)
        buf += d
    ans, buf = buf[:e + 4], buf[e + 4:]
    if not ans.startswith(b"HTTP/1.1 200 "):
        sys.exit("answer %d: %r" % (i, ans[:200]))
    cl = [l for l in ans.split(b"\r\n") if l.lower().startswith(b"content-length:")]
    need = int(cl[0].split(b":")[1]) if cl else 0
    while len(buf) < need:
        buf += s.recv(65536)
    buf = buf[need:]
s.close()
PY

# run CASE COUNT: callgrind's output of the worker after COUNT requests
run() {
	local c="$1" count="$2" hdr out w= i
	case "$c" in
	basic) hdr="Authorization: Basic $(printf 'alice:bench-Pa55word' | base64)" ;;
	proxy) hdr="Remote-User: alice" ;;
	cookie) [ -n "$token" ] || { echo "callgrind_http: no session token" >&2; return 1; }
		hdr="Cookie: gatekeep_session=$token" ;;
	*) echo "callgrind_http: unknown case $c" >&2; return 1 ;;
	esac
	out="$tmp/cg.$c.$count"
	mkdir -p "$out"; chmod 777 "$out"
	rm -f "$tmp/http.sock"
	# no seccomp filter under valgrind (its own system calls are not the worker's); counted:
	# the event loop and what it calls (not the start-up, nor the hash pool's threads)
	GATEKEEP_SECCOMP=off valgrind -q --tool=callgrind --trace-children=yes \
		--collect-atstart=no --toggle-collect=gk_evloop_run \
		--callgrind-out-file="$out/cg.%p" "$build/fcgi/gatekeep-authz" -c "$tmp/gatekeep.conf" \
		--listen "unix:$tmp/fcgi.sock" --http-listen "unix:$tmp/http.sock" --socket-mode 0666 \
		--workers 1 2>"$tmp/gk.log" &
	gk_pid=$!
	python3 "$tmp/client.py" "$tmp/http.sock" "$count" "$hdr" ||
		{ cat "$tmp/gk.log" >&2; return 1; }
	kill "$gk_pid"; wait "$gk_pid" 2>/dev/null || true; gk_pid=
	# the worker writes its counts as it ends (after the master): the last line is "totals:"
	for i in $(seq 300); do
		w=$(grep -l 'fn=([0-9]*) gk_evloop_run' "$out"/cg.* 2>/dev/null | head -1)
		[ -n "$w" ] && grep -q '^totals:' "$w" && break
		sleep 0.1
	done
	echo "$w"
}

# per-function inclusive-less (self) counts of a callgrind file: "Ir function" lines
self_ir() {
	callgrind_annotate --threshold=100 --inclusive=no --tree=none --auto=no "$1" 2>/dev/null |
		awk '/^ *[0-9,]+ +\( *[0-9.]+%\) +[^=]/ && !/PROGRAM TOTALS/ { v = $1; gsub(",", "", v)
			sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, ""); sub(/ \[.*$/, ""); sub(/^.*\//, "")
			if (v + 0 > 0) print v "\t" $0 }'
}

for c in "${cases[@]}"; do
	a=$(run "$c" "$warm") b=$(run "$c" "$((warm + n))")
	[ -n "$a" ] && [ -n "$b" ] || { echo "callgrind_http: $c: no worker output" >&2; exit 1; }
	[ -z "$keep" ] || { mkdir -p "$keep"; cp "$a" "$keep/$c.$warm.out"; cp "$b" "$keep/$c.$((warm + n)).out"; }
	ta=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p;s/^summary: *\([0-9]*\).*/\1/p' "$a" | head -1)
	tb=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p;s/^summary: *\([0-9]*\).*/\1/p' "$b" | head -1)
	echo "== $c: $(( (tb - ta) / n )) instructions per decision (one worker, one kept connection, $n requests)"
	join -t "$(printf '\t')" -a 2 -e 0 -o 0,1.2,2.2 <(self_ir "$a" | awk -F'\t' '{ print $2 "\t" $1 }' | sort) \
		<(self_ir "$b" | awk -F'\t' '{ print $2 "\t" $1 }' | sort) |
		awk -F'\t' -v n="$n" '{ d = ($3 - $2) / n; if (d >= 1) printf "%10.1f  %s\n", d, $1 }' |
		sort -rn | head -n "$topk"
done
