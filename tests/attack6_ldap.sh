#!/bin/bash
# tests/attack6_ldap.sh: directory users (user_backend = ldap) have no credentials store
# and keep their password and second factor in the directory.
# - A token-shaped Bearer or Basic password from anyone was answered as a broken user
#   database (403 reason=database, an error on the metrics page an unauthenticated client
#   could raise at will) instead of a refused credential (401, a counted guess); a token
#   left in the local database from before the move to the directory opens nothing.
# - The account page changed the local database for them: "Password changed." while the
#   directory password, the one sign-in checks, still worked, and "Two-step verification
#   is on." while sign-in never asks a directory user for a code (or a 500 where the local
#   database had no such user). It now says the account is the directory's (404).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/slapd.sh"
. "$top_srcdir/tests/servers/login-flow.sh"

gk_need slapd slapadd slappasswd oathtool
gk_world
gk_login_world
gk_slapd_init
gk_slapd_conf
person() { # uid password
	printf 'dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nuserPassword: %s\n\n' \
		"$1" "$SUFFIX" "$1" "$1" "$1" "$(slappasswd -s "$2")"
}
{
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: gk\no: gk\n\n' "$SUFFIX"
	printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$SUFFIX"
	person alice alice-dir
	person dave dave-dir
} >"$D/tree.ldif"
gk_slapd_load "$D/tree.ldif"
gk_slapd_run
# alice's token from the days of the local database, which stays configured (dave has no
# local record)
OLD=$("$GK_PASSWD" --token-add alice "$GK/users.db" 2>>"$LOG/passwd.out" | grep -o 'gk1\.[A-Za-z0-9_.-]*' | head -1)
[ -n "$OLD" ] || bail "gatekeep-passwd --token-add gave no token"
GK_EXTRA_CONF="$GK_EXTRA_CONF
user_backend = ldap
ldap_uri = $LURI
ldap_base_dn = ou=people,$SUFFIX
ldap_user_filter = (&(objectClass=inetOrgPerson)(uid=%s))"
gk_conf "192.0.2.1/32"
gk_start_login_nginx

req -u alice:alice-dir "$BASE/private/"
is "$CODE/$(appvar HTTP_REMOTE_USER)" "200/alice" "the directory password signs alice in"
last_reason() { tail -1 "$LOG/authz.out" | sed -n 's/.* reason=\([^ ]*\).*/\1/p'; }
MADE="gk1.YWxpY2U.0123456789abcdef.$(printf 'A%.0s' $(seq 1 43))"
req -H "Authorization: Bearer $MADE" "$BASE/private/"
is "$CODE" 401 "a made-up Bearer token: refused as a credential"
unlike "$(last_reason)" '^database$' "... and not logged as a broken database"
req -u "alice:$MADE" "$BASE/private/"
is "$CODE" 401 "a made-up token as the Basic password: refused as a credential"
unlike "$(last_reason)" '^database$' "... and not logged as a broken database"
req -H "Authorization: Bearer $OLD" "$BASE/private/"
is "$CODE" 401 "a token left in the local database: refused"
req -u "alice:$OLD" "$BASE/private/"
is "$CODE" 401 "the same as the Basic password: refused"
unlike "$(grep -c 'reason=database' "$LOG/authz.out")" '^[1-9]' "no decision logged a database failure"

# account_change USER ACTION [FIELD=VALUE...]: signed in by the form, the account page's
# form posted with its CSRF token and the current password.
account_change() {
	local u=$1 a=$2 f
	shift 2
	rm -f "$JAR"
	form_login "$u" "$u-dir" /private/
	breq -H "$HTML" "$A1/gatekeep/login"
	tok=$(field csrf)
	f=()
	for kv in "$@"; do f+=(--data-urlencode "$kv"); done
	breq -H "Origin: $A1" --data-urlencode "csrf=$tok" --data-urlencode "action=$a" \
		--data-urlencode "password=$u-dir" "${f[@]}" "$A1/gatekeep/account"
}
NEWPW='N3w-passw0rd-for-the-test'
account_change alice password "new=$NEWPW" "new2=$NEWPW"
is "$CODE" 404 "alice (a local record left over): the password form says the account is the directory's"
unlike "$BODY" 'Password changed' "... and claims no change"
req -u alice:alice-dir "$BASE/private/"
is "$CODE" 200 "... the directory password still signs in, as the page now says"
account_change alice totp-start
is "$CODE" 404 "... no authenticator set-up for a directory user"
seed=$(printf '%s\n' "$BODY" | sed -n 's/.*id="gk-secret">\([^<]*\)<.*/\1/p')
if [ -n "$seed" ]; then         # the old page: confirm the set-up with the app's code
	breq -H "Origin: $A1" --data-urlencode "csrf=$tok" --data-urlencode "action=totp-confirm" \
		--data-urlencode "enrol=$(field enrol)" --data-urlencode "code=$(oathtool --totp -b "$seed")" \
		"$A1/gatekeep/account"
fi
unlike "$BODY" 'verification is on' "... nor a claim that a code will be asked"
unlike "$("$GK_PASSWD" --show=alice "$GK/users.db" 2>&1)" 'totp: enrolled' "... the local record is untouched"
account_change dave password "new=$NEWPW" "new2=$NEWPW"
is "$CODE" 404 "dave (no local record): 404, not a 500"
breq -H "$HTML" "$A1/gatekeep/account"
is "$CODE" 404 "the account page itself: 404"
gk_alive authz && gk_alive login
ok $? "gatekeep-authz and gatekeep-login are still running"
done_testing
