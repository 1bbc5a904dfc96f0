#!/bin/bash
# tests/authz_lockout.sh: Basic failures in gatekeep-authz and form failures in gatekeep-login count
# toward one set of bans (per (user, address) pair, per address) in a shared state_dir, across
# processes and workers; per user only a throttle, and a lock at 100 consecutive failures: the
# attacker's address is banned, the victim at another address still gets in (NIST SP 800-63B 5.2.2).
. "${top_srcdir:-.}/tests/lib.sh"

PY=/usr/bin/python3
CLIENT="$top_srcdir/tests/fcgi_client.py"
TOKENTOOL="$top_builddir/tests/tokentool"
[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz not built"
[ -x "$GK_LOGIN" ] || bail "gatekeep-login not built"
GK_LOGIN_RUN=$(gk_runner_copy "$GK_LOGIN") || bail "cannot copy gatekeep-login for nobody"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
# The workers' seccomp filter in its default mode (kill): lockout's file work must pass it.
unset GATEKEEP_SECCOMP

BAN=6                   # ban_time, seconds: long enough to look at a ban (a loaded machine), short enough to wait out
DB=$TMP/users.db
STATE=$TMP/state        # does not exist yet: gatekeep-authz creates it
CONF=$TMP/gatekeep.conf
LOGA=$TMP/authz-a.log
LOGB=$TMP/authz-b.log
LOGL=$TMP/login.log

"$TOKENTOOL" create "$TMP/secret" || bail "secret"
"$GK_PASSWD" -c -b "$DB" alice 'pw alice' 2>/dev/null || bail "passwd alice"
for u in bob dave erin frank gina hank ivy tara; do
	"$GK_PASSWD" -b "$DB" "$u" "pw $u" 2>/dev/null || bail "passwd $u"
done
# lena takes 100 wrong passwords below: a cheap hash (SHA-256 crypt, 1000 rounds), as the
# lock counts failures whatever the hash costs
"$GK_PASSWD" -b -2 -C 1000 "$DB" lena "pw lena" 2>/dev/null || bail "passwd lena"

write_conf() {  # write_conf FILE STATE_DIR
	cat > "$1" <<EOF
database = $DB
secret_file = $TMP/secret
state_dir = $2
realm = Lockout Test
methods = session, basic
log_target = stderr
log_level = info
cookie_secure = false
default_redirect = /home
max_failures = 3
lockout_address_failures = 5
lockout_user_throttle = 6
find_time = 1m
ban_time = ${BAN}s
basic_cache_ttl = 5m
${3-}
$GK_RUN_LINES
EOF
}
write_conf "$CONF" "$STATE"
gk_give_nobody "$TMP"

# start NAME SOCK LOG WORKERS [CONF]: a gatekeep-authz pool; waits for its socket.
start() {
	local sock=$2 log=$3 workers=$4 conf=${5:-$CONF} pid
	"$GK_AUTHZ" -c "$conf" --listen "unix:$sock" --workers "$workers" -d 2>>"$log" &
	pid=$!
	at_exit "kill $pid"
	eval "PID_$1=$pid"
	for _ in $(seq 50); do [ -S "$sock" ] && return 0; sleep 0.1; done
	bail "gatekeep-authz $1 did not start: $(cat "$log")"
}

b64() { printf '%s' "$1" | base64 -w0; }
# basic SOCK USER PASSWORD ADDR: the answer's status line (Authorizer role).
basic_raw() {
	$PY "$CLIENT" "$1" --role authorizer REQUEST_METHOD=GET HTTP_HOST=app.example.com \
		REQUEST_URI=/x REMOTE_ADDR="$4" "HTTP_AUTHORIZATION=Basic $(b64 "$2:$3")" | tr -d '\r'
}
basic() { basic_raw "$@" | head -1; }
nocred() {
	$PY "$CLIENT" "$1" --role authorizer REQUEST_METHOD=GET HTTP_HOST=app.example.com \
		REQUEST_URI=/x REMOTE_ADDR="$2" | tr -d '\r'
}
# apache SOCK USER PASSWORD ADDR: mod_authnz_fcgi's authenticator call.
apache() {
	$PY "$CLIENT" "$1" --role authorizer FCGI_APACHE_ROLE=AUTHENTICATOR REQUEST_METHOD=GET \
		HTTP_HOST=app.example.com REQUEST_URI=/x REMOTE_ADDR="$4" REMOTE_USER="$2" \
		REMOTE_PASSWD="$3" | tr -d '\r' | head -1
}

# gatekeep-login as a CGI program (libfcgi sees no socket on fd 0).
GK_CGI_PREFIX=("${GK_AS_RUNNER[@]}")
cgi() {  # cgi METHOD URI BODY [VAR=value ...]: $status, headers in $TMP/hdr, body in $TMP/body
	GATEKEEP_CONFIG=$CONF gk_cgi "$GK_LOGIN_RUN" "$LOGL" "$@"
	[ -n "$status" ] || status=200
}
urlenc() { $PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
form() {  # form USER PASSWORD ADDR: a complete sign-in POST with a valid CSRF pair; sets $status
	local c f
	cgi GET /gatekeep/login ""
	c=$(grep -i '^Set-Cookie: gatekeep_session_csrf=' "$TMP/hdr" | sed 's/^[^=]*=\([^;]*\);.*/\1/')
	f=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TMP/body")
	cgi POST /gatekeep/login "csrf=$f&user=$(urlenc "$1")&password=$(urlenc "$2")&rd=" \
		HTTP_COOKIE="gatekeep_session_csrf=$c" HTTP_ORIGIN=http://login.example REMOTE_ADDR="$3"
}
# Last deny line for a user in a log (the reason, or empty).
reason() { grep "deny user=$2 " "$1" | tail -1 | sed -n 's/.* reason=\([^ ]*\) .*/\1/p'; }

# --- start-up: state_dir created 0700 by a sandboxed worker; two programs share it -------
A=$TMP/a.sock
B=$TMP/b.sock
start A "$A" "$LOGA" 3
start B "$B" "$LOGB" 1
for _ in $(seq 50); do [ -f "$STATE/lockout.tbl" ] && break; sleep 0.1; done
is "$(stat -c %a "$STATE" 2>/dev/null)" 700 "missing state_dir created with mode 0700"
[ -f "$STATE/lockout.tbl" ]; ok $? "failure table created at start (under the seccomp filter)"
like "$(cat "$LOGA")" "created state_dir $STATE" "creation logged"

# --- the attacker's address is banned, the victim elsewhere is not ----------------------------
is "$(basic "$B" alice 'pw alice' 198.51.100.1)" "Status: 200" "alice, right password: 200 (now cached in B)"
for i in 1 2 3; do
	basic "$A" alice wrong 198.51.100.11 > /dev/null
done
is "$(reason "$LOGA" alice)" bad-password "wrong passwords logged as bad-password"
banned=$(basic_raw "$B" alice 'pw alice' 198.51.100.11)
is "$(echo "$banned" | head -1)" "Status: 401" \
    "3 failures from one address in pool A (3 workers): the right password from there is refused by process B"
is "$(reason "$LOGB" alice)" banned "logged with reason=banned"
like "$(grep 'deny user=alice ' "$LOGB" | tail -1)" 'method=basic from=198\.51\.100\.11 reason=banned' \
    "ban log line: user, method, address"
is "$banned" "$(nocred "$B" 198.51.100.11)" "banned answer identical to a bad password / no credentials"
is "$(basic "$A" alice 'pw alice' 192.0.2.200)" "Status: 200" \
    "victim: alice from another address gets in (the attack did not lock her out)"
is "$(basic "$B" alice 'pw alice' 198.51.100.1)" "Status: 200" "... and from her usual address, cached"
is "$(basic "$A" bob 'pw bob' 198.51.100.11)" "Status: 200" \
    "another user from the attacking address (3 failures there, below 5): allowed"

# --- per address (unknown users count too) --------------------------------------------------
for i in 1 2 3 4 5; do
	basic "$A" "mallory$i" wrong 203.0.113.9 > /dev/null
done
is "$(reason "$LOGA" mallory3)" unknown-user "unknown users: unknown-user"
is "$(basic "$A" bob 'pw bob' 203.0.113.9)" "Status: 401" "5 failures from one address, any users: bob (right password) refused there"
is "$(reason "$LOGA" bob)" banned "... reason=banned"
is "$(basic "$B" bob 'pw bob' 203.0.113.10)" "Status: 200" "bob from another address: 200"
for i in 1 2 3 4 5; do
	basic "$B" "ghost$i" wrong "2001:db8:1:2::$i" > /dev/null
done
is "$(basic "$A" bob 'pw bob' 2001:db8:1:2::99)" "Status: 401" "IPv6: the whole /64 is one address"
is "$(basic "$A" bob 'pw bob' 2001:db8:1:3::1)" "Status: 200" "IPv6: the next /64 is not"

# --- the login form and Basic share one count -------------------------------------------------
form dave wrong 192.0.2.51
is "$status" 401 "form: dave, wrong password: 401"
form dave wrong 192.0.2.51
basic "$A" dave wrong 192.0.2.51 > /dev/null
is "$(basic "$A" dave 'pw dave' 192.0.2.51)" "Status: 401" "2 form failures + 1 Basic failure from one address: Basic refuses dave there"
is "$(reason "$LOGA" dave)" banned "... reason=banned"
form dave 'pw dave' 192.0.2.51
is "$status" 401 "... and so does the form"
is "$(reason "$LOGL" dave)" banned "form: reason=banned, as gatekeep-authz logs a ban"
form dave 'pw dave' 192.0.2.52
is "$status" 303 "form: dave from another address signs in"
basic "$B" erin wrong 192.0.2.61 > /dev/null
basic "$A" erin wrong 192.0.2.61 > /dev/null
form erin wrong 192.0.2.61
form erin 'pw erin' 192.0.2.61
is "$status" 401 "2 Basic failures + 1 form failure: the form refuses erin there"
is "$(reason "$LOGL" erin)" banned "... reason=banned"
is "$(basic "$B" erin 'pw erin' 192.0.2.61)" "Status: 401" "... and so does Basic"
is "$(basic "$B" erin 'pw erin' 192.0.2.62)" "Status: 200" "... but not from another address"
basic "$A" frank wrong 192.0.2.71 > /dev/null
basic "$A" frank wrong 192.0.2.71 > /dev/null
form frank 'pw frank' 192.0.2.71
is "$status" 303 "form sign-in after 2 Basic failures: 303"
basic "$A" frank wrong 192.0.2.71 > /dev/null
is "$(basic "$A" frank 'pw frank' 192.0.2.71)" "Status: 200" "the form's success cleared frank's Basic failures there"

# --- Apache's REMOTE_USER/REMOTE_PASSWD pair ---------------------------------------------
for i in 1 2 3; do
	apache "$A" gina wrong 192.0.2.81 > /dev/null
done
is "$(apache "$A" gina 'pw gina' 192.0.2.81)" "Status: 401" "Apache pair: 3 failures ban gina at that address"
like "$(grep 'deny user=gina ' "$LOGA" | tail -1)" 'method=apache .*reason=banned' "... method=apache reason=banned"
is "$(basic "$B" gina 'pw gina' 192.0.2.81)" "Status: 401" "... and Basic sees the same ban"
is "$(apache "$B" gina 'pw gina' 192.0.2.85)" "Status: 200" "... gina from another address: 200"

# --- a success clears the user's pair counter, never the address's -----------------------------
X=198.51.100.50
basic "$A" hank wrong $X > /dev/null
basic "$A" hank wrong $X > /dev/null
is "$(basic "$A" hank 'pw hank' $X)" "Status: 200" "hank: 2 failures, then the right password: 200"
basic "$A" hank wrong $X > /dev/null
basic "$A" hank wrong $X > /dev/null
is "$(basic "$A" hank 'pw hank' $X)" "Status: 200" "2 more: 200, the success had cleared the pair (else 4 >= 3)"
basic "$A" ivy wrong $X > /dev/null
is "$(basic "$A" hank 'pw hank' $X)" "Status: 401" "the address kept its 4 failures: a 5th (ivy) bans it"
is "$(reason "$LOGA" hank)" banned "... reason=banned"
is "$(basic "$A" ivy 'pw ivy' 198.51.100.60)" "Status: 200" "ivy elsewhere: 200"
# The last ban of this test began just above (address X): the sections in between count
# toward its ban_time, waited out below.
T_LAST=$(date +%s.%N)

# --- a distributed attacker is throttled per user; the victim at home is not -----------------
is "$(basic "$A" tara 'pw tara' 198.51.100.77)" "Status: 200" "tara signs in from home (the address becomes known)"
for i in 1 2 3 4 5 6; do
	basic "$B" tara wrong "10.0.0.$i" > /dev/null
done
# The 6th failure throttles for 2 s; the 7th, after that, counts and throttles for 4 s.
sleep 2.2
basic "$B" tara wrong 10.0.0.7 > /dev/null
is "$(reason "$LOGB" tara)" bad-password "the 7th address, 2 s later: counted (bad-password)"
throttled=$(basic_raw "$A" tara wrong 10.0.0.8)
is "$(echo "$throttled" | head -1)" "Status: 401" \
    "7 failures from 7 addresses: the 8th address, right away, is throttled"
is "$(reason "$LOGA" tara)" throttled "... reason=throttled"
is "$(basic "$A" tara 'pw tara' 10.0.0.9)" "Status: 401" "tara from a new address: throttled too"
is "$(reason "$LOGA" tara)" throttled "... reason=throttled"
is "$throttled" "$(nocred "$A" 10.0.0.8)" "throttled answer identical to a bad password"
is "$(basic "$B" tara 'pw tara' 198.51.100.77)" "Status: 200" \
    "tara from her known address: 200 (not throttled), which clears the count"
is "$(basic "$B" tara 'pw tara' 10.0.0.10)" "Status: 200" "... and a new address works again"

# --- 100 consecutive failures lock the account, until an admin clears it -----------------------
# (a pool that never throttles, so the test need not wait out the intervals)
sed 's/^lockout_user_throttle = .*/lockout_user_throttle = 1000/' "$CONF" > "$TMP/nothrottle.conf"
start C "$TMP/c.sock" "$TMP/authz-c.log" 2 "$TMP/nothrottle.conf"
# (one client process for the 99 requests, from 10.1.0.1 to 10.1.0.99)
$PY - "$TMP/c.sock" <<'PY'
import base64, os, sys
sys.path.insert(0, os.environ["top_srcdir"] + "/tests")
from fcgi_client import AUTHORIZER, connect, read_stdout, request
for i in range(1, 100):
    s = connect(sys.argv[1])
    s.sendall(request([(b"REQUEST_METHOD", b"GET"), (b"HTTP_HOST", b"app.example.com"),
                       (b"REQUEST_URI", b"/x"), (b"REMOTE_ADDR", b"10.1.%d.%d" % (i // 100, i % 100)),
                       (b"HTTP_AUTHORIZATION", b"Basic " + base64.b64encode(b"lena:wrong"))], AUTHORIZER))
    read_stdout(s)
    s.close()
PY
is "$(GATEKEEP_CONFIG=$TMP/nothrottle.conf "$GK_PASSWD" --lockout-status lena 2>&1)" \
    "user lena: 99 failures, not banned" "99 consecutive failures from 99 addresses: not locked"
basic "$TMP/c.sock" lena wrong 10.1.9.9 > /dev/null
like "$(cat "$TMP/authz-c.log")" 'lockout: an account reached lockout_user_lock consecutive failures and is locked' \
    "the lock is logged"
is "$(basic "$TMP/c.sock" lena 'pw lena' 198.51.100.99)" "Status: 401" \
    "the 100th locks the account: the right password is refused from anywhere"
is "$(reason "$TMP/authz-c.log" lena)" account-locked "... reason=account-locked"
is "$(basic "$A" lena 'pw lena' 198.51.100.98)" "Status: 401" "... by every process"
is "$(GATEKEEP_CONFIG=$CONF "$GK_PASSWD" --lockout-status lena 2>&1)" \
    "user lena: 100 failures, locked until an admin runs --unban" "--lockout-status shows the lock"
GATEKEEP_CONFIG=$CONF "$GK_PASSWD" --unban lena 2>/dev/null
is "$(basic "$A" lena 'pw lena' 198.51.100.98)" "Status: 200" "after gatekeep-passwd --unban: 200"

# --- ban expiry (the last ban, on address X, began at T_LAST) -------------------------------
sleep "$($PY -c "import time; print(max(0, $T_LAST + $BAN + 0.3 - time.time()))")"
is "$(basic "$A" ivy 'pw ivy' $X)" "Status: 200" "after ban_time: address X is allowed again"
is "$(basic "$B" alice 'pw alice' 198.51.100.11)" "Status: 200" "after ban_time: alice's attacker address is allowed again"
is "$(basic "$A" bob 'pw bob' 203.0.113.9)" "Status: 200" "after ban_time: 203.0.113.9 is allowed again"
is "$(basic "$A" dave 'pw dave' 192.0.2.51)" "Status: 200" "after ban_time: dave (form + Basic ban) allowed"
form dave 'pw dave' 192.0.2.51
is "$status" 303 "after ban_time: the form signs dave in"
basic "$A" alice wrong 198.51.100.20 > /dev/null
is "$(basic "$A" alice 'pw alice' 198.51.100.21)" "Status: 200" "after a ban: counting starts afresh"

# --- a table others could write is refused: deny, never allow --------------------------------
chmod 0660 "$STATE/lockout.tbl"
is "$(basic "$A" bob 'pw bob' 198.51.100.90)" "Status: 401" "group-writable table: right password refused"
is "$(reason "$LOGA" bob)" lockout-error "... reason=lockout-error"
like "$(cat "$LOGA")" 'lockout: .*must be owned by uid' "... and the cause logged"
chmod 0600 "$STATE/lockout.tbl"
is "$(basic "$A" bob 'pw bob' 198.51.100.90)" "Status: 200" "mode 0600 again: 200"

# --- fail safe: a damaged table bans everybody for ban_time ----------------------------------
printf 'XXXXXXXX' | dd of="$STATE/lockout.tbl" bs=1 conv=notrunc status=none
is "$(basic "$B" ivy 'pw ivy' 198.51.100.60)" "Status: 401" "corrupt table header: the right password is refused"
like "$(cat "$LOGB")" 'lockout: table header corrupt; table replaced' "healing logged"
[ -f "$STATE/lockout.tbl.corrupt" ]; ok $? "damaged table kept aside"

# --- the seccomp filter never fired ------------------------------------------------------------
unlike "$(cat "$LOGA" "$LOGB")" 'killed by signal|seccomp' "no worker killed by the seccomp filter"
unlike "$(cat "$LOGA" "$LOGB" "$LOGL")" 'AddressSanitizer|LeakSanitizer|runtime error' "no sanitizer report"

# --- start-up: a state_dir that cannot be used is a loud start-up error -----------------------
check_start() {  # check_start NAME STATE_DIR REGEX DESCRIPTION
	local conf=$TMP/$1.conf log=$TMP/$1.log sock=$TMP/$1.sock pid
	write_conf "$conf" "$2"
	"$GK_AUTHZ" -c "$conf" --listen "unix:$sock" --workers 1 -d 2>"$log" &
	pid=$!
	at_exit "kill $pid"
	for _ in $(seq 30); do grep -Eq -- "$3" "$log" && break; sleep 0.1; done
	like "$(cat "$log")" "$3" "$4"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
check_start nodir "$TMP/no/such/state" "state_dir $TMP/no/such/state: cannot create it" \
    "state_dir that cannot be created: clear error at start"
: > "$TMP/afile"
check_start notdir "$TMP/afile" "state_dir $TMP/afile is not a directory" \
    "state_dir that is a file: clear error at start"
mkdir -m 0777 "$TMP/open"
chmod 0777 "$TMP/open"
check_start open "$TMP/open" "state_dir $TMP/open is writable by group or others" \
    "world-writable state_dir: refused at start"

# --- state_dir left at its default: "state" beside the database --------------------------------
sed '/^state_dir/d' "$CONF" > "$TMP/default.conf"
mkdir "$TMP/db2"
sed -i "s|^database = .*|database = $TMP/db2/users.db|" "$TMP/default.conf"
cp "$DB" "$TMP/db2/users.db"
gk_give_nobody "$TMP/db2"
start D "$TMP/d.sock" "$TMP/d.log" 1 "$TMP/default.conf"
is "$(basic "$TMP/d.sock" alice 'pw alice' 198.51.100.1)" "Status: 200" "default state_dir: Basic works"
[ -f "$TMP/db2/state/lockout.tbl" ]; ok $? "default state_dir is 'state' beside the database"

done_testing
