# tests/lib.sh: TAP helpers and fixtures for the shell tests (sourced, not run).
# Provides: ok/not_ok/is/like, done_testing, a temp dir removed on exit, free_port,
# and $GK_PASSWD etc. pointing at the built programs.

: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
GK_PASSWD="$top_builddir/admin/gatekeep-passwd"
GK_AUTHZ="$top_builddir/fcgi/gatekeep-authz"
GK_LOGIN="$top_builddir/fcgi/gatekeep-login"
_tap_n=0
_tap_failed=0
_tap_cleanup_cmds=()

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gktest.XXXXXX")
_tap_exit() {
	local c
	for c in "${_tap_cleanup_cmds[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
	rm -rf "$TMP"
}
trap _tap_exit EXIT

# at_exit CMD: run CMD (a string) when the test ends, even on failure.
at_exit() { _tap_cleanup_cmds+=("$1"); }

# gatekeep-authz and gatekeep-login refuse to serve as root without run_user: a test run as
# root adds GK_RUN_LINES to their configuration and hands their files to nobody
# (gk_give_nobody). Not root: both do nothing.
if [ "$(id -u)" = 0 ]; then
	GK_RUN_LINES="run_user = nobody
run_group = nogroup"
else
	GK_RUN_LINES=""
fi
# "${GK_AS_RUNNER[@]}" CMD...: as root, runs CMD as nobody (a CGI sharing their lockout table).
GK_AS_RUNNER=()
[ "$(id -u)" = 0 ] && GK_AS_RUNNER=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
# gk_runner_copy PROG: as root, a copy of PROG in $TMP that nobody can run (the build tree
# may sit under a 0700 directory, as a clone in /root does); otherwise PROG itself.
gk_runner_copy() {
	if [ "$(id -u)" != 0 ]; then printf '%s\n' "$1"; return 0; fi
	mkdir -p "$TMP/runner-bin" && chmod 755 "$TMP" "$TMP/runner-bin" &&
		cp "$1" "$TMP/runner-bin/" && chmod 755 "$TMP/runner-bin/${1##*/}" &&
		printf '%s\n' "$TMP/runner-bin/${1##*/}"
}
# gk_give_nobody PATH...: as root, PATHs (recursively) become nobody's and $TMP searchable.
gk_give_nobody() {
	[ "$(id -u)" = 0 ] || return 0
	chmod 755 "$TMP"
	chown -R nobody:nogroup "$@"
}

ok() {  # ok COND_EXIT_STATUS DESCRIPTION  (use: cmd; ok $? "desc")
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"
	else echo "not ok $_tap_n - $2"; _tap_failed=$((_tap_failed + 1)); fi
}
is() {  # is GOT WANT DESCRIPTION
	_tap_n=$((_tap_n + 1))
	if [ "$1" = "$2" ]; then echo "ok $_tap_n - $3"
	else echo "not ok $_tap_n - $3"; echo "#   got:  '$1'"; echo "#   want: '$2'"
		_tap_failed=$((_tap_failed + 1)); fi
}
like() {  # like GOT REGEX DESCRIPTION
	_tap_n=$((_tap_n + 1))
	if printf '%s' "$1" | grep -Eq -- "$2"; then echo "ok $_tap_n - $3"
	else echo "not ok $_tap_n - $3"; echo "#   got:  '$1'"; echo "#   want match: '$2'"
		_tap_failed=$((_tap_failed + 1)); fi
}
unlike() {  # unlike GOT REGEX DESCRIPTION
	_tap_n=$((_tap_n + 1))
	if printf '%s' "$1" | grep -Eq -- "$2"; then echo "not ok $_tap_n - $3"; echo "#   got:  '$1'"
		echo "#   must not match: '$2'"; _tap_failed=$((_tap_failed + 1))
	else echo "ok $_tap_n - $3"; fi
}
diag() { echo "# $*"; }
bail() { echo "Bail out! $*"; exit 99; }
# done_testing: the plan line; on any failure first the tails of the logs a test kept in
# $LOG (server and gatekeep output), so a failure in CI can be explained from its log alone.
done_testing() {
	local f
	if [ "$_tap_failed" -gt 0 ] && [ -n "${LOG:-}" ] && [ -d "$LOG" ]; then
		for f in "$LOG"/*; do
			[ -f "$f" ] && [ -s "$f" ] || continue
			echo "# ---- log ${f##*/}: first error-like lines, then the last lines"
			grep -aE '"level":"error"|[Ee]rror:|ERROR|refus|killed|exited|Sanitizer|runtime error|timed out|timeout| 50[0-9] ' "$f" | head -8 | cut -c1-300 | sed 's/^/#   ! /'
			tail -8 "$f" | cut -c1-300 | sed 's/^/#   /'
		done
	fi
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

# gk_nginx_http_head DIR: a test nginx's main lines and the opening of http {}: one worker,
# pid, error log and temp paths under DIR, no access log; the caller adds servers and "}".
gk_nginx_http_head() {
	printf 'worker_processes 1;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\n' "$1" "$1"
	printf 'events { worker_connections 256; }\nhttp {\n\taccess_log off;\n'
	printf '\tclient_body_temp_path %s/b; proxy_temp_path %s/p; fastcgi_temp_path %s/f;\n' "$1" "$1" "$1"
	printf '\tuwsgi_temp_path %s/u; scgi_temp_path %s/s;\n' "$1" "$1"
}

# gk_authz_one_worker: gatekeep-authz -c $TMP/gatekeep.conf, one worker, FastCGI on
# $TMP/f.sock and HTTP on $TMP/h.sock, stderr appended to $LOG; AUTHZ_PID, stopped at exit.
gk_authz_one_worker() {
	gk_give_nobody "$TMP"
	"$GK_AUTHZ" -c "$TMP/gatekeep.conf" --listen "unix:$TMP/f.sock" --http-listen "unix:$TMP/h.sock" \
		--workers 1 2>>"$LOG" &
	AUTHZ_PID=$!
	at_exit "kill $AUTHZ_PID"
	for _ in $(seq 50); do [ -S "$TMP/h.sock" ] && break; sleep 0.1; done
	[ -S "$TMP/h.sock" ] || bail "gatekeep-authz did not start: $(cat "$LOG")"
}

# free_port: a TCP port on 127.0.0.1 nobody uses right now, below the kernel's ephemeral
# range when it can: a port from that range may become a client connection's local port in a
# test running beside this one before our server binds it ("address already in use").
free_port() {
	/usr/bin/python3 - <<'PY'
import random, socket
try:
    lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    lo = 0
for _ in range(100 if lo > 12000 else 0):
    p = random.randint(10000, lo - 1)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
else:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# wait_port PORT [TRIES]: wait until something listens on 127.0.0.1:PORT.
wait_port() {
	local i
	for i in $(seq 1 "${2:-100}"); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# tamper TOKEN: the token with one character of its last segment changed (never the
# same string: an 'A' becomes 'B', anything else 'A'), away from the final character,
# whose low bits may be unused padding in base64url.
tamper() {
	local t="$1" i c
	i=$((${#t} - 6))
	c=${t:$i:1}
	[ "$c" = A ] && c=B || c=A
	printf '%s' "${t:0:$i}$c${t:$((i + 1))}"
}

# fds_without_cloexec PID: prints the descriptors > 2 of PID that lack O_CLOEXEC (02000000).
fds_without_cloexec() {
	local f fl
	for f in /proc/"$1"/fdinfo/*; do
		[ "${f##*/}" -gt 2 ] || continue
		fl=$(awk '$1 == "flags:" { print $2 }' "$f" 2>/dev/null) || continue
		[ -n "$fl" ] || continue
		(( (8#$fl & 8#2000000) != 0 )) || echo "${f##*/}"
	done
}

# hold_silent_peer SOCKET SECONDS: in the background, connect to a FastCGI unix socket,
# send a BEGIN_REQUEST only and stay silent; sets SILENT_PID (killed at exit).
hold_silent_peer() {
	/usr/bin/python3 - "$1" "$2" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(bytes([1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]))   # BEGIN_REQUEST only
time.sleep(float(sys.argv[2]))
PY
	SILENT_PID=$!
	at_exit "kill $SILENT_PID"
}
# gk_cgi PROG LOG METHOD URI [BODY] [VAR=value ...]: runs PROG (login.cgi, or gatekeep-login
# without a socket) as a web server runs a CGI program: a clean environment with
# GATEKEEP_CONFIG, the request line's variables (QUERY_STRING from URI), a form BODY on
# stdin, VAR=value on top; stderr appended to LOG. The answer: $TMP/out, its headers in
# $TMP/hdr and body in $TMP/body (CRs removed), its Status code in $status (empty if none).
# "${GK_CGI_PREFIX[@]}" goes before env (e.g. GK_AS_RUNNER).
GK_CGI_PREFIX=()
# gk_login_conf FILE [LINE...]: a configuration for login.cgi under $TMP (users.db, secret,
# state/, the log on stderr at info, default_redirect /home), then the LINEs.
gk_login_conf() {
	local f=$1
	shift
	mkdir -p "$TMP/state"
	printf '%s\n' "database = $TMP/users.db" "secret_file = $TMP/secret" "state_dir = $TMP/state" \
		"log_target = stderr" "log_level = info" "default_redirect = /home" "$@" >"$f"
}
gk_cgi() {
	local prog=$1 log=$2 method=$3 uri=$4 body=${5-} path query
	shift 4; [ $# -gt 0 ] && shift
	path=${uri%%\?*}
	query=; [ "$path" != "$uri" ] && query=${uri#*\?}
	printf '%s' "$body" | "${GK_CGI_PREFIX[@]}" env -i PATH=/usr/bin:/bin GATEKEEP_CONFIG="$GATEKEEP_CONFIG" \
		GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD="$method" \
		REQUEST_URI="$uri" SCRIPT_NAME=/gatekeep/login QUERY_STRING="$query" \
		REMOTE_ADDR=192.0.2.10 HTTP_HOST=login.example \
		CONTENT_LENGTH="${#body}" CONTENT_TYPE=application/x-www-form-urlencoded "$@" \
		"$prog" > "$TMP/out" 2>> "$log"
	tr -d '\r' < "$TMP/out" | sed '/^$/q' > "$TMP/hdr"
	tr -d '\r' < "$TMP/out" | sed '1,/^$/d' > "$TMP/body"
	status=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$TMP/hdr")
}

# gk_redis_start SOCK: a real redis-server on the unix socket SOCK (no TCP, no persistence),
# data under $TMP/redis, stopped at exit; bails out when it does not come up.
gk_redis_start() {
	local sock="$1" i
	command -v redis-server >/dev/null || bail "redis-server not found (Debian package redis-server)"
	mkdir -p "$TMP/redis"
	setsid redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --save '' \
		--appendonly no --dir "$TMP/redis" --daemonize no >"$TMP/redis.out" 2>&1 </dev/null &
	echo $! >"$TMP/redis.pid"
	at_exit 'kill -TERM -- "-$(cat "$TMP/redis.pid")" 2>/dev/null; sleep 0.2'
	for i in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || { sed 's/^/#   /' "$TMP/redis.out"; bail "redis-server did not start"; }
}

# gk_redis_tap PROG MIN: the C test tests/PROG against a redis-server of its own
# (GK_TEST_REDIS_URL), its lines as comments; passes when it passed, with MIN checks or more.
gk_redis_tap() {
	local prog="$1" min="$2" rc
	gk_redis_start "$TMP/redis.sock"
	GK_TEST_REDIS_URL="unix:$TMP/redis.sock" "$top_builddir/tests/$prog" >"$TMP/t.out" 2>&1
	rc=$?
	sed -e "s/^ok /# ($prog) ok /" -e "s/^not ok /# ($prog) NOT OK /" "$TMP/t.out" | grep -v '^1\.\.'
	is "$rc" 0 "$prog against redis-server: every check passed"
	[ "$(grep -c '^ok' "$TMP/t.out")" -ge "$min" ]
	ok $? "... and it ran its checks ($(grep -c '^ok' "$TMP/t.out"), at least $min)"
}

# gk_passwd_world: a gatekeep-passwd test runs hermetic in $TMP: P is the program, no
# inherited GATEKEEP_* setting, GATEKEEP_CONFIG an empty file (the defaults), and
# run CMD... sets $rc, $out (stdout) and $err (stderr).
gk_passwd_world() {
	P=$GK_PASSWD
	[ -x "$P" ] || bail "$P not built"
	cd "$TMP" || bail "no TMP"
	for v in $(env | sed -n 's/^\(GATEKEEP_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
	: > "$TMP/empty.conf"
	export GATEKEEP_CONFIG="$TMP/empty.conf"
	run() {
		out=$("$@" 2>"$TMP/stderr"); rc=$?
		err=$(cat "$TMP/stderr")
	}
}
