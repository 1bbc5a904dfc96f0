# tests/fault/common.sh: helpers for the fault-injection tests (sourced after tests/lib.sh).
# gatekeep-authz runs as the unprivileged user "nobody" (config run_user) whenever the
# test runs as root, so that file permissions really bite; its stderr log is $FLOG.

PY=/usr/bin/python3
CLIENT="$top_srcdir/tests/fcgi_client.py"
TOKENTOOL="$top_builddir/tests/tokentool"
FDIR="$TMP/f"          # database, secret, socket (readable by nobody)
FLOG="$TMP/authz.log"
FSOCK="$FDIR/authz.sock"
FCONF="$FDIR/gatekeep.conf"
[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
mkdir -p "$FDIR" "$FDIR/state"
chmod 755 "$TMP" "$FDIR"
: >"$FLOG"

if [ "$(id -u)" = 0 ]; then
	RUN_AS=nobody
	RUN_GROUP=$(id -gn nobody)
	RUN_LINES="run_user = nobody
run_group = $RUN_GROUP"
else
	RUN_AS=$(id -un)
	RUN_LINES=""
fi

# f_give FILE...: hand files to the user gatekeep-authz runs as (mode 0600, like the real ones).
f_give() {
	[ "$(id -u)" = 0 ] || return 0
	chown "$RUN_AS:$RUN_GROUP" "$@"
}
f_give "$FDIR/state"

# f_as_runner CMD...: run CMD as the user gatekeep-authz runs as.
f_as_runner() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$RUN_AS" --regid="$RUN_GROUP" --clear-groups -- "$@"
	else
		"$@"
	fi
}

# f_conf [EXTRA-LINE...]: write $FCONF (database $FDIR/users.db, secret $FDIR/secret).
f_conf() {
	local l
	{
		echo "database = $FDIR/users.db"
		echo "secret_file = $FDIR/secret"
		echo "realm = fault"
		echo "methods = session, basic"
		echo "log_target = stderr"
		echo "basic_cache_ttl = 0"
		echo "state_dir = $FDIR/state"
		echo "max_failures = 100"
		echo "lockout_address_failures = 100"
		echo "lockout_user_throttle = 100"
		[ -n "$RUN_LINES" ] && printf '%s\n' "$RUN_LINES"
		for l in "$@"; do echo "$l"; done
	} >"$FCONF"
}

# f_start [WORKERS]: start the pool; sets AUTHZ_PID. The worker pids: f_workers.
f_start() {
	rm -f "$FSOCK"
	"$GK_AUTHZ" -c "$FCONF" --listen "unix:$FSOCK" --socket-mode 0666 --workers "${1:-2}" 2>>"$FLOG" &
	AUTHZ_PID=$!
	at_exit "f_kill_ours $AUTHZ_PID"
	local i
	for i in $(seq 50); do [ -S "$FSOCK" ] && break; sleep 0.1; done
	[ -S "$FSOCK" ] || bail "gatekeep-authz did not start: $(cat "$FLOG")"
	# wait until the workers run (as RUN_AS)
	for i in $(seq 50); do [ "$(f_workers | wc -w)" -ge "${1:-2}" ] && break; sleep 0.1; done
}

# f_kill_ours PID: SIGTERM PID only if it is still our gatekeep-authz (pids are reused
# quickly on a busy machine: a stale "kill PID" at exit could hit someone else's process).
f_kill_ours() {
	[ "$(ps -o ppid= -p "$1" 2>/dev/null | tr -d ' ')" = "$$" ] &&
	    grep -q gatekeep-authz "/proc/$1/cmdline" 2>/dev/null && kill -TERM "$1"
}

# f_stop: SIGTERM the pool and wait for it.
f_stop() {
	kill -TERM "$AUTHZ_PID" 2>/dev/null
	wait "$AUTHZ_PID" 2>/dev/null
}

f_workers() { pgrep -P "$AUTHZ_PID" | tr '\n' ' '; }

b64() { printf '%s' "$1" | base64 -w0; }

# f_q ROLE URI [NAME=VALUE...]: the raw answer (CR stripped).
f_q() {
	local role=$1 uri=$2
	shift 2
	$PY "$CLIENT" "$FSOCK" --role "$role" REQUEST_METHOD=GET HTTP_HOST=app.example.com \
	    REMOTE_ADDR=198.51.100.9 REQUEST_URI="$uri" "$@" | tr -d '\r'
}
# f_st URI [NAME=VALUE...]: the status line of an Authorizer answer.
f_st() { f_q authorizer "$@" | head -1; }
# f_basic USER PASSWORD: the Authorization param.
f_basic() { echo "HTTP_AUTHORIZATION=Basic $(b64 "$1:$2")"; }

# f_mark: remember the log size; f_since: the log lines written after the last f_mark.
f_mark() { _f_mark=$(stat -c %s "$FLOG"); }
f_since() { tail -c +"$((_f_mark + 1))" "$FLOG"; }

# f_count REGEX: lines since the mark matching REGEX.
f_count() { f_since | grep -cE -- "$1"; }

# f_one_line URI WHAT ERR-REGEX DECISION-REGEX [PARAMS...]: one request must be a 500
# ($F_STATUS: the database's 403) (never 200), with exactly one error line and exactly one
# deny decision line.
f_one_line() {
	local uri=$1 what=$2 err=$3 dec=$4 s
	shift 4
	f_mark
	s=$(f_st "$uri" "$@")
	is "$s" "Status: ${F_STATUS:-500}" "$what: ${F_STATUS:-500}, fail closed"
	sleep 0.1
	is "$(f_count "$err")" 1 "$what: exactly one error line /$err/"
	is "$(f_count "$dec")" 1 "$what: exactly one deny line /$dec/"
	is "$(f_count 'allow user=')" 0 "$what: no allow line"
}

# f_pool_ok: the parent is alive and no worker died since the last f_mark.
f_pool_ok() {
	kill -0 "$AUTHZ_PID" 2>/dev/null
	ok $? "$1: the pool's parent is alive"
	unlike "$(f_since)" 'worker [0-9]+ (died|killed|exited)|signal|AddressSanitizer|runtime error' \
	    "$1: no worker died"
}
