#!/bin/bash
# tests/ldappool.sh: with user_backend = ldap a password is checked by a bind, and that bind
# runs in lib/hashpool's threads, not in the worker: with ONE gatekeep-authz worker and a
# real slapd frozen (SIGSTOP) for 2 s while a request's bind is in flight, cached requests on
# other connections of that worker are answered meanwhile; the frozen request is answered
# right once slapd runs again (200 for the right password, 401 for a wrong one), logged once.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_need slapd slapadd slappasswd "$GK_AUTHZ"
STALL="$top_srcdir/tests/evcore2/stall.py"
mkdir -p "$RUN" "$LOG" "$TMP/slapd/db"
D="$TMP/slapd" SUFFIX="dc=gk,dc=test" SOCK="$RUN/authz.sock" ALOG="$LOG/authz.log"
LPORT=$(free_port)
LURI="ldap://127.0.0.1:$LPORT"

cat >"$D/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $D/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 16777216
suffix "$SUFFIX"
rootdn "cn=admin,$SUFFIX"
rootpw admin-pw
directory $D/db
access to attrs=userPassword by anonymous auth by * none
access to * by * read
EOF
user_ldif() { # uid password
	printf 'dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nuserPassword: %s\n\n' \
		"$1" "$SUFFIX" "$1" "$1" "$1" "$(slappasswd -s "$2")"
}
{
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: gk\no: gk\n\n' "$SUFFIX"
	printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$SUFFIX"
	user_ldif alice alice-dir
	user_ldif bob bob-dir
} >"$D/tree.ldif"
slapadd -f "$D/slapd.conf" -l "$D/tree.ldif" >"$LOG/slapadd.out" 2>&1 ||
	{ sed 's/^/#   /' "$LOG/slapadd.out"; bail "slapadd cannot load the test tree"; }
gk_bg slapd slapd -d 0 -f "$D/slapd.conf" -h "$LURI/"
SLAPD=$(cat "$RUN/slapd.pid")
# a frozen slapd ignores TERM: thaw it first whatever happened
at_exit "kill -CONT -- -$SLAPD"
wait_port "$LPORT" 80 && gk_alive slapd || gk_fail_start slapd "slapd ($LURI)"

cat >"$TMP/gatekeep.conf" <<CONF
secret_file = $TMP/secret
methods = basic
on_unauthenticated = basic
basic_cache_ttl = 5m
max_failures = 0
log_target = stderr
user_backend = ldap
ldap_uri = $LURI
ldap_base_dn = ou=people,$SUFFIX
ldap_user_filter = (&(objectClass=inetOrgPerson)(uid=%s))
ldap_timeout = 10s
ldap_cache_ttl = 5m
$GK_RUN_LINES
CONF
gk_give_nobody "$TMP"
gk_bg authz "$GK_AUTHZ" -c "$TMP/gatekeep.conf" --listen "unix:$SOCK" --workers 1
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || gk_fail_start authz "gatekeep-authz"
cp /dev/null "$ALOG"

b64() { printf '%s' "$1" | base64 -w0; }
FAST=$(b64 alice:alice-dir)
# alice's password in the Basic cache; bob's entry in the lookup cache (a wrong password:
# the search is done, only the bind of the next request will need the directory)
r=$($PY "$STALL" "$SOCK" "$FAST" "$FAST" 0)
like "$r" "slow_status=200 " "alice through the directory -> 200 (now in the Basic cache)"
r=$($PY "$STALL" "$SOCK" "$(b64 bob:not-bobs)" "$FAST" 0)
like "$r" "slow_status=401 " "bob with a wrong password -> 401 (his entry is now cached)"

# freeze_for SECONDS: slapd stops answering (its sockets stay open), then runs again
freeze_for() { kill -STOP -- "-$SLAPD"; (sleep "$1"; kill -CONT -- "-$SLAPD") & THAW=$!; }

freeze_for 2
r=$($PY "$STALL" "$SOCK" "$(b64 bob:bob-dir)" "$FAST" 50)
wait "$THAW"
diag "$r"
like "$r" "slow_status=200 " "bob's bind, frozen 2 s, is answered 200 once slapd runs again"
ms=$(printf '%s' "$r" | sed -n 's/.*slow_ms=\([0-9]*\).*/\1/p')
ok "$([ "${ms:-0}" -ge 1500 ]; echo $?)" "... after the freeze (${ms} ms): the bind did wait for slapd"
n=$(printf '%s' "$r" | sed -n 's/.*fast_before_slow=\([0-9]*\).*/\1/p')
ok "$([ "${n:-0}" -ge 3 ]; echo $?)" "cached requests on the same worker were answered meanwhile ($n)"
ok "$(printf '%s' "$r" | grep -qE 'fast_200=([0-9]+)/\1 *$'; echo $?)" "... all of them 200"
fm=$(printf '%s' "$r" | sed -n 's/.*fast_max_ms=\([0-9]*\).*/\1/p')
ok "$([ "${fm:-99999}" -lt 1000 ]; echo $?)" "... none of them waited for the directory (slowest ${fm} ms)"

freeze_for 2
r=$($PY "$STALL" "$SOCK" "$(b64 bob:still-not-bobs)" "$FAST" 50)
wait "$THAW"
diag "$r"
like "$r" "slow_status=401 " "a wrong password, frozen 2 s -> 401 afterwards"
n=$(printf '%s' "$r" | sed -n 's/.*fast_before_slow=\([0-9]*\).*/\1/p')
ok "$([ "${n:-0}" -ge 3 ]; echo $?)" "... and the worker kept answering meanwhile ($n)"

r=$($PY "$STALL" "$SOCK" "$(b64 nobody-here:x)" "$FAST" 0)
like "$r" "slow_status=401 " "an unknown user (the dummy bind, through the pool) -> 401"
r=$($PY "$STALL" "$SOCK" "$(b64 bob:)" "$FAST" 0)
like "$r" "slow_status=401 " "bob with an empty password -> 401 (no bind)"
r=$($PY "$STALL" "$SOCK" "$(b64 bob:bob-dir)" "$FAST" 0)
like "$r" "slow_status=200 " "bob again (the Basic cache) -> 200"

sleep 0.3
is "$(grep -c 'reason=pending' "$LOG/authz.out")" 0 "no decision line says 'pending'"
is "$(grep -c 'allow user=bob ' "$LOG/authz.out")" 2 "bob's two successes are logged once each"
is "$(grep -c 'deny user=bob .*reason=bad-password' "$LOG/authz.out")" 3 "bob's three refusals are logged once each"
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
