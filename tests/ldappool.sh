#!/bin/bash
# tests/ldappool.sh: with user_backend = ldap a password is checked by a bind, and that bind
# runs in lib/hashpool's threads, not in the worker: with ONE gatekeep-authz worker and a
# real slapd frozen (SIGSTOP) for 2 s while a request's bind is in flight, cached requests on
# other connections of that worker are answered meanwhile; the frozen request is answered
# right once slapd runs again (200 for the right password, 401 for a wrong one), logged once.
# The same for the directory search of a user not looked up yet (not in ldap_cache_ttl's
# cache): it runs in the pool too, so a frozen search stalls nobody else either.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/slapd.sh"

gk_need slapd slapadd slappasswd "$GK_AUTHZ"
STALL="$top_srcdir/tests/evcore2/stall.py"
mkdir -p "$RUN" "$LOG"
SOCK="$RUN/authz.sock"
gk_slapd_init
gk_slapd_conf
user_ldif() { # uid password
	printf 'dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nuserPassword: %s\n\n' \
		"$1" "$SUFFIX" "$1" "$1" "$1" "$(slappasswd -s "$2")"
}
{
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: gk\no: gk\n\n' "$SUFFIX"
	printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$SUFFIX"
	user_ldif alice alice-dir
	user_ldif bob bob-dir
	user_ldif carol carol-dir
	user_ldif dave dave-dir
} >"$D/tree.ldif"
gk_slapd_load "$D/tree.ldif"
gk_slapd_run
SLAPD=$(cat "$RUN/slapd.pid")
# a frozen slapd (the test cut short) would only end by gk_stop's KILL: thaw it too
at_exit "kill -CONT -- -$SLAPD"

cat >"$TMP/gatekeep.conf" <<CONF
user_backend = ldap
ldap_uri = $LURI
ldap_base_dn = ou=people,$SUFFIX
ldap_user_filter = (&(objectClass=inetOrgPerson)(uid=%s))
# longer than the freeze: the bind waits for slapd rather than failing
ldap_timeout = 10s
ldap_cache_ttl = 5m
methods = basic
on_unauthenticated = basic
basic_cache_ttl = 5m
max_failures = 0
secret_file = $TMP/secret
log_target = stderr
log_level = info
$GK_RUN_LINES
CONF
gk_give_nobody "$TMP"
gk_bg authz "$GK_AUTHZ" -c "$TMP/gatekeep.conf" --listen "unix:$SOCK" --workers 1
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || gk_fail_start authz "gatekeep-authz"

b64() { printf '%s' "$1" | base64 -w0; }
FAST=$(b64 alice:alice-dir)
# alice's password in the Basic cache; bob's entry in the lookup cache (a wrong password:
# the search is done, only the bind of the next request will need the directory)
r=$($PY "$STALL" "$SOCK" "$FAST" "$FAST" 0)
like "$r" "slow_status=200 " "alice through the directory -> 200 (now in the Basic cache)"
r=$($PY "$STALL" "$SOCK" "$(b64 bob:not-bobs)" "$FAST" 0)
like "$r" "slow_status=401 " "bob with a wrong password -> 401 (his entry is now cached)"

# frozen PAIR: PAIR's request while slapd is stopped for 2 s (its sockets stay open), with
# cached requests on other connections meanwhile; sets r (stall.py's line) and its fields
frozen() {
	local thaw
	kill -STOP -- "-$SLAPD"
	(sleep 2; kill -CONT -- "-$SLAPD") &
	thaw=$!
	r=$($PY "$STALL" "$SOCK" "$(b64 "$1")" "$FAST" 50)
	wait "$thaw"
	diag "$r"
	eval "$(printf '%s' "$r" | tr ' ' '\n' | sed -n 's/^\([a-z_]*\)=\([0-9]*\)$/\1=\2/p')"
}

frozen bob:bob-dir
is "$slow_status" 200 "bob's bind, frozen 2 s, is answered 200 once slapd runs again"
ok "$([ "${slow_ms:-0}" -ge 1500 ]; echo $?)" "... after the freeze ($slow_ms ms): the bind did wait for slapd"
ok "$([ "${fast_before_slow:-0}" -ge 3 ]; echo $?)" "cached requests on the same worker were answered meanwhile ($fast_before_slow)"
ok "$(printf '%s' "$r" | grep -qE 'fast_200=([0-9]+)/\1 *$'; echo $?)" "... all of them 200"
ok "$([ "${fast_max_ms:-99999}" -lt 1000 ]; echo $?)" "... none of them waited for the directory (slowest $fast_max_ms ms)"

frozen bob:still-not-bobs
is "$slow_status" 401 "a wrong password, frozen 2 s -> 401 afterwards"
ok "$([ "${fast_before_slow:-0}" -ge 3 ]; echo $?)" "... and the worker kept answering meanwhile ($fast_before_slow)"

# carol and dave were never looked up: the frozen request waits for the search first
frozen carol:carol-dir
is "$slow_status" 200 "carol's search (uncached user), frozen 2 s, then her bind -> 200"
ok "$([ "${slow_ms:-0}" -ge 1500 ]; echo $?)" "... after the freeze ($slow_ms ms): the search did wait for slapd"
ok "$([ "${fast_before_slow:-0}" -ge 3 ]; echo $?)" "cached requests on the same worker were answered during the search ($fast_before_slow)"
ok "$([ "${fast_max_ms:-99999}" -lt 1000 ]; echo $?)" "... none of them waited for the directory (slowest $fast_max_ms ms)"
frozen dave:not-daves
is "$slow_status" 401 "dave (uncached), a wrong password, frozen search -> 401 afterwards"
ok "$([ "${fast_max_ms:-99999}" -lt 1000 ]; echo $?)" "... and the worker kept answering meanwhile (slowest $fast_max_ms ms)"
frozen nobody-at-all:x
is "$slow_status" 401 "an unknown user, frozen search -> 401 afterwards"
ok "$([ "${fast_max_ms:-99999}" -lt 1000 ]; echo $?)" "... and the worker kept answering meanwhile (slowest $fast_max_ms ms)"

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
is "$(grep -c 'allow user=carol ' "$LOG/authz.out")" 1 "carol's success is logged once"
is "$(grep -c 'deny user=dave .*reason=bad-password' "$LOG/authz.out")" 1 "dave's refusal is logged once"
is "$(grep -c 'deny user=nobody-at-all .*reason=unknown-user' "$LOG/authz.out")" 1 "the unknown user's refusal is logged once"
is "$(grep -c 'reason=database' "$LOG/authz.out")" 0 "no request was refused for the parked search"
unlike "$(cat "$LOG/authz.out")" 'AddressSanitizer|runtime error|LeakSanitizer' "no sanitizer report"
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
