#!/bin/bash
# tests/attack6_host.sh: a host rule ("rule = host=admin.test require=group:admins") and a
# Host with a trailing dot behind Apache (mod_authnz_fcgi). Apache reads "admin.test." as
# admin.test (its vhost matching and SERVER_NAME drop one trailing dot) but hands
# gatekeep-authz the Host header as sent; gatekeep matched the rule against that spelling,
# found none, and allowed alice by the default rule where the app served admin.test.
# Every reading of the Host now selects rules (with and without one trailing dot; the
# strictest wins). nginx and lighttpd pass the host already without the dot.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
gk_conf "192.0.2.1/32" "rule = host=admin.test require=group:admins" \
    "rule = host=open.test path=/private require=bypass"
gk_start_authz tcp
gk_start_apache authnz

for h in admin.test "admin.test." "ADMIN.Test." "admin.test.:$PORT"; do
	req -u alice:alice-pw -H "Host: $h" "$BASE/private/"
	is "$CODE" 403 "Host '$h': alice is not in admins"
	req -u bob:bob-pw -H "Host: $h" "$BASE/private/"
	is "$CODE/$(appvar REMOTE_USER)" "200/bob" "Host '$h': bob (admins) is served"
done
req -H "Host: open.test" "$BASE/private/"
is "$CODE" 200 "a bypass host rule: open.test needs nobody"
req -H "Host: open.test." "$BASE/private/"
is "$CODE" 401 "... its trailing-dot spelling, which matched no rule before, still needs a user (both readings count)"
req -H "Host: admin.test.." -u alice:alice-pw "$BASE/private/"
unlike "$CODE" '^2' "two trailing dots: not alice's either ($CODE)"
gk_alive authz
ok $? "gatekeep-authz is still running"
done_testing
