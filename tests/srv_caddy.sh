#!/bin/bash
# tests/srv_caddy.sh: gatekeep-authz behind a real Caddy 2 (forward_auth with transport
# fastcgi over a unix socket), contrib/caddy/Caddyfile as shipped; the app is app.cgi
# behind reverse_proxy and receives the identity as the Remote-User header.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
GK_EXTRA_CONF="frontend = caddy"
gk_conf "192.0.2.1/32"
gk_start_backend
gk_start_authz unix
gk_start_caddy
diag "caddy on $BASE, gatekeep-authz on $GK_SOCK"

IDVAR=HTTP_REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
gk_check_auth caddy

# Caddy specifics
req -u alice:alice-pw "$BASE/private/"
is "$(appvar HTTP_REMOTE_GROUPS)" users "caddy: copy_headers passes Remote-Groups"
req -H 'Remote-User: bob' -H 'Remote-Groups: admins' "$BASE/public/"
unlike "$(appvar HTTP_REMOTE_GROUPS)" 'admins' "caddy: a client Remote-Groups does not survive a bypass answer"
req -u alice:alice-pw -H 'Remote_User: bob' "$BASE/private/"
is "$CODE" 400 "caddy: a Remote_User header is refused by the contrib config"
req -u bob:bob-pw "$BASE/staff/"
is "$CODE" 200 "caddy: admins pass group:staff"
req -X POST -d 'x=1' -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "caddy: POST with a body is authorized"
is "$(appvar BODY_LENGTH)" 3 "caddy: ... and the app got the request body"

gk_check_proxy caddy unix
gk_alive authz
ok $? "caddy: gatekeep-authz is still running"
gk_check_logs caddy "$LOG/authz.out"
done_testing
