#!/bin/bash
# tests/perf_syscalls.sh: what a cached decision costs gatekeep-authz's event core in
# system calls (strace -c of its one worker): no stat() of the user database nor of the
# secret file per request (lib/filewatch), and still a replaced database, a disabled user
# and a rotated secret count at the very next request.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

PY=/usr/bin/python3
CLIENT="$top_srcdir/tests/fcgi_client.py"
TOKENTOOL="$top_builddir/tests/tokentool"
N=20
[ -x "$GK_AUTHZ" ] && [ -x "$GK_PASSWD" ] && [ -x "$TOKENTOOL" ] || bail "programs not built"
command -v strace >/dev/null || bail "strace is missing (scripts/install-deps test)"

DB=$TMP/users.db SOCK=$TMP/authz.sock CONF=$TMP/gatekeep.conf LOG=$TMP/authz.log
"$GK_PASSWD" -c -b "$DB" alice 'pw-alice' 2>/dev/null || bail "passwd alice"
"$TOKENTOOL" create "$TMP/secret" || bail "secret"
cat >"$CONF" <<CONF
database = $DB
secret_file = $TMP/secret
methods = proxy, session, basic
proxy_trusted = 127.0.0.1
on_unauthenticated = basic
basic_cache_ttl = 5m
zero_hop_ticket_ttl = 60
cookie_secure = false
log_target = stderr
log_level = info
$GK_RUN_LINES
CONF
gk_give_nobody "$TMP"
gen=$("$GK_PASSWD" --show=alice "$DB" | sed -n 's/^generation: *//p')
TOK=$("$TOKENTOOL" -l 7200 -g "$gen" issue "$TMP/secret" gatekeep alice) || bail "token"
BASIC="HTTP_AUTHORIZATION=Basic $(printf 'alice:pw-alice' | base64 -w0)"
q() { $PY "$CLIENT" "$SOCK" --role "${ROLE:-authorizer}" REQUEST_METHOD=GET HTTP_HOST=app.example.com \
	REMOTE_ADDR=127.0.0.1 REQUEST_URI=/x "$@" | tr -d '\r'; }
st() { q "$@" | head -1; }

"$GK_AUTHZ" -c "$CONF" --listen "unix:$SOCK" --workers 1 2>>"$LOG" &
AUTHZ_PID=$!
at_exit "kill $AUTHZ_PID"
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || bail "gatekeep-authz did not start: $(cat "$LOG")"
W=$(pgrep -P "$AUTHZ_PID" | head -1)
[ -n "$W" ] || bail "no worker"

# warm: the credential cache, the first stat() that registers each file with the watcher
is "$(st "$BASIC")/$(st "HTTP_COOKIE=gatekeep_session=$TOK")/$(st HTTP_REMOTE_USER=alice)" \
	"Status: 200/Status: 200/Status: 200" "Basic, session cookie and proxy header allowed"

strace -f -y -o "$TMP/calls" -p "$W" 2>"$TMP/strace.err" &
SP=$!
at_exit "kill $SP 2>/dev/null"
for _ in $(seq 50); do grep -q attached "$TMP/strace.err" 2>/dev/null && break; sleep 0.1; done
good=0
for i in $(seq $N); do
	[ "$(st "$BASIC")" = "Status: 200" ] && good=$((good + 1))
	[ "$(st "HTTP_COOKIE=gatekeep_session=$TOK")" = "Status: 200" ] && good=$((good + 1))
	[ "$(st HTTP_REMOTE_USER=alice)" = "Status: 200" ] && good=$((good + 1))
done
sleep 0.3
kill -INT "$SP"; wait "$SP" 2>/dev/null
is "$good" $((3 * N)) "$((3 * N)) cached decisions (Basic, cookie, proxy header), each allowed"
calls=$(grep -cE '^[0-9]+ +[a-z0-9_]+\(' "$TMP/calls")
echo "# $calls system calls for $((3 * N)) decisions; by name:"
sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p' "$TMP/calls" | sort | uniq -c | sort -rn | sed 's/^/#   /'
grep -E '(stat|inotify_add_watch)\(' "$TMP/calls" | grep -v lockout | cut -c1-160 | sed 's/^/#   /'
is "$(grep -E '(newfstatat|stat|statx|lstat)\(' "$TMP/calls" | grep -cE 'users\.db|secret')" 0 \
	"no stat() of the database or the secret during them (lib/filewatch)"
is "$(grep -cE '(newfstatat|stat|statx|lstat)\(' "$TMP/calls")" \
	"$(grep -E '(newfstatat|stat|statx|lstat)\(' "$TMP/calls" | grep -c 'lockout')" \
	"the only stat() calls left are the lockout table's (cached Basic checks its bans)"

# a zero-hop ticket is nginx's business: gatekeep-authz never reads one, whatever it looks
# like, decides the session alone and hands out a fresh ticket (in the Responder role:
# nginx's auth_request)
T1='eyJ4IjoxfQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
n0=$(grep -c 'user=alice method=session' "$LOG")
for bad in "not-a-ticket" "$T1" "\"$T1\"" "$T1.$T1" "" "$(head -c 3000 /dev/zero | tr '\0' A)"; do
	a=$(ROLE=responder q "HTTP_COOKIE=gatekeep_session=$TOK; gatekeep_session_ticket=$bad")
	like "$(printf '%s' "$a" | head -1)/$(printf '%s\n' "$a" | grep -c '^Set-Cookie: gatekeep_session_ticket=[A-Za-z0-9_-]*\.[A-Za-z0-9_-]\{43\}; ')" \
		'^Status: 200/1$' "session with a malformed ticket cookie (${bad:0:20}...): allowed, a fresh ticket"
done
is "$(st "HTTP_COOKIE=gatekeep_session=$TOK; gatekeep_session_ticket=$T1; gatekeep_session_ticket=x")" "Status: 200" \
	"a repeated ticket cookie changes nothing either"
is "$(st "HTTP_COOKIE=gatekeep_session_ticket=$T1")" "Status: 401" "a ticket alone: no session, 401"
is "$(( $(grep -c 'user=alice method=session' "$LOG") - n0 ))" 7 "each of the 7 allowed sessions logged once, as a session"
ok "$(grep -qiE 'err|crit|alert' "$LOG"; [ $? = 1 ]; echo $?)" "no error logged for any ticket cookie"

# what the watcher vouches for still counts at once
"$GK_PASSWD" --disable "$DB" alice 2>/dev/null || bail "disable"
is "$(st HTTP_REMOTE_USER=alice)" "Status: 403" "alice disabled: the next proxy-header request is refused"
"$GK_PASSWD" --enable "$DB" alice 2>/dev/null || bail "enable"
is "$(st HTTP_REMOTE_USER=alice)" "Status: 200" "enabled again: the next request allowed"
"$TOKENTOOL" create "$TMP/secret.new" || bail "new secret"
gk_give_nobody "$TMP/secret.new"
mv "$TMP/secret.new" "$TMP/secret"
is "$(st "HTTP_COOKIE=gatekeep_session=$TOK")" "Status: 401" "secret replaced (no .prev): the next request refuses the old cookie"
grep -q 'secret_file .*changed on disk' "$LOG"
ok $? "... and the worker logged the reload"
kill -0 "$W" 2>/dev/null
ok $? "the worker is still running"
done_testing
