#!/bin/bash
# tests/seams7_hostport.sh: a host= rule naming a port is skipped by any other port (the
# client chooses it): gatekeep-authz warns at --check-config and at start-up, and still
# starts (lib/conf.h gk_config_warnings says why a warning and not a refusal).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
gk_conf "192.0.2.1/32" "rule = host=admin.example:8443 require=group:admins" \
    "rule = host=other.example require=group:admins"
out=$("$GK_AUTHZ" -c "$GK/gatekeep.conf" --check-config 2>&1 >/dev/null); r=$?
is "$r" 0 "--check-config: a host= rule with a port is not refused (exit 0)"
like "$out" "^gatekeep-authz: warning: $GK/gatekeep.conf:[0-9]+: rule host=admin.example:8443 names a port: a request to any other port, or none, skips this rule" \
    "--check-config warns about it, with the file and line"
is "$(grep -c 'names a port' <<<"$out")" 1 "... and about no other rule"
gk_start_authz unix 1
is "$(grep -c 'warning: .*rule host=admin.example:8443 names a port' "$LOG/authz.out")" 1 \
    "the start-up log warns once"
gk_alive authz
ok $? "gatekeep-authz started all the same"
done_testing
