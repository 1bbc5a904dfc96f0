#!/bin/bash
# tests/attack2_ldap.sh: the name the app sees (Remote-User) is the directory's own, byte for
# byte: a real slapd (uid matches case-insensitively) behind real nginx + gatekeep-authz. A name
# spelt with other case, or a second uid value a user put on their own entry, must not sign in
# as a different Remote-User (the app, the rules and the lockout counts key on that name).
# Groups from memberOf count only under ldap_group_base_dn: a group of the same name that a
# user made elsewhere in the tree (a self-service OU) does not make its members admins.
# Aliases are never followed, whatever ldap.conf's DEREF says (LDAPDEREF=always here): an
# alias in ou=people does not bring a service account from outside ldap_base_dn in.
# ldap_down_grace: while the directory is down, a password other than the cached one counts
# as a failure (it was a free, unthrottled guess against the Basic cache).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/slapd.sh"

gk_need slapd slapadd slappasswd ldapadd
gk_world
gk_slapd_init
gk_slapd_conf
user_ldif() { # password uid...
	local pw=$1 u
	shift
	printf 'dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\ncn: %s\nsn: %s\nuserPassword: %s\n' \
		"$1" "$SUFFIX" "$1" "$1" "$(slappasswd -s "$pw")"
	for u in "$@"; do printf 'uid: %s\n' "$u"; done
	echo
}
{
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: gk\no: gk\n\n' "$SUFFIX"
	printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$SUFFIX"
	printf 'dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n' "$SUFFIX"
	printf 'dn: ou=selfservice,%s\nobjectClass: organizationalUnit\nou: selfservice\n\n' "$SUFFIX"
	user_ldif eve-dir eve
	printf 'dn: ou=services,%s\nobjectClass: organizationalUnit\nou: services\n\n' "$SUFFIX"
	user_ldif svc-dir svc | sed 's/ou=people/ou=services/'
	printf 'dn: cn=to-svc,ou=people,%s\nobjectClass: alias\nobjectClass: extensibleObject\ncn: to-svc\naliasedObjectName: uid=svc,ou=services,%s\n\n' "$SUFFIX" "$SUFFIX"
	user_ldif alice-dir alice
	# mallory wrote a second uid on her own entry (an ACL of "by self write" allows it)
	user_ldif mallory-dir mallory boss
} >"$D/tree.ldif"
gk_slapd_load "$D/tree.ldif"
gk_slapd_run
# added live, so that the memberof overlay writes memberOf on the members
{
	printf 'dn: cn=admins,ou=groups,%s\nobjectClass: groupOfNames\ncn: admins\nmember: uid=alice,ou=people,%s\n\n' "$SUFFIX" "$SUFFIX"
	printf 'dn: cn=admins,ou=selfservice,%s\nobjectClass: groupOfNames\ncn: admins\nmember: uid=eve,ou=people,%s\n\n' "$SUFFIX" "$SUFFIX"
} >"$D/groups.ldif"
ldapadd -x -H "$LURI" -D "cn=admin,$SUFFIX" -w admin-pw -f "$D/groups.ldif" >"$LOG/ldapadd.out" 2>&1 ||
	{ sed 's/^/#   /' "$LOG/ldapadd.out"; bail "ldapadd cannot add the test groups"; }

GK_EXTRA_CONF="$GK_EXTRA_CONF
user_backend = ldap
ldap_uri = $LURI
ldap_base_dn = ou=people,$SUFFIX
ldap_user_filter = (&(objectClass=inetOrgPerson)(uid=%s))
ldap_group_attribute = memberOf
ldap_group_base_dn = ou=groups,$SUFFIX
ldap_group_filter = (member=%s)
ldap_timeout = 2s
ldap_cache_ttl = 1s
ldap_down_grace = 1m
basic_cache_ttl = 1m"
gk_conf "192.0.2.1/32"
# the harness allows 100 failures a pair; the guesses below need the default's 5
sed -i 's/^max_failures = .*/max_failures = 5/' "$GK/gatekeep.conf"
LDAPDEREF=always gk_start_authz unix
gk_start_backend
gk_start_nginx

req -u alice:alice-dir "$BASE/private/"
is "$CODE" 200 "alice with her directory password: 200"
is "$(appvar HTTP_REMOTE_USER)" alice "... the app sees alice"
for u in ALICE Alice aLiCe; do
	req -u "$u:alice-dir" "$BASE/private/"
	is "$CODE" 401 "'$u' (the directory matches alice's entry): 401, not Remote-User $u"
done
for u in boss mallory; do
	req -u "$u:mallory-dir" "$BASE/private/"
	is "$CODE" 401 "'$u', one of two uids on mallory's entry (which is hers?): 401, not Remote-User $u"
done
req -u alice:alice-dir "$BASE/admin/"
is "$CODE" 200 "alice, in cn=admins under ldap_group_base_dn: /admin 200"
req -u eve:eve-dir "$BASE/private/"
is "$CODE" 200 "eve with her password: 200"
req -u eve:eve-dir "$BASE/admin/"
is "$CODE" 403 "eve, in a cn=admins she made under ou=selfservice (her memberOf names it): /admin 403"
req -u svc:svc-dir "$BASE/private/"
is "$CODE" 401 "svc, outside ldap_base_dn behind an alias in ou=people (DEREF always in the environment): 401"
like "$(grep -c 'ldap: group cn=admins,ou=selfservice.* not under ldap_group_base_dn' "$LOG/authz.out")" '^[1-9]' \
	"... logged"
like "$(grep -c 'ldap: .*user=ALICE' "$LOG/authz.out")" '^[1-9]' "the refusal is logged with the name"

# one worker, so that the request that fills the caches and the ones that test them meet
gk_stop authz
gk_start_authz unix 1
req -u eve:eve-dir "$BASE/private/"
is "$CODE" 200 "eve signs in (her password now in the Basic cache)"
gk_stop slapd
sleep 1.2
req -u eve:eve-dir "$BASE/private/"
is "$CODE" 200 "slapd stopped: eve's cached password still opens, within ldap_down_grace"
codes=
for i in 1 2 3 4 5 6 7; do
	req -u "eve:guess$i" "$BASE/private/"
	codes="$codes $CODE"
done
unlike "$codes" '200|204' "guesses while slapd is down: denied ($codes)"
req -u eve:eve-dir "$BASE/private/"
unlike "$CODE" '^(200|204)$' "... and they counted: after max_failures of them eve's pair is banned ($CODE)"
gk_check_logs nginx "$LOG/authz.out"
done_testing
