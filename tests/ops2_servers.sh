#!/bin/bash
# tests/ops2_servers.sh: the counters file in state_dir, for real. lighttpd starts
# gatekeep-authz itself (bin-path) as two authorizer processes and two responder processes
# for the metrics path: a scrape answered by a responder, which made no decision, sees the
# decisions of both authorizers, also after one is killed with SIGKILL. login.cgi's
# sign-ins, tokens and sign-outs (its own file) appear in gatekeep-authz's scrape. The
# largest exposition (every series, 20-digit values, over 64 KiB) comes out whole through
# the FastCGI answer and `promtool check metrics` accepts it.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

CGI="$top_builddir/cgi-bin/login.cgi"
FILL="$top_builddir/tests/t_metrics_file"
CLIENT="$top_srcdir/tests/fcgi_client.py"
[ -x "$CGI" ] && [ -x "$FILL" ] || bail "login.cgi or tests/t_metrics_file not built"
CGI=$(gk_runner_copy "$CGI")
FILL=$(gk_runner_copy "$FILL")
gk_need lighttpd promtool
gk_world
GK_EXTRA_CONF="metrics_path = /gatekeep-metrics
ready_path = /gatekeep-ready
metrics_allow_from = 127.0.0.1/32 ::1
cookie_secure = false
redirect_domains = 127.0.0.1"
gk_conf "192.0.2.1/32"
gk_make_readable_by nobody nogroup
gk_own_copy GK_AUTHZ
# as root, lighttpd spawns gatekeep-authz as root and it drops to run_user (nobody)
AS=("${GK_AS_RUNNER[@]}")
RUNNER=$(id -un); [ "$(id -u)" = 0 ] && RUNNER=nobody

# --- lighttpd bin-path: 2 authorizers for the site, 2 responders for the metrics path ---
mkdir -p "$RUN/lighttpd"
cat >"$RUN/lighttpd/site.conf" <<EOC
fastcgi.server += ( "/" => ((
	"mode" => "authorizer",
	"socket" => "$RUN/lt-authz.sock",
	"bin-path" => "$GK_AUTHZ",
	"bin-environment" => ( "GATEKEEP_CONFIG" => "$GK/gatekeep.conf" ),
	"min-procs" => 2,
	"max-procs" => 2,
	"check-local" => "disable"
)))
\$HTTP["url"] =~ "^/gatekeep-(metrics|ready)\$" {
	fastcgi.server = ( "/gatekeep-" => ((
		"mode" => "responder",
		"socket" => "$RUN/lt-ops.sock",
		"bin-path" => "$GK_AUTHZ",
		"bin-environment" => ( "GATEKEEP_CONFIG" => "$GK/gatekeep.conf" ),
		"min-procs" => 2,
		"max-procs" => 2,
		"check-local" => "disable"
	)))
}
EOC
GK_LIGHTTPD_MAIN="$SRV/lighttpd-main.conf"
gk_render "$GK_LIGHTTPD_MAIN" "$RUN/lighttpd/lighttpd.conf"
lighttpd -tt -f "$RUN/lighttpd/lighttpd.conf" >"$LOG/lighttpd-t.out" 2>&1 ||
	{ sed 's/^/#   /' "$LOG/lighttpd-t.out"; bail "lighttpd -tt rejects the config"; }
gk_bg lighttpd lighttpd -D -f "$RUN/lighttpd/lighttpd.conf"
gk_up lighttpd "$PORT" "lighttpd (bin-path)" lighttpd
M="$BASE/gatekeep-metrics"

authz_pids() { pgrep -P "$(cat "$RUN/lighttpd.pid")" -f -- "$GK_AUTHZ" 2>/dev/null; }
n=$(authz_pids | wc -l)
ok "$([ "$n" -ge 4 ]; echo $?)" "lighttpd spawned $n gatekeep-authz processes (2 authorizers, 2 responders)"
metric() {  # metric SERIES: its value in a scrape through lighttpd
	req "$M"
	printf '%s\n' "$BODY" | awk -v s="$1" '$1 == s { print $2 }'
}
ALLOW='gatekeep_decisions_total{outcome="allow",method="basic",reason="none"}'
DENY='gatekeep_decisions_total{outcome="unauthorized",method="none",reason="no-credentials"}'
a0=$(metric "$ALLOW"); d0=$(metric "$DENY")  # lighttpd's start-up probes were decisions too
for i in 1 2 3 4 5 6; do req -u alice:alice-pw "$BASE/private/"; done
is "$CODE" 200 "6 requests with alice's password: allowed"
for i in 1 2 3 4; do req "$BASE/private/"; done
is "$CODE" 401 "4 without credentials: 401"
is "$(( $(metric "$ALLOW") - ${a0:-0} ))" 6 "a responder that made no decision scrapes both authorizers' 6 allows"
is "$(( $(metric "$DENY") - ${d0:-0} ))" 4 "... and their 4 refusals"
# one authorizer killed mid-run: lighttpd starts another, nothing counted is lost
victim=$(pgrep -f -- "$RUN/lt-authz.sock" | head -1)
[ -n "$victim" ] && kill -KILL "$victim"
for i in 1 2 3 4 5 6 7 8 9 10; do req -u alice:alice-pw "$BASE/private/"; [ "$CODE" = 200 ] && break; sleep 0.3; done
got=$(metric "$ALLOW")
ok "$([ "${got:-0}" -gt $((a0 + 6)) ]; echo $?)" \
    "after a SIGKILL of an authorizer the count went on from $((a0 + 6)) ($got), never back"
req --interface 127.0.0.3 "$M"
is "$CODE" 403 "the metrics from 127.0.0.3 (outside metrics_allow_from): 403"
# the database unreadable: a deny (403) lighttpd passes on, never a 500; not ready until fixed
req "$BASE/gatekeep-ready"
is "$CODE/$BODY" "200/ready" "ready through lighttpd"
mv "$GK/users.db" "$GK/users.db.away"
req -u alice:alice-pw "$BASE/private/"
is "$CODE" 403 "the database moved away: alice gets 403 (a deny), not 500"
like "$(cat "$LOG/lighttpd.out" "$LOG"/lighttpd-error.log 2>/dev/null)" "reason=database" "... logged as reason=database"
req "$BASE/gatekeep-ready"
is "$CODE" 503 "... and not ready (503): $BODY"
mv "$GK/users.db.away" "$GK/users.db"
req -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "the database back: alice allowed again, no restart"
req "$BASE/gatekeep-ready"
is "$CODE" 200 "... and ready again"
got=$(metric "$ALLOW")
gk_stop lighttpd

# --- login.cgi's counters, in gatekeep-authz's scrape (same state_dir) --------------------
urlenc() { $PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
cgi() {  # cgi METHOD BODY [VAR=value ...]: login.cgi as nobody (as root), as a CGI server runs it
	local method=$1 body=$2
	shift 2
	printf '%s' "$body" | "${AS[@]}" env -i PATH=/usr/bin:/bin GATEKEEP_CONFIG="$GK/gatekeep.conf" \
		GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD="$method" \
		REQUEST_URI=/gatekeep/"$PATHSEG" SCRIPT_NAME=/gatekeep/"$PATHSEG" QUERY_STRING= \
		REMOTE_ADDR=192.0.2.10 HTTP_HOST=127.0.0.1 CONTENT_LENGTH="${#body}" \
		CONTENT_TYPE=application/x-www-form-urlencoded "$@" "$CGI" 2>>"$LOG/login.err" |
		tr -d '\r' >"$TMP/out"
}
csrf() {  # a fresh CSRF pair: $C (cookie), $F (form field)
	PATHSEG=login cgi GET ""
	C=$(sed -n 's/^Set-Cookie: gatekeep_session_csrf=\([^;]*\);.*/\1/p' "$TMP/out")
	F=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TMP/out" | head -1)
}
login() {
	csrf
	PATHSEG=login cgi POST "csrf=$F&user=$1&password=$(urlenc "$2")&rd=" \
		HTTP_COOKIE="gatekeep_session_csrf=$C" HTTP_ORIGIN=http://127.0.0.1
	S=$(sed -n 's/^Set-Cookie: gatekeep_session=\([^;]*\);.*/\1/p' "$TMP/out")
}
login alice WRONG
like "$(grep -c 'reason=bad-password' "$LOG/login.err")" '^1$' "login.cgi: a wrong password logged"
login bob bob-pw
login alice alice-pw
like "$S" '.' "... alice signs in (a session cookie)"
logout() {  # logout EVERY
	csrf
	PATHSEG=logout cgi POST "csrf=$F&rd=&everywhere=$1" \
		HTTP_COOKIE="gatekeep_session_csrf=$C; gatekeep_session=$S" HTTP_ORIGIN=http://127.0.0.1
}
logout 0
login alice alice-pw
logout 1
is "$(stat -c %U "$TMP/state/metrics-login")" "$RUNNER" \
    "login.cgi's counters file belongs to the user it ran as"
gk_start_authz unix
scrape() { "$PY" "$CLIENT" "$GK_SOCK" --role responder REQUEST_METHOD=GET \
	REQUEST_URI=/gatekeep-metrics DOCUMENT_URI=/gatekeep-metrics SCRIPT_NAME=/gatekeep-metrics \
	REMOTE_ADDR=127.0.0.1 SERVER_PROTOCOL=HTTP/1.1 | tr -d '\r'; }
scrape >"$TMP/scrape"
val() { awk -v s="$1" '$1 == s { print $2 }' "$TMP/scrape"; }
is "$(val 'gatekeep_logins_total{method="form",outcome="success",reason="none"}')" 3 \
    "gatekeep-authz's scrape: 3 form sign-ins of login.cgi"
is "$(val 'gatekeep_logins_total{method="form",outcome="denied",reason="bad-password"}')" 1 \
    "... 1 refused for a bad password"
is "$(val 'gatekeep_session_tokens_issued_total')" 3 "... 3 session tokens issued"
is "$(val 'gatekeep_signouts_total{scope="session"}')" 1 "... 1 sign-out"
is "$(val 'gatekeep_signouts_total{scope="everywhere"}')" 1 "... 1 sign-out everywhere"
is "$(val "$ALLOW")" "$got" "... and the decisions lighttpd's processes counted, kept across their restart"
gk_stop authz

# --- the largest exposition, whole, through the FastCGI answer -----------------------------
rm -f "$TMP/state/metrics-authz"
"${AS[@]}" "$FILL" --fill "$TMP/state/metrics-authz" || bail "cannot fill the counters file"
gk_start_authz unix
scrape >"$TMP/scrape"
head -1 "$TMP/scrape" | grep -q '^Status: 200' ; ok $? "the worst-case scrape: 200"
sed '1,/^$/d' "$TMP/scrape" >"$TMP/worst.prom"
size=$(wc -c <"$TMP/worst.prom")
ok "$([ "$size" -gt 65536 ]; echo $?)" "... $size bytes (over the 64 KiB a FastCGI record holds)"
tail -1 "$TMP/worst.prom" | grep -q '^gatekeep_signouts_total{scope="everywhere"} 12345678901234567891$'
ok $? "... whole, to the last series (both files summed)"
promtool check metrics <"$TMP/worst.prom" >"$TMP/promtool.out" 2>&1
ok $? "promtool check metrics accepts it"
sed 's/^/#   /' "$TMP/promtool.out" | head -5
done_testing
