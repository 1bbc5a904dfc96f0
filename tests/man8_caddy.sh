#!/bin/bash
# tests/man8_caddy.sh: the Caddy site of gatekeep(7) runs as written in the place of
# contrib/caddy/Caddyfile (its "example.com" the test's address): the checks the contrib
# file passes (tests/srv_caddy.sh), and the identity reaches the app from gatekeep only.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/man8_lib.sh"

gk_world
"$GK_PASSWD" --name 'Alice Liddell' --email alice@example.org "$GK/users.db" alice >>"$LOG/passwd.out" 2>&1 ||
	bail "set alice's name and e-mail"
GK_EXTRA_CONF="frontend = caddy"
gk_conf "192.0.2.1/32"
gk_start_backend
gk_start_authz unix

S="gatekeep(7) caddy"
man_example gatekeep.7 '.It Caddy' caddy/Caddyfile
sed -i 's|^example\.com {|http://app.example.com {|' "$CONTRIB/caddy/Caddyfile"
gk_start_caddy
IDVAR=HTTP_REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
gk_check_auth "$S"
man_identity "$S" HTTP_REMOTE_
gk_stop caddy

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs man-caddy "$LOG/authz.out"
done_testing
