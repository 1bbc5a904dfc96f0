#!/bin/bash
# tests/man8_caddy.sh: the Caddy examples run as written in the place of
# contrib/caddy/Caddyfile: gatekeep(7)'s site (its "example.com" the test's address) and
# gatekeep-authz(8)'s lines (its "in the site" part in a site, its "in its route {}" part
# in a route before the reverse_proxy to the app). They pass the checks the contrib file
# passes (tests/srv_caddy.sh), and the identity reaches the app from gatekeep only.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/man8_lib.sh"

man_world
GK_EXTRA_CONF="frontend = caddy"
gk_conf "192.0.2.1/32"
gk_start_backend
gk_start_authz unix

man_example gatekeep.7 '.It Caddy' caddy/gatekeep7.caddy
sed -i 's|^example\.com {|http://app.example.com {|' "$CONTRIB/caddy/gatekeep7.caddy"
man_example gatekeep-authz.8 '.It Caddy' caddy/authz8.lines
route="# in its route {}, before the app's reverse_proxy:"
grep -qxF "$route" "$CONTRIB/caddy/authz8.lines" || bail "gatekeep-authz(8): no '$route' in the Caddy example"
{
	echo 'http://app.example.com {'
	sed "/^$route\$/,\$d" "$CONTRIB/caddy/authz8.lines"
	echo 'route {'
	sed "1,/^$route\$/d" "$CONTRIB/caddy/authz8.lines"
	printf 'reverse_proxy 127.0.0.1:8080\n}\n}\n'
} >"$CONTRIB/caddy/authz8.caddy"

for site in gatekeep.7:gatekeep7.caddy gatekeep-authz.8:authz8.caddy; do
	page=${site%%:*} S="${page%.*}(${page##*.}) caddy"
	cp "$CONTRIB/caddy/${site#*:}" "$CONTRIB/caddy/Caddyfile"
	gk_start_caddy
	IDVAR=HTTP_REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
	gk_check_auth "$S"
	man_identity "$S" HTTP_REMOTE_
	gk_check_app_cookie "$S"
	gk_stop caddy
done

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs man-caddy "$LOG/authz.out"
done_testing
