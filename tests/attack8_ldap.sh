#!/bin/bash
# tests/attack8_ldap.sh: a directory uid given up and taken by someone else (user_backend =
# ldap). Directory users have no generation gatekeep could bump (always 1), so a session
# cookie of the uid's former holder, still within session_ttl, was the newcomer's session:
# whoami answered 200 for it. The entry's createTimestamp is now the user's creation time,
# and a cookie issued before it (lib/auth: iat + a minute of skew) is refused.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/slapd.sh"

CGI="$top_builddir/cgi-bin/login.cgi"
TOKENTOOL="$top_builddir/tests/tokentool"
[ -x "$CGI" ] || bail "login.cgi not built"
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
gk_need slapd slapadd slappasswd
mkdir -p "$RUN" "$LOG" "$TMP/state"
gk_slapd_init
gk_slapd_conf
{
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: gk\no: gk\n\n' "$SUFFIX"
	printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$SUFFIX"
	printf 'dn: uid=bob,ou=people,%s\nobjectClass: inetOrgPerson\nuid: bob\ncn: bob\nsn: bob\nuserPassword: %s\n\n' \
		"$SUFFIX" "$(slappasswd -s bob-dir)"
	# carol's entry says when it was made in a zone 5 h behind UTC: read as UTC it would be
	# 5 h early, and an hour-old session would pass
	printf 'dn: uid=carol,ou=people,%s\nobjectClass: inetOrgPerson\nuid: carol\ncn: carol\nsn: carol\ncreateTimestamp: %s-0500\n\n' \
		"$SUFFIX" "$(date -u -d "@$(($(date +%s) - 18000))" +%Y%m%d%H%M%S)"
} >"$D/tree.ldif"
gk_slapd_load "$D/tree.ldif"    # createTimestamp: now
gk_slapd_run
"$TOKENTOOL" create "$TMP/secret" || bail "tokentool create"
cat >"$TMP/gk.conf" <<EOC
secret_file = $TMP/secret
state_dir = $TMP/state
log_target = stderr
cookie_secure = false
user_backend = ldap
ldap_uri = $LURI
ldap_base_dn = ou=people,$SUFFIX
ldap_user_filter = (&(objectClass=inetOrgPerson)(uid=%s))
EOC
export GATEKEEP_CONFIG="$TMP/gk.conf"
whoami() { gk_cgi "$CGI" "$LOG/login.out" GET /gatekeep/whoami "" HTTP_COOKIE="gatekeep_session=$1"; }

now=$(date +%s)
NEW=$("$TOKENTOOL" -l 3600 -g 1 issue "$TMP/secret" gatekeep bob) || bail "tokentool issue"
OLD=$("$TOKENTOOL" -t $((now - 3600)) -l 7200 -g 1 issue "$TMP/secret" gatekeep bob) ||
	bail "tokentool issue"
whoami "$NEW"
is "$status" 200 "a session of today's bob: whoami 200"
like "$(cat "$TMP/body")" '"user":"bob"' "... names bob"
whoami "$OLD"
is "$status" 401 "a session issued an hour before bob's entry was created: refused"
OLDC=$("$TOKENTOOL" -t $((now - 3600)) -l 7200 -g 1 issue "$TMP/secret" gatekeep carol) ||
	bail "tokentool issue"
whoami "$OLDC"
is "$status" 401 "an entry created now, its time written with a zone offset: an hour-old session refused"
done_testing
