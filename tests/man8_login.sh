#!/bin/bash
# tests/man8_login.sh: gatekeep-login(8)'s examples run as written through the browser
# login flow of tests/servers/login-flow.sh: its Caddy "handle /gatekeep/*" block in
# gatekeep(7)'s Caddy site (in the route, before forward_auth, as the page says), and its
# nginx "location /gatekeep/" in the place of contrib/nginx/gatekeep.conf's (the site the
# page points to), with the copy of fastcgi_params the page asks for on a port other
# than 80 or 443 (the page's HTTP_HOST line in it).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/man8_lib.sh"

gk_world
gk_login_world
LOGIN_CONF=$GK_EXTRA_CONF
GK_EXTRA_CONF="$LOGIN_CONF
frontend = caddy"
gk_conf "192.0.2.1/32"
gk_start_authz unix
gk_start_login
gk_start_backend
SRC_CONTRIB=$CONTRIB
IDVAR=HTTP_REMOTE_USER

S="gatekeep-login(8) caddy"
man_example gatekeep-login.8 'Caddy 2, in the site'"'"'s' caddy/login.caddy
man_example gatekeep.7 '.It Caddy' caddy/gatekeep7.caddy
"$PY" - "$CONTRIB/caddy" <<'PY' || bail "$S: no forward_auth in gatekeep(7)'s Caddy site"
import sys
d = sys.argv[1]
site = open(d + "/gatekeep7.caddy").read().split("\n")
at = next(i for i, l in enumerate(site) if l.strip().startswith("forward_auth "))
site[0] = site[0].replace("example.com {", "http://app.example.com {")
site[at:at] = open(d + "/login.caddy").read().rstrip("\n").split("\n")
open(d + "/Caddyfile", "w").write("\n".join(site))
PY
GK_CADDY_SITE="http://$H1, http://$H2" gk_start_caddy
gk_check_login "$S"
gk_stop caddy

S="gatekeep-login(8) nginx"
GK_EXTRA_CONF=$LOGIN_CONF
gk_restart_authz unix "192.0.2.1/32"
man_example gatekeep-login.8 '.Sh EXAMPLES' nginx/login.conf
host=$(sed -n 's/^\.Li \(fastcgi_param HTTP_HOST [^;]*\)\\&;$/\1;/p' "$top_srcdir/man/gatekeep-login.8")
[ -n "$host" ] || bail "$S: no HTTP_HOST line for other ports"
# the page's fix: a copy of fastcgi_params with that line, in both locations
GK_FASTCGI_PARAMS="$RUN/fastcgi_params"
sed "s|^fastcgi_param[[:space:]]*HTTP_HOST[[:space:]].*|$host|" /etc/nginx/fastcgi_params >"$GK_FASTCGI_PARAMS"
grep -qxF "$host" "$GK_FASTCGI_PARAMS" || bail "$S: no HTTP_HOST line in /etc/nginx/fastcgi_params"
"$PY" - "$SRC_CONTRIB/nginx/gatekeep.conf" "$CONTRIB/nginx" <<'PY' || bail "$S: no location /gatekeep/ in contrib/nginx/gatekeep.conf"
import sys
site = open(sys.argv[1]).read().split("\n")
d = sys.argv[2]
a = next(i for i, l in enumerate(site) if l.strip() == "location /gatekeep/ {")
b = next(i for i in range(a, len(site)) if site[i] == "\t}")
site[a:b + 1] = ["\t" + l for l in open(d + "/login.conf").read().rstrip("\n").split("\n")]
open(d + "/gatekeep.conf", "w").write("\n".join(site))
PY
gk_start_nginx
gk_check_login "$S"
gk_stop nginx

gk_alive login
ok $? "gatekeep-login is still running"
gk_check_login_logs man-login "$LOG/authz.out" "$LOG/login.out"
done_testing
