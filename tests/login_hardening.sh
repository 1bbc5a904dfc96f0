#!/bin/bash
# login_hardening.sh: gatekeep-login's FastCGI runtime: the pre-check of every request (CVE-2025-23016)
# with the worker serving on, a sign-in POST through it (hash upgrade + lockout writes under seccomp),
# privilege drop, no_new_privs, seccomp in workers (and the narrowed OIDC filter), close-on-exec fds,
# --workers 2, SIGHUP reload, SIGTERM.
. "$top_srcdir/tests/lib.sh"

PY=/usr/bin/python3
export top_srcdir
CLIENT="$top_srcdir/tests/fcgi_client.py"
[ -x "$GK_LOGIN" ] || bail "gatekeep-login not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
[ "$(id -u)" -eq 0 ] || bail "needs root (privilege drop to nobody); CI runs the suite as root"
getent passwd nobody >/dev/null || bail "no user nobody"
NOBODY_UID=$(id -u nobody)

# Everything the workers open after the drop belongs to nobody (lockout table: must be its own).
chmod 0711 "$TMP"
D=$TMP/lg
mkdir -m 0755 "$D" "$D/state"
SOCK=$D/login.sock
LOG=$TMP/login.log
"$GK_PASSWD" --init "$D/users.db" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
"$GK_PASSWD" -b -2 "$D/users.db" bob 'bob password' >/dev/null 2>&1 || bail "add bob"
base_conf() {
	cat <<EOF
database = $D/users.db
secret_file = $D/secret
state_dir = $D/state
log_target = stderr
login_url = /gatekeep/login
cookie_secure = false
default_redirect = /
max_failures = 3
lockout_address_failures = 3
run_user = nobody
EOF
}
base_conf > "$D/gk.conf"
chown -R "nobody:$(id -gn nobody)" "$D"

get() { $PY "$CLIENT" "$SOCK" REQUEST_METHOD=GET REMOTE_ADDR=192.0.2.1 "$@" | tr -d '\r'; }
status() { get REQUEST_URI=/gatekeep/login SCRIPT_NAME=/gatekeep/login | head -1; }
field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status" | tr -s " \t" " "; }
workers() { pgrep -P "$1" | sort; }
start() {  # start [ENV=VALUE...] -- [OPTIONS]
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -f "$SOCK"
	env "${envs[@]}" "$GK_LOGIN" -c "$D/gk.conf" --listen "unix:$SOCK" -d "$@" 2>>"$LOG" &
	LPID=$!
	at_exit "kill $LPID"
	for _ in $(seq 50); do [ -S "$SOCK" ] && [ "$(workers $LPID | wc -l)" -ge 1 ] && break; sleep 0.1; done
	[ -S "$SOCK" ] || bail "gatekeep-login did not start: $(cat "$LOG")"
	sleep 0.2
}
stop() { kill -TERM "$LPID"; wait "$LPID"; }

start -- --workers 2
is "$(status)" "Status: 200 OK" "--workers 2: the login page"
is "$(workers $LPID | wc -l)" 2 "two workers"
is "$(stat -c %a "$SOCK")" 660 "unix socket mode 0660 by default"

# --- privileges and the sandbox --------------------------------------------------------------
is "$(field $LPID Uid)" "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" "supervisor: uid nobody (run_user)"
is "$(field $LPID NoNewPrivs)" 1 "supervisor: no_new_privs"
is "$(field $LPID Seccomp)" 0 "supervisor: no filter (it forks, waits and reloads)"
W=$(workers $LPID)
for w in $W; do
	is "$(field "$w" NoNewPrivs)" 1 "worker $w: NoNewPrivs 1"
	is "$(field "$w" Seccomp)" 2 "worker $w: Seccomp 2 (filter)"
	is "$(field "$w" Uid)" "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" "worker $w: uid nobody"
done
# A silent peer holds a connection open in one worker while we look.
hold_silent_peer "$SOCK" 7
SLOW=$SILENT_PID
sleep 0.4
is "$(fds_without_cloexec $LPID)" "" "supervisor: every descriptor close-on-exec"
for w in $W; do
	is "$(fds_without_cloexec "$w")" "" "worker $w: all $(ls /proc/"$w"/fd | wc -l) descriptors close-on-exec"
done
is "$(status)" "Status: 200 OK" "the other worker answers while one waits on a silent peer"
for _ in $(seq 80); do grep -q 'reason=fastcgi-timeout' "$LOG" && break; sleep 0.1; done
like "$(cat "$LOG")" 'deny user=- method=fastcgi from=- reason=fastcgi-timeout' "the silent peer is dropped and logged"
kill $SLOW 2>/dev/null; wait $SLOW 2>/dev/null

# --- hostile FastCGI: refused before libfcgi, logged, the workers serve on ---------------------
before=$(workers $LPID | tr '\n' ' ')
: > "$LOG"
# the exact residual shape of CVE-2025-23016: 0x7ffffffe + 0x7ffffffe, and the end of PARAMS
$PY "$CLIENT" "$SOCK" --hostile residual >/dev/null 2>&1
$PY "$CLIENT" "$SOCK" --hostile huge-lengths REQUEST_METHOD=GET >/dev/null 2>&1
$PY "$CLIENT" "$SOCK" --hostile truncated REQUEST_METHOD=GET REQUEST_URI=/gatekeep/login >/dev/null 2>&1
# a body far over any sign-in form: refused before libfcgi reads FCGI_STDIN
big=$($PY - "$SOCK" <<'PY'
import os, sys
sys.path.insert(0, os.environ["top_srcdir"] + "/tests")
from fcgi_client import connect, read_stdout, request
body = b"user=a&password=" + b"x" * 40000
s = connect(sys.argv[1], 8)
s.sendall(request([(b"REQUEST_METHOD", b"POST"), (b"CONTENT_LENGTH", str(len(body)).encode()),
                   (b"CONTENT_TYPE", b"application/x-www-form-urlencoded")], body=body))
out, _ = read_stdout(s)
print(out.split(b"\r\n")[0].decode("latin-1") if out else "no answer")
PY
)
# (answered, not dropped: a web server shows a dropped connection as 502/503)
is "$big" "Status: 413 Content Too Large" "a 40000-byte body: refused with 413 before libfcgi reads it"
sleep 0.3
is "$(grep -cE 'reason=(bad-fastcgi-record|request-too-large)' "$LOG")" 4 "CVE record, huge lengths, truncated, oversized: one log line each"
like "$(cat "$LOG")" 'reason=request-too-large' "an oversized request is logged as such"
like "$(grep 'refused before libfcgi' "$LOG" | tr '\n' ' ')" 'pair-overflow|length' "-d names the defect"
is "$(workers $LPID | tr '\n' ' ')" "$before" "the same workers are alive"
unlike "$(cat "$LOG")" 'killed by signal|exited with status|AddressSanitizer|allocation-size' "no worker died"
is "$(status)" "Status: 200 OK" "the login page still works afterwards"

# --- a sign-in POST through the checked loop: the form, lockout writes, a hash upgrade ---------
signin() {  # signin USER PASSWORD ADDR [BODY-PAD]: prints the status line
	$PY - "$SOCK" "$1" "$2" "$3" "${4:-0}" <<'PY'
import os, re, sys, urllib.parse
sys.path.insert(0, os.environ["top_srcdir"] + "/tests")
from fcgi_client import connect, read_stdout, request
sock, user, pw, addr, pad = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def ask(pairs, body=b""):
    s = connect(sock, 10)
    s.sendall(request(pairs, body=body))
    return read_stdout(s)[0].decode()
env = [(b"REQUEST_URI", b"/gatekeep/login"), (b"SCRIPT_NAME", b"/gatekeep/login"),
       (b"REMOTE_ADDR", addr.encode()), (b"HTTP_HOST", b"login.example")]
page = ask([(b"REQUEST_METHOD", b"GET")] + env)
cookie = re.search(r"Set-Cookie: (gatekeep_session_csrf=[^;]*);", page).group(1)
csrf = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
body = urllib.parse.urlencode({"csrf": csrf, "user": user, "password": pw, "rd": "/"}).encode()
body += b"&pad=" + b"x" * pad if pad else b""
ans = ask([(b"REQUEST_METHOD", b"POST"), (b"CONTENT_TYPE", b"application/x-www-form-urlencoded"),
           (b"CONTENT_LENGTH", str(len(body)).encode()), (b"HTTP_COOKIE", cookie.encode()),
           (b"HTTP_ORIGIN", b"http://login.example")] + env, body)
print(ans.split("\r\n")[0])
PY
}
hash3() { "$GK_PASSWD" --export "$D/users.db" 2>/dev/null | grep "^$1:" | cut -d: -f2 | cut -c1-3; }
is "$(hash3 bob)" '$5$' "bob starts with a sha256crypt hash"
is "$(signin bob 'wrong' 198.51.100.1)" "Status: 401 Unauthorized" "wrong password: 401 (lockout table written)"
is "$(signin bob 'bob password' 198.51.100.2)" "Status: 303 See Other" "sign-in POST through FastCGI: 303"
is "$(hash3 bob)" '$y$' "...and the legacy hash was upgraded by the sandboxed worker"
is "$(signin bob 'bob password' 198.51.100.2 9000)" "Status: 413 Content Too Large" "a 9 KB form: the 413 page"
for _ in 1 2 3; do signin nemo 'x' 198.51.100.3 >/dev/null; done
is "$(signin bob 'bob password' 198.51.100.3)" "Status: 401 Unauthorized" "address banned after 3 failures"
is "$(workers $LPID | tr '\n' ' ')" "$before" "no worker died on the way"

# --- SIGHUP: new workers with the reloaded configuration; SIGTERM: clean exit ------------------
kill -HUP $LPID
old() { comm -12 <(echo "$before" | tr ' ' '\n' | sed '/^$/d') <(workers $LPID); }
for _ in $(seq 50); do [ -z "$(old)" ] && [ "$(workers $LPID | wc -l)" -eq 2 ] && break; sleep 0.1; done
is "$(old)" "" "SIGHUP: the old workers are gone"
is "$(workers $LPID | wc -l)" 2 "...and two new ones serve"
like "$(cat "$LOG")" 'configuration reloaded' "...and the reload is logged"
is "$(status)" "Status: 200 OK" "...and answer"
stop; ok $? "SIGTERM: exit 0"
ok "$([ ! -e "$SOCK" ]; echo $?)" "the socket is removed"

# --- with OIDC: libcurl's calls are allowed, through a second, narrowing filter ----------------
{ base_conf; cat <<EOF
oidc_provider = oidc
oidc_issuer = https://gk-test.invalid
oidc_client_id = gatekeep
oidc_redirect_uri = http://127.0.0.1:1/gatekeep/callback
oidc_authorized_domains = example.com
EOF
} > "$D/gk.conf"
echo 'test-client-secret' > "$D/client_secret"; chmod 600 "$D/client_secret"; chown "nobody:$(id -gn nobody)" "$D/client_secret"
echo "oidc_client_secret_file = $D/client_secret" >> "$D/gk.conf"
: > "$LOG"
start -- --workers 1
w=$(workers $LPID)
is "$(field "$w" Seccomp)" 2 "OIDC worker: Seccomp 2"
is "$(field "$w" Seccomp_filters)" 2 "OIDC worker: two stacked filters (allow-list + argument checks)"
# a DNS look-up (libcurl's resolver thread) and its failure, inside the sandbox
is "$(get REQUEST_URI=/gatekeep/oidc SCRIPT_NAME=/gatekeep/oidc | head -1)" "Status: 502 Bad Gateway" \
	"/oidc with an unresolvable provider: 502"
like "$(cat "$LOG")" 'reason=provider-unreachable' "...logged as provider-unreachable"
is "$(workers $LPID)" "$w" "...and the worker survived the resolver thread"
is "$(status)" "Status: 200 OK" "the login page (with the provider button) still answers"
stop; ok $? "SIGTERM: exit 0"
unlike "$(cat "$LOG")" 'killed by signal|Sanitizer|runtime error' "no crash, no sanitizer report"

# --- refusals ------------------------------------------------------------------------------------
out=$("$GK_LOGIN" -c "$D/gk.conf" --listen tcp:192.0.2.1:9 2>&1); r=$?
is "$r" 1 "--listen on a routable address: refused"
like "$out" 'not a loopback address' "...and says why"
out=$("$GK_LOGIN" -c "$D/gk.conf" --listen "unix:$SOCK" --workers 0 2>&1); is "$?" 2 "--workers 0: usage error"
out=$(GATEKEEP_SECCOMP=bogus "$GK_LOGIN" -c "$D/gk.conf" --listen "unix:$SOCK" 2>&1); r=$?
is "$r" 1 "GATEKEEP_SECCOMP=bogus: exit 1"
if [ "$_tap_failed" -ne 0 ]; then sed "s/^/#   log: /" "$LOG" | tail -30; fi
done_testing
