# tests/servers/login-flow.sh: the browser login flow through a real web server, driven
# with curl and a cookie jar (sourced after harness.sh by tests/srv_*_login.sh):
# protected URL -> 302 to login_url?rd= -> form (CSRF cookie + token) -> POST -> 303 +
# session cookie -> the app sees REMOTE_USER -> the sibling host with the same cookie
# (SSO) -> logout -> redirected again; tampered cookie, hostile rd, logout everywhere.
# Two host names, app1.gk.test and app2.gk.test, are mapped to 127.0.0.1 by curl
# (--resolve); the session cookie has Domain=gk.test, like a real SSO set-up.

# gk_login_world: after gk_world, the settings the login page needs on plain http.
gk_login_world() {
	gk_need "$GK_LOGIN"
	[ -x "$GK_LOGIN" ] || bail "gatekeep-login is not built: $GK_LOGIN"
	GK_EXTRA_CONF="cookie_secure = false
cookie_domain = gk.test
redirect_domains = .gk.test
default_redirect = /public/"
	gk_conf "192.0.2.1/32"
	H1="app1.gk.test:$PORT"
	H2="app2.gk.test:$PORT"
	A1="http://$H1"
	A2="http://$H2"
	JAR="$TMP/jar"
	LOGIN_SOCK="$RUN/login.sock"
	HTML='Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
}

# gk_start_login: gatekeep-login as a FastCGI responder on $RUN/login.sock (the contrib
# files name /run/gatekeep/login.sock, which gk_render maps there).
gk_start_login() {
	# checked as the user it serves as: root would create a lockout table nobody cannot use
	local as=()
	[ "$(id -u)" = 0 ] && as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
	"${as[@]}" "$GK_LOGIN" -c "$GK/gatekeep.conf" --check-config >"$LOG/login-check.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/login-check.out"; bail "gatekeep-login --check-config rejects the test config"; }
	rm -f "$LOGIN_SOCK"
	gk_bg login "$GK_LOGIN" -c "$GK/gatekeep.conf" --listen "unix:$LOGIN_SOCK" --socket-mode 0666
	{ gk_wait_sock "$LOGIN_SOCK" && gk_alive login; } || gk_fail_start login "gatekeep-login (unix:$LOGIN_SOCK)"
}

# gk_start_login_nginx: the whole stack on nginx (gk_conf already written): gatekeep-authz,
# gatekeep-login, the backend and nginx. Debian's fastcgi_params (security update) passes
# HTTP_HOST as $host, without the port: on a non-standard port (like the tests') the return
# address would lose its port and the form's Origin would not match its Host. docs/login.md
# gives the fix used here: a copy of fastcgi_params with HTTP_HOST $host:$server_port.
gk_start_login_nginx() {
	gk_start_authz unix
	gk_start_login
	gk_start_backend
	GK_FASTCGI_PARAMS="$RUN/fastcgi_params"
	sed 's|^\(fastcgi_param[[:space:]]*HTTP_HOST[[:space:]]*\)\$host;|\1$host:$server_port;|' \
		/etc/nginx/fastcgi_params >"$GK_FASTCGI_PARAMS"
	gk_start_nginx
}

# gk_install_login_cgi USER GROUP: login.cgi (the CGI build) where the *-login-cgi.conf
# files expect it ($CGIBIN, rendered from /usr/libexec/gatekeep/cgi-bin); the CGI runs as
# the server's user, which must read gatekeep.conf, the database and the secret and
# write the state and database directories.
gk_install_login_cgi() {
	local cgi="$top_builddir/cgi-bin/login.cgi"
	[ -x "$cgi" ] || bail "login.cgi is not built: $cgi"
	mkdir -p "$CGIBIN"
	cp "$cgi" "$CGIBIN/login.cgi"
	chmod 755 "$CGIBIN" "$CGIBIN/login.cgi"
	gk_make_readable_by "$1" "$2"
	[ "$(id -u)" = 0 ] && chown -R "$1:$2" "$TMP/state"
	return 0
}

# breq CURL-ARGS... URL: a browser-like request (both names resolve to 127.0.0.1; the
# cookie jar is read and written). Sets CODE, BODY, HDRS like req.
breq() {
	req --resolve "$H1:127.0.0.1" --resolve "$H2:127.0.0.1" -b "$JAR" -c "$JAR" "$@"
}
# nreq CURL-ARGS... URL: the same without the jar (explicit cookies only).
nreq() {
	req --resolve "$H1:127.0.0.1" --resolve "$H2:127.0.0.1" "$@"
}
field() { printf '%s\n' "$BODY" | sed -n "s/.*name=\"$1\" value=\"\\([^\"]*\\)\".*/\\1/p" | head -1; }
setcookie() { printf '%s\n' "$HDRS" | grep -i "^Set-Cookie: $1=" | head -1 | sed 's/^[^:]*: *//'; }
cookieval() { setcookie "$1" | sed 's/^[^=]*=\([^;]*\).*/\1/'; }
urlenc() { "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# form_login USER PASSWORD RD [CURL-ARGS...]: GET the form on app1 (jar), then POST it
# with the page's CSRF token and a same-origin Origin. Leaves the POST's answer.
form_login() {
	local u=$1 p=$2 rd=$3 tok
	shift 3
	breq -H "$HTML" "$A1/gatekeep/login"
	tok=$(field csrf)
	breq -H "Origin: $A1" --data-urlencode "csrf=$tok" --data-urlencode "user=$u" \
		--data-urlencode "password=$p" --data-urlencode "rd=$rd" "$@" "$A1/gatekeep/login"
}

# gk_check_login LABEL: the whole flow. The server must run the shipped authorizer config
# plus its gatekeep-login file, gatekeep-authz and gatekeep-login.
gk_check_login() {
	local S="$1" loc rd tok sess t1 bad u c
	# the app.cgi variable carrying the identity (nginx: HTTP_REMOTE_USER, from the
	# Remote-User header nginx sets; Apache, lighttpd: REMOTE_USER)
	local LIDVAR="${IDVAR:-REMOTE_USER}"

	rm -f "$JAR"
	# 1. a browser without a session is sent to the login page with its URL as rd
	breq -H "$HTML" "$A1/private/?x=1"
	is "$CODE" 302 "$S: browser without a session -> 302"
	loc=$(hdr Location)
	loc=${loc#"$A1"}    # nginx makes redirects absolute (absolute_redirect on)
	is "$loc" "/gatekeep/login?rd=$(urlenc "$A1/private/?x=1")" "$S: Location is login_url?rd=<the original absolute URL>"
	unlike "$BODY" 'app-ok' "$S: the app did not run"
	req --resolve "$H1:127.0.0.1" "$A1/private/"
	is "$CODE" 401 "$S: a non-browser client without credentials still gets 401"
	like "$(hdr WWW-Authenticate)" '^Basic realm=' "$S: ... with the Basic challenge"

	# 2. the login page is reachable without a session and carries the form
	breq -H "$HTML" "$A1$loc"
	is "$CODE" 200 "$S: the login page answers 200 without a session"
	like "$(hdr Content-Type)" '^text/html' "$S: ... as HTML"
	like "$(setcookie gatekeep_session_csrf)" '; Path=/gatekeep; .*HttpOnly; SameSite=Strict' "$S: ... sets the CSRF cookie (path /gatekeep)"
	tok=$(field csrf)
	like "$tok" '^[A-Za-z0-9_-]{43}$' "$S: ... has a hidden csrf token"
	like "$BODY" 'name="user"' "$S: ... has a user field"
	like "$BODY" 'name="password"' "$S: ... has a password field"
	rd=$(field rd)
	is "$rd" "$A1/private/?x=1" "$S: ... carries rd (the original URL)"
	like "$BODY" 'action="/gatekeep/login"' "$S: ... posts back to /gatekeep/login"
	unlike "$BODY" 'app-ok' "$S: ... and the login location is not the app"

	# 3. wrong password, foreign Origin: no session
	breq -H "Origin: $A1" --data-urlencode "csrf=$tok" --data-urlencode user=alice \
		--data-urlencode "password=$BADPW" --data-urlencode "rd=$rd" "$A1/gatekeep/login"
	is "$CODE" 401 "$S: wrong password -> 401 from the login page"
	is "$(setcookie gatekeep_session)" "" "$S: ... no session cookie"
	breq -H 'Origin: http://evil.example' --data-urlencode "csrf=$tok" --data-urlencode user=alice \
		--data-urlencode password=alice-pw --data-urlencode "rd=$rd" "$A1/gatekeep/login"
	is "$CODE" 403 "$S: POST with a foreign Origin -> 403 (the server passes Host and Origin through)"
	is "$(setcookie gatekeep_session)" "" "$S: ... no session cookie"

	# 4. the right password: 303 back to rd with the session cookie
	breq -H "Origin: $A1" --data-urlencode "csrf=$tok" --data-urlencode user=alice \
		--data-urlencode password=alice-pw --data-urlencode "rd=$rd" "$A1/gatekeep/login"
	is "$CODE" 303 "$S: right password -> 303"
	is "$(hdr Location)" "$A1/private/?x=1" "$S: ... back to the original URL"
	c=$(setcookie gatekeep_session)
	like "$c" '; Domain=gk\.test;' "$S: ... session cookie with Domain=gk.test (SSO)"
	like "$c" '; Path=/;' "$S: ... Path=/"
	like "$c" '; Max-Age=[1-9][0-9]*;' "$S: ... Max-Age"
	like "$c" '; HttpOnly; SameSite=Lax$' "$S: ... HttpOnly, SameSite=Lax"
	unlike "$c" '; Secure' "$S: ... no Secure (cookie_secure = false on plain http)"
	sess=$(cookieval gatekeep_session)
	like "$sess" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "$S: ... the session is a JWT"

	# 5. back at the app: the user is the one who signed in
	breq -H "$HTML" "$A1/private/?x=1"
	is "$CODE" 200 "$S: with the session cookie the app answers 200"
	like "$BODY" '^app-ok' "$S: ... the app ran"
	is "$(appvar "$LIDVAR")" alice "$S: ... $LIDVAR=alice"
	unlike "$HDRS" '^([Vv]ariable-|[Rr]emote-[Uu]ser:)' "$S: ... no authorizer header leaks to the client"
	breq "$A1/private/"
	is "$(appvar "$LIDVAR")" alice "$S: the cookie works without Accept: text/html too"

	# 6. SSO: the sibling host and another location with the same cookie
	breq -H "$HTML" "$A2/private/"
	is "$CODE" 200 "$S: SSO: app2.gk.test with the same cookie -> 200"
	is "$(appvar "$LIDVAR")" alice "$S: SSO: ... $LIDVAR=alice on app2"
	breq -H "$HTML" "$A2/admin/"
	is "$CODE" 403 "$S: the session does not make alice an admin (rule group:admins) -> 403"
	unlike "$BODY" 'app-ok' "$S: ... the app did not run"
	breq -H "$HTML" -H 'Remote-User: bob' "$A1/private/"
	is "$(appvar "$LIDVAR")" alice "$S: a client Remote-User: bob next to alice's cookie changes nothing"

	# 7. a tampered or foreign cookie is never a session
	bad="${sess%?}$( [ "${sess: -1}" = A ] && echo B || echo A )"
	nreq -H "$HTML" -H "Cookie: gatekeep_session=$bad" "$A1/private/"
	is "$CODE" 302 "$S: tampered signature, browser -> 302 to the login page"
	like "$(hdr Location)" '^(http://app[12]\.gk\.test:[0-9]+)?/gatekeep/login\?rd=' "$S: ... Location is the login page"
	unlike "$BODY" 'app-ok' "$S: ... the app did not run"
	nreq -H "Cookie: gatekeep_session=$bad" "$A1/private/"
	is "$CODE" 401 "$S: tampered signature, non-browser -> 401"
	t1=$(printf '%s' "$sess" | cut -d. -f1).$("$PY" -c 'import base64,sys; print(base64.urlsafe_b64encode(b"{\"sub\":\"bob\",\"iss\":\"gatekeep\",\"exp\":4102444800,\"iat\":1,\"gen\":1}").decode().rstrip("="))').$(printf '%s' "$sess" | cut -d. -f3)
	nreq -H "$HTML" -H "Cookie: gatekeep_session=$t1" "$A1/admin/"
	is "$CODE" 302 "$S: alice's signature on a bob payload -> 302, not bob"
	unlike "$BODY" 'app-ok' "$S: ... the app did not run"
	nreq -H "Cookie: gatekeep_session=$sess; gatekeep_session=$sess" "$A1/private/"
	like "$CODE" '^(401|403)$' "$S: a duplicated session cookie is refused (got $CODE)"

	# 8. the login location is not a way around the authorizer
	for u in '/gatekeep/../private/' '/gatekeep/%2e%2e/private/' '/gatekeep/login/../../admin/'; do
		nreq -H "$HTML" "$A1$u"
		unlike "$BODY" 'app-ok' "$S: $u without a session does not reach the app (got $CODE)"
	done

	# 9. logout: GET shows a form, POST with its token clears the cookie
	breq -H "$HTML" "$A1/gatekeep/logout"
	is "$CODE" 200 "$S: GET /gatekeep/logout -> confirmation page"
	like "$BODY" 'alice' "$S: ... names the signed-in user"
	is "$(setcookie gatekeep_session)" "" "$S: ... GET does not sign out"
	tok=$(field csrf)
	breq -H "Origin: $A1" --data-urlencode "csrf=nope" "$A1/gatekeep/logout"
	is "$CODE" 403 "$S: logout POST with a bad token -> 403"
	breq -H "$HTML" "$A2/private/"
	is "$(appvar "$LIDVAR")" alice "$S: ... still signed in"
	breq -H "Origin: $A1" --data-urlencode "csrf=$tok" --data-urlencode "rd=$A1/public/" "$A1/gatekeep/logout"
	is "$CODE" 303 "$S: logout POST -> 303"
	is "$(hdr Location)" "$A1/public/" "$S: ... to rd"
	c=$(setcookie gatekeep_session)
	like "$c" '^gatekeep_session=;' "$S: ... clears the session cookie"
	like "$c" '; Domain=gk\.test;' "$S: ... with the Domain it was set with"
	like "$c" '; Path=/;' "$S: ... and its Path"
	like "$c" '; Max-Age=0;' "$S: ... Max-Age=0"
	# curl 7.88 keeps a cookie that Max-Age=0 deletes when another expired Set-Cookie
	# (here the CSRF cookie's) follows in the same answer (curl PR #10685); browsers
	# drop it. Do what a browser does, only if the answer above really deletes it.
	case "$c" in
	'gatekeep_session=;'*'; Domain=gk.test;'*) sed -i '/\tgatekeep_session\t/d' "$JAR" ;;
	esac
	breq -H "$HTML" "$A1/private/"
	is "$CODE" 302 "$S: after logout app1 redirects to the login page again"
	like "$(hdr Location)" '^(http://app[12]\.gk\.test:[0-9]+)?/gatekeep/login\?rd=' "$S: ... Location is the login page"
	breq -H "$HTML" "$A2/private/"
	is "$CODE" 302 "$S: after logout app2 redirects too (SSO logout)"
	# a plain logout clears the cookie; the token itself stays valid until it expires
	# (stateless): "sign out everywhere" is what revokes copies
	nreq -H "Cookie: gatekeep_session=$sess" "$A1/private/"
	is "$(appvar "$LIDVAR")" alice "$S: a copy of the token survives a plain logout (documented: use everywhere=1)"

	# 10. logout everywhere revokes every token issued before
	form_login alice alice-pw "$A2/private/"
	is "$CODE" 303 "$S: signed in again"
	is "$(hdr Location)" "$A2/private/" "$S: ... rd on the sibling host is allowed (redirect_domains)"
	t1=$(cookieval gatekeep_session)
	breq -H "$HTML" "$A2/gatekeep/logout"
	tok=$(field csrf)
	breq -H "Origin: $A2" --data-urlencode "csrf=$tok" --data-urlencode everywhere=1 "$A2/gatekeep/logout"
	like "$CODE" '^(200|303)$' "$S: logout everywhere answered (got $CODE)"
	for u in "$t1" "$sess"; do
		nreq -H "$HTML" -H "Cookie: gatekeep_session=$u" "$A1/private/"
		is "$CODE" 302 "$S: after logout everywhere a saved token -> 302 to the login page"
		unlike "$BODY" 'app-ok' "$S: ... the app did not run"
	done

	# 11. hostile return addresses land on default_redirect
	for u in 'https://evil.example/' '//evil.example/' "http://app1.gk.test.evil.example:$PORT/" \
	    "http://evil.example\\@app1.gk.test:$PORT/" 'javascript:alert(1)' "http://$H1@evil.example/"; do
		form_login alice alice-pw "$u"
		is "$CODE $(hdr Location)" "303 /public/" "$S: hostile rd '$u' -> default_redirect"
	done
	breq -H "$HTML" "$A1/public/"
	is "$CODE" 200 "$S: default_redirect (a bypass path) answers"
}

# gk_check_login_logs LABEL AUTHZ-LOG LOGIN-LOG: the sign-in page never went through the
# authorizer, both programs' logs are clean, the form login was logged.
# gk_check_long_inputs LABEL: over-long headers, rd and bodies, around each limit and far
# above it, get a clean 4xx from the front end or from gatekeep - never a 5xx (a refused
# FastCGI request that got no answer), never a dropped connection, never a dead worker.
# Limits: GK_REDIRECT_MAX (2048, rd), LOGIN_BODY_MAX (8192) and LOGIN_STDIN_MAX (32768,
# the form body), GK_FCGIGUARD_PARAMS_MAX (128 KiB of headers and params); nginx and
# Apache refuse a header line over about 8 KiB themselves.
gk_check_long_inputs() {
	local S="$1" n k i code args
	pad() { head -c "$1" /dev/zero | tr '\0' a; }
	clean4xx() {  # WHAT: CODE is a 4xx
		like "$CODE" '^4[0-9][0-9]$' "$S: $1 -> a clean 4xx (got $CODE)"
	}
	for n in 4000 8000 8192 8300 16384 65536; do
		nreq -H "X-Pad: $(pad $n)" "$A1/private/"
		clean4xx "gatekeep-authz, a $n-byte header"
		nreq -H "X-Pad: $(pad $n)" "$A1/gatekeep/login?rd=/private/"
		like "$CODE" '^(200|4[0-9][0-9])$' "$S: gatekeep-login, a $n-byte header -> 200 or a clean 4xx (got $CODE)"
	done
	for k in 4 10 17 40; do
		args=()
		for i in $(seq 1 $k); do args+=(-H "X-Pad$i: $(pad 7900)"); done
		nreq "${args[@]}" -u alice:alice-pw "$A1/private/"
		like "$CODE" '^(200|4[0-9][0-9])$' "$S: gatekeep-authz, $k headers of 7900 bytes -> 200 or a clean 4xx (got $CODE)"
		nreq "${args[@]}" "$A1/gatekeep/login"
		like "$CODE" '^(200|4[0-9][0-9])$' "$S: gatekeep-login, $k headers of 7900 bytes -> 200 or a clean 4xx (got $CODE)"
	done
	# rd: exactly GK_REDIRECT_MAX bytes is served, one more is refused (GET and POST alike)
	rd="/private/$(pad 2039)"
	nreq "$A1/gatekeep/login?rd=$rd"
	is "$CODE" 200 "$S: gatekeep-login, an rd of 2048 bytes -> 200"
	for n in 2049 4000 8000 65536; do
		rd="/private/$(pad $((n - 9)))"
		nreq "$A1/gatekeep/login?rd=$rd"
		clean4xx "gatekeep-login, GET with an rd of $n bytes"
		{ printf 'csrf=x&user=alice&password=x&rd=%s' "$rd"; } >"$TMP/long-body"
		nreq -H "Origin: $A1" --data-binary @"$TMP/long-body" "$A1/gatekeep/login"
		clean4xx "gatekeep-login, POST with an rd of $n bytes"
	done
	nreq "$A1/gatekeep/login?rd=/private/$(pad 2040)"
	is "$CODE" 400 "$S: gatekeep-login answers an over-long rd itself with 400"
	for n in 8193 32768 40000 70000 300000; do
		{ printf 'csrf=x&user=alice&password='; pad $n; } >"$TMP/long-body"
		nreq -H "Origin: $A1" --data-binary @"$TMP/long-body" "$A1/gatekeep/login"
		clean4xx "gatekeep-login, a $n-byte form body"
	done
	gk_alive authz
	ok $? "$S: gatekeep-authz is still running after the over-long inputs"
	gk_alive login
	ok $? "$S: gatekeep-login is still running after the over-long inputs"
}

gk_check_login_logs() {
	local S="$1"
	like "$(cat "$2")" 'uri=/private/' "$S: gatekeep-authz logged its decisions (uri=...)"
	# Step 8's traversals out of /gatekeep/ are asked about (logged as sent): they leave it.
	unlike "$(grep -v -e 'uri=/gatekeep/%2e%2e/' -e 'uri=/gatekeep/\.\./' -e 'uri=/gatekeep/login/\.\./\.\./' "$2")" \
	    'uri=/gatekeep' "$S: gatekeep-authz was never asked about /gatekeep/ (the login location is open)"
	gk_check_logs "$S" "$2" "$3"
	like "$(cat "$3")" 'allow user=alice method=form' "$S: gatekeep-login logged the form login"
	like "$(cat "$3")" 'refused redirect target' "$S: gatekeep-login logged the refused rd"
}

# gk_mint_session USER PASSWORD: a real session cookie from login.cgi run directly as a
# CGI program (no web server), for servers that cannot show the login page themselves.
# Prints the cookie's value ("" on failure).
gk_mint_session() {
	local cgi="$top_builddir/cgi-bin/login.cgi" out c tok body
	# its own state_dir: files this (root) run creates must not sit in the one a server's
	# unprivileged programs use
	mkdir -p "$TMP/mint-state"
	local envv=(env -i PATH=/usr/bin:/bin GATEKEEP_CONFIG="$GK/gatekeep.conf" GATEWAY_INTERFACE=CGI/1.1
		GATEKEEP_STATE_DIR="$TMP/mint-state"
		SERVER_PROTOCOL=HTTP/1.1 REQUEST_URI=/gatekeep/login SCRIPT_NAME=/gatekeep/login
		QUERY_STRING= REMOTE_ADDR=192.0.2.10 HTTP_HOST=app1.gk.test)
	[ -x "$cgi" ] || bail "login.cgi is not built: $cgi"
	out=$("${envv[@]}" REQUEST_METHOD=GET "$cgi" </dev/null 2>>"$LOG/mint.out" | tr -d '\r')
	c=$(printf '%s\n' "$out" | sed -n 's/^Set-Cookie: gatekeep_session_csrf=\([^;]*\);.*/\1/p')
	tok=$(printf '%s\n' "$out" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
	body="csrf=$tok&user=$(urlenc "$1")&password=$(urlenc "$2")"
	printf '%s' "$body" | "${envv[@]}" REQUEST_METHOD=POST CONTENT_LENGTH="${#body}" \
		CONTENT_TYPE=application/x-www-form-urlencoded HTTP_COOKIE="gatekeep_session_csrf=$c" \
		HTTP_ORIGIN=http://app1.gk.test "$cgi" 2>>"$LOG/mint.out" | tr -d '\r' |
		sed -n 's/^Set-Cookie: gatekeep_session=\([^;]*\);.*/\1/p'
}
