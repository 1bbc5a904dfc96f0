#!/bin/bash
# tests/srv_lighttpd.sh: gatekeep-authz behind a real lighttpd ("mode" => "authorizer"),
# first as its own pool on a unix socket (contrib/lighttpd/gatekeep.conf), then spawned
# by lighttpd through bin-path (contrib/lighttpd/gatekeep-binpath.conf); the app is
# app.cgi run by mod_cgi, so REMOTE_USER comes from gatekeep's Variable-REMOTE_USER.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
gk_start_authz unix
gk_start_lighttpd socket
diag "lighttpd on $BASE, gatekeep-authz on $GK_SOCK"

IDVAR=REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
gk_check_auth lighttpd

# lighttpd specifics
req -u alice:alice-pw "$BASE/private/"
is "$(appvar REMOTE_GROUPS)" users "lighttpd: Variable-REMOTE_GROUPS reaches the app"
is "$(appvar AUTH_TYPE)" Basic "lighttpd: Variable-AUTH_TYPE reaches the app"
req -u bob:bob-pw "$BASE/staff/"
is "$CODE" 200 "lighttpd: admins pass group:staff"
# lighttpd <= 1.4.82 maps Remote_User to HTTP_REMOTE_USER too: the contrib config refuses it
req -u alice:alice-pw -H 'Remote_User: bob' "$BASE/private/"
is "$CODE" 403 "lighttpd: a Remote_User header is refused by the contrib config"
req -u alice:alice-pw -H 'Remote_Name: Administrator' "$BASE/private/"
is "$CODE" 403 "lighttpd: ... and so is a Remote_Name header (REMOTE_NAME comes from gatekeep)"
req -X POST -d 'x=1' -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "lighttpd: POST with a body is authorized"
is "$(appvar BODY_LENGTH)" 3 "lighttpd: ... and the app got the request body"

# the client's own identity headers (any case) never reach the app as HTTP_REMOTE_*
req -u alice:alice-pw -H 'Remote-User: bob' -H 'remote-groups: admins' -H 'REMOTE-EMAIL: b@x.test' \
	-H 'Remote-Name: Bob' "$BASE/private/"
is "$CODE/$(appvar REMOTE_USER)" 200/alice "lighttpd: alice with client identity headers -> 200 as alice"
is "$(appvar HTTP_REMOTE_USER)|$(appvar HTTP_REMOTE_GROUPS)|$(appvar HTTP_REMOTE_EMAIL)|$(appvar HTTP_REMOTE_NAME)" \
	"|||" "lighttpd: ... and the app got none of them as HTTP_REMOTE_*"
req -H 'Remote-Email: b@x.test' "$BASE/public/"
is "$CODE/$(appvar HTTP_REMOTE_EMAIL)" 200/ "lighttpd: nor on the bypass path"

gk_check_path_readings lighttpd
# the trusted proxy (the test client) is the address the contrib file keeps them from
gk_stop lighttpd
mkdir -p "$TMP/contrib/lighttpd"
sed 's|"192\.0\.2\.1"|"127.0.0.1"|' "$CONTRIB/lighttpd/gatekeep.conf" >"$TMP/contrib/lighttpd/gatekeep.conf"
CONTRIB="$TMP/contrib" gk_start_lighttpd socket
gk_check_proxy lighttpd unix
gk_check_bypass_host lighttpd unix gk-lan.test 200/erin
gk_alive authz
ok $? "lighttpd: gatekeep-authz is still running"
gk_check_logs lighttpd "$LOG/authz.out"

# bin-path: lighttpd spawns gatekeep-authz with the listening socket on fd 0
gk_stop lighttpd
gk_stop authz
gk_conf "192.0.2.1/32"
gk_start_lighttpd binpath
req -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "lighttpd bin-path: good Basic credentials -> 200"
is "$(appvar REMOTE_USER)" alice "lighttpd bin-path: the app sees REMOTE_USER=alice"
req "$BASE/private/"
is "$CODE" 401 "lighttpd bin-path: no credentials -> 401"
req -u alice:alice-pw "$BASE/admin/"
is "$CODE" 403 "lighttpd bin-path: wrong group -> 403"
req "$BASE/public/../private/"
is "$CODE" 401 "lighttpd bin-path: /public/../private/ is not bypassed"
gk_check_logs lighttpd-binpath "$LOG/lighttpd.out"
done_testing
