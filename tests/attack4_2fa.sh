#!/bin/bash
# tests/attack4_2fa.sh: a password-only session of a TOTP user must not get around the code.
# The account page and the app-password page send such a session to the code step; the
# passkeys page did not: with the password (which the page asks for) the session added a
# passkey of the attacker's own software authenticator (tests/attack4_authn.py, user
# verification claimed), whose passwordless sign-in is a second-factor session (amr hwk)
# that a 2fa: rule lets through - the TOTP code never typed. Real nginx, gatekeep-authz
# and gatekeep-login.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"

"$PY" -c 'import cryptography' 2>/dev/null || bail "python3-cryptography is missing"
gk_world
gk_login_world
GK_EXTRA_CONF="$GK_EXTRA_CONF
rule = path=/secure require=2fa:user:alice
passkeys = true
passkey_origin = http://app1.gk.test:$PORT
passkey_rp_id = gk.test"
gk_conf "192.0.2.1/32"
gk_start_login_nginx
PWD_=("$GK_PASSWD" --config "$GK/gatekeep.conf")
KEY="$TMP/attacker.pem"
# fields FILE: curl arguments for the NAME=VALUE lines the authenticator printed
fields() { local l; ARGS=(); while IFS= read -r l; do ARGS+=(--data-urlencode "$l"); done <"$1"; }

# A session signed in with the password alone (before TOTP was on, or copied then), then
# the user turns TOTP on: from now on the code is the second factor.
rm -f "$JAR"
form_login alice alice-pw "$A1/private/"
is "$CODE" 303 "alice signs in with her password (no TOTP yet)"
"${PWD_[@]}" --totp-enrol alice >"$TMP/enrol.out" 2>&1
ok $? "then TOTP is turned on for alice"

breq -H "$HTML" "$A1/secure/"
is "$CODE" 302 "the password-only session is refused on the 2fa: path (sent to the code step)"
breq -H "$HTML" "$A1/gatekeep/account"
is "$CODE" 303 "... the account page sends it to the code step"
breq -H "$HTML" "$A1/gatekeep/account/tokens"
is "$CODE" 303 "... so does the app-password page"
breq -H "$HTML" "$A1/gatekeep/account/passkeys"
is "$CODE" 303 "... and so must the passkeys page"
like "$(hdr Location)" '/gatekeep/login\?2fa=1&rd=' "... to the code step, back to the page afterwards"

# add_passkey NAME PASSWORD KEY: the passkeys page's two steps with the session in the jar
# (a CSRF token from the login page: the same nonce cookie); KEY is the authenticator's.
add_passkey() {
	breq -H "$HTML" "$A1/gatekeep/login"
	TOK=$(field csrf)
	breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode action=begin \
		--data-urlencode "name=$1" --data-urlencode "password=$2" "$A1/gatekeep/account/passkeys"
	CH=$(printf '%s\n' "$BODY" | sed -n 's/.*data-challenge="\([^"]*\)".*/\1/p' | head -1)
	[ -n "$CH" ] || return 1
	TOK=$(field csrf)
	"$PY" "$top_srcdir/tests/attack4_authn.py" create "$3" "$A1" gk.test "$CH" >"$TMP/reg" &&
		fields "$TMP/reg" &&
		breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode action=add \
			--data-urlencode "name=$1" --data-urlencode "challenge=$CH" "${ARGS[@]}" \
			"$A1/gatekeep/account/passkeys"
}
# passkey_signin KEY USER: passwordless sign-in (fresh jar) with KEY's passkey, if KEY exists.
passkey_signin() {
	rm -f "$JAR"
	breq -H "$HTML" "$A1/gatekeep/passkey"
	TOK=$(field csrf)
	CH=$(field challenge)
	[ -s "$1" ] && [ -n "$CH" ] || return 1
	"$PY" "$top_srcdir/tests/attack4_authn.py" get "$1" "$A1" gk.test "$CH" "$2" >"$TMP/get" &&
		fields "$TMP/get" &&
		breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode "challenge=$CH" \
			--data-urlencode "rd=$A1/secure/" "${ARGS[@]}" "$A1/gatekeep/passkey"
}

# The whole attack, as far as it goes: add a passkey, sign in with it, reach /secure.
add_passkey evil alice-pw "$KEY"
is "$CH" "" "the password-only session gets no passkey registration challenge"
unlike "$(cat "$LOG/login.out")" 'passkey added user=alice' "... and adds no passkey"
passkey_signin "$KEY" alice
breq -H "$HTML" "$A1/secure/"
unlike "$BODY" 'app-ok' "the 2fa: path is not reached without alice's TOTP code"

# The same with a passkey as the second factor (passkey_second_factor, the default): erin
# signs in with her password, adds her passkey; that session, or a copy, is still one of
# the password only. It must not mint an app token (tokens pass 2fa: rules), add a passkey
# or turn TOTP on: the pages ask for the password and the passkey first. (No 2fa: rule
# admits erin: one that did would let her add that first passkey only from a session
# signed in with a second factor, tests/tofu8_enrol.sh.)
rm -f "$JAR"
form_login erin erin-pw "$A1/private/"
is "$CODE" 303 "erin signs in with her password"
add_passkey laptop erin-pw "$TMP/erin.pem"
grep -q 'passkey added user=erin passkey=laptop' "$LOG/login.out"; ok $? "... and adds her passkey"
for p in account account/tokens account/passkeys; do
	breq -H "$HTML" "$A1/gatekeep/$p"
	is "$CODE" 303 "her password-only session at /gatekeep/$p: 303"
	like "$(hdr Location)" '/gatekeep/login\?rd=' "... to the sign-in form (password, then the passkey)"
done
breq -H "$HTML" "$A1/gatekeep/login"
TOK=$(field csrf)
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode action=add --data-urlencode name=x \
	--data-urlencode password=erin-pw "$A1/gatekeep/account/tokens"
unlike "$BODY" 'gk1\.' "... and it mints no app token"
rm -f "$JAR"
form_login erin erin-pw "$A1/private/"
like "$BODY" 'data-mode="get"' "the password form now asks erin for her passkey"
passkey_signin "$TMP/erin.pem" erin
breq -H "$HTML" "$A1/gatekeep/account/tokens"
is "$CODE" 200 "her passkey session (user verified) opens the app-password page"

gk_alive login; ok $? "gatekeep-login is still running"
done_testing
