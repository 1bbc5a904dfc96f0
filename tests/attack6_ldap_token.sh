#!/bin/bash
# tests/attack6_ldap_token.sh: with user_backend = ldap there is no credentials store, so no
# app token is a directory user's: a token-shaped Bearer or Basic password from anyone was
# answered as a broken user database (403 reason=database, an error on the metrics page
# an unauthenticated client could raise at will) instead of a refused credential (401,
# counted as a failed guess). A token left in the local database from before the move
# to the directory opens nothing either; the directory password still works.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/slapd.sh"

gk_need slapd slapadd slappasswd
gk_world
gk_slapd_init
gk_slapd_conf
{
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: gk\no: gk\n\n' "$SUFFIX"
	printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$SUFFIX"
	printf 'dn: uid=alice,ou=people,%s\nobjectClass: inetOrgPerson\nuid: alice\ncn: alice\nsn: alice\nuserPassword: %s\n\n' \
		"$SUFFIX" "$(slappasswd -s alice-dir)"
} >"$D/tree.ldif"
gk_slapd_load "$D/tree.ldif"
gk_slapd_run
# alice's token from the days of the local database, which stays configured
OLD=$("$GK_PASSWD" --token-add alice "$GK/users.db" 2>>"$LOG/passwd.out" | grep -o 'gk1\.[A-Za-z0-9_.-]*' | head -1)
[ -n "$OLD" ] || bail "gatekeep-passwd --token-add gave no token"
GK_EXTRA_CONF="user_backend = ldap
ldap_uri = $LURI
ldap_base_dn = ou=people,$SUFFIX
ldap_user_filter = (&(objectClass=inetOrgPerson)(uid=%s))"
gk_conf "192.0.2.1/32"
gk_start_authz unix
gk_start_backend
gk_start_nginx

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
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
