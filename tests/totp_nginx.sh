#!/bin/bash
# tests/totp_nginx.sh: the TOTP second factor end to end through a real nginx
# (contrib/nginx/gatekeep.conf as shipped), gatekeep-authz and gatekeep-login, with the
# codes computed by oathtool: enrolment from the CLI, sign-in with password then code,
# replay refused, a step either side accepted and two away refused, a recovery code once,
# wrong codes counted in the lockout, a 2fa: rule and second_factor_groups refusing a
# password-only session (sent to the code step, not the password) and Basic; an old
# cookie without amr counts as password only; the account page enrols and changes the
# password.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"

gk_need oathtool
gk_world
gk_login_world
GK_EXTRA_CONF="$GK_EXTRA_CONF
rule = path=/secure require=2fa:any
second_factor_groups = admins"
gk_conf "192.0.2.1/32"
gk_start_login_nginx
PWD_=("$GK_PASSWD" --config "$GK/gatekeep.conf")

# code SECRET OFFSET: the TOTP code OFFSET seconds from now, as an authenticator app shows it.
code() { oathtool --totp -b --now "$(date -u -d "@$(( $(date +%s) + $2 ))" '+%Y-%m-%d %H:%M:%S UTC')" "$1"; }
# away_from_edge: not within two seconds of a step boundary (a code computed just before it
# would be checked in the next step, and the window would shift under the test).
away_from_edge() { while [ $(( $(date +%s) % 30 )) -lt 2 ] || [ $(( $(date +%s) % 30 )) -gt 27 ]; do sleep 0.5; done; }
# pw_step USER PASSWORD: the sign-in form's first step (fresh jar); PENDING is the code form's state.
pw_step() {
	rm -f "$JAR"
	form_login "$1" "$2" "$A1/private/"
	PENDING=$(field pending)
	TOK=$(field csrf)
}
# code_step CODE: the code form with the pending state of the last pw_step.
code_step() {
	breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode "pending=$PENDING" \
		--data-urlencode "code=$1" --data-urlencode "rd=$A1/private/" "$A1/gatekeep/login"
}
# codefail USER: the failures counted on USER's second-factor codes (gatekeep-passwd --lockout-status).
codefail() { "${PWD_[@]}" --lockout-status "$1" 2>&1 | sed -n "s/^user $1 codes: \([0-9]*\) failure.*/\1/p" | head -1 | grep . || echo 0; }

# ---- enrolment from the CLI ----
"${PWD_[@]}" --totp-enrol alice >"$TMP/enrol.out" 2>&1
ok $? "gatekeep-passwd --totp-enrol alice"
URI=$(grep '^otpauth://' "$TMP/enrol.out")
like "$URI" '^otpauth://totp/gatekeep:alice\?secret=[A-Z2-7]{32}&issuer=gatekeep&algorithm=SHA1&digits=6&period=30$' "... prints the otpauth:// URI"
grep -q $'\xe2\x96\x80' "$TMP/enrol.out"; ok $? "... and a QR code in half blocks"
mapfile -t RC < <(sed -n 's/^  \([a-z2-7]\{4\}-[a-z2-7]\{4\}-[a-z2-7]\{4\}-[a-z2-7]\{4\}\)$/\1/p' "$TMP/enrol.out")
is "${#RC[@]}" 10 "... and 10 recovery codes"
SECRET=$(printf '%s' "$URI" | sed 's/.*secret=\([A-Z2-7]*\).*/\1/')
grep -aq "${RC[0]}" "$GK/users.db"; ok $((! $?)) "recovery codes are not stored in the clear"
like "$("${PWD_[@]}" -l)" $'alice\ttotp\t' "--list shows alice with totp"
like "$("${PWD_[@]}" --show alice)" 'totp: enrolled, 10 recovery codes left' "--show counts her recovery codes"

# ---- the code step after the password ----
pw_step alice alice-pw
is "$CODE" 200 "right password of a TOTP user: 200, the code form"
like "$PENDING" '^[A-Za-z0-9_.-]+$' "... with a signed pending state"
is "$(setcookie gatekeep_session)" "" "... and no session yet"
unlike "$BODY" 'name="password"' "... not the password form again"
breq -H "Cookie: gatekeep_session=$PENDING" "$A1/private/"
unlike "$BODY" 'app-ok' "the pending state is no session cookie"

away_from_edge
code_step "$(code "$SECRET" -60)"
is "$CODE" 401 "a code two steps old is refused"
code_step "$(code "$SECRET" 60)"
is "$CODE" 401 "a code two steps ahead is refused"
code_step 000000
USED=$(code "$SECRET" -30)
code_step "$USED"
is "$CODE" 303 "a code one step old is accepted (clock skew)"
SESS=$(cookieval gatekeep_session)
like "$SESS" '.' "... a session cookie"
"$PY" -c 'import sys,json,base64; p=sys.argv[1].split(".")[1]; p+="="*(-len(p)%4); print(json.loads(base64.urlsafe_b64decode(p))["amr"])' "$SESS" >"$TMP/amr" 2>&1
like "$(cat "$TMP/amr")" "'pwd', 'otp'" "... whose token says amr pwd+otp"
breq -H "$HTML" "$A1/secure/"
is "$CODE" 200 "that session passes the 2fa: rule"
like "$BODY" 'app-ok' "... the app runs"
pw_step alice alice-pw
code_step "$USED"
is "$CODE" 401 "the same code again is refused (replay), in another sign-in"
grep -q 'replayed-code' "$LOG/login.out"; ok $? "... logged as replayed-code"
away_from_edge
code_step "$(code "$SECRET" 0)"
is "$CODE" 303 "the current step's code is accepted"
pw_step alice alice-pw
code_step "$(code "$SECRET" 30)"
is "$CODE" 303 "a code one step ahead is accepted"

# ---- recovery code, once ----
pw_step alice alice-pw
code_step "$(printf '%s' "${RC[3]}" | tr a-z A-Z)"
is "$CODE" 303 "a recovery code (upper case) signs in"
pw_step alice alice-pw
code_step "${RC[3]}"
is "$CODE" 401 "the same recovery code a second time is refused"
like "$("${PWD_[@]}" --show alice)" 'totp: enrolled, 9 recovery codes left' "... it was deleted"

# ---- the same code sent twice at once: one transaction lets one of them through ----
race_post() {   # race_post JAR CSRF PENDING CODE OUT: the code form, answer code into OUT
	curl -s -o /dev/null -w '%{http_code}' --max-time 20 --resolve "$H1:127.0.0.1" -b "$1" \
		-H "Origin: $A1" --data-urlencode "csrf=$2" --data-urlencode "pending=$3" \
		--data-urlencode "code=$4" --data-urlencode "rd=$A1/private/" "$A1/gatekeep/login" >"$5"
}
for n in 1 2 3 4; do
	JAR="$TMP/race$n.jar" pw_step alice alice-pw
	eval "P$n=\$PENDING T$n=\$TOK"
done
pids=()
for n in 1 2 3 4; do
	eval "race_post \"\$TMP/race$n.jar\" \"\$T$n\" \"\$P$n\" \"\${RC[7]}\" \"\$TMP/r$n\"" &
	pids+=($!)
done
wait "${pids[@]}"      # not a bare wait: the servers are children of this shell too
is "$(cat "$TMP/r1" "$TMP/r2" "$TMP/r3" "$TMP/r4" | grep -o 303 | wc -l)" 1 \
	"one recovery code sent in four sign-ins at once: exactly one gets a session"
JAR="$TMP/jar"

# ---- wrong codes count in the lockout ----
before=$(codefail alice)
pw_step alice alice-pw
code_step 123456
code_step 654321
code_step not-a-code
is "$(codefail alice)" "$((before + 3))" "three wrong codes are three more failures of alice's codes in the lockout table"
pw_step alice alice-pw
is "$(codefail alice)" "$((before + 3))" "... which a right password does not clear (no endless guessing with a known password)"
code_step "${RC[5]}"
is "$CODE" 303 "a right code (a recovery code) signs in"
is "$(codefail alice)" 0 "... and clears them"

# ---- a password-only session on a 2fa path ----
rm -f "$JAR"
form_login erin erin-pw "$A1/private/"
is "$CODE" 303 "erin (no TOTP) signs in with the password"
breq -H "$HTML" "$A1/private/"
like "$BODY" 'app-ok' "... and reaches /private/"
breq -H "$HTML" "$A1/secure/"
is "$CODE" 302 "a password-only session on the 2fa: path is redirected"
LOC=$(hdr Location); LOC=${LOC#"$A1"}
like "$LOC" '^/gatekeep/login\?rd=.*[?&]2fa=1$' "... to the login page's code step"
"${PWD_[@]}" --totp-enrol erin >"$TMP/enrol-erin.out" 2>&1
ESECRET=$(sed -n 's/^otpauth:.*secret=\([A-Z2-7]*\).*/\1/p' "$TMP/enrol-erin.out")
breq -H "$HTML" "$A1$LOC"
is "$CODE" 200 "the code step for the signed-in erin"
unlike "$BODY" 'name="password"' "... does not ask for the password again"
PENDING=$(field pending); TOK=$(field csrf)
away_from_edge
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode "pending=$PENDING" \
	--data-urlencode "code=$(code "$ESECRET" 0)" --data-urlencode "rd=$A1/secure/" "$A1/gatekeep/login"
is "$CODE" 303 "... her code gives a new session"
breq -H "$HTML" "$A1/secure/"
is "$CODE" 200 "... which passes the 2fa: path"

# ---- Basic cannot carry a code ----
nreq -u erin:erin-pw "$A1/private/"
is "$CODE" 200 "Basic still works where no second factor is needed"
nreq -u erin:erin-pw "$A1/secure/"
is "$CODE" 403 "Basic on the 2fa: path: 403"
grep -q 'second-factor-needs-session' "$LOG/authz.out"; ok $? "... with a log line saying why"
nreq -u bob:bob-pw "$A1/private/"
is "$CODE" 403 "Basic of a second_factor_groups member: 403 everywhere"
APPTOK=$("${PWD_[@]}" --token-add erin --name ci 2>/dev/null)
nreq -u "erin:$APPTOK" "$A1/secure/"
is "$CODE" 200 "an app token as the Basic password passes the 2fa: path (machines use tokens)"
nreq -H "Authorization: Bearer $APPTOK" "$A1/secure/"
is "$CODE" 200 "... and as Bearer"

# ---- a second_factor_groups member without TOTP is sent to set it up ----
rm -f "$JAR"
form_login bob bob-pw "$A1/private/"
is "$CODE" 303 "bob (admins, no TOTP) signs in with the password"
breq -H "$HTML" "$A1/private/"
is "$CODE" 302 "... his password-only session is sent to the code step on any path"
LOC=$(hdr Location); LOC=${LOC#"$A1"}
breq -H "$HTML" "$A1$LOC"
is "$CODE" 303 "... which, as he has no TOTP, sends him on"
like "$(hdr Location)" '/gatekeep/account$' "... to the account page to set it up"

# ---- an old cookie (no amr claim) is a password-only session ----
GEN=$("${PWD_[@]}" --show rita | sed -n 's/^generation: //p')
OLDC=$("$PY" - "$GK/secret" "$GEN" <<'PY'
import sys, time, jwt
key = open(sys.argv[1], "rb").read().rstrip(b"\n")
now = int(time.time())
print(jwt.encode({"iss": "gatekeep", "sub": "rita", "iat": now, "exp": now + 600,
                  "gen": int(sys.argv[2])}, key, algorithm="HS256"))
PY
)
nreq -H "$HTML" -H "Cookie: gatekeep_session=$OLDC" "$A1/private/"
is "$CODE" 200 "a cookie from before amr still signs in"
nreq -H "$HTML" -H "Cookie: gatekeep_session=$OLDC" "$A1/secure/"
is "$CODE" 302 "... as password only: the 2fa: path sends it to the code step"

# ---- the account page: enrol, then change the password ----
rm -f "$JAR"
form_login rita rita-pw "$A1/private/"
breq -H "$HTML" "$A1/gatekeep/account"
is "$CODE" 200 "the account page for a signed-in user"
like "$BODY" 'Two-step verification' "... has the TOTP section"
unlike "$BODY" '<script' "... and no script"
TOK=$(field csrf)
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode action=totp-start \
	--data-urlencode password=wrong "$A1/gatekeep/account"
is "$CODE" 401 "set-up with a wrong current password: refused"
breq -H "Origin: http://evil.example" --data-urlencode "csrf=$TOK" --data-urlencode action=totp-start \
	--data-urlencode password=rita-pw "$A1/gatekeep/account"
is "$CODE" 403 "set-up from a foreign Origin: refused"
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode action=totp-start \
	--data-urlencode password=rita-pw "$A1/gatekeep/account"
is "$CODE" 200 "set-up with the current password"
like "$BODY" 'src="data:image/svg\+xml;base64,' "... shows the QR code as an inline image"
like "$(hdr Content-Security-Policy)" "img-src data:" "... which the CSP allows"
RSECRET=$(printf '%s\n' "$BODY" | sed -n 's/.*id="gk-secret">\([A-Z2-7]*\)<.*/\1/p')
ENROL=$(field enrol)
like "$("${PWD_[@]}" --show rita)" 'totp: no' "... nothing stored before the first code"
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode action=totp-confirm \
	--data-urlencode "enrol=$ENROL" --data-urlencode code=000000 "$A1/gatekeep/account"
is "$CODE" 400 "a wrong first code: not enrolled"
away_from_edge
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode action=totp-confirm \
	--data-urlencode "enrol=$ENROL" --data-urlencode "code=$(code "$RSECRET" 0)" "$A1/gatekeep/account"
is "$CODE" 200 "the first code turns TOTP on"
is "$(printf '%s\n' "$BODY" | grep -c '<li><code>')" 10 "... and shows 10 recovery codes"
like "$("${PWD_[@]}" --show rita)" 'totp: enrolled, 10 recovery codes left' "... stored"
breq -H "$HTML" "$A1/gatekeep/account"
is "$CODE" 200 "the confirming code made this session a two-factor one: no code asked again"
nreq -H "$HTML" -H "Cookie: gatekeep_session=$OLDC" "$A1/gatekeep/account"
is "$CODE" 303 "the account page of an enrolled user with a password-only session asks for the code first"
rm -f "$JAR"
pw_step rita rita-pw
code_step "$(code "$RSECRET" 30)"
is "$CODE" 303 "rita signs in with her new TOTP"
breq -H "$HTML" "$A1/gatekeep/account"
TOK=$(field csrf)
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode action=password \
	--data-urlencode password=rita-pw --data-urlencode new= --data-urlencode new2= "$A1/gatekeep/account"
is "$CODE" 400 "a new password the policy refuses (empty)"
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode action=password \
	--data-urlencode password=rita-pw --data-urlencode new=rita-new-pw-1 --data-urlencode new2=rita-new-pw-2 "$A1/gatekeep/account"
is "$CODE" 400 "new passwords that differ"
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" --data-urlencode action=password \
	--data-urlencode password=rita-pw --data-urlencode new=rita-new-pw-1 \
	--data-urlencode new2=rita-new-pw-1 --data-urlencode everywhere=1 "$A1/gatekeep/account"
is "$CODE" 303 "password changed, other sessions signed out: this browser gets a new session"
nreq -H "$HTML" -H "Cookie: gatekeep_session=$OLDC" "$A1/private/"
is "$CODE" 302 "the older session of rita no longer works"
breq -H "$HTML" "$A1/secure/"
is "$CODE" 200 "this browser's new session keeps its second factor"
nreq -u rita:rita-new-pw-1 "$A1/private/"
is "$CODE" 200 "the new password works"

done_testing
