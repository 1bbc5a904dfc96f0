#!/bin/bash
# tests/review9b_cookiename.sh: a cookie_name with the __Secure- prefix (gatekeep.conf(5)
# allows it with cookie_secure). The sign-in page then names its cookies __Host-NAME_csrf
# and __Host-NAME_oidc (lib/login_request.c: the prefix is dropped, __Host- put first),
# the session stays __Secure-NAME. The nginx, Apache and Caddy files, with gatekeep_session
# replaced by the name without its prefix as they say, keep all of them off the app's hop.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
gk_conf "192.0.2.1/32" "cookie_name = __Secure-gk" "cookie_secure = true"
# the shipped files with the documented replacement
mkdir -p "$TMP/contrib"
cp -r "$CONTRIB/nginx" "$CONTRIB/apache" "$CONTRIB/caddy" "$TMP/contrib/"
sed -i 's/gatekeep_session/gk/g' "$TMP/contrib/nginx/gatekeep-app-cookie.conf" \
    "$TMP/contrib/apache/gatekeep-authnz.conf" "$TMP/contrib/caddy/Caddyfile"

# check S: a bypassed path, where the app gets the cookies whatever gatekeep decides
check() {
	local S="$1"
	req -H "Cookie: app=1; __Secure-gk=s; z=9" "$BASE/public/x"
	is "$CODE/$(appvar HTTP_COOKIE)" "200/app=1; z=9" "$S: the __Secure- session cookie never reaches the app"
	req -H "Cookie: __Host-gk_csrf=c; app=1; __Host-gk_oidc=o; z=9" "$BASE/public/x"
	is "$CODE/$(appvar HTTP_COOKIE)" "200/app=1; z=9" "$S: ... nor the sign-in page's __Host- cookies"
	req -H "Cookie: __Secure-gk_ticket=t; app=1; __Secure-gkx=3" "$BASE/public/x"
	is "$CODE/$(appvar HTTP_COOKIE)" "200/app=1; __Secure-gkx=3" "$S: ... nor its ticket; other names reach it as sent"
}

gk_start_backend
gk_start_authz unix
# nginx: gk_start_nginx with the copy's include
mkdir -p "$RUN/nginx"
gk_render "$TMP/contrib/nginx/gatekeep.conf" "$RUN/nginx/site.conf"
sed -i -e "s|listen 80;|listen 127.0.0.1:$PORT;|" \
       -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
       -e "s|include [^;]*/gatekeep-app-cookie.conf;|include $TMP/contrib/nginx/gatekeep-app-cookie.conf;|" "$RUN/nginx/site.conf"
grep -q "include $TMP/contrib/nginx/gatekeep-app-cookie.conf;" "$RUN/nginx/site.conf" || bail "nginx: the include was not replaced"
gk_run_nginx "$SRV/nginx-main.conf"
check nginx
gk_stop nginx

CONTRIB="$TMP/contrib" gk_start_caddy
check caddy
gk_stop caddy

gk_stop authz
gk_start_authz tcp
CONTRIB="$TMP/contrib" gk_start_apache authnz
check apache-authnz
done_testing
