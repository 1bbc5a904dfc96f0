#!/bin/bash
# tests/ops2_fail2ban.sh: gatekeep-login's deny lines carry gatekeep-authz's reasons, so the
# shipped fail2ban filter matches them: a sign-in refused while banned is logged
# reason=banned (it used to be reason=locked, which the filter did not know), from the
# banned address, beside the wrong passwords that led to the ban.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

CGI="$top_builddir/cgi-bin/login.cgi"
PY=/usr/bin/python3
command -v fail2ban-regex >/dev/null || bail "fail2ban-regex not found (scripts/install-deps test installs fail2ban)"
[ -f /etc/fail2ban/filter.d/common.conf ] || bail "fail2ban's filter.d/common.conf not found"
[ -x "$CGI" ] && [ -x "$GK_PASSWD" ] || bail "programs not built"
mkdir -p "$TMP/state" && chmod 700 "$TMP/state"
cat >"$TMP/gk.conf" <<EOF
database = $TMP/users.db
secret_file = $TMP/secret
state_dir = $TMP/state
log_target = stderr
cookie_secure = false
max_failures = 2
lockout_address_failures = 50
find_time = 10m
ban_time = 15m
EOF
"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
"$GK_PASSWD" -b -2 "$TMP/users.db" dave 'dave password' >/dev/null 2>&1 || bail "add dave"

cgi() {  # cgi METHOD BODY [VAR=value ...]: login.cgi once; its answer in $TMP/out, log in $TMP/log
	local method=$1 body=$2
	shift 2
	printf '%s' "$body" | env -i PATH=/usr/bin:/bin GATEKEEP_CONFIG="$TMP/gk.conf" \
		GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD="$method" \
		REQUEST_URI=/gatekeep/login SCRIPT_NAME=/gatekeep/login QUERY_STRING= \
		REMOTE_ADDR=203.0.113.50 HTTP_HOST=login.example CONTENT_LENGTH="${#body}" \
		CONTENT_TYPE=application/x-www-form-urlencoded "$@" "$CGI" 2>>"$TMP/log" | tr -d '\r' >"$TMP/out"
}
login() {  # login PASSWORD
	local c f
	cgi GET ""
	c=$(sed -n 's/^Set-Cookie: gatekeep_session_csrf=\([^;]*\);.*/\1/p' "$TMP/out")
	f=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TMP/out" | head -1)
	cgi POST "csrf=$f&user=dave&password=$($PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")&rd=" \
		HTTP_COOKIE="gatekeep_session_csrf=$c" HTTP_ORIGIN=http://login.example
}
login wrong-1
login wrong-2
login 'dave password'   # banned: refused without being checked
is "$(grep -c 'reason=bad-password' "$TMP/log")" 2 "two wrong passwords logged"
grep -q 'deny user=dave method=form from=203.0.113.50 reason=banned uri=' "$TMP/log"
ok $? "the refusal while banned is logged reason=banned, as gatekeep-authz logs it"
grep -q 'reason=locked' "$TMP/log"; is "$?" 1 "... never reason=locked"

F2B=$TMP/fail2ban
mkdir -p "$F2B/filter.d"
cp /etc/fail2ban/filter.d/common.conf "$F2B/filter.d/"
cp "$top_srcdir/contrib/fail2ban/filter.d/gatekeep.conf" "$F2B/filter.d/"
grep 'deny ' "$TMP/log" >"$TMP/deny.lines"
n=$(grep -c . "$TMP/deny.lines")
out=$(fail2ban-regex -d '{NONE}' -c "$F2B" "$TMP/deny.lines" gatekeep 2>&1)
like "$out" "Lines: $n lines, 0 ignored, 3 matched, $((n - 3)) missed" \
    "the shipped filter matches all three deny lines of gatekeep-login (both wrong passwords and the ban)"
ips=$(fail2ban-regex -d '{NONE}' -c "$F2B" -o ip "$TMP/deny.lines" gatekeep 2>/dev/null | sort -u)
is "$ips" "203.0.113.50" "... and takes the banned address from them"
done_testing
