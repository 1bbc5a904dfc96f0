#!/bin/bash
# tests/login_cgi.sh: login.cgi run as a CGI program (crafted environment + stdin), then through
# a real CGI server (lighttpd mod_cgi on 127.0.0.1): form, CSRF, Origin, generic errors, session
# cookie, redirect checks, lockout, hash upgrade, whoami, logout.
. "${top_srcdir:-.}/tests/lib.sh"

CGI="$top_builddir/cgi-bin/login.cgi"
PY=/usr/bin/python3
[ -x "$CGI" ] || bail "login.cgi not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"

mkdir -p "$TMP/state"
cat > "$TMP/gk.conf" <<EOF
database = $TMP/users.db
secret_file = $TMP/secret
state_dir = $TMP/state
log_target = stderr
log_level = info
cookie_secure = false
redirect_domains = app.example.com, .gk.test
default_redirect = /home
max_failures = 3
lockout_address_failures = 3
find_time = 10m
ban_time = 15m
realm = Test <Realm> & Co
EOF
export GATEKEEP_CONFIG="$TMP/gk.conf"
"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
"$GK_PASSWD" -b --groups=admins,dev --email=alice@example.com --name="Alice Liddell" \
	"$TMP/users.db" alice 'correct horse' >/dev/null 2>&1 || bail "add alice"
"$GK_PASSWD" -b -2 "$TMP/users.db" bob 'bob password' >/dev/null 2>&1 || bail "add bob"
"$GK_PASSWD" -b "$TMP/users.db" carol 'carol password' >/dev/null 2>&1 || bail "add carol"
"$GK_PASSWD" --disable "$TMP/users.db" carol >/dev/null 2>&1 || bail "disable carol"
"$GK_PASSWD" -b "$TMP/users.db" dave 'dave password' >/dev/null 2>&1 || bail "add dave"

# cgi METHOD PATH_AND_QUERY [BODY] [VAR=value ...]: runs login.cgi, output in $TMP/out,
# headers in $TMP/hdr, body in $TMP/body, status in $status.
cgi() { gk_cgi "$CGI" "$TMP/log" "$@"; }
hdr() { grep -i "^$1:" "$TMP/hdr" | head -1 | sed 's/^[^:]*: //'; }
csrf_cookie() { grep -i '^Set-Cookie: gatekeep_session_csrf=' "$TMP/hdr" | sed 's/^[^=]*=\([^;]*\);.*/\1/'; }
csrf_field() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TMP/body"; }
session_cookie() { grep -i '^Set-Cookie: gatekeep_session=' "$TMP/hdr" | sed 's/^[^=]*=\([^;]*\);.*/\1/'; }
urlenc() { $PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# fresh_form: a GET that yields a CSRF cookie ($C) and its form token ($F).
fresh_form() {
	cgi GET /gatekeep/login ""
	C=$(csrf_cookie); F=$(csrf_field)
}
# login USER PASSWORD [RD] [ADDR] [extra env]: a complete POST with a valid CSRF pair.
login() {
	local u=$1 p=$2 rd=${3-} addr=${4:-192.0.2.10}
	shift 4 2>/dev/null || shift $#
	fresh_form
	cgi POST /gatekeep/login "csrf=$F&user=$(urlenc "$u")&password=$(urlenc "$p")&rd=$(urlenc "$rd")" \
		HTTP_COOKIE="gatekeep_session_csrf=$C" HTTP_ORIGIN=http://login.example REMOTE_ADDR="$addr" "$@"
}

# --- GET: the form and its headers ---
cgi GET '/gatekeep/login?rd=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E' ""
is "$status" 200 "GET login: 200"
like "$(hdr Content-Type)" '^text/html; charset=utf-8$' "HTML content type"
is "$(hdr Cache-Control)" "no-store" "Cache-Control: no-store"
is "$(hdr X-Frame-Options)" "DENY" "X-Frame-Options: DENY"
is "$(hdr Referrer-Policy)" "same-origin" "Referrer-Policy"
like "$(hdr Content-Security-Policy)" "^default-src 'none'; style-src 'unsafe-inline'; form-action 'self'.*; frame-ancestors 'none'" "CSP"
like "$(grep -i '^Set-Cookie: gatekeep_session_csrf=' "$TMP/hdr")" 'Path=/gatekeep; Max-Age=3600; HttpOnly; SameSite=Strict$' "CSRF cookie: HttpOnly, SameSite=Strict, login path"
unlike "$(cat "$TMP/hdr")" 'Set-Cookie: gatekeep_session=' "no session cookie on GET"
like "$(cat "$TMP/body")" '<html lang="en">' "lang attribute"
like "$(cat "$TMP/body")" '<label for="gk-user">' "labelled user field"
like "$(cat "$TMP/body")" 'autocomplete="current-password"' "password autocomplete"
like "$(cat "$TMP/body")" 'Test &lt;Realm&gt; &amp; Co' "realm HTML-escaped"
like "$(cat "$TMP/body")" 'name="rd" value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;"' "rd HTML-escaped"
unlike "$(cat "$TMP/body")" '<script' "no script element anywhere"
like "$(cat "$TMP/body")" 'action="/gatekeep/login"' "form posts back to itself"
C=$(csrf_cookie); F=$(csrf_field)
like "$C" '^[A-Za-z0-9_-]{43}$' "CSRF nonce is 32 random bytes"
like "$F" '^[A-Za-z0-9_-]{43}$' "form carries a MAC"
[ "$C" != "$F" ]; ok $? "form token is not the cookie itself"
cgi GET /gatekeep/login "" HTTP_COOKIE="gatekeep_session_csrf=$C"
is "$(csrf_field)" "$F" "an existing nonce is reused (several tabs work)"
unlike "$(cat "$TMP/hdr")" 'Set-Cookie' "no new cookie when the nonce is good"

# --- CSRF and Origin ---
cgi POST /gatekeep/login "csrf=$F&user=alice&password=correct+horse&rd=/x"
is "$status" 403 "POST without the CSRF cookie: 403"
like "$(cat "$TMP/body")" 'role="alert"' "error announced with role=alert"
like "$(cat "$TMP/body")" 'has expired' "CSRF failure: 'expired' message"
unlike "$(cat "$TMP/hdr")" 'Set-Cookie: gatekeep_session=' "no session after a CSRF failure"
cgi POST /gatekeep/login "csrf=$(tamper "$F")&user=alice&password=correct+horse" HTTP_COOKIE="gatekeep_session_csrf=$C"
is "$status" 403 "POST with a wrong CSRF token: 403"
cgi POST /gatekeep/login "csrf=$C&user=alice&password=correct+horse" HTTP_COOKIE="gatekeep_session_csrf=$C"
is "$status" 403 "the raw nonce is not a valid token (double-submit copy refused)"
cgi POST /gatekeep/login "user=alice&password=correct+horse" HTTP_COOKIE="gatekeep_session_csrf=$C"
is "$status" 400 "POST without the csrf field: 400"
cgi POST /gatekeep/login "csrf=$F&user=alice&password=correct+horse" HTTP_COOKIE="gatekeep_session_csrf=$C; gatekeep_session_csrf=$C"
is "$status" 403 "duplicated CSRF cookie (cookie tossing): 403"
cgi POST /gatekeep/login "csrf=$F&user=alice&password=correct+horse" HTTP_COOKIE="gatekeep_session_csrf=$C" HTTP_ORIGIN=https://evil.example
is "$status" 403 "foreign Origin: 403"
cgi POST /gatekeep/login "csrf=$F&user=alice&password=correct+horse" HTTP_COOKIE="gatekeep_session_csrf=$C" HTTP_ORIGIN=null
is "$status" 403 "Origin: null: 403"
cgi POST /gatekeep/login "csrf=$F&user=alice&password=correct+horse" HTTP_COOKIE="gatekeep_session_csrf=$C" HTTP_REFERER=https://evil.example/page
is "$status" 403 "foreign Referer: 403"
cgi POST /gatekeep/login "csrf=$F&user=alice&password=correct+horse" HTTP_COOKIE="gatekeep_session_csrf=$C" HTTP_SEC_FETCH_SITE=cross-site
is "$status" 403 "Sec-Fetch-Site: cross-site: 403"
cgi POST /gatekeep/login "csrf=$F&user=alice&password=correct+horse" HTTP_COOKIE="gatekeep_session_csrf=$C" CONTENT_TYPE=text/plain
is "$status" 415 "wrong content type: 415"
big=$(head -c 9000 /dev/zero | tr '\0' a)
cgi POST /gatekeep/login "user=$big" HTTP_COOKIE="gatekeep_session_csrf=$C"
is "$status" 413 "over-long body: 413"
# A CONTENT_LENGTH that is not a plain number of at most 9 digits is never read as one:
# the body is not read at all, so even a right password with a good CSRF pair fails.
for cl in abc -1 +40 1e3 ' 40' 9999999999 ''; do
	fresh_form
	before=$(wc -l < "$TMP/log")
	cgi POST /gatekeep/login "csrf=$F&user=alice&password=correct+horse" \
		HTTP_COOKIE="gatekeep_session_csrf=$C" HTTP_ORIGIN=http://login.example CONTENT_LENGTH="$cl"
	unlike "$status $(cat "$TMP/hdr")" '^30[0-9]|Set-Cookie: gatekeep_session=' \
		"CONTENT_LENGTH '$cl': no sign-in (status $status)"
	like "$(tail -n +"$((before + 1))" "$TMP/log")" 'deny .*method=form' "... and a deny line"
done

# --- wrong password, unknown user: one generic answer ---
login alice 'wrong horse' /x 198.51.100.1
is "$status" 401 "wrong password: 401"
like "$(cat "$TMP/body")" '<p class="error" role="alert" id="gk-error">Incorrect user name or password.</p>' "generic error"
unlike "$(cat "$TMP/hdr")" 'Set-Cookie: gatekeep_session=' "no session on failure"
like "$(cat "$TMP/body")" 'name="user" value="alice"' "user name kept in the form"
wrong=$(sed 's/value="[^"]*"//g' "$TMP/body")
login nosuchuser 'wrong horse' /x 198.51.100.2
is "$status" 401 "unknown user: 401"
is "$(sed 's/value="[^"]*"//g' "$TMP/body")" "$wrong" "unknown user: same page as a wrong password"
login carol 'carol password' /x 198.51.100.3
is "$status" 401 "disabled user with the right password: 401"
is "$(sed 's/value="[^"]*"//g' "$TMP/body")" "$wrong" "disabled user: same page"
login $'ali\nce' 'x' /x 198.51.100.4
is "$status" 401 "user name with a newline: generic 401"

# --- success: cookie, token, redirect ---
login alice 'correct horse' https://app.example.com/x 198.51.100.5
is "$status" 303 "right password: 303"
is "$(hdr Location)" "https://app.example.com/x" "redirected to rd"
setc=$(grep -i '^Set-Cookie: gatekeep_session=' "$TMP/hdr")
like "$setc" '; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax$' "session cookie attributes (cookie_secure=false: no Secure)"
like "$(grep -i '^Set-Cookie: gatekeep_session_csrf=' "$TMP/hdr")" 'Max-Age=0' "CSRF cookie cleared after login"
TOKEN=$(session_cookie)
claims=$($PY - "$TMP/secret" "$TOKEN" <<'PY'
import sys, jwt
key = open(sys.argv[1], "rb").read().rstrip(b"\n")
c = jwt.decode(sys.argv[2], key, algorithms=["HS256"], issuer="gatekeep")
print(c["sub"], c["grp"], c["email"], c["iss"], c["exp"] - c["iat"], c["gen"])
PY
)
is "$claims" "alice admins,dev alice@example.com gatekeep 43200 1" "token verifies with PyJWT; claims"

# --- whoami ---
cgi GET /gatekeep/whoami "" HTTP_COOKIE="gatekeep_session=$TOKEN"
is "$status" 200 "whoami with the cookie: 200"
is "$(hdr Content-Type)" "application/json" "whoami: JSON"
is "$(cat "$TMP/body")" '{"user":"alice","groups":["admins","dev"],"email":"alice@example.com","name":"Alice Liddell"}' "whoami body"
cgi GET /gatekeep/whoami ""
is "$status" 401 "whoami without a cookie: 401"
is "$(cat "$TMP/body")" '{"error":"unauthenticated"}' "whoami 401 body"
cgi GET /gatekeep/whoami "" HTTP_COOKIE="gatekeep_session=$(tamper "$TOKEN")"
is "$status" 401 "whoami with a tampered token: 401"
cgi GET /gatekeep/whoami "" HTTP_COOKIE="gatekeep_session=$TOKEN; gatekeep_session=$TOKEN"
is "$status" 401 "whoami with a duplicated session cookie: 401"
cgi POST /gatekeep/whoami "" HTTP_COOKIE="gatekeep_session=$TOKEN"
is "$status" 405 "whoami POST: 405"

# --- hostile rd: every one lands on default_redirect ---
for rd in '//evil.example' 'https://evil.example' '/\evil.example' 'https:evil.example' \
	'javascript:alert(1)' '/%0d%0aSet-Cookie:%20x=1' 'https://app.example.com@evil.example/' \
	'https://good@evil.example' '/%2fevil.example' 'http://app.example.com.evil.example/' \
	$'/ok\r\nSet-Cookie: x=1'; do
	login alice 'correct horse' "$rd" 198.51.100.6
	is "$status $(hdr Location)" "303 /home" "hostile rd '$(printf '%q' "$rd")' -> default_redirect"
done
login alice 'correct horse' /app/page?x=1 198.51.100.6
is "$(hdr Location)" "/app/page?x=1" "relative rd kept"
login alice 'correct horse' http://app2.gk.test:8080/p 198.51.100.6
is "$(hdr Location)" "http://app2.gk.test:8080/p" ".suffix redirect_domains entry"
login alice 'correct horse' "" 198.51.100.6
is "$(hdr Location)" "/home" "no rd: default_redirect"
grep -q 'refused redirect target' "$TMP/log"; ok $? "refused rd is logged"

# --- lockout ---
for i in 1 2 3; do login dave 'nope' /x 203.0.113.50; done
is "$status" 401 "third failure for dave: 401"
login dave 'dave password' /x 203.0.113.50
is "$status" 401 "dave banned at that address: the right password is refused"
is "$(sed 's/value="[^"]*"//g' "$TMP/body")" "$wrong" "banned: same generic page"
grep -q 'deny user=dave method=form from=203.0.113.50 reason=banned' "$TMP/log"; ok $? "ban logged with a stable line"
login dave 'dave password' /x 203.0.113.51
is "$status" 303 "dave from another address signs in: no victim lockout"
for i in 1 2 3; do login "nobody$i" 'nope' /x 203.0.113.99; done
login alice 'correct horse' /x 203.0.113.99
is "$status" 401 "address banned after 3 failures across users: even alice is refused from it"
login alice 'correct horse' /x 203.0.113.98
is "$status" 303 "alice from another address still gets in"

# --- legacy hash upgrade ---
before=$("$GK_PASSWD" --export "$TMP/users.db" 2>/dev/null | grep '^bob:' | cut -d: -f2 | cut -c1-3)
is "$before" '$5$' "bob starts with a sha256crypt hash"
login bob 'bob password' /x 198.51.100.7
is "$status" 303 "bob logs in with a legacy hash"
after=$("$GK_PASSWD" --export "$TMP/users.db" 2>/dev/null | grep '^bob:' | cut -d: -f2 | cut -c1-3)
is "$after" '$y$' "bob's hash upgraded to yescrypt"
"$GK_PASSWD" -v -b "$TMP/users.db" bob 'bob password' >/dev/null 2>&1; ok $? "upgraded hash verifies"

# --- logout ---
login alice 'correct horse' /x 198.51.100.8
T1=$(session_cookie)
cgi GET /gatekeep/logout "" HTTP_COOKIE="gatekeep_session=$T1"
is "$status" 200 "GET logout: a confirmation page"
unlike "$(cat "$TMP/hdr")" 'Set-Cookie: gatekeep_session=' "GET logout does not sign out"
like "$(cat "$TMP/body")" 'Signed in as <strong>alice</strong>' "logout page names the user"
LC=$(csrf_cookie); LF=$(csrf_field)
[ -n "$LC" ] || LC=$C
cgi POST /gatekeep/logout "csrf=nope" HTTP_COOKIE="gatekeep_session=$T1; gatekeep_session_csrf=$LC"
is "$status" 403 "logout POST with a bad CSRF token: 403"
cgi GET /gatekeep/whoami "" HTTP_COOKIE="gatekeep_session=$T1"
is "$status" 200 "session still valid after the refused logout"
cgi POST /gatekeep/logout "csrf=$LF&rd=%2Fbye" HTTP_COOKIE="gatekeep_session=$T1; gatekeep_session_csrf=$LC" HTTP_ORIGIN=http://login.example
is "$status $(hdr Location)" "303 /bye" "logout POST: 303 to rd"
like "$(grep -i '^Set-Cookie: gatekeep_session=' "$TMP/hdr")" '^Set-Cookie: gatekeep_session=; Path=/; Max-Age=0' "session cookie cleared"
login alice 'correct horse' /x 198.51.100.8
T2=$(session_cookie)
cgi GET /gatekeep/logout "" HTTP_COOKIE="gatekeep_session=$T2"
LC=$(csrf_cookie); LF=$(csrf_field)
cgi POST /gatekeep/logout "csrf=$LF&everywhere=1" HTTP_COOKIE="gatekeep_session=$T2; gatekeep_session_csrf=$LC"
is "$status" 200 "logout everywhere: signed-out page"
like "$(cat "$TMP/body")" 'You have been signed out' "signed-out message"
cgi GET /gatekeep/whoami "" HTTP_COOKIE="gatekeep_session=$T2"
is "$status" 401 "logout everywhere revoked this token"
cgi GET /gatekeep/whoami "" HTTP_COOKIE="gatekeep_session=$TOKEN"
is "$status" 401 "... and the earlier one"

# --- start-up refusals ---
printf 'cookie_domain = com\n' >> "$TMP/gk.conf"
cgi GET /gatekeep/login ""
is "$status" 500 "public-suffix cookie_domain refused at start-up"
sed -i '$d' "$TMP/gk.conf"
printf 'cookie_domain = 127.0.0.1\n' >> "$TMP/gk.conf"
cgi GET /gatekeep/login ""
is "$status" 500 "IP cookie_domain refused at start-up"
sed -i '$d' "$TMP/gk.conf"
printf '<p>{{csrf}} {{nope}}</p>' > "$TMP/bad.html"
printf 'login_template = %s\n' "$TMP/bad.html" >> "$TMP/gk.conf"
cgi GET /gatekeep/login ""
is "$status" 500 "template with an unknown placeholder refused"
sed -i '$d' "$TMP/gk.conf"
sed -e 's/<h1>{{title}}<\/h1>/<h1 class="custom">{{title}} at ACME<\/h1>/' \
	"$top_srcdir/contrib/login/login.html" > "$TMP/custom.html"
printf 'login_template = %s\n' "$TMP/custom.html" >> "$TMP/gk.conf"
cgi GET /gatekeep/login ""
like "$(cat "$TMP/body")" '<h1 class="custom">Sign in at ACME</h1>' "admin template used"
sed -i '$d' "$TMP/gk.conf"
"$top_builddir/fcgi/gatekeep-login" --print-template | cmp -s - "$top_srcdir/contrib/login/login.html"
ok $? "built-in template == contrib/login/login.html"

# --- the same flow through a real CGI server: lighttpd mod_cgi ---
LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)
[ -x "$LIGHTTPD" ] || bail "lighttpd not installed (scripts/install-deps test)"
port=$(free_port)
mkdir -p "$TMP/www/cgi-bin"
cp "$CGI" "$TMP/www/cgi-bin/login.cgi"
cat > "$TMP/lighttpd.conf" <<EOF
server.modules = ( "mod_cgi", "mod_setenv" )
server.document-root = "$TMP/www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$TMP/lighttpd.err"
server.pid-file = "$TMP/lighttpd.pid"
cgi.assign = ( ".cgi" => "" )
setenv.add-environment = ( "GATEKEEP_CONFIG" => "$GATEKEEP_CONFIG" )
EOF
"$LIGHTTPD" -D -f "$TMP/lighttpd.conf" > "$TMP/lighttpd.out" 2>&1 &
lpid=$!
at_exit "kill $lpid"
wait_port "$port" || bail "lighttpd did not start: $(cat "$TMP/lighttpd.out" "$TMP/lighttpd.err" 2>/dev/null)"
base="http://127.0.0.1:$port/cgi-bin/login.cgi"
curl -s -D "$TMP/h1" -c "$TMP/jar" -o "$TMP/b1" "$base?rd=%2Fafter"
like "$(head -1 "$TMP/h1")" ' 200' "lighttpd: GET form"
like "$(grep -i '^Set-Cookie: gatekeep_session_csrf' "$TMP/h1")" 'Path=/cgi-bin/login.cgi;' "lighttpd: CSRF cookie path is the script"
F=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TMP/b1")
curl -s -D "$TMP/h2" -b "$TMP/jar" -c "$TMP/jar" -o /dev/null -H "Origin: http://127.0.0.1:$port" \
	--data-urlencode "csrf=$F" --data-urlencode user=alice --data-urlencode 'password=wrong' \
	--data-urlencode rd=/after "$base"
like "$(head -1 "$TMP/h2")" ' 401' "lighttpd: wrong password 401"
curl -s -D "$TMP/h3" -b "$TMP/jar" -c "$TMP/jar" -o /dev/null -H "Origin: http://127.0.0.1:$port" \
	--data-urlencode "csrf=$F" --data-urlencode user=alice --data-urlencode 'password=correct horse' \
	--data-urlencode rd=/after "$base"
like "$(head -1 "$TMP/h3")" ' 303' "lighttpd: right password 303"
like "$(tr -d '\r' < "$TMP/h3" | grep -i '^Location:')" '^Location: /after$' "lighttpd: redirect to rd"
curl -s -D "$TMP/h4" -b "$TMP/jar" -o "$TMP/b4" "$base/whoami"
like "$(head -1 "$TMP/h4")" ' 200' "lighttpd: whoami (PATH_INFO route) 200"
like "$(cat "$TMP/b4")" '"user":"alice"' "lighttpd: whoami names alice"
curl -s -c "$TMP/jar" -b "$TMP/jar" -o "$TMP/b1" "$base"
F=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TMP/b1")
curl -s -D "$TMP/h5" -b "$TMP/jar" -c "$TMP/jar" -o /dev/null -H "Origin: http://127.0.0.1:$port" \
	--data-urlencode "csrf=$F" --data-urlencode user=alice --data-urlencode 'password=correct horse' \
	--data-urlencode 'rd=//evil.example/' "$base"
like "$(tr -d '\r' < "$TMP/h5" | grep -i '^Location:')" '^Location: /home$' "lighttpd: hostile rd -> default_redirect"

done_testing
