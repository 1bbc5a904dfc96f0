#!/bin/bash
# authz_fcgi.sh: gatekeep-authz end to end over a unix socket, driven by a raw FastCGI client in both roles.
. "$top_srcdir/tests/lib.sh"

PY=/usr/bin/python3
CLIENT="$top_srcdir/tests/fcgi_client.py"
[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"

DB=$TMP/users.db
SOCK=$TMP/authz.sock
CONF=$TMP/gatekeep.conf
LOG=$TMP/authz.log

"$GK_PASSWD" -c -b --groups=staff --email=alice@example.com --name="Alice A" "$DB" alice 'secret one' 2>/dev/null || bail "passwd alice"
"$GK_PASSWD" -b --groups=admins "$DB" bob pw-bob 2>/dev/null || bail "passwd bob"
"$GK_PASSWD" -b --disable "$DB" carol pw-carol 2>/dev/null || bail "passwd carol"

TOKENTOOL="$top_builddir/tests/tokentool"
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
"$TOKENTOOL" create "$TMP/secret" || bail "secret"

write_conf() {
	cat > "$CONF" <<EOF
database = $DB
secret_file = $TMP/secret
realm = Test Realm
methods = bypass, proxy, session, basic
proxy_trusted = @, 127.0.0.1
bypass_paths = /public
login_url = https://login.example.com/login
on_unauthenticated = auto
rule = path=/admin require=group:admins
log_target = stderr
log_level = info
$GK_RUN_LINES
$1
EOF
}
write_conf ""
gk_give_nobody "$TMP"

b64() { printf '%s' "$1" | base64 -w0; }
ALICE="HTTP_AUTHORIZATION=Basic $(b64 'alice:secret one')"
BOB="HTTP_AUTHORIZATION=Basic $(b64 'bob:pw-bob')"
BASE=(REQUEST_METHOD=GET HTTP_HOST=app.example.com REMOTE_ADDR=203.0.113.7)

# q ROLE URI [NAME=VALUE...]: the raw answer (CR stripped).
q() {
	local role=$1 uri=$2
	shift 2
	$PY "$CLIENT" "$SOCK" --role "$role" "${BASE[@]}" REQUEST_URI="$uri" "$@" | tr -d '\r'
}
st() { q "$@" | head -1; }

start() {
	"$GK_AUTHZ" -c "$CONF" --listen "unix:$SOCK" --workers "${1:-1}" -d 2>>"$LOG" &
	AUTHZ_PID=$!
	at_exit "kill $AUTHZ_PID"
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	[ -S "$SOCK" ] || bail "gatekeep-authz did not start: $(cat "$LOG")"
}
start 1

# --- no credentials -----------------------------------------------------------
a=$(q authorizer /x)
is "$(echo "$a" | head -1)" "Status: 401" "authorizer, no credentials: 401 first"
like "$a" 'WWW-Authenticate: Basic realm="Test Realm"' "authorizer: Basic challenge"
unlike "$a" 'Variable-' "authorizer 401: no Variable- headers"
body=$(echo "$a" | sed '1,/^$/d')
like "$body" '^<!DOCTYPE' "denial body does not start with /"
a=$(q authorizer '/x?y=1' HTTP_ACCEPT='text/html,*/*')
is "$(echo "$a" | head -1)" "Status: 302" "authorizer, browser: 302"
like "$a" 'Location: https://login.example.com/login\?rd=http%3A%2F%2Fapp.example.com%2Fx%3Fy%3D1' "302 to login_url?rd=<encoded URL>"
a=$(q responder /x HTTP_ACCEPT='text/html')
is "$(echo "$a" | head -1)" "Status: 401" "responder, browser: 401 (nginx cannot take a 302)"
like "$a" 'Location: https://login.example.com/login\?rd=' "responder 401 carries Location"
unlike "$a" 'WWW-Authenticate' "responder, browser: no Basic challenge"
a=$(q responder /x)
like "$a" 'WWW-Authenticate: Basic' "responder, non-browser: Basic challenge"

# --- Basic --------------------------------------------------------------------
a=$(q authorizer /x "$ALICE")
is "$(echo "$a" | head -1)" "Status: 200" "good Basic: 200"
is "$(echo "$a" | grep -c '^Variable-REMOTE_USER: alice$')" 1 "exactly one Variable-REMOTE_USER"
like "$a" 'Variable-REMOTE_GROUPS: staff' "groups"
like "$a" 'Variable-REMOTE_EMAIL: alice@example.com' "e-mail"
like "$a" 'Variable-REMOTE_NAME: Alice A' "display name"
like "$a" 'Variable-AUTH_TYPE: Basic' "auth type"
unlike "$a" 'Location' "allow: no Location"
is "$(echo "$a" | sed '1,/^$/d')" "" "authorizer allow: no body"
a=$(q responder /x "$ALICE")
is "$(echo "$a" | head -1)" "Status: 200" "responder good Basic: 200"
for h in 'Remote-User: alice' 'Remote-Groups: staff' 'Remote-Email: alice@example.com' \
    'Remote-Name: Alice A' 'X-Auth-Request-User: alice' 'X-Auth-Request-Email: alice@example.com' \
    'X-Auth-Request-Groups: staff' 'Variable-REMOTE_USER: alice'; do
	is "$(echo "$a" | grep -cx "$h")" 1 "responder header $h"
done
a=$(q responder /x "$BOB")
like "$a" $'Remote-Email:\n' "responder: unknown values sent empty (Caddy)"
nocred=$(q authorizer /x)
bad=$(q authorizer /x "HTTP_AUTHORIZATION=Basic $(b64 'alice:wrong')")
unknown=$(q authorizer /x "HTTP_AUTHORIZATION=Basic $(b64 'mallory:wrong')")
disabled=$(q authorizer /x "HTTP_AUTHORIZATION=Basic $(b64 'carol:pw-carol')")
is "$(echo "$bad" | head -1)" "Status: 401" "bad password: 401"
is "$bad" "$nocred" "bad password answer identical to no credentials"
is "$unknown" "$bad" "unknown user answer identical to bad password"
is "$disabled" "$bad" "disabled user answer identical to bad password"
is "$(st authorizer /x 'HTTP_AUTHORIZATION=Basic !!!')" "Status: 401" "malformed Basic: 401"
dash=$(q authorizer /x "HTTP_AUTHORIZATION=Basic $(b64 '-alice:secret one')")
is "$dash" "$bad" "a user name starting with '-': denied like a bad password"
is "$(st authorizer /x "$ALICE" "$BOB")" "Status: 401" "duplicate Authorization param: denied"
is "$(st authorizer /x 'HTTP_AUTHORIZATION=Bearer abc')" "Status: 401" "other scheme: no credentials"

# --- a web server still writing when the answer is complete ------------------------
# Caddy's FastCGI client sends the empty FCGI_STDIN record in a write of its own; the
# authorizer answers once PARAMS are in.  Closing before that write made it fail (EPIPE,
# Caddy answered 502 without reading our answer): the worker lingers until the peer closes.
a=$($PY "$CLIENT" "$SOCK" --role responder --hostile late-stdin "${BASE[@]}" REQUEST_URI=/x "$ALICE" 2>"$TMP/late.err")
is "$?" 0 "late FCGI_STDIN on a unix socket: the write succeeds and the answer arrives"
is "$(echo "$a" | head -1 | tr -d '\r')" "Status: 200" "... the whole answer (200 for alice)"
is "$(cat "$TMP/late.err")" "" "... no EPIPE"
# Lingering is bounded and costs a descriptor, not the worker: a peer that has not sent the
# end of FCGI_STDIN (Apache's authorizer never does) and keeps the connection open after the
# answer is closed after GK_FCGICONN_LINGER_MS (1 s), not later, and the one worker serves
# the next connection meanwhile.  A peer that had sent all of its request is closed at once
# (nginx).
r=$(GK_TESTS="$top_srcdir/tests" $PY - "$SOCK" <<'PY'
import os, socket, sys, time
sys.path.insert(0, os.environ["GK_TESTS"])
from fcgi_client import STDIN, begin, record, params_records
req = begin() + params_records(
    [(b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", b"/x"), (b"REMOTE_ADDR", b"203.0.113.7")])
def answer(s):
    buf = b""
    while b"\x01\x03\x00\x01" not in buf:        # END_REQUEST of request 1
        c = s.recv(65536)
        if not c:
            return buf
        buf += c
    return buf
def held_by(first):
    a = socket.socket(socket.AF_UNIX); a.settimeout(5); a.connect(sys.argv[1]); a.sendall(first)
    ok = b"Status: 401" in answer(a)
    t0 = time.monotonic()
    b = socket.socket(socket.AF_UNIX); b.settimeout(5); b.connect(sys.argv[1])
    b.sendall(req + record(STDIN, b""))
    ok = ok and b"Status: 401" in answer(b)
    served = time.monotonic() - t0               # b while a may linger
    closed = a.recv(1) == b""                    # our side is shut down after the answer
    while time.monotonic() - t0 < 5:             # the peer's writes succeed while we linger
        try:
            a.sendall(record(STDIN, b""))
        except OSError:
            break
        time.sleep(0.05)
    return ok, served, time.monotonic() - t0, closed
ok1, served1, gone1, closed1 = held_by(req)                  # no end of STDIN: lingers
ok2, served2, gone2, closed2 = held_by(req + record(STDIN, b"")) # all sent: closed at once
print("answered=%d bounded=%d closed=%d fast=%d" % (ok1 and ok2, 0.5 <= gone1 < 3,
      closed1 and closed2, served1 < 0.5 and served2 < 0.5 and gone2 < 0.7))
if not (0.5 <= gone1 < 3 and gone2 < 0.7 and served1 < 0.5 and served2 < 0.5):
    print("served %.3f s, %.3f s; closed after %.3f s, %.3f s" % (served1, served2, gone1, gone2))
PY
)
is "$r" "answered=1 bounded=1 closed=1 fast=1" "lingering: ~1 s for a peer that never closes and may still write, none for one that sent all; the worker serves others meanwhile"

# --- session cookie -------------------------------------------------------------
now=$(date +%s)
tok=$("$TOKENTOOL" -t "$now" -l 3600 -g 1 issue "$TMP/secret" gatekeep alice)
a=$(q responder /x "HTTP_COOKIE=other=1; gatekeep_session=$tok")
like "$a" 'Remote-User: alice' "valid session cookie: 200 as alice"
a=$(q authorizer /x "HTTP_COOKIE=gatekeep_session=$tok")
like "$a" 'Variable-AUTH_TYPE: Session' "session auth type"
is "$(st authorizer /x "HTTP_COOKIE=gatekeep_session=$(tamper "$tok")")" "Status: 401" "tampered signature: 401"
is "$(st authorizer /x "HTTP_COOKIE=gatekeep_session=$(tamper "$tok")" "$ALICE")" "Status: 401" \
    "bad cookie fails the request: no fall-through to Basic"
is "$(st authorizer /x "HTTP_COOKIE=gatekeep_session=$tok; gatekeep_session=$tok")" "Status: 401" \
    "two session cookies: denied"
old=$("$TOKENTOOL" -t $((now - 7200)) -l 3600 -g 1 issue "$TMP/secret" gatekeep alice)
is "$(st authorizer /x "HTTP_COOKIE=gatekeep_session=$old")" "Status: 401" "expired cookie: 401"
is "$(st authorizer /x "HTTP_COOKIE=gatekeep_session=$old" "$ALICE")" "Status: 200" \
    "expired cookie is stale, not forged: Basic still works"
rev=$("$TOKENTOOL" -t "$now" -l 3600 -g 7 issue "$TMP/secret" gatekeep alice)
is "$(st authorizer /x "HTTP_COOKIE=gatekeep_session=$rev")" "Status: 401" "wrong token generation: 401"
other=$("$TOKENTOOL" -t "$now" -l 3600 -g 1 issue "$TMP/secret" someone-else alice)
is "$(st authorizer /x "HTTP_COOKIE=gatekeep_session=$other")" "Status: 401" "wrong issuer: 401"
ctok=$("$TOKENTOOL" -t "$now" -l 3600 -g 1 issue "$TMP/secret" gatekeep carol)
is "$(st authorizer /x "HTTP_COOKIE=gatekeep_session=$ctok")" "Status: 401" "disabled user's cookie: 401"

# --- policy -------------------------------------------------------------------
is "$(st authorizer /admin/x "$ALICE")" "Status: 403" "wrong group: 403"
is "$(st responder /admin/x "$BOB")" "Status: 200" "admins: 200"
is "$(st authorizer /x "$ALICE" GATEKEEP_REQUIRE=group:admins)" "Status: 403" "GATEKEEP_REQUIRE group"
is "$(st authorizer /x "$ALICE" GATEKEEP_REQUIRE=user:alice)" "Status: 200" "GATEKEEP_REQUIRE user"
is "$(st authorizer /x "$ALICE" GATEKEEP_REQUIRE=nonsense)" "Status: 500" "bad GATEKEEP_REQUIRE: 500"
like "$(cat "$LOG")" 'GATEKEEP_REQUIRE: not a requirement' "... with its log line"
like "$(cat "$LOG")" 'deny user=- method=- from=203\.0\.113\.7 reason=bad-GATEKEEP_REQUIRE' \
    "... and the deny line"
is "$(st authorizer /x "$ALICE" GATEKEEP_REQUIRE=any GATEKEEP_REQUIRE=bypass)" "Status: 500" \
    "duplicate GATEKEEP_REQUIRE (the web server's and a smuggled one): 500, never the first"
like "$(cat "$LOG")" 'reason=duplicate-GATEKEEP_REQUIRE' "... logged"
is "$(st responder /x "$ALICE" DOCUMENT_URI=/auth/group:admins)" "Status: 403" "auth_request path requirement"
is "$(st responder /x "$BOB" DOCUMENT_URI=/auth/group:admins)" "Status: 200" "auth_request path requirement, admin"
is "$(st responder /x "$ALICE" DOCUMENT_URI=/auth/998)" "Status: 200" "Organizr level in the path"
is "$(st authorizer /x DOCUMENT_URI=/files/bypass)" "Status: 401" "authorizer role never reads DOCUMENT_URI"

# --- bypass and normalisation -------------------------------------------------
a=$(q authorizer /public/x)
is "$(echo "$a" | head -1)" "Status: 200" "bypass path: 200 without credentials"
unlike "$a" 'Variable-REMOTE_USER' "bypass: no user"
is "$(st responder /public)" "Status: 200" "bypass path itself"
is "$(st responder /publicity)" "Status: 401" "bypass prefix is segment-aware"
for p in /public/../admin /public/%2e%2e/admin '/public/..;/admin' /public/.%2E/x/../../admin \
    '/public%2f..%2fadmin' '/public/..%2Fadmin' '/public/..%5cadmin' '/public/%c0%ae%c0%ae/admin' \
    '/public/..%00/x'; do
	s=$(st responder "$p")
	case $s in "Status: 401"|"Status: 403") r=0 ;; *) r=1 ;; esac
	ok $r "normalisation trick $p not bypassed ($s)"
done
is "$(st authorizer /public/..%2Fadmin "$ALICE")" "Status: 403" "ambiguous path that changes the rule: 403"
is "$(st authorizer /x%2Fy "$ALICE")" "Status: 200" "ambiguous path, same rule either way: allowed"

# --- identity inputs that must not be believed ---------------------------------
is "$(st responder /x REMOTE_USER=bob)" "Status: 401" "incoming REMOTE_USER ignored (responder)"
is "$(st authorizer /x REMOTE_USER=bob)" "Status: 401" "incoming REMOTE_USER ignored (authorizer)"
is "$(st authorizer /x REMOTE_USER=bob AUTH_TYPE=Basic FCGI_APACHE_ROLE=AUTHORIZER)" "Status: 401" \
    "mod_fcgid authorizer REMOTE_USER ignored"
a=$(q authorizer /x FCGI_APACHE_ROLE=AUTHENTICATOR REMOTE_USER=alice 'REMOTE_PASSWD=secret one')
like "$a" 'Variable-REMOTE_USER: alice' "Apache AUTHENTICATOR pair checked: 200"
is "$(st authorizer /x FCGI_APACHE_ROLE=AUTHENTICATOR REMOTE_USER=alice REMOTE_PASSWD=nope)" "Status: 401" \
    "Apache AUTHENTICATOR pair, bad password: 401"
is "$(st responder /x FCGI_APACHE_ROLE=AUTHENTICATOR REMOTE_USER=alice 'REMOTE_PASSWD=secret one')" "Status: 401" \
    "AUTHENTICATOR pair not believed in the responder role"
# a provider used for both authn and authz: REMOTE_PASSWD without FCGI_APACHE_ROLE is a
# pair call too, decided on the pair alone (never on a Remote-User header)
a=$(q authorizer /x REMOTE_USER=alice 'REMOTE_PASSWD=secret one' HTTP_REMOTE_USER=bob)
like "$a" 'Variable-REMOTE_USER: alice' "REMOTE_PASSWD without FCGI_APACHE_ROLE: the pair decides (alice)"
unlike "$a" 'bob' "... not the Remote-User: bob header"
# Apache's pair must be what gatekeep's strict parser reads in the header (CGIPassAuth On)
is "$(st authorizer /x FCGI_APACHE_ROLE=AUTHENTICATOR REMOTE_USER=alice 'REMOTE_PASSWD=secret one' \
    "HTTP_AUTHORIZATION=Basic $(printf 'alice:secret one\0x' | base64 -w0)")" "Status: 401" \
    "Apache pair cut at a NUL in the header: 401"
a=$(q authorizer /x FCGI_APACHE_ROLE=AUTHENTICATOR REMOTE_USER=alice 'REMOTE_PASSWD=secret one' \
    "HTTP_AUTHORIZATION=Basic $(printf 'alice:secret one' | base64 -w0)")
like "$a" 'Variable-REMOTE_USER: alice' "Apache pair equal to the header's: 200"

# --- trusted proxy header -------------------------------------------------------
a=$($PY "$CLIENT" "$SOCK" --role responder REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=127.0.0.1 HTTP_REMOTE_USER=alice | tr -d '\r')
like "$a" 'Remote-User: alice' "proxy header from trusted 127.0.0.1: believed"
a=$($PY "$CLIENT" "$SOCK" --role responder REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=@ HTTP_REMOTE_USER=alice | tr -d '\r')
like "$a" 'Remote-User: alice' "proxy header from the unix peer (@): believed"
is "$(st responder /x HTTP_REMOTE_USER=alice)" "Status: 401" "proxy header from untrusted peer: ignored"
a=$($PY "$CLIENT" "$SOCK" --role responder REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=127.0.0.1 \
    HTTP_REMOTE_USER=alice HTTP_REMOTE_USER=bob | tr -d '\r' | head -1)
is "$a" "Status: 401" "Remote-User + Remote_User (duplicate HTTP_REMOTE_USER): denied"
a=$($PY "$CLIENT" "$SOCK" --role responder REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=127.0.0.1 \
    HTTP_REMOTE_USER=mallory | tr -d '\r' | head -1)
is "$a" "Status: 403" "proxy header names an unknown user (no auto-create): 403"
like "$(cat "$LOG")" 'ignored Remote-User header from untrusted peer 203.0.113.7' "untrusted header logged"

# --- per-request state ----------------------------------------------------------
is "$(st authorizer /x "$ALICE")" "Status: 200" "authenticated request..."
a=$(q authorizer /x)
is "$(echo "$a" | head -1)" "Status: 401" "...then an anonymous one on the same worker: denied"
unlike "$a" 'alice' "no identity left over"
is "$(st filter /x "$ALICE")" "Status: 403" "FILTER role: refused (403, reason=unknown-role), never a 500"

# --- hostile records --------------------------------------------------------------
is "$(st authorizer /x --hostile many-params)" "Status: 403" "2000 params: denied"
is "$(st authorizer /x --hostile big-param)" "Status: 403" "a 100000-byte param: denied"
$PY "$CLIENT" "$SOCK" --hostile truncated REQUEST_URI=/x >/dev/null 2>&1
$PY "$CLIENT" "$SOCK" --hostile garbage >/dev/null 2>&1
$PY "$CLIENT" "$SOCK" --hostile huge-lengths >/dev/null 2>&1
ok_after=1
for _ in $(seq 30); do
	[ "$(st authorizer /x "$ALICE" 2>/dev/null)" = "Status: 200" ] && { ok_after=0; break; }
	sleep 0.2
done
ok $ok_after "after truncated, garbage and huge-length records the pool still answers"
kill -0 $AUTHZ_PID; ok $? "the parent survived"

# A hostile record may make libfcgi abort in one worker (CVE-2025-23016 residue,
# an allocation-size report under ASan); nothing else may show up.
unlike "$(grep -v 'allocation-size-too-big\|requested allocation size' "$LOG")" \
    'ERROR: AddressSanitizer|runtime error|LeakSanitizer' "no other sanitizer report from the workers"

# --- log lines --------------------------------------------------------------------
like "$(cat "$LOG")" 'deny user=alice method=basic from=203.0.113.7 reason=bad-password uri=/x' "deny line for fail2ban"
like "$(cat "$LOG")" 'allow user=alice method=basic from=203.0.113.7 uri=/x' "allow line"
unlike "$(cat "$LOG")" 'secret one|pw-bob|c2VjcmV0' "no password in the log"

# --- SIGHUP -----------------------------------------------------------------------
write_conf "rule = path=/x require=deny"
kill -HUP $AUTHZ_PID
r=1
for _ in $(seq 30); do
	[ "$(st authorizer /x "$BOB")" = "Status: 403" ] && { r=0; break; }
	sleep 0.1
done
ok $r "SIGHUP: new rule in force"
echo "methods = nonsense" >> "$CONF"
kill -HUP $AUTHZ_PID
sleep 0.5
is "$(st authorizer /x "$BOB")" "Status: 403" "bad config on SIGHUP: old one keeps running"
like "$(cat "$LOG")" 'reload failed' "bad reload logged"

# --- SIGTERM ----------------------------------------------------------------------
kill -TERM $AUTHZ_PID
wait $AUTHZ_PID
is "$?" 0 "SIGTERM: exit 0"
[ ! -e "$SOCK" ]; ok $? "socket removed on exit"

# --- missing database -------------------------------------------------------------
write_conf ""
sed -i "s|^database = .*|database = $TMP/missing.db|" "$CONF"
: > "$LOG"
start 2
is "$(st authorizer /x "$ALICE")" "Status: 403" "missing database: 403, a deny (never a 500)"
like "$(cat "$LOG")" "database $TMP/missing.db" "missing database: log line"
like "$(cat "$LOG")" 'deny user=alice method=basic .*reason=database' "missing database: decision line"
is "$(st authorizer /public/x)" "Status: 200" "bypass still works without the database"
kill -TERM $AUTHZ_PID; wait $AUTHZ_PID

# --- Caddy front end, auto-created proxy users, origins, bypass networks/hosts -----
"$GK_PASSWD" -b --groups=staff "$DB" kiosk pw-kiosk 2>/dev/null || bail "passwd kiosk"
write_conf "frontend = caddy
proxy_auto_create = true
proxy_auto_create_groups = viewers
proxy_auto_create_permission = ro
proxy_email_header = Remote-Email
allowed_origins = https://app.example.com
bypass_networks = 192.0.2.0/24
bypass_hosts = 10.1.1.1:8090
bypass_hosts_on = 10.1.1.1
bypass_user = kiosk"
: > "$LOG"
start 1
# What Caddy's forward_auth sends (checked live): REQUEST_URI is the original request's,
# REQUEST_METHOD is always GET, GATEKEEP_METHOD comes from the Caddyfile's transport env.
# cq URI METHOD [NAME=VALUE...]: a responder call as Caddy makes it for METHOD URI.
# A NAME=VALUE argument replaces the default of that NAME.
cq() {
	local uri=$1 m=$2 d p keep=()
	shift 2
	for d in REQUEST_METHOD=GET REQUEST_URI="$uri" HTTP_HOST=app.example.com GATEKEEP_METHOD="$m" \
	    HTTP_X_FORWARDED_METHOD="$m" HTTP_X_FORWARDED_URI="$uri" HTTP_X_FORWARDED_HOST=app.example.com \
	    HTTP_X_FORWARDED_PROTO=https REMOTE_ADDR=203.0.113.7; do
		for p in "$@"; do [ "${p%%=*}" = "${d%%=*}" ] && continue 2; done
		keep+=("$d")
	done
	$PY "$CLIENT" "$SOCK" --role responder "${keep[@]}" "$@" | tr -d '\r'
}
cst() { cq "$@" | head -1; }
is "$(cst /admin/x GET "$ALICE")" "Status: 403" "caddy: rules see the original URI, not the endpoint URI"
is "$(cst /public/x GET)" "Status: 200" "caddy: bypass on the original URI"
a=$(cq /x GET HTTP_ACCEPT=text/html)
is "$(echo "$a" | head -1)" "Status: 302" "caddy: a browser gets a real 302"
like "$a" 'rd=https%3A%2F%2Fapp.example.com%2Fx' "caddy: rd built from X-Forwarded-Proto/Host/Uri"
is "$(st responder /_gk "$ALICE")" "Status: 500" "caddy: missing X-Forwarded-* is an error"
is "$(st responder /x "$ALICE" HTTP_X_FORWARDED_METHOD=GET HTTP_X_FORWARDED_URI=/x)" "Status: 500" \
    "caddy: no GATEKEEP_METHOD from the Caddyfile is an error"
like "$(cat "$LOG")" 'reason=missing-GATEKEEP_METHOD' "... logged with its reason"
# A client's X_Forwarded_* that won Caddy's map: the reading differs from Caddy's own.
is "$(cst /admin/x GET "$ALICE" HTTP_X_FORWARDED_URI=/x)" "Status: 403" \
    "caddy: X-Forwarded-Uri other than REQUEST_URI -> 403"
like "$(cat "$LOG")" 'reason=forwarded-uri-mismatch' "... logged as forwarded-uri-mismatch"
is "$(cst /private/x GET HTTP_X_FORWARDED_URI=/public/x)" "Status: 403" \
    "caddy: a forged X-Forwarded-Uri on a bypass path -> 403, not the bypass"
is "$(cst /x DELETE "$BOB" HTTP_X_FORWARDED_METHOD=GET)" "Status: 403" \
    "caddy: X-Forwarded-Method other than GATEKEEP_METHOD -> 403"
like "$(cat "$LOG")" 'reason=forwarded-method-mismatch' "... logged as forwarded-method-mismatch"
is "$(cst /x GET HTTP_X_FORWARDED_HOST=10.1.1.1:8090 SERVER_ADDR=10.1.1.1)" "Status: 403" \
    "caddy: X-Forwarded-Host other than Host -> 403 (no bypass_hosts)"
like "$(cat "$LOG")" 'reason=forwarded-host-mismatch' "... logged as forwarded-host-mismatch"
is "$(st authorizer /admin "$ALICE")" "Status: 403" "caddy setting does not change the Authorizer role"
a=$(cq /x GET REMOTE_ADDR=127.0.0.1 HTTP_REMOTE_USER=newbie HTTP_REMOTE_EMAIL=newbie@example.com)
like "$a" 'Remote-User: newbie' "proxy auto-create: allowed"
like "$a" 'Remote-Groups: viewers' "proxy auto-create: groups from proxy_auto_create_groups"
"$GK_PASSWD" -l "$DB" | grep -q '^newbie'; ok $? "auto-created user is in the database"
a=$(cq /x GET REMOTE_ADDR=127.0.0.1 HTTP_REMOTE_USER=NewBie)
is "$(echo "$a" | head -1)" "Status: 403" "proxy auto-create: a name differing from a user only by case is refused"
like "$(cat "$LOG")" 'proxy user NewBie: not created: user newbie exists' "... with a log line"
"$GK_PASSWD" -l "$DB" | grep -q '^NewBie'; is $? 1 "... and not created"
is "$(cst /x POST REMOTE_ADDR=127.0.0.1 HTTP_REMOTE_USER=newbie)" "Status: 403" "auto-created ro user: POST refused"
is "$(cst /x POST "$BOB" HTTP_ORIGIN=https://evil.example)" "Status: 403" "foreign Origin on POST: 403"
is "$(cst /x POST "$BOB" HTTP_ORIGIN=https://app.example.com)" "Status: 200" "allowed Origin on POST: 200"
is "$(cst /x POST "$BOB" HTTP_REFERER=https://evil.example/app.example.com)" "Status: 403" \
    "foreign Referer on POST: 403"
is "$($PY "$CLIENT" "$SOCK" --role authorizer REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=192.0.2.9 | tr -d '\r' | head -1)" \
    "Status: 200" "bypass_networks: allowed"
a=$($PY "$CLIENT" "$SOCK" --role authorizer REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=203.0.113.7 HTTP_HOST=10.1.1.1:8090 \
    SERVER_ADDR=10.1.1.1 | tr -d '\r')
like "$a" 'Variable-REMOTE_USER: kiosk' "bypass_hosts: on the bound listener, runs as bypass_user"
for sa in SERVER_ADDR=198.51.100.1 SERVER_ADDR= X=; do
	is "$($PY "$CLIENT" "$SOCK" --role authorizer REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=203.0.113.7 \
	    HTTP_HOST=10.1.1.1:8090 "$sa" | tr -d '\r' | head -1)" "Status: 401" \
	    "bypass_hosts: the Host on another listener ($sa) is no bypass"
done
is "$($PY "$CLIENT" "$SOCK" --role authorizer REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=203.0.113.7 \
    HTTP_HOST=10.1.1.1:8090. SERVER_ADDR=10.1.1.1 | tr -d '\r' | head -1)" "Status: 403" \
    "bypass_hosts: a look-alike Host (a dot after the port) is no bypass: no host at all (bad-host)"
kill -TERM $AUTHZ_PID; wait $AUTHZ_PID

# bypass_hosts bound to nothing: refused at start with a clear message
write_conf "bypass_hosts = 10.1.1.1
bypass_user = kiosk"
: > "$LOG"
timeout 10 "$GK_AUTHZ" -c "$CONF" --listen "unix:$SOCK.x" --workers 1 -d 2>>"$LOG"
rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ]
ok $? "bypass_hosts bound to nothing: refused at start (exit $rc)"
like "$(cat "$LOG")" 'bypass_hosts is bound to nothing' "... naming the problem"

# An empty or missing REMOTE_ADDR is no unix-socket peer (proxy_trusted = @, ...)
write_conf ""
start 1
for ra in REMOTE_ADDR= NO_REMOTE_ADDR=1; do
	is "$($PY "$CLIENT" "$SOCK" --role responder REQUEST_METHOD=GET REQUEST_URI=/x "$ra" HTTP_REMOTE_USER=alice | \
	    tr -d '\r' | head -1)" "Status: 401" "proxy_trusted @: $ra is not the unix peer, Remote-User ignored"
done
a=$($PY "$CLIENT" "$SOCK" --role responder REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=unix: HTTP_REMOTE_USER=alice | tr -d '\r')
like "$a" 'Remote-User: alice' "proxy_trusted @: nginx's unix: peer is still trusted"
a=$($PY "$CLIENT" "$SOCK" --role responder REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=@ HTTP_REMOTE_USER=alice | tr -d '\r')
like "$a" 'Remote-User: alice' "proxy_trusted @: Caddy's @ peer is still trusted"
a=$($PY "$CLIENT" "$SOCK" --role responder REQUEST_METHOD=GET REQUEST_URI=/x REMOTE_ADDR=/run/lighttpd/http.sock HTTP_REMOTE_USER=alice | tr -d '\r')
like "$a" 'Remote-User: alice' "proxy_trusted @: lighttpd's unix peer (the listener's path) is trusted"
kill -TERM $AUTHZ_PID; wait $AUTHZ_PID

# --- started on fd 0 (spawn-fcgi, mod_fcgid, lighttpd bin-path) ----------------------
write_conf ""
if command -v spawn-fcgi >/dev/null; then
	spawn-fcgi -s "$SOCK" -M 0600 -P "$TMP/spawn.pid" -- "$GK_AUTHZ" -c "$CONF" -d >/dev/null 2>>"$LOG"
	for _ in $(seq 50); do [ -S "$SOCK" ] && [ -s "$TMP/spawn.pid" ] && break; sleep 0.1; done
	SPID=$(cat "$TMP/spawn.pid")
	at_exit "kill $SPID"
	is "$(st authorizer /x "$ALICE")" "Status: 200" "fd 0 socket from spawn-fcgi: answers"
	is "$(pgrep -P "$SPID" | wc -l)" 0 "fd 0 without --workers: one process, no pool"
	kill -TERM "$SPID"
	for _ in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$SPID" 2>/dev/null; is "$?" 1 "fd 0 mode: SIGTERM stops it"
else
	ok 1 "spawn-fcgi is not installed (scripts/install-deps installs it)"
fi

# --- systemd socket activation (LISTEN_FDS, fd 3) ----------------------------------
if command -v systemd-socket-activate >/dev/null; then
	rm -f "$SOCK"
	systemd-socket-activate -l "$SOCK" "$GK_AUTHZ" -c "$CONF" --workers 1 -d >/dev/null 2>>"$LOG" &
	APID=$!
	at_exit "kill $APID"
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	is "$(st authorizer /x "$ALICE")" "Status: 200" "systemd LISTEN_FDS socket: answers"
	kill -TERM $APID; wait $APID
	is "$?" 0 "systemd mode: SIGTERM, exit 0"
else
	ok 1 "systemd-socket-activate is not installed"
fi

# --- CLI --------------------------------------------------------------------------
write_conf ""
out=$("$GK_AUTHZ" -c "$CONF" --check-config); ok $? "--check-config: exit 0"
like "$out" "database = $DB" "--check-config prints the effective configuration"
printf 'database = %s\nbogus_key = 1\n' "$DB" > "$TMP/bad.conf"
out=$("$GK_AUTHZ" -c "$TMP/bad.conf" --check-config 2>&1); r=$?
is "$r" 1 "--check-config, bad file: exit 1"
like "$out" "^$TMP/bad.conf:2: " "--check-config error names file:line"
out=$("$GK_AUTHZ" -c "$CONF" </dev/null 2>&1); r=$?
is "$r" 1 "no listening socket: exit 1"
like "$out" 'no listening socket' "no listening socket: clear message"
touch "$TMP/plain"
out=$("$GK_AUTHZ" -c "$CONF" --listen "unix:$TMP/plain" 2>&1); r=$?
is "$r" 1 "--listen on a non-socket path: refused"
[ -f "$TMP/plain" ]; ok $? "...and the file is left alone"
"$GK_AUTHZ" --version | grep -q '^gatekeep-authz '; ok $? "--version"
"$GK_AUTHZ" --bogus >/dev/null 2>&1; is "$?" 2 "unknown option: exit 2"

# --- TCP ---------------------------------------------------------------------------
port=$(free_port)
"$GK_AUTHZ" -c "$CONF" --listen "tcp:127.0.0.1:$port" --workers 1 -d 2>>"$LOG" &
TPID=$!
at_exit "kill $TPID"
wait_port "$port" || bail "tcp listener"
a=$($PY "$CLIENT" "tcp:127.0.0.1:$port" --role authorizer REQUEST_METHOD=GET REQUEST_URI=/x "$ALICE" | tr -d '\r')
like "$a" 'Variable-REMOTE_USER: alice' "tcp:127.0.0.1:PORT works"
a=$($PY "$CLIENT" "tcp:127.0.0.1:$port" --role responder --hostile late-stdin REQUEST_METHOD=GET REQUEST_URI=/x "$ALICE" 2>"$TMP/late.err")
is "$?" 0 "late FCGI_STDIN over TCP: the write succeeds and the answer arrives"
like "$a" 'Remote-User: alice' "... the whole answer"
kill -TERM $TPID; wait $TPID

done_testing
