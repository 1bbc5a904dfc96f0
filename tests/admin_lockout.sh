#!/bin/bash
# admin_lockout.sh: gatekeep-passwd --lockout-status, --unban and --unban-address against real bans
# made through gatekeep-authz (Basic), bad input and unsafe tables refused with one line and no change,
# and (as root) the switch to the table owner when the services run as run_user=nobody.
. "${top_srcdir:-.}/tests/lib.sh"

PY=/usr/bin/python3
CLIENT="$top_srcdir/tests/fcgi_client.py"
TOKENTOOL="$top_builddir/tests/tokentool"
P=$GK_PASSWD
[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz not built"
[ -x "$P" ] || bail "gatekeep-passwd not built"
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
for v in $(env | sed -n 's/^\(GATEKEEP_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $1"; }
# run CMD...: sets $rc, $out (stdout), $err (stderr) and $nerr (its number of lines).
run() {
	out=$("$@" 2>"$TMP/stderr"); rc=$?
	err=$(cat "$TMP/stderr")
	nerr=$(wc -l < "$TMP/stderr")
}
sum() { sha256sum "$1" | cut -d' ' -f1; }
b64() { printf '%s' "$1" | base64 -w0; }
basic() {  # basic SOCK USER PASSWORD ADDR: the answer's status line (Authorizer role)
	$PY "$CLIENT" "$1" --role authorizer REQUEST_METHOD=GET HTTP_HOST=app.example.com \
		REQUEST_URI=/x REMOTE_ADDR="$4" "HTTP_AUTHORIZATION=Basic $(b64 "$2:$3")" \
		| tr -d '\r' | head -1
}
start() {  # start SOCK LOG CONF: a 1-worker gatekeep-authz pool; waits for its socket and table
	"$GK_AUTHZ" -c "$3" --listen "unix:$1" --workers 1 -d 2>>"$2" &
	at_exit "kill $!"
	for _ in $(seq 50); do [ -S "$1" ] && break; sleep 0.1; done
	[ -S "$1" ] || bail "gatekeep-authz did not start: $(cat "$2")"
}
# until_epoch LINE: the ban end of a --lockout-status line, in seconds since the epoch.
until_epoch() { date -d "$(printf '%s\n' "$1" | sed -n 's/.*banned until \([^ ]*\).*/\1/p')" +%s; }
ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}'

DB=$TMP/users.db
STATE=$TMP/state
CONF=$TMP/gatekeep.conf
SOCK=$TMP/authz.sock
LOG=$TMP/authz.log
"$TOKENTOOL" create "$TMP/secret" || bail "secret"
"$P" -c -b "$DB" alice 'pw alice' 2>/dev/null || bail "passwd alice"
"$P" -b "$DB" bob 'pw bob' 2>/dev/null || bail "passwd bob"
write_conf() {  # write_conf FILE DB STATE_DIR [EXTRA LINE]
	cat > "$1" <<EOF
database = $2
secret_file = $TMP/secret
state_dir = $3
realm = Unban Test
methods = basic
log_target = stderr
max_failures = 3
lockout_address_failures = 4
find_time = 1m
ban_time = 10m
basic_cache_ttl = 0
${4-}
EOF
}
write_conf "$CONF" "$DB" "$STATE" "$GK_RUN_LINES"
gk_give_nobody "$DB" "$TMP/secret"
export GATEKEEP_CONFIG=$CONF
start "$SOCK" "$LOG" "$CONF"
for _ in $(seq 50); do [ -f "$STATE/lockout.tbl" ] && break; sleep 0.1; done
[ -f "$STATE/lockout.tbl" ] || bail "no lockout table: $(cat "$LOG")"

# --- a user ban: seen, lifted, and the next good login is allowed ---------------------------
run "$P" --lockout-status alice
is "$rc:$out" "0:user alice: 0 failures, not banned" "--lockout-status before any failure"
for i in 1 2 3; do basic "$SOCK" alice wrong 198.51.100.1 > /dev/null; done
is "$(basic "$SOCK" alice 'pw alice' 198.51.100.1)" "Status: 401" "3 wrong Basic passwords from one address ban alice there"
t0=$(date +%s)
run "$P" --lockout-status alice
is "$rc:$out" "0:user alice: 3 failures, not banned" \
    "--lockout-status alice: 3 consecutive failures, the user herself is not banned"
run "$P" --lockout-status alice --lockout-status-address 198.51.100.1
is "$rc" 0 "--lockout-status of a banned user at an address: exit 0"
like "$out" "^user alice: 3 failures, not banned
address 198\.51\.100\.1: 3 failures, not banned
user alice from 198\.51\.100\.1: 3 failures, banned until $ISO\$" \
    "... the user, the address and the pair: failures and ban end (ISO 8601, local offset)"
end=$(until_epoch "$(printf '%s\n' "$out" | tail -1)")
ok "$([ "$end" -ge $((t0 + 590)) ] && [ "$end" -le $((t0 + 601)) ]; echo $?)" \
    "... the ban end is ban_time (10m) after the last failure ($((end - t0))s from now)"
is "$err" "" "... nothing on stderr"
status=$out
run "$P" --lockout-status alice --lockout-status-address 198.51.100.1 "$TMP/elsewhere/users.db"
is "$rc:$out" "0:$status" "DBFILE given: state_dir still from the configuration when it sets one"
: > "$TMP/empty.conf"
run "$P" --config "$TMP/empty.conf" --lockout-status alice --lockout-status-address 198.51.100.1 "$DB"
like "$rc:$out" "user alice from 198\.51\.100\.1: 3 failures, banned" \
    "no state_dir configured: the state directory beside DBFILE"

# --- refusals change nothing --------------------------------------------------------------
before=$(sum "$STATE/lockout.tbl")
run "$P" --unban alice --lockout-status alice
is "$rc:$nerr" "2:2" "--unban with --lockout-status: exit 2 (message + hint)"
like "$err" '--lockout-status cannot be combined' "... says what cannot be combined"
run "$P" --unban alice --unban bob
is "$rc" 2 "--unban twice: exit 2"
run "$P" -b --unban alice
is "$rc" 2 "--unban with -b: exit 2"
run "$P" --unban alice --groups staff
is "$rc" 2 "--unban with an attribute: exit 2"
run "$P" --unban alice "$DB" extra
like "$rc:$err" '^2:.*too many arguments' "--unban with two positional arguments: exit 2"
run "$P" --unban
like "$rc:$err" '^2:.*needs an argument' "--unban without USER: exit 2"
run "$P" --unban 'ali:ce'
like "$rc:$err" "^6:.*illegal character ':'" "--unban of an invalid user name: exit 6"
for a in 198.51.100 198.51.100.300 '198.51.100.1:80' 2001:db8::/64 '[2001:db8::1]' host.example ''; do
	run "$P" --unban-address "$a"
	is "$rc:$nerr" "2:1" "--unban-address '$a': exit 2, one line"
done
like "$err" "invalid address ''" "... naming the address"
run "$P" --lockout-status-address nope
is "$rc:$nerr" "2:1" "--lockout-status-address that does not parse: exit 2, one line"
run env GATEKEEP_STATE_DIR="$TMP/missing" "$P" --unban alice
is "$rc:$nerr" "1:1" "missing state_dir: exit 1, one line"
like "$err" "state_dir $TMP/missing: No such file" "... naming it"
[ ! -e "$TMP/missing" ]; ok $? "... and not creating it"
run env GATEKEEP_STATE_DIR="$TMP/missing" "$P" --lockout-status alice
is "$rc:$out" "1:" "... --lockout-status too (nothing on stdout)"

cp -a "$STATE" "$TMP/st-mode"
chmod 0620 "$TMP/st-mode/lockout.tbl"
run env GATEKEEP_STATE_DIR="$TMP/st-mode" "$P" --unban alice
is "$rc:$nerr" "1:1" "table writable by group: exit 1, one line"
like "$err" 'writable by group or others; refusing' "... says why"
is "$(stat -c %a "$TMP/st-mode/lockout.tbl"):$(sum "$TMP/st-mode/lockout.tbl")" "620:$before" \
    "... mode and contents untouched"
chmod 0600 "$TMP/st-mode/lockout.tbl"
chmod 0770 "$TMP/st-mode"
run env GATEKEEP_STATE_DIR="$TMP/st-mode" "$P" --unban alice
is "$rc:$nerr" "1:1" "state_dir writable by group: exit 1, one line"
chmod 0700 "$TMP/st-mode"
mv "$TMP/st-mode/lockout.tbl" "$TMP/st-mode/real.tbl"
ln -s real.tbl "$TMP/st-mode/lockout.tbl"
run env GATEKEEP_STATE_DIR="$TMP/st-mode" "$P" --unban alice
like "$rc:$nerr:$err" '^1:1:.*not a regular file' "table is a symlink: exit 1, one line"
is "$(sum "$TMP/st-mode/real.tbl")" "$before" "... its target untouched"
is "$(sum "$STATE/lockout.tbl")" "$before" "the live table is unchanged by all of the above"
is "$(basic "$SOCK" alice 'pw alice' 198.51.100.1)" "Status: 401" "... alice is still banned there"

# --- the unban -----------------------------------------------------------------------------
run "$P" --unban alice
is "$rc:$err" "0:gatekeep-passwd: Unbanning user alice" "--unban alice: exit 0, one line on stderr"
run "$P" --lockout-status alice
is "$out" "user alice: 0 failures, not banned" "... --lockout-status: cleared"
is "$(basic "$SOCK" alice 'pw alice' 198.51.100.1)" "Status: 200" \
    "... and alice's next good login is allowed, even from the address she was banned at"
is "$(stat -c '%U %a' "$STATE/lockout.tbl")" "$( [ "$(id -u)" = 0 ] && echo nobody || id -un) 600" \
    "... the table keeps its owner (the user gatekeep-authz serves as) and mode"

# --- address bans (IPv4, and IPv6 per /64) -------------------------------------------------
for i in 1 2 3 4; do basic "$SOCK" "mallory$i" wrong 203.0.113.9 > /dev/null; done
is "$(basic "$SOCK" bob 'pw bob' 203.0.113.9)" "Status: 401" "4 failures from 203.0.113.9 ban the address"
run "$P" --lockout-status-address 203.0.113.9
like "$rc:$out" "^0:address 203\.0\.113\.9: 4 failures, banned until $ISO\$" "--lockout-status-address shows it"
run "$P" --lockout-status bob
is "$out" "user bob: 0 failures, not banned" "... bob himself is not banned"
run "$P" --unban bob
is "$(basic "$SOCK" bob 'pw bob' 203.0.113.9)" "Status: 401" "--unban bob does not lift the address ban"
run "$P" --unban-address 203.0.113.9
is "$rc:$err" "0:gatekeep-passwd: Unbanning address 203.0.113.9" "--unban-address 203.0.113.9: exit 0"
is "$(basic "$SOCK" bob 'pw bob' 203.0.113.9)" "Status: 200" "... bob is allowed from there again"

for i in 1 2 3 4; do basic "$SOCK" "ghost$i" wrong "2001:db8:1:2::$i" > /dev/null; done
is "$(basic "$SOCK" bob 'pw bob' 2001:db8:1:2::99)" "Status: 401" "4 failures in 2001:db8:1:2::/64 ban the /64"
run "$P" --lockout-status-address 2001:db8:1:2:ffff::1
like "$out" "^address 2001:db8:1:2::/64: 4 failures, banned until $ISO\$" \
    "--lockout-status-address of another address in the /64: the /64's count"
run "$P" --lockout-status-address 2001:db8:1:3::1
is "$out" "address 2001:db8:1:3::/64: 0 failures, not banned" "... the next /64 is not banned"
run "$P" --unban-address 2001:DB8:1:2:0:0:0:77
is "$rc:$err" "0:gatekeep-passwd: Unbanning address 2001:db8:1:2::/64" "--unban-address (non-canonical text): the /64"
is "$(basic "$SOCK" bob 'pw bob' 2001:db8:1:2::99)" "Status: 200" "... the /64 is allowed again"
for i in 1 2 3 4; do basic "$SOCK" "ghost$i" wrong 192.0.2.77 > /dev/null; done
run "$P" --lockout-status-address ::ffff:192.0.2.77
like "$out" '^address 192\.0\.2\.77: 4 failures, banned' "an IPv4-mapped address is the IPv4 address"
run "$P" --unban alice --unban-address ::ffff:192.0.2.77
is "$rc:$err" "0:gatekeep-passwd: Unbanning user alice
gatekeep-passwd: Unbanning address 192.0.2.77" "--unban and --unban-address together"
is "$(basic "$SOCK" bob 'pw bob' 192.0.2.77)" "Status: 200" "... lifted"

# --- no table yet: nothing is created ------------------------------------------------------
mkdir -m 0700 "$TMP/st-empty"
run env GATEKEEP_STATE_DIR="$TMP/st-empty" "$P" --lockout-status alice --lockout-status-address 192.0.2.1
is "$rc:$out" "0:user alice: 0 failures, not banned
address 192.0.2.1: 0 failures, not banned
user alice from 192.0.2.1: 0 failures, not banned" "no table yet: --lockout-status says not banned"
run env GATEKEEP_STATE_DIR="$TMP/st-empty" "$P" --unban alice
like "$rc:$err" '^0:.*no lockout table yet' "... --unban: exit 0, nothing to do"
is "$(ls -A "$TMP/st-empty")" "" "... and no table was created"

# --- as root, with the services running as run_user=nobody ---------------------------------
if [ "$(id -u)" -ne 0 ] || ! getent passwd nobody >/dev/null; then
	for _ in 1 2 3 4 5 6 7 8 9 10; do skip "needs root and a user nobody"; done
else
	chmod 0711 "$TMP"
	D=$TMP/nb
	mkdir -m 0755 "$D"
	cp "$DB" "$D/users.db"
	chmod 0644 "$D/users.db" "$TMP/secret"
	write_conf "$D/gatekeep.conf" "$D/users.db" "$D/state" "run_user = nobody"
	start "$D/authz.sock" "$TMP/authz-nb.log" "$D/gatekeep.conf"
	for _ in $(seq 50); do [ -f "$D/state/lockout.tbl" ] && break; sleep 0.1; done
	is "$(stat -c %U "$D/state/lockout.tbl" 2>/dev/null)" nobody "run_user=nobody: the table is nobody's"
	for i in 1 2 3; do basic "$D/authz.sock" alice wrong 198.51.100.1 > /dev/null; done
	is "$(basic "$D/authz.sock" alice 'pw alice' 198.51.100.1)" "Status: 401" "alice banned there"
	export GATEKEEP_CONFIG=$D/gatekeep.conf
	run "$P" --lockout-status alice --lockout-status-address 198.51.100.1
	like "$rc:$out" 'from 198\.51\.100\.1: 3 failures, banned' "root: --lockout-status reads nobody's table"
	run "$P" --unban alice
	is "$rc:$err" "0:gatekeep-passwd: Unbanning user alice" "root: --unban alice"
	is "$(basic "$D/authz.sock" alice 'pw alice' 198.51.100.1)" "Status: 200" "... alice allowed again"
	is "$(find "$D/state" -not -user nobody | grep -c .)" 0 "... nothing in state_dir belongs to root"

	for i in 1 2 3; do basic "$D/authz.sock" alice wrong 198.51.100.1 > /dev/null; done
	before=$(sum "$D/state/lockout.tbl")
	run setpriv --reuid=daemon --regid=daemon --clear-groups "$P" --unban alice
	is "$rc:$nerr" "1:1" "another user than the owner: exit 1, one line"
	like "$err" "$D/state belongs to nobody, not to daemon: run as that user \(runuser -u nobody -- gatekeep-passwd \.\.\.\) or as root" \
	    "... telling to run as the owner"
	cp -a "$D/state" "$D/st-mixed"
	chown daemon "$D/st-mixed"
	run env GATEKEEP_STATE_DIR="$D/st-mixed" "$P" --unban alice
	like "$rc:$nerr:$err" '^1:1:.*belongs to nobody but state_dir .* to daemon: refusing' \
	    "root, table and state_dir owned by different users: refused, one line"
	is "$(sum "$D/state/lockout.tbl"):$(sum "$D/st-mixed/lockout.tbl")" "$before:$before" \
	    "... neither table changed"
fi
done_testing
