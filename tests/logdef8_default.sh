#!/bin/bash
# tests/logdef8_default.sh: with no log_level set (the default, notice) gatekeep-authz logs
# its denials and not a line per allowed request, and gatekeep-login still logs every
# sign-in and sign-out (the allow line and the logout line, at notice).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

CGI="$top_builddir/cgi-bin/login.cgi"
[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
[ -x "$CGI" ] || bail "login.cgi not built"
DB=$TMP/users.db LOG=$TMP/authz.log
"$GK_PASSWD" --init "$DB" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
"$GK_PASSWD" -b "$DB" alice 'correct horse' >/dev/null 2>&1 || bail "add alice"

# --- gatekeep-authz: a deny is logged, an allow is not ---
printf '%s\n' "database = $DB" "secret_file = $TMP/secret" "methods = proxy" \
	"proxy_trusted = 127.0.0.1" "log_target = stderr" "$GK_RUN_LINES" > "$TMP/gatekeep.conf"
gk_authz_one_worker
out=$("$GK_AUTHZ" -c "$TMP/gatekeep.conf" --check-config); ok $? "--check-config: exit 0"
is "$(printf '%s\n' "$out" | grep '^log_level')" "log_level = notice" "--check-config: the default log_level is notice"
ask() {  # ask URI [HEADER]: the HTTP status gatekeep-authz answers
	curl -s -o /dev/null -w '%{http_code}' --unix-socket "$TMP/h.sock" \
		-H 'X-Gatekeep-Method: GET' -H "X-Gatekeep-Uri: $1" -H 'X-Gatekeep-Addr: 127.0.0.1' \
		-H 'X-Gatekeep-Scheme: http' -H 'X-Gatekeep-Server-Addr: 127.0.0.1' \
		-H 'X-Gatekeep-Host: app.example.com' ${2:+-H "$2"} http://app.example.com/_gatekeep
}
is "$(ask /allowed 'Remote-User: alice')" 200 "a proxied user is allowed"
is "$(ask /denied)" 401 "no user: denied"
for _ in $(seq 50); do grep -q 'uri=/denied$' "$LOG" && break; sleep 0.1; done
like "$(cat "$LOG")" 'notice: deny user=- method=- from=127\.0\.0\.1 reason=[a-z-]+ uri=/denied' \
	"the deny line is logged at the default level"
unlike "$(cat "$LOG")" 'allow user=' "no line for the allowed request at the default level"
like "$(cat "$LOG")" 'notice: starting 1 workers' "start-up is logged at notice"

# --- gatekeep-login (login.cgi): sign-in and sign-out are logged ---
gk_login_conf "$TMP/gk.conf" "cookie_secure = false"
sed -i '/^log_level/d' "$TMP/gk.conf"
export GATEKEEP_CONFIG="$TMP/gk.conf"
LLOG=$TMP/login.log
cgi() { gk_cgi "$CGI" "$LLOG" "$@"; }
cookie() { grep -i "^Set-Cookie: $1=" "$TMP/hdr" | sed 's/^[^=]*=\([^;]*\);.*/\1/'; }
csrf_field() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TMP/body"; }
cgi GET /gatekeep/login ""
C=$(cookie gatekeep_session_csrf) F=$(csrf_field)
cgi POST /gatekeep/login "csrf=$F&user=alice&password=correct%20horse&rd=%2Fx" \
	HTTP_COOKIE="gatekeep_session_csrf=$C" HTTP_ORIGIN=http://login.example REMOTE_ADDR=192.0.2.31
is "$status" 303 "alice signs in"
T=$(cookie gatekeep_session)
like "$(cat "$LLOG")" 'gatekeep-login\[[0-9]+\]: notice: allow user=alice method=form from=192\.0\.2\.31 uri=/gatekeep/login$' \
	"the sign-in is logged at the default level, at notice, in the decision-line format"
cgi GET /gatekeep/logout "" HTTP_COOKIE="gatekeep_session=$T"
LC=$(cookie gatekeep_session_csrf) LF=$(csrf_field)
cgi POST /gatekeep/logout "csrf=$LF&rd=%2Fbye" HTTP_COOKIE="gatekeep_session=$T; gatekeep_session_csrf=$LC" \
	HTTP_ORIGIN=http://login.example REMOTE_ADDR=192.0.2.31
is "$status" 303 "alice signs out"
like "$(cat "$LLOG")" 'notice: logout user=alice from=192\.0\.2\.31' "the sign-out is logged at the default level"
cgi POST /gatekeep/login "csrf=$F&user=alice&password=wrong&rd=%2Fx" \
	HTTP_COOKIE="gatekeep_session_csrf=$C" HTTP_ORIGIN=http://login.example REMOTE_ADDR=192.0.2.32
like "$(cat "$LLOG")" 'notice: deny user=alice method=form from=192\.0\.2\.32 reason=' "a refused sign-in is logged"
done_testing
