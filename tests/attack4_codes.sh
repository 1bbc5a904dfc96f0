#!/bin/bash
# tests/attack4_codes.sh: a second-factor code passes once across machines too. Two
# "machines" (login.cgi with two copies of the user database, as docs/two-machines.md sets
# them up) share one real redis-server (state_backend = redis). A TOTP code or a recovery
# code used on A was still good on B: each machine remembers the codes used only in its
# own database, so a code seen over a shoulder or phished in real time, or a recovery code
# already spent, opened a second session through the other machine. With the store down
# (state_store_down = deny) the code step refuses: the store is the one place a use on
# another machine is known.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

CGI="$top_builddir/cgi-bin/login.cgi"
PY=/usr/bin/python3
[ -x "$CGI" ] || bail "login.cgi not built"
command -v oathtool >/dev/null || bail "oathtool not found (Debian package oathtool)"
RSOCK="$TMP/redis.sock"
gk_redis_start "$RSOCK"
(umask 077 && head -c 32 /dev/urandom | base64 >"$TMP/store-key") || bail "store key file"
"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 &&      # and $TMP/secret beside it
	"$GK_PASSWD" -b -2 "$TMP/users.db" alice 'alice password' >/dev/null 2>&1 ||
	bail "gatekeep-passwd could not create alice"
"$GK_PASSWD" --totp-enrol alice "$TMP/users.db" >"$TMP/enrol.out" 2>&1 || bail "--totp-enrol alice"
SECRET=$(sed -n 's/^otpauth:.*secret=\([A-Z2-7]*\).*/\1/p' "$TMP/enrol.out")
mapfile -t RC < <(sed -n 's/^  \([a-z2-7]\{4\}-[a-z2-7]\{4\}-[a-z2-7]\{4\}-[a-z2-7]\{4\}\)$/\1/p' "$TMP/enrol.out")
[ -n "$SECRET" ] && [ "${#RC[@]}" = 10 ] || bail "no TOTP secret or recovery codes in the enrolment"
for m in A B; do        # each machine: its own copy of the database and its own state_dir
	mkdir -p "$TMP/state-$m"
	cp "$TMP/users.db" "$TMP/users-$m.db"
	cat >"$TMP/$m.conf" <<EOF
database = $TMP/users-$m.db
secret_file = $TMP/secret
state_dir = $TMP/state-$m
log_target = stderr
log_level = info
cookie_secure = false
default_redirect = /home
state_backend = redis
redis_url = unix:$RSOCK
redis_key_file = $TMP/store-key
redis_prefix = gk4:
redis_timeout_ms = 300
EOF
done

csrf_cookie() { sed -n 's/^Set-Cookie: gatekeep_session_csrf=\([^;]*\);.*/\1/p' "$TMP/hdr"; }
field() { sed -n "s/.*name=\"$1\" value=\"\\([^\"]*\\)\".*/\\1/p" "$TMP/body" | head -1; }
urlenc() { "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# pw_step MACHINE: the form and the password on MACHINE; the code step's state in C F P.
pw_step() {
	GATEKEEP_CONFIG="$TMP/$1.conf" gk_cgi "$CGI" "$TMP/login-$1.log" GET /gatekeep/login ""
	C=$(csrf_cookie); F=$(field csrf)
	GATEKEEP_CONFIG="$TMP/$1.conf" gk_cgi "$CGI" "$TMP/login-$1.log" POST /gatekeep/login \
		"csrf=$F&user=alice&password=$(urlenc 'alice password')" HTTP_COOKIE="gatekeep_session_csrf=$C" \
		HTTP_ORIGIN=http://login.example
	P=$(field pending)
}
# code_step MACHINE CODE: CODE in the code step of the last pw_step, on MACHINE; $status.
code_step() {
	GATEKEEP_CONFIG="$TMP/$1.conf" gk_cgi "$CGI" "$TMP/login-$1.log" POST /gatekeep/login \
		"csrf=$F&pending=$(urlenc "$P")&code=$(urlenc "$2")" HTTP_COOKIE="gatekeep_session_csrf=$C" \
		HTTP_ORIGIN=http://login.example
}
signin() { pw_step "$1"; code_step "$1" "$2"; }
code() { oathtool --totp -b "$SECRET"; }
# away_from_edge: not within two seconds of a step boundary (the code must stay the current one).
away_from_edge() { while [ $(( $(date +%s) % 30 )) -lt 2 ] || [ $(( $(date +%s) % 30 )) -gt 26 ]; do sleep 0.5; done; }

away_from_edge
CODE1=$(code)
signin A "$CODE1"
is "$status" 303 "machine A: password and TOTP code sign alice in"
signin B "$CODE1"
is "$status" 401 "machine B: the same TOTP code again is refused (a replay across machines)"
grep -q 'reason=replayed-code' "$TMP/login-B.log"; ok $? "... logged as replayed-code"

signin B "${RC[0]}"
is "$status" 303 "machine B: a recovery code signs alice in"
signin A "$(printf '%s' "${RC[0]}" | tr a-z A-Z | tr -d -)"
is "$status" 401 "machine A: the same recovery code (in another spelling) is refused"
signin A "${RC[1]}"
is "$status" 303 "machine A: another recovery code still works"

# The lockout off (max_failures = 0): the claim in the store is the code's own, not the
# lockout's, so a code still passes once across machines (the next step's TOTP code; a
# recovery code's claim is the same); the store-down check below then runs without one too.
for m in A B; do echo "max_failures = 0" >>"$TMP/$m.conf"; done
CODE2=$(oathtool --totp -b -w 1 "$SECRET" | tail -1)       # the next step's: within +-1
signin A "$CODE2"
is "$status" 303 "lockout off, machine A: the next TOTP code signs alice in"
signin B "$CODE2"
is "$status" 401 "lockout off, machine B: the same TOTP code again is refused"
is "$(grep -c 'reason=replayed-code' "$TMP/login-B.log")" 2 "... logged as replayed-code"

# The store down: the code step cannot know what another machine used, so it refuses.
pw_step A
like "$P" '.' "store up: the password step gives the code step"
kill -TERM -- "-$(cat "$TMP/redis.pid")" 2>/dev/null
for i in $(seq 1 30); do [ -S "$RSOCK" ] || break; sleep 0.1; done
code_step A "${RC[2]}"
unlike "$status" '^30[0-9]$' "store down before the code: no session from it (got $status)"
grep -q "state store redis unix:$RSOCK" "$TMP/login-A.log"; ok $? "... with a log line naming the store"
done_testing
