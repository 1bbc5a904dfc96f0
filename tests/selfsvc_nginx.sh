#!/bin/bash
# tests/selfsvc_nginx.sh: the self-service pages through a real nginx (contrib/nginx/gatekeep.conf
# as shipped), gatekeep-authz and gatekeep-login: the account page links the passkeys and app
# password pages; app passwords are added (shown once, scoped), listed without their secret,
# used as Basic through gatekeep-authz and revoked on the page, every change with CSRF, Origin
# and the current password, and a token never opens the page; enrolling TOTP on the account
# page upgrades the session to a two-factor one (codes from oathtool).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"

gk_need oathtool
gk_world
gk_login_world
GK_EXTRA_CONF="$GK_EXTRA_CONF
passkeys = true
passkey_origin = $A1
passkey_rp_id = gk.test"
gk_conf "192.0.2.1/32"
gk_start_login_nginx
PWD_=("$GK_PASSWD" --config "$GK/gatekeep.conf")
TP="$A1/gatekeep/account/tokens"
# tpost ARGS...: a form of the tokens page with its CSRF token and a same-origin Origin.
tpost() { breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" "$@" "$TP"; }

rm -f "$JAR"
form_login alice alice-pw "$A1/private/"
breq -H "$HTML" "$A1/gatekeep/account"
like "$BODY" 'href="/gatekeep/account/tokens"' "the account page links the app passwords page"
like "$BODY" 'href="/gatekeep/account/passkeys"' "... and the passkeys page"
breq -H "$HTML" "$TP"
is "$CODE" 200 "the app passwords page for a signed-in user"
like "$BODY" 'id="gk-no-tokens"' "... lists none yet"
unlike "$BODY" '<script' "... and has no script"
TOK=$(field csrf)
tpost -d action=add -d name=dav -d password=wrong
is "$CODE" 401 "add with a wrong current password: refused"
breq -H "Origin: http://evil.example" --data-urlencode "csrf=$TOK" -d action=add -d name=dav \
	-d password=alice-pw "$TP"
is "$CODE" 403 "add from a foreign Origin: refused"
breq -H "Origin: $A1" -d csrf=forged -d action=add -d name=dav -d password=alice-pw "$TP"
is "$CODE" 403 "add with a forged CSRF token: refused"
tpost -d action=add -d name=dav -d expires=yesterday -d password=alice-pw
is "$CODE" 400 "an expiry that is not one: 400"
tpost -d action=add -d name=dav --data-urlencode 'path=private' -d password=alice-pw
is "$CODE" 400 "a scope path that is not absolute: 400 (the CLI's check)"
tpost -d action=add --data-urlencode 'name=bad name' -d password=alice-pw
is "$CODE" 400 "a name with a space: 400"
is "$("${PWD_[@]}" --token-list alice)" "" "... nothing stored by the refused forms"
tpost -d action=add -d name=dav -d expires=30d -d path=/private --data-urlencode 'methods=GET HEAD' \
	-d password=alice-pw
is "$CODE" 200 "add with the current password"
TOKEN=$(printf '%s\n' "$BODY" | sed -n 's/.*id="gk-token">\([^<]*\)<.*/\1/p')
like "$TOKEN" '^gk1\.[A-Za-z0-9_-]+\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$' "... shows the new token once"
like "$("${PWD_[@]}" --token-list alice)" $'^dav\tid=[0-9a-f]{16}\t.*scope=path=/private,method=GET\\+HEAD\tstate=active' \
	"... stored with its scope, as --token-add does"
tpost -d action=add -d name=dav -d password=alice-pw
is "$CODE" 400 "a second token of the same name: 400"
breq -H "$HTML" "$TP"
like "$BODY" '<td>dav</td>' "the list shows the token by name"
unlike "$BODY" "${TOKEN##*.}" "... never its secret"
nreq -u "alice:$TOKEN" "$A1/private/"
is "$CODE" 200 "the page's token works as the Basic password through gatekeep-authz"
like "$BODY" 'app-ok' "... the app runs"
nreq -u "alice:$TOKEN" -X DELETE "$A1/private/"
is "$CODE" 403 "... a method out of its scope: 403"
nreq -u "alice:$TOKEN" "$TP"
is "$CODE" 401 "the token as Basic does not open the app passwords page"
nreq -H "Authorization: Bearer $TOKEN" "$TP"
is "$CODE" 401 "... nor as Bearer"
nreq -u "alice:$TOKEN" -H "Origin: $A1" -d action=add -d name=evil -d "password=$TOKEN" "$TP"
is "$CODE" 401 "a token cannot add a token"
tpost -d action=add -d name=evil --data-urlencode "password=$TOKEN"
is "$CODE" 401 "... nor stand in for the current password in a session"
tpost -d action=revoke -d name=nosuch -d password=alice-pw
is "$CODE" 400 "revoke of an unknown name: 400"
tpost -d action=revoke -d name=dav -d password=wrong
is "$CODE" 401 "revoke with a wrong current password: refused"
tpost -d action=revoke -d name=dav -d password=alice-pw
is "$CODE" 200 "revoke with the current password"
nreq -u "alice:$TOKEN" "$A1/private/"
is "$CODE" 401 "the revoked token is refused"

# ---- TOTP enrolled on the account page: the session is a two-factor one from then on ----
code() { oathtool --totp -b --now "$(date -u -d "@$(( $(date +%s) + $2 ))" '+%Y-%m-%d %H:%M:%S UTC')" "$1"; }
away_from_edge() { while [ $(( $(date +%s) % 30 )) -lt 2 ] || [ $(( $(date +%s) % 30 )) -gt 27 ]; do sleep 0.5; done; }
rm -f "$JAR"
form_login rita rita-pw "$A1/private/"
breq -H "$HTML" "$A1/gatekeep/account"
TOK=$(field csrf)
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" -d action=totp-start -d password=rita-pw \
	"$A1/gatekeep/account"
RSECRET=$(printf '%s\n' "$BODY" | sed -n 's/.*id="gk-secret">\([A-Z2-7]*\)<.*/\1/p')
ENROL=$(field enrol)
away_from_edge
breq -H "Origin: $A1" --data-urlencode "csrf=$TOK" -d action=totp-confirm \
	--data-urlencode "enrol=$ENROL" --data-urlencode "code=$(code "$RSECRET" 0)" "$A1/gatekeep/account"
is "$CODE" 200 "the first code turns TOTP on"
is "$(printf '%s\n' "$BODY" | grep -c '<li><code>')" 10 "... the recovery codes are shown"
SESS=$(cookieval gatekeep_session)
"$PY" -c 'import sys,json,base64; p=sys.argv[1].split(".")[1]; p+="="*(-len(p)%4); print(json.loads(base64.urlsafe_b64decode(p))["amr"])' "$SESS" >"$TMP/amr" 2>&1
like "$(cat "$TMP/amr")" "'pwd', 'otp'" "... and a new session cookie says amr pwd+otp"
breq -H "$HTML" "$A1/gatekeep/account"
is "$CODE" 200 "the account page opens without typing another code"
breq -H "$HTML" "$TP"
is "$CODE" 200 "... and so does the app passwords page"

done_testing
