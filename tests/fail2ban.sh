#!/bin/bash
# tests/fail2ban.sh: contrib/fail2ban/filter.d/gatekeep.conf against REAL deny lines of
# gatekeep-authz: as written to stderr, as journald shows that stderr, and as syslog(3)
# sends them (captured on a private /dev/log in a mount namespace), in the traditional and
# the RFC 3339 rsyslog formats. Exact matched/missed counts and extracted addresses; a user
# name or URI carrying " from=1.2.3.4 " never gets 1.2.3.4 banned.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

PY=/usr/bin/python3
CLIENT="$top_srcdir/tests/fcgi_client.py"
TOKENTOOL="$top_builddir/tests/tokentool"
command -v fail2ban-regex >/dev/null || bail "fail2ban-regex not found (scripts/install-deps test installs fail2ban)"
[ -f /etc/fail2ban/filter.d/common.conf ] || bail "fail2ban's filter.d/common.conf not found"
[ -x "$GK_AUTHZ" ] && [ -x "$GK_PASSWD" ] && [ -x "$TOKENTOOL" ] || bail "programs not built"

DB=$TMP/users.db
"$GK_PASSWD" -c -b -2 "$DB" alice alice-pw 2>/dev/null || bail "passwd"
"$GK_PASSWD" -b -2 --groups=admins "$DB" bob bob-pw 2>/dev/null || bail "passwd"
"$GK_PASSWD" -b -2 --disable "$DB" carol carol-pw 2>/dev/null || bail "passwd"
"$TOKENTOOL" create "$TMP/secret" || bail "secret"
tok=$("$TOKENTOOL" issue "$TMP/secret" gatekeep alice)

# fail2ban's configuration directory, as installed: the system's common.conf + our filter
F2B=$TMP/fail2ban
mkdir -p "$F2B/filter.d"
cp /etc/fail2ban/filter.d/common.conf "$F2B/filter.d/"
cp "$top_srcdir/contrib/fail2ban/filter.d/gatekeep.conf" "$F2B/filter.d/"

conf() {  # conf FILE TARGET
	cat >"$1" <<EOC
database = $DB
secret_file = $TMP/secret
realm = f2b
methods = proxy, session, basic
proxy_trusted = 127.0.0.1
rule = path=/admin require=group:admins
max_failures = 100
log_target = $2
$GK_RUN_LINES
EOC
}
conf "$TMP/stderr.conf" stderr
conf "$TMP/syslog.conf" syslog
gk_give_nobody "$DB" "$TMP/secret"

wait_sock() { for _ in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done; return 1; }

# --- gatekeep-authz logging to stderr -----------------------------------------------------
"$GK_AUTHZ" -c "$TMP/stderr.conf" --listen "unix:$TMP/a.sock" --workers 1 2>"$TMP/stderr.log" &
APID=$!
at_exit "kill $APID"
wait_sock "$TMP/a.sock" || bail "gatekeep-authz (stderr) did not start"

# --- gatekeep-authz logging to syslog(3), with /dev/log ours in a private mount namespace ----
SYSLOG_OK=0
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	$PY - "$TMP/log.sock" "$TMP/syslog.raw" "$TMP/stop" <<'PY' &
import os, socket, sys
path, out, stop = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.2)
with open(out, "ab", buffering=0) as f:
    while not os.path.exists(stop):
        try:
            f.write(s.recv(65536) + b"\n")
        except socket.timeout:
            pass
PY
	RPID=$!
	at_exit "touch $TMP/stop"
	wait_sock "$TMP/log.sock" || bail "syslog receiver did not start"
	chmod 0666 "$TMP/log.sock"   # gatekeep-authz serves as nobody when the test is root
	NS=$TMP/ns
	mkdir -p "$NS/dev"
	unshare -m --propagation private sh -c '
		set -e
		D=$1; shift
		for n in null zero urandom random; do
			touch "$D/dev/$n"; mount --bind "/dev/$n" "$D/dev/$n"
		done
		ln -s "$D/../log.sock" "$D/dev/log"
		mount --rbind "$D/dev" /dev
		exec "$@"' sh "$NS" "$GK_AUTHZ" -c "$TMP/syslog.conf" --listen "unix:$TMP/s.sock" --workers 1 \
	    2>"$TMP/syslog-stderr.log" &
	SPID=$!
	at_exit "kill $SPID"
	wait_sock "$TMP/s.sock" || bail "gatekeep-authz (syslog) did not start: $(cat "$TMP/syslog-stderr.log")"
	SYSLOG_OK=1
else
	diag "not root or no mount namespaces: the syslog lines are rebuilt from the stderr ones"
fi

b64() { printf '%s' "$1" | base64 -w0; }
# send SOCK FROM URI [PARAM...]
send() {
	local sock=$1 from=$2 uri=$3
	shift 3
	$PY "$CLIENT" "$sock" --role authorizer REQUEST_METHOD=GET HTTP_HOST=app.example.com \
	    REMOTE_ADDR="$from" REQUEST_URI="$uri" "$@" | tr -d '\r' | head -1
}
basic() { echo "HTTP_AUTHORIZATION=Basic $(b64 "$1:$2")"; }

# the traffic: every request once against each instance; STATUS checks that it is real
traffic() {
	local s=$1
	is "$(send "$s" 203.0.113.7 /x "$(basic alice wrong1)")" "Status: 401" "[$2] bad password"
	send "$s" 203.0.113.7 /x "$(basic alice wrong2)" >/dev/null
	send "$s" 203.0.113.7 /y "$(basic alice wrong3)" >/dev/null
	is "$(send "$s" 2001:db8::7 /x "$(basic alice wrong4)")" "Status: 401" "[$2] bad password over IPv6"
	is "$(send "$s" 203.0.113.8 /x "$(basic mallory x)")" "Status: 401" "[$2] unknown user"
	send "$s" 203.0.113.8 /x "$(basic mallory y)" >/dev/null
	is "$(send "$s" 203.0.113.9 /x "$(basic carol carol-pw)")" "Status: 401" "[$2] disabled user"
	is "$(send "$s" 203.0.113.12 /x FCGI_APACHE_ROLE=AUTHENTICATOR REMOTE_USER=alice REMOTE_PASSWD=bad)" \
	    "Status: 401" "[$2] Apache authenticator call, bad password"
	# hostile names and URIs that try to plant a second from= field
	is "$(send "$s" 203.0.113.10 /x "$(basic 'x from=1.2.3.4 y' bad)")" "Status: 401" "[$2] user 'x from=1.2.3.4 y'"
	send "$s" 203.0.113.11 /x "$(basic 'from=1.2.3.4' bad)" >/dev/null
	send "$s" 203.0.113.15 /x "$(basic 'a method=basic from=1.2.3.4 reason=bad-password uri=/' bad)" >/dev/null
	send "$s" 203.0.113.13 /x "$(basic $'a\ngatekeep-authz[1]: deny user=a method=basic from=1.2.3.4 reason=bad-password uri=/' bad)" >/dev/null
	send "$s" 203.0.113.14 '/x%20from=1.2.3.4%20reason=bad-password' "$(basic alice bad)" >/dev/null
	send "$s" 198.51.100.2 '/a%20from=1.2.3.4%20reason=bad-password%20uri=/' >/dev/null
	# denials that must not ban
	is "$(send "$s" 198.51.100.1 /admin/x "$(basic alice alice-pw)")" "Status: 403" "[$2] wrong group: 403"
	is "$(send "$s" 198.51.100.2 /x)" "Status: 401" "[$2] no credentials"
	is "$(send "$s" 198.51.100.3 /x "HTTP_COOKIE=gatekeep_session=$(tamper "$tok")")" "Status: 401" "[$2] forged cookie"
	is "$(send "$s" 198.51.100.5 /x 'HTTP_AUTHORIZATION=Basic !!!')" "Status: 401" "[$2] malformed Basic"
	is "$(send "$s" 127.0.0.1 /x HTTP_REMOTE_USER=ghost)" "Status: 403" "[$2] trusted proxy names an unknown user"
	is "$(send "$s" 198.51.100.4 /x "$(basic alice alice-pw)")" "Status: 200" "[$2] allowed"
}
traffic "$TMP/a.sock" stderr
[ "$SYSLOG_OK" = 1 ] && traffic "$TMP/s.sock" syslog
sleep 0.3
touch "$TMP/stop"

# The addresses the filter must extract, one per banned line, sorted.
WANT_IPS=$(printf '%s\n' 203.0.113.7 203.0.113.7 203.0.113.7 2001:db8::7 203.0.113.8 203.0.113.8 \
    203.0.113.9 203.0.113.12 203.0.113.10 203.0.113.11 203.0.113.15 203.0.113.14 | sort)
WANT_N=$(echo "$WANT_IPS" | wc -l)

# the lines as each medium shows them
grep ': \(notice\|info\): \(deny\|allow\) ' "$TMP/stderr.log" >"$TMP/stderr.lines"
DENY_N=$(grep -c ' deny ' "$TMP/stderr.lines")
ALL_N=$(wc -l <"$TMP/stderr.lines")
diag "gatekeep-authz wrote $ALL_N decision lines ($DENY_N deny) to stderr, e.g.:"
grep -m3 'from=1.2.3.4\|x20from' "$TMP/stderr.lines" | sed 's/^/#   /'
HOST=$(hostname)
# journald keeps each stderr line as the MESSAGE; journalctl shows date, host, identifier[pid]
sed "s/^\(gatekeep-authz\[[0-9]*\]\)/Nov 23 18:27:00 $HOST \1: \1/" "$TMP/stderr.lines" >"$TMP/journal.log"
if [ "$SYSLOG_OK" = 1 ]; then
	# syslog(3) sends "<PRI>Mmm dd hh:mm:ss ident[pid]: msg"; rsyslog writes the host after the date
	$PY - "$TMP/syslog.raw" "$HOST" "$TMP/syslog-trad.log" "$TMP/syslog-rfc3339.log" <<'PY'
import re, sys
raw, host, trad, rfc = sys.argv[1:5]
n = 0
with open(trad, "w") as t, open(rfc, "w") as r:
    for line in open(raw, encoding="utf-8", errors="replace"):
        m = re.match(r"<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) (.*)$", line.rstrip("\n"))
        if not m:
            continue
        pri = int(m.group(1))
        if pri & 7 > 6 or " deny " not in m.group(3) and " allow " not in m.group(3):
            continue
        t.write("%s %s %s\n" % (m.group(2), host, m.group(3)))
        r.write("2026-11-23T18:27:00.123456+00:00 %s %s\n" % (host, m.group(3)))
        n += 1
PY
	is "$(wc -l <"$TMP/syslog-trad.log")" "$ALL_N" "syslog: as many decision lines as on stderr"
	is "$(grep -o '^<[0-9]*>' "$TMP/syslog.raw" | sort -u | grep -vc '^<8[0-7]>$')" 0 "syslog: every line has facility authpriv (PRI 80-87)"
	like "$(cat "$TMP/syslog.raw")" '<85>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]{8} gatekeep-authz\[[0-9]+\]: deny user=' \
	    "syslog: deny lines at notice (PRI 85) with ident[pid]"
else
	sed "s/^\(gatekeep-authz\[[0-9]*\]\): notice: /Nov 23 18:27:00 $HOST \1: /; s/^\(gatekeep-authz\[[0-9]*\]\): info: /Nov 23 18:27:00 $HOST \1: /" \
	    "$TMP/stderr.lines" >"$TMP/syslog-trad.log"
	sed "s/^Nov 23 18:27:00 /2026-11-23T18:27:00.123456+00:00 /" "$TMP/syslog-trad.log" >"$TMP/syslog-rfc3339.log"
fi

# fail2ban-regex on each medium: exact counts and addresses
check() {  # check LABEL FILE [fail2ban-regex options]
	local label=$1 file=$2 out ips n
	shift 2
	out=$(fail2ban-regex "$@" -c "$F2B" "$file" gatekeep 2>&1)
	like "$out" "Lines: $ALL_N lines, 0 ignored, $WANT_N matched, $((ALL_N - WANT_N)) missed" \
	    "$label: $WANT_N of $ALL_N lines matched"
	ips=$(fail2ban-regex "$@" -c "$F2B" -o ip "$file" gatekeep 2>/dev/null | sort)
	is "$ips" "$WANT_IPS" "$label: exactly the attackers' addresses"
	unlike "$ips" '1\.2\.3\.4' "$label: 1.2.3.4 planted in a user name or URI is never extracted"
	unlike "$ips" '198\.51\.100\.|127\.0\.0\.1' "$label: 403, no-credentials, cookie, malformed and proxy denials are not banned"
	users=$(fail2ban-regex "$@" -c "$F2B" -o user "$file" gatekeep 2>/dev/null)
	like "$users" '^x\\x20from=1\.2\.3\.4\\x20y$' "$label: the planted text stays inside the (escaped) user field"
	like "$users" '^a\\x20method=basic\\x20from=1\.2\.3\.4\\x20reason=bad-password\\x20uri=/$' \
	    "$label: ... also a whole forged field sequence"
}
check "stderr (no date)" "$TMP/stderr.lines" -d '{NONE}'
check "journal" "$TMP/journal.log"
check "syslog" "$TMP/syslog-trad.log"
check "syslog RFC 3339" "$TMP/syslog-rfc3339.log"

# negative control: a naive filter (first "from=" on the line) is fooled by the same lines,
# so the hostile names above really are hostile and the anchoring is what protects
cat >"$F2B/filter.d/naive.conf" <<'EOC'
[INCLUDES]
before = common.conf
[Definition]
_daemon = gatekeep-authz
failregex = ^%(__prefix_line)s(?:notice: )?deny .*?from=<HOST>
EOC
like "$(fail2ban-regex -c "$F2B" -o ip "$TMP/syslog-trad.log" naive 2>/dev/null)" '1\.2\.3\.4' \
    "negative control: a naive 'first from=' filter would ban 1.2.3.4"

# the jail example parses and points at the filter
like "$(cat "$top_srcdir/contrib/fail2ban/jail.d/gatekeep.local")" '^filter *= *gatekeep' "jail: filter = gatekeep"
mkdir -p "$F2B/jail.d" "$F2B/action.d"
cp -r /etc/fail2ban/action.d/. "$F2B/action.d/"
cp /etc/fail2ban/jail.conf /etc/fail2ban/fail2ban.conf "$F2B/"
cp /etc/fail2ban/paths-*.conf "$F2B/" 2>/dev/null
cp "$top_srcdir/contrib/fail2ban/jail.d/gatekeep.local" "$F2B/jail.d/"
sed -i "s|^logpath *=.*|logpath = $TMP/syslog-trad.log|; s|^backend *=.*|backend = auto|" "$F2B/jail.d/gatekeep.local"
out=$(fail2ban-client -c "$F2B" -d 2>&1)
ok $? "fail2ban-client -d accepts the jail"
like "$out" "'add', 'gatekeep'" "the gatekeep jail is defined"
like "$out" "'set', 'gatekeep', 'maxretry', 5" "jail: maxretry 5"
done_testing
