#!/bin/bash
# tests/tofu8_cookies.sh: cookie tossing. The CSRF nonce and the OIDC flow cookie are the
# login host's own, but a sibling subdomain can set a cookie for the parent domain that the
# login host then reads under the same name. Over HTTPS (cookie_secure, the default) both are
# named with the __Host- prefix (Secure, Path=/, no Domain), which a browser takes only from
# the login host itself; a cookie of the plain name is ignored. Over http the plain names stay.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

CGI="$top_builddir/cgi-bin/login.cgi"
PY=/usr/bin/python3
[ -x "$CGI" ] || bail "login.cgi not built"
(umask 077 && echo "client-secret" >"$TMP/client_secret")
GH=http://127.0.0.1:9      # never reached: the refusals come before any request to it
gk_login_conf "$TMP/gk.conf" "oidc_provider = github" "oidc_client_id = gh-client" \
	"oidc_client_secret_file = $TMP/client_secret" "oidc_redirect_uri = $GH/gatekeep/callback" \
	"oidc_authorization_endpoint = $GH/login/oauth/authorize" \
	"oidc_token_endpoint = $GH/login/oauth/access_token" "oidc_userinfo_endpoint = $GH/user" \
	"oidc_authorized_domains = example.com" "oidc_username_claim = preferred_username"
export GATEKEEP_CONFIG="$TMP/gk.conf"
"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 &&
	"$GK_PASSWD" -b "$TMP/users.db" alice 'alice pw' >/dev/null 2>&1 || bail "add alice"

run() { gk_cgi "$CGI" "$TMP/log" "$@" HTTPS=on; }
setcookie() { grep "^Set-Cookie: $1=" "$TMP/hdr"; }
value() { setcookie "$1" | sed 's/^[^=]*=\([^;]*\);.*/\1/'; }
field() { sed -n "s/.*name=\"$1\" value=\"\\([^\"]*\\)\".*/\\1/p" "$TMP/body" | head -1; }
# signin COOKIE: the password form with the CSRF pair of the last page, the nonce sent as COOKIE.
signin() {
	run POST /gatekeep/login "csrf=$F&user=alice&password=alice%20pw" HTTP_COOKIE="$1=$C" \
		HTTP_ORIGIN=https://login.example
}

# ---- the CSRF nonce ----
run GET /gatekeep/login ""
is "$status" 200 "the sign-in form over https"
like "$(setcookie __Host-gatekeep_session_csrf)" '; Path=/;.* Secure; HttpOnly; SameSite=Strict$' \
	"its nonce cookie: __Host-, Path=/, Secure"
unlike "$(cat "$TMP/hdr")" 'Domain=|Set-Cookie: gatekeep_session_csrf=' "... no Domain, no plain-named one"
C=$(value __Host-gatekeep_session_csrf); F=$(field csrf)
[ -n "$C" ] && [ -n "$F" ] || bail "no CSRF pair"
signin gatekeep_session_csrf
is "$status" 403 "the same nonce planted under the plain name (a sibling subdomain can): refused"
unlike "$(cat "$TMP/hdr")" 'Set-Cookie: (__Host-)?gatekeep_session=' "... no session"
signin __Host-gatekeep_session_csrf
is "$status" 303 "under the __Host- name: signed in"

# ---- the OIDC flow cookie ----
run GET /gatekeep/oidc ""
is "$status" 303 "the identity provider's sign-in starts"
like "$(setcookie __Host-gatekeep_session_oidc)" '; Path=/;.* Secure; HttpOnly; SameSite=Lax$' \
	"its flow cookie: __Host-, Path=/, Secure"
FLOW=$(value __Host-gatekeep_session_oidc)
[ -n "$FLOW" ] || bail "no flow cookie"
run GET '/gatekeep/callback?code=c&state=s' "" HTTP_COOKIE="gatekeep_session_oidc=$FLOW"
is "$(grep -c 'reason=no-flow-cookie' "$TMP/log")" 1 "a flow cookie planted under the plain name is not read"
run GET '/gatekeep/callback?code=c&state=s' "" HTTP_COOKIE="__Host-gatekeep_session_oidc=$FLOW"
is "$(grep -c 'reason=no-flow-cookie' "$TMP/log")" 1 "the __Host- one is (and refused for its wrong state)"
like "$(setcookie __Host-gatekeep_session_oidc)" 'Max-Age=0' "... and cleared under its own name"

# ---- over http (cookie_secure = false) the plain names stay ----
echo "cookie_secure = false" >>"$TMP/gk.conf"
run GET /gatekeep/login ""
like "$(setcookie gatekeep_session_csrf)" '; Path=/gatekeep; Max-Age' "http: the plain name under the login path"
done_testing
