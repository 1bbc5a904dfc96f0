#!/bin/bash
# tests/ops2_statedir.sh: state_dir is made ready for run_user once, before the privilege drop, by
# both programs (lib/statedir), and gatekeep-login --check-config run as root checks as run_user:
# it never leaves a root-owned lockout table (which gatekeep-authz would then refuse) and
# accepts run_user's own; gatekeep-login started as root makes a missing state_dir for run_user.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (run_user, file owners)"; exit 0; }
[ -x "$GK_LOGIN" ] && [ -x "$GK_AUTHZ" ] || bail "programs not built"
chmod 755 "$TMP"
mkdir -p "$TMP/gk"
"$GK_PASSWD" --init "$TMP/gk/users.db" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
"$GK_PASSWD" -b "$TMP/gk/users.db" alice alice-pw >/dev/null 2>&1 || bail "add alice"
mv "$TMP/gk/secret" "$TMP/gk/users.secret" 2>/dev/null
[ -f "$TMP/gk/users.secret" ] || "$top_builddir/tests/tokentool" create "$TMP/gk/users.secret" || bail "secret"
cat >"$TMP/gk.conf" <<CONF
database = $TMP/gk/users.db
secret_file = $TMP/gk/users.secret
state_dir = $TMP/gk/state
methods = session, basic
cookie_secure = false
log_target = stderr
$GK_RUN_LINES
CONF
gk_give_nobody "$TMP/gk"
mkdir "$TMP/gk/state" && chmod 700 "$TMP/gk/state" && chown nobody:nogroup "$TMP/gk/state"
T="$TMP/gk/state/lockout.tbl"
lcheck() { "$GK_LOGIN" -c "$TMP/gk.conf" --check-config 2>&1 >/dev/null; }
acheck() { "$GK_AUTHZ" -c "$TMP/gk.conf" --check-config 2>&1 >/dev/null; }

out=$(lcheck); is "$?:$out" "0:" "gatekeep-login --check-config as root: exit 0"
if [ -e "$T" ]; then owner=$(stat -c %U "$T"); else owner=none; fi
like "$owner" '^(none|nobody)$' "... and no lockout table of root's left behind (owner: $owner)"
out=$(acheck); is "$?:$out" "0:" "gatekeep-authz --check-config after it: exit 0"

rm -f "$T"
# run_user's own table, as a worker makes it
"$GK_AUTHZ" -c "$TMP/gk.conf" --listen "unix:$TMP/a.sock" --workers 1 2>"$TMP/a.log" &
APID=$!
at_exit "kill $APID 2>/dev/null"
wait_for() { for _ in $(seq 50); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
wait_for "$TMP/a.sock" || bail "gatekeep-authz did not start"
/usr/bin/python3 "$top_srcdir/tests/fcgi_client.py" "$TMP/a.sock" --role authorizer REQUEST_METHOD=GET \
	REQUEST_URI=/ REMOTE_ADDR=127.0.0.1 HTTP_AUTHORIZATION="Basic $(printf alice:WRONG | base64)" >/dev/null
kill $APID; wait $APID 2>/dev/null
is "$(stat -c %U "$T" 2>/dev/null)" nobody "a worker made the lockout table as nobody"
out=$(lcheck); is "$?:$out" "0:" "gatekeep-login --check-config accepts run_user's own table"

chown root:root "$T"
out=$(lcheck); r=$?
is "$r" 1 "a lockout table of root's: exit 1"
like "$out" "^gatekeep-login: lockout table: $T: belongs to uid 0" "... one line naming it"
rm -f "$T"

chown root:root "$TMP/gk/state"
out=$(lcheck); r=$?
is "$r" 1 "a state_dir of root's: exit 1"
like "$out" "state_dir: $TMP/gk/state: belongs to uid 0" "... said so"

# gatekeep-login started as root: a missing state_dir is made for run_user before the drop
rm -rf "$TMP/gk/state"
out=$(lcheck); is "$?" 0 "gatekeep-login --check-config with state_dir still to be made: exit 0"
"$GK_LOGIN" -c "$TMP/gk.conf" --listen "unix:$TMP/l.sock" --workers 1 2>"$TMP/l.log" &
LPID=$!
at_exit "kill $LPID 2>/dev/null"
wait_for "$TMP/l.sock" || { sed 's/^/#   /' "$TMP/l.log"; bail "gatekeep-login did not start"; }
is "$(stat -c '%U %a' "$TMP/gk/state")" "nobody 700" "gatekeep-login as root made state_dir for nobody (0700)"
wait_for "$TMP/gk/state/metrics-login"
is "$(stat -c '%U %a' "$TMP/gk/state/metrics-login" 2>/dev/null)" "nobody 600" "... and its counters file is nobody's (0600)"
kill $LPID; wait $LPID 2>/dev/null

# a counters file that fails its checks: a log line, metrics off, decisions as before
rm -f "$TMP/a.sock"
printf 'metrics_path = /gatekeep-metrics\n' >>"$TMP/gk.conf"
ln -s /etc/passwd "$TMP/gk/state/metrics-authz"
"$GK_AUTHZ" -c "$TMP/gk.conf" --listen "unix:$TMP/a.sock" --workers 1 2>"$TMP/a2.log" &
APID=$!
at_exit "kill $APID 2>/dev/null"
wait_for "$TMP/a.sock" || { sed 's/^/#   /' "$TMP/a2.log"; bail "gatekeep-authz did not start"; }
s=$(/usr/bin/python3 "$top_srcdir/tests/fcgi_client.py" "$TMP/a.sock" --role authorizer REQUEST_METHOD=GET \
	REQUEST_URI=/ REMOTE_ADDR=127.0.0.1 HTTP_AUTHORIZATION="Basic $(printf alice:alice-pw | base64)" | head -1 | tr -d '\r')
is "$s" "Status: 200" "metrics-authz a symlink: gatekeep-authz serves, alice allowed"
like "$(cat "$TMP/a2.log")" "metrics off: metrics: cannot open $TMP/gk/state/metrics-authz" "... and logs metrics off"
s=$(/usr/bin/python3 "$top_srcdir/tests/fcgi_client.py" "$TMP/a.sock" --role responder REQUEST_METHOD=GET \
	REQUEST_URI=/gatekeep-metrics DOCUMENT_URI=/gatekeep-metrics REMOTE_ADDR=127.0.0.1 | head -1 | tr -d '\r')
is "$s" "Status: 503" "... the metrics path answers 503, never 500"
[ -L "$TMP/gk/state/metrics-authz" ]; ok $? "... and the symlink was not followed nor replaced"
kill $APID; wait $APID 2>/dev/null
done_testing
