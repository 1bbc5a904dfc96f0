#!/bin/bash
# tests/tofu8_enrol.sh: second-factor enrolment through login.cgi. A member of
# second_factor_groups (or a user a 2fa: rule admits) who has not enrolled got app
# passwords and passkeys from a password-only session: both pass where a second factor
# is needed, so the password alone was enough. second_factor_enrol = admin turns the
# account page's TOTP set-up off. A pending code step issued before its user was created
# (a deleted namesake's) is refused.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

CGI="$top_builddir/cgi-bin/login.cgi"
TT="$top_builddir/tests/tokentool"
PY=/usr/bin/python3
[ -x "$CGI" ] && [ -x "$TT" ] || bail "login.cgi or tests/tokentool not built"
gk_login_conf "$TMP/self.conf" "cookie_secure = false" "second_factor_groups = admins" \
	"rule = path=/x require=2fa:user:carol" "passkeys = true" "passkey_origin = http://login.example"
{ cat "$TMP/self.conf"; echo "second_factor_enrol = admin"; } >"$TMP/admin.conf"
"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
for u in alice:admins bob: carol: dave:admins erin:; do
	"$GK_PASSWD" -b --groups="${u#*:}" "$TMP/users.db" "${u%%:*}" "${u%%:*} pw" >/dev/null 2>&1 ||
		bail "add ${u%%:*}"
done
export GATEKEEP_CONFIG="$TMP/self.conf"

run() { gk_cgi "$CGI" "$TMP/log" "$@"; }
cookie() { sed -n "s/^Set-Cookie: $1=\\([^;]*\\);.*/\\1/p" "$TMP/hdr"; }
field() { sed -n "s/.*name=\"$1\" value=\"\\([^\"]*\\)\".*/\\1/p" "$TMP/body" | head -1; }
enc() { "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# post PATH BODY: a POST with the CSRF pair of the last form ($C $F) and the session $S.
post() {
	run POST "$1" "csrf=$F&$2" HTTP_COOKIE="gatekeep_session_csrf=$C; gatekeep_session=$S" \
		HTTP_ORIGIN=http://login.example
}
# signin USER: the password form; the session (if one was issued) in $S, the pending state in $P.
signin() {
	run GET /gatekeep/login ""
	C=$(cookie gatekeep_session_csrf); F=$(field csrf); S=
	post /gatekeep/login "user=$1&password=$(enc "$1 pw")"
	S=$(cookie gatekeep_session); P=$(field pending)
}
page() { run GET "$1" "" HTTP_COOKIE="gatekeep_session_csrf=$C; gatekeep_session=$S"; }
# enrol USER: gatekeep-passwd --totp-enrol; the recovery codes in RC.
enrol() {
	"$GK_PASSWD" --totp-enrol "$1" "$TMP/users.db" >"$TMP/enrol.out" 2>&1 || bail "--totp-enrol $1"
	mapfile -t RC < <(sed -n 's/^  \([a-z2-7]\{4\}\(-[a-z2-7]\{4\}\)\{3\}\)$/\1/p' "$TMP/enrol.out")
	[ "${#RC[@]}" = 10 ] || bail "no recovery codes in the enrolment of $1"
}

# ---- app passwords and passkeys need a second-factor session when one applies ----
for u in alice carol; do
	signin "$u"
	[ -n "$S" ] || bail "no session for $u"
	page /gatekeep/account/tokens
	is "$status" 403 "$u (a second factor applies, none enrolled), password only: no app-password page"
	post /gatekeep/account/tokens "action=add&name=ci&password=$(enc "$u pw")"
	is "$status" 403 "... nor a new app password"
	unlike "$(cat "$TMP/body")" 'gk1\.' "... none shown"
	page /gatekeep/account/passkeys
	is "$status" 403 "... nor the passkeys page"
done
is "$(grep -c 'reason=second-factor-first' "$TMP/log")" 6 "each refusal logged (reason=second-factor-first)"
signin bob
page /gatekeep/account/tokens
is "$status" 200 "bob (no second factor applies) still manages app passwords from a password session"
page /gatekeep/account/passkeys
is "$status" 200 "... and passkeys"

# Enrolled, the code gives a second-factor session, which may add them.
enrol alice
signin alice
post /gatekeep/login "pending=$(enc "$P")&code=${RC[0]}"
is "$status" 303 "alice: password, then a recovery code"
S=$(cookie gatekeep_session)
page /gatekeep/account/tokens
is "$status" 200 "... that session opens the app-password page"

# ---- second_factor_enrol = self (the default) and admin ----
signin dave
page /gatekeep/account
is "$status" 200 "dave (admins, no TOTP) opens his account page"
like "$(cat "$TMP/body")" 'value="totp-start"' "self: it offers to set up TOTP"
F=$(field csrf)
post /gatekeep/account "action=totp-start&password=$(enc "dave pw")"
like "$(cat "$TMP/body")" 'name="enrol"' "... and does (the password alone is enough: trust on first use)"
export GATEKEEP_CONFIG="$TMP/admin.conf"
page /gatekeep/account
is "$status" 200 "admin: dave still opens his account page"
unlike "$(cat "$TMP/body")" 'value="totp-start"' "... which no longer offers to set up TOTP"
like "$(cat "$TMP/body")" 'id="gk-totp-admin"' "... and says the administrator does"
F=$(field csrf)
post /gatekeep/account "action=totp-start&password=$(enc "dave pw")"
is "$status" 403 "... a set-up posted anyway: 403"
unlike "$(cat "$TMP/body")" 'name="enrol"' "... and no seed"
grep -q 'reason=self-enrol-refused' "$TMP/log"; ok $? "... logged (reason=self-enrol-refused)"
page '/gatekeep/login?2fa=1'
is "$status" 403 "... the code step of an unenrolled user says the administrator enrols"
"$GK_PASSWD" --totp-enrol dave "$TMP/users.db" >/dev/null 2>&1
ok $? "gatekeep-passwd --totp-enrol still enrols"
export GATEKEEP_CONFIG="$TMP/self.conf"

# ---- a pending code step is its user's, not a deleted namesake's ----
enrol erin
GEN=$("$GK_PASSWD" --show erin "$TMP/users.db" | sed -n 's/^generation: //p')
NOW=$(date +%s)
run GET /gatekeep/login ""
C=$(cookie gatekeep_session_csrf); F=$(field csrf); S=
P=$("$TT" -t "$NOW" -l 300 -g "$GEN" issue "$TMP/secret" gatekeep-2fa-pending erin)
post /gatekeep/login "pending=$(enc "$P")&code=${RC[0]}"
is "$status" 303 "a pending state issued now for erin: her code signs her in"
P=$("$TT" -t $((NOW - 120)) -l 300 -g "$GEN" issue "$TMP/secret" gatekeep-2fa-pending erin)
post /gatekeep/login "pending=$(enc "$P")&code=${RC[1]}"
is "$status" 401 "one issued two minutes before erin was created (same name, same generation): refused"
grep -q 'user=erin.*reason=pending-revoked' "$TMP/log"; ok $? "... logged (reason=pending-revoked)"
done_testing
