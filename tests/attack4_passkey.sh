#!/bin/bash
# tests/attack4_passkey.sh: a made-up passkey answer takes no write lock of the user database.
# The passwordless sign-in page is open to anyone; its answer names a user (the user handle)
# and a credential id. The check opened a write transaction for every existing user before
# looking at the id: anyone could take the database's write lock at will (other writers,
# the TOTP check among them, waited), and the time of it told existing users from unknown
# ones (about 240 against 140 us per request, measured through gatekeep-login). Here another
# writer holds the lock: an answer with an id alice does not have is refused at once with
# 401, as for an unknown user, not after waiting for the lock (5 s, then 500). login.cgi
# run as a CGI program.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

CGI="$top_builddir/cgi-bin/login.cgi"
PY=/usr/bin/python3
[ -x "$CGI" ] || bail "login.cgi not built"
command -v flock >/dev/null || bail "flock not found (util-linux)"
mkdir -p "$TMP/state"
"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 &&
	"$GK_PASSWD" -b -2 "$TMP/users.db" alice 'alice password' >/dev/null 2>&1 ||
	bail "gatekeep-passwd could not create alice"
printf '%s\n' "database = $TMP/users.db" "secret_file = $TMP/secret" "state_dir = $TMP/state" \
	"log_target = stderr" "cookie_secure = false" "passkeys = true" \
	"passkey_origin = http://login.example" >"$TMP/gk.conf"
export GATEKEEP_CONFIG="$TMP/gk.conf"
field() { sed -n "s/.*name=\"$1\" value=\"\\([^\"]*\\)\".*/\\1/p" "$TMP/body" | head -1; }
b64u() { printf '%s' "$1" | base64 | tr '+/' '-_' | tr -d '=\n'; }

gk_cgi "$CGI" "$TMP/log" GET /gatekeep/passkey ""
is "$status" 200 "the passkey page answers"
CK=$(sed -n 's/^Set-Cookie: gatekeep_session_csrf=\([^;]*\);.*/\1/p' "$TMP/hdr")
F=$(field csrf)
CH=$(field challenge)
like "$CH" '^[A-Za-z0-9_-]{40,}$' "... with a challenge"
# answer USER: a made-up answer (an id nobody has, no valid signature) naming USER.
answer() {
	gk_cgi "$CGI" "$TMP/log" POST /gatekeep/passkey \
		"csrf=$F&challenge=$CH&id=$(b64u made-up-id)&client_data=e30&authenticator_data=AAAA&signature=AAAA&user_handle=$(b64u "$1")" \
		HTTP_COOKIE="gatekeep_session_csrf=$CK" HTTP_ORIGIN=http://login.example
}

# Another writer (gatekeep-passwd, a TOTP check, a password change) holds the write lock.
setsid flock "$TMP/users.db.lock" sleep 12 &
LOCKER=$!
at_exit 'kill -- "-$LOCKER" 2>/dev/null'
for i in $(seq 1 50); do flock -n "$TMP/users.db.lock" true || break; sleep 0.1; done
answer nobody
is "$status" 401 "an unknown user's made-up answer: 401"
answer alice
is "$status" 401 "alice's, with an id she does not have: 401 at once, the lock not waited for"
grep -q 'reason=passkey-unknown' "$TMP/log"; ok $? "... logged as passkey-unknown"
done_testing
