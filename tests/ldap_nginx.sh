#!/bin/bash
# tests/ldap_nginx.sh: directory users (user_backend = ldap) through a real nginx +
# gatekeep-authz + gatekeep-login against a real slapd started here on a free loopback port
# (mdb, schema from /etc/ldap/schema, the memberof overlay, a generated tree): Basic and form
# sign-in, group rules from directory groups (memberOf and a group search), an empty password never an unauthenticated bind (slapd here would
# accept one), filter injection refused, a removed user refused within ldap_cache_ttl,
# slapd stopped -> deny with a clear log line, restarted -> works again, no gatekeep restart;
# StartTLS with a certificate nobody vouches for -> refused, with ldap_ca_file -> works;
# ldap_down_grace lets only passwords already in the Basic cache through while slapd is down.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/slapd.sh"
. "$top_srcdir/tests/servers/login-flow.sh"

gk_need slapd slapadd slappasswd ldapadd ldapdelete openssl
gk_world
gk_login_world
gk_slapd_init

# --- the directory ----------------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout "$D/key.pem" -out "$D/cert.pem" \
	>"$LOG/openssl.out" 2>&1 || bail "openssl cannot make the test certificate"
chmod 644 "$D/key.pem" "$D/cert.pem"
gk_slapd_conf "# would let a name with an empty password bind (RFC 4513 5.1.2): gatekeep must refuse it itself" \
	"allow bind_anon_dn" "TLSCertificateFile $D/cert.pem" "TLSCertificateKeyFile $D/key.pem"
user_ldif() { # uid password
	printf 'dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s@gk.test\nuserPassword: %s\n\n' \
		"$1" "$SUFFIX" "$1" "$1" "$1" "$1" "$(slappasswd -s "$2")"
}
{
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: gk\no: gk\n\n' "$SUFFIX"
	printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$SUFFIX"
	printf 'dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n' "$SUFFIX"
	user_ldif alice alice-dir
	user_ldif bob bob-dir
	user_ldif erin erin-dir
} >"$D/tree.ldif"
# the groups are added live, so that the memberof overlay writes memberOf on their members
{
	printf 'dn: cn=admins,ou=groups,%s\nobjectClass: groupOfNames\ncn: admins\nmember: uid=bob,ou=people,%s\n\n' "$SUFFIX" "$SUFFIX"
	printf 'dn: cn=staff,ou=groups,%s\nobjectClass: groupOfNames\ncn: staff\nmember: uid=erin,ou=people,%s\nmember: uid=bob,ou=people,%s\n\n' "$SUFFIX" "$SUFFIX" "$SUFFIX"
} >"$D/groups.ldif"
gk_slapd_load "$D/tree.ldif"
gk_slapd_run
ldapadd -x -H "$LURI" -D "cn=admin,$SUFFIX" -w admin-pw -f "$D/groups.ldif" >"$LOG/ldapadd.out" 2>&1 ||
	{ sed 's/^/#   /' "$LOG/ldapadd.out"; bail "ldapadd cannot add the test groups"; }

# --- gatekeep: the same users.db stays (its alice-pw must no longer work) -------------------
LDAP_CONF="user_backend = ldap
ldap_uri = $LURI
ldap_base_dn = ou=people,$SUFFIX
ldap_user_filter = (&(objectClass=inetOrgPerson)(uid=%s))
ldap_group_attribute = memberOf
ldap_group_base_dn = ou=groups,$SUFFIX
ldap_group_filter = (&(cn=admins)(member=%s))
ldap_level_groups = admins=0
rule = path=/lvl require=level:0
ldap_timeout = 2s
ldap_cache_ttl = 1s
basic_cache_ttl = 1m"
GK_EXTRA_CONF="$GK_EXTRA_CONF
$LDAP_CONF"
gk_conf "192.0.2.1/32"
gk_start_login_nginx
diag "nginx on $BASE, slapd on $LURI"

# --- Basic ------------------------------------------------------------------------------------
req -u alice:alice-dir "$BASE/private/"
is "$CODE" 200 "Basic: alice with her directory password: 200"
is "$(appvar HTTP_REMOTE_USER)" alice "... the app sees alice"
req -u alice:alice-pw "$BASE/private/"
is "$CODE" 401 "the GDBM password of alice counts for nothing: 401"
req -u alice:wrong "$BASE/private/"
is "$CODE" 401 "a wrong password: 401"
req -u alice: "$BASE/private/"
is "$CODE" 401 "an empty password (slapd would take it as an unauthenticated bind): 401"
req -u nobody-here:x "$BASE/private/"
is "$CODE" 401 "an unknown user: 401"
req -u bob:bob-dir "$BASE/admin/"
is "$CODE" 200 "group rule: bob, in the directory group admins (found by the group search), gets /admin"
req -u alice:alice-dir "$BASE/admin/"
is "$CODE" 403 "... alice, not in it: 403"
req -u erin:erin-dir "$BASE/staff/"
is "$CODE" 200 "erin, in staff (her memberOf: the group search finds only admins), gets /staff"
req -u bob:bob-dir "$BASE/lvl/"
unlike "$CODE" '^(401|403)$' "level rule: bob, level 0 by ldap_level_groups, passes gatekeep ($CODE from the app)"
req -u erin:erin-dir "$BASE/lvl/"
is "$CODE" 403 "... erin, ldap_default_level 998: 403"

# --- filter injection ------------------------------------------------------------------------
for u in '*' 'al*' 'alice)(uid=*' '*)(|(uid=*' 'alice\2a' 'ali\'; do
	req -u "$u:alice-dir" "$BASE/private/"
	is "$CODE" 401 "injection: user '$u' with alice's password: 401"
done
req -H "Authorization: Basic $(printf 'alice\0x:alice-dir' | base64 -w0)" "$BASE/private/"
unlike "$CODE" '^(200|204)$' "injection: a NUL in the user name: denied ($CODE)"
like "$(grep -c 'ldap: search under .* failed' "$LOG/authz.out")" '^0$' "... and no search was malformed"

# --- form sign-in (gatekeep-login) and the session through gatekeep-authz -------------------------
rm -f "$JAR"
form_login erin erin-dir "$A1/staff/"
is "$CODE" 303 "form: erin signs in with her directory password: 303"
[ -n "$(cookieval gatekeep_session)" ]
ok $? "... and gets a session cookie"
breq "$A1/staff/"
is "$CODE" 200 "... which opens /staff (directory group)"
is "$(appvar HTTP_REMOTE_USER)" erin "... as erin"
rm -f "$JAR"
form_login erin '' "$A1/staff/"
unlike "$CODE" '^303$' "form: an empty password does not sign in"
form_login erin erin-pw "$A1/staff/"
unlike "$CODE" '^303$' "form: the GDBM password does not sign in"

# --- a user removed from the directory ------------------------------------------------------------
req -u bob:bob-dir "$BASE/private/"
is "$CODE" 200 "bob gets in (his password now in the Basic cache)"
ldapdelete -x -H "$LURI" -D "cn=admin,$SUFFIX" -w admin-pw "uid=bob,ou=people,$SUFFIX" \
	>"$LOG/ldapdelete.out" 2>&1
ok $? "bob is deleted from the directory"
sleep 1.5
req -u bob:bob-dir "$BASE/private/"
is "$CODE" 401 "after ldap_cache_ttl (1s) bob is refused, cached password or not"

# --- the directory down, then back ----------------------------------------------------------------
gk_stop slapd
sleep 1.2
req -u alice:alice-dir "$BASE/private/"
unlike "$CODE" '^(200|204)$' "slapd stopped: alice is denied ($CODE)"
like "$(grep 'ldap: directory' "$LOG/authz.out" | tail -1)" \
	"ldap: directory $LURI cannot be reached .*: denying" "... with a clear log line"
req -u nobody-here:x "$BASE/private/"
unlike "$CODE" '^(200|204)$' "... an unknown user too ($CODE)"
gk_slapd_run
req -u alice:alice-dir "$BASE/private/"
is "$CODE" 200 "slapd back: alice gets in again, gatekeep never restarted"
gk_alive authz
ok $? "gatekeep-authz is still running"

# --- StartTLS: the certificate is checked ---------------------------------------------------------
gk_stop authz
GK_EXTRA_CONF="$GK_EXTRA_CONF
ldap_starttls = true"
gk_conf "192.0.2.1/32"
gk_start_authz unix
req -u alice:alice-dir "$BASE/private/"
unlike "$CODE" '^(200|204)$' "StartTLS with a certificate no trusted CA signed: denied ($CODE)"
like "$(grep 'ldap: directory' "$LOG/authz.out" | tail -1)" "cannot be reached .*TLS refused" "... logged, pointing at TLS"
gk_stop authz
GK_EXTRA_CONF="$GK_EXTRA_CONF
ldap_ca_file = $D/cert.pem"
gk_conf "192.0.2.1/32"
gk_start_authz unix
req -u alice:alice-dir "$BASE/private/"
is "$CODE" 200 "StartTLS with ldap_ca_file naming the certificate: 200"

# --- ldap_down_grace: while the directory is down, cached passwords only ------------------------
# one worker, so that the request that fills the caches and the ones that test them meet
gk_stop authz
GK_EXTRA_CONF="$GK_EXTRA_CONF
ldap_down_grace = 1m"
gk_conf "192.0.2.1/32"
gk_start_authz unix 1
req -u alice:alice-dir "$BASE/private/"
is "$CODE" 200 "ldap_down_grace = 1m: alice signs in (her password now in the Basic cache)"
gk_stop slapd
sleep 1.2
req -u alice:alice-dir "$BASE/private/"
is "$CODE" 200 "slapd stopped: alice's cached password still opens, within ldap_down_grace"
req -u alice:wrong "$BASE/private/"
unlike "$CODE" '^(200|204)$' "... a wrong one needs a bind: denied ($CODE)"
req -u erin:erin-dir "$BASE/private/"
unlike "$CODE" '^(200|204)$' "... erin, never seen by this worker: denied ($CODE)"

# --- gatekeep-passwd cannot change directory users -------------------------------------------------
GATEKEEP_CONFIG="$GK/gatekeep.conf" "$GK_PASSWD" -b "$GK/users.db" alice new-pw >"$LOG/pw.out" 2>&1 </dev/null
is "$?" 9 "gatekeep-passwd -b DBFILE USER PASSWORD with user_backend = ldap: exit 9"
like "$(cat "$LOG/pw.out")" "read-only" "... saying the backend is read-only"
GATEKEEP_CONFIG="$GK/gatekeep.conf" "$GK_PASSWD" -D "$GK/users.db" alice >"$LOG/pw.out" 2>&1 </dev/null
is "$?" 9 "gatekeep-passwd -D DBFILE USER: exit 9"

gk_check_logs nginx "$LOG/authz.out"
done_testing
