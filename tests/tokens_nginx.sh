#!/bin/bash
# tests/tokens_nginx.sh: app tokens through a real nginx (auth_request) with curl: as the Basic
# password and as Bearer (Remote-User reaches the app), wrong / another user's / comma-merged /
# duplicated / expired / revoked (by name and by a generation bump) -> 401, out of scope (path,
# method, method override) -> 403, each with its log line; wrong tokens count into the lockout;
# the login form (login.cgi) refuses a token; last use is recorded.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
sed -i -e 's/^max_failures = 100$/max_failures = 3/' "$GK/gatekeep.conf"
grep -q '^max_failures = 3$' "$GK/gatekeep.conf" || bail "cannot set max_failures"
pw() { GATEKEEP_CONFIG=$GK/gatekeep.conf "$GK_PASSWD" "$@" 2>>"$LOG/passwd.out"; }
ALL=$(pw --token-add alice --name all "$GK/users.db") || bail "--token-add"
DAV=$(pw --token-add alice --name dav --scope 'path=/private/,method=GET+PROPFIND' "$GK/users.db") ||
	bail "--token-add --scope"
OLD=$(pw --token-add alice --name old "$GK/users.db") || bail "--token-add old"
like "$ALL" '^gk1\.YWxpY2U\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$' "--token-add prints the token once: $ALL"
like "$(pw --token-list alice "$GK/users.db" | grep '^dav')" \
    'scope=path=/private/,method=GET\+PROPFIND	state=active$' "--token-list shows the scope"
pw --token-revoke alice old "$GK/users.db"
ok $? "--token-revoke by name"
gk_make_readable_by nobody nogroup
gk_start_backend
gk_start_authz unix
gk_start_nginx
diag "nginx on $BASE, gatekeep-authz on $GK_SOCK"
lastlog() { grep "$1" "$LOG/authz.out" | tail -1; }

# --- accepted -------------------------------------------------------------------------------
req -u "alice:$ALL" "$BASE/private/"
is "$CODE" 200 "the token as alice's Basic password: 200"
is "$(appvar HTTP_REMOTE_USER)" alice "... the app sees Remote-User alice"
like "$(lastlog 'allow user=alice')" 'method=token' "... logged as method=token"
req -H "Authorization: Bearer $ALL" "$BASE/private/"
is "$CODE" 200 "the token as Bearer: 200"
is "$(appvar HTTP_REMOTE_USER)" alice "... as alice"
req -H "authorization: bearer  $ALL" "$BASE/private/"
is "$CODE" 200 "another spelling of header and scheme, two spaces: 200"
req -H "Authorization: Bearer some-app-token" -u "alice:$ALL" "$BASE/private/"
is "$CODE" 401 "-u after -H: curl sends one header, Basic wins (sanity)"
req -H "Authorization: Bearer opaque.app.token" "$BASE/private/"
is "$CODE" 401 "a Bearer token that is not ours: no credentials (401)"
like "$(lastlog 'deny ')" 'reason=no-credentials' "... logged as no-credentials, not judged"

# --- refused: 401 ---------------------------------------------------------------------------
A=--interface; X=127.0.0.2
req $A $X -H "Authorization: Bearer $ALL, Bearer $ALL" "$BASE/private/"
is "$CODE" 401 "two Bearer tokens comma-merged: 401"
like "$(lastlog 'deny ')" 'method=token from=127\.0\.0\.2 reason=bad-token' "... reason=bad-token"
req $A $X -H "Authorization: Bearer $ALL" -H "Authorization: Bearer $ALL" "$BASE/private/"
is "$CODE" 400 "the Authorization header twice: nginx itself refuses it (400)"
unlike "$BODY" 'app-ok' "... the app did not run"
# The same seam behind a front end that would pass both: straight to gatekeep-authz.
fcgi() { "$PY" "$top_srcdir/tests/fcgi_client.py" "$GK_SOCK" --role responder REQUEST_METHOD=GET \
	HTTP_HOST=127.0.0.1 REMOTE_ADDR=127.0.0.2 REQUEST_URI=/private/ "$@" | tr -d '\r' | head -1; }
is "$(fcgi "HTTP_AUTHORIZATION=Bearer $ALL" "HTTP_AUTHORIZATION=Bearer $ALL")" 'Status: 401' \
    "two Bearer headers straight to gatekeep-authz: 401"
like "$(lastlog 'deny ')" 'reason=duplicate-authorization' "... reason=duplicate-authorization"
is "$(fcgi "HTTP_AUTHORIZATION=Bearer $ALL")" 'Status: 200' "... one is fine (control)"
req $A 127.0.0.4 -u "bob:$ALL" "$BASE/private/"
is "$CODE" 401 "alice's token as bob's password: 401"
like "$(lastlog 'deny user=bob')" 'reason=bad-token' "... reason=bad-token"
SHORT=$(pw --token-add alice --name short --expires 3s "$GK/users.db") || bail "--token-add --expires"
req -u "alice:$SHORT" "$BASE/private/"
is "$CODE" 200 "a token expiring in 3 s: 200 now"
sleep 3.2
req -u "alice:$SHORT" "$BASE/private/"
is "$CODE" 401 "... and 401 once it expired"
like "$(lastlog 'deny user=alice')" 'reason=token-expired' "... reason=token-expired"
req -u "alice:$OLD" "$BASE/private/"
is "$CODE" 401 "a token revoked by name: 401"
like "$(lastlog 'deny user=alice')" 'reason=bad-token' "... reason=bad-token"

# --- out of scope: 403 ----------------------------------------------------------------------
req -u "alice:$DAV" "$BASE/private/"
is "$CODE" 200 "the scoped token inside its scope: 200"
req -u "alice:$DAV" "$BASE/staff/"
is "$CODE" 403 "... on another path: 403"
like "$(lastlog 'deny user=alice')" 'reason=token-scope' "... reason=token-scope"
like "$(grep 'outside its scope' "$LOG/authz.out" | tail -1)" 'app token dav of user alice' \
    "... and a notice names the token"
req -u "alice:$DAV" "$BASE/Private/"
is "$CODE" 403 "... in another case: 403"
req -u "alice:$DAV" "$BASE/private/../staff/"
is "$CODE" 403 "... through a dot segment: 403"
req -u "alice:$DAV" -X DELETE "$BASE/private/"
is "$CODE" 403 "... with a method out of scope: 403"
req -u "alice:$DAV" "$BASE/private/?_method=DELETE"
is "$CODE" 403 "... with a _method override out of scope: 403"
req -u "alice:$DAV" -H 'X-HTTP-Method-Override: PUT' "$BASE/private/"
is "$CODE" 403 "... with X-HTTP-Method-Override: 403"
req -u "alice:$ALL" "$BASE/admin/"
is "$CODE" 403 "an unscoped token has no more than its user: /admin/ 403"

# --- the generation bump revokes ------------------------------------------------------------
pw --revoke-sessions "$GK/users.db" alice
req -u "alice:$ALL" "$BASE/private/"
is "$CODE" 401 "after --revoke-sessions the token is refused: 401"
like "$(lastlog 'deny user=alice')" 'reason=token-revoked' "... reason=token-revoked"
like "$(pw --token-list alice "$GK/users.db" | grep '^all')" 'state=revoked$' "--token-list says revoked"
req -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "the password still works"

# --- lockout: wrong tokens count like wrong passwords ----------------------------------------
NEW=$(pw --token-add alice --name new "$GK/users.db")
WRONG=${NEW%?????}AAAAA
[ "$WRONG" != "$NEW" ] || WRONG=${NEW%?????}BBBBB
L=127.0.0.3
for i in 1 2 3; do
	req $A $L -u "alice:$WRONG" "$BASE/private/"
	is "$CODE" 401 "wrong token $i from $L: 401"
done
like "$(pw --lockout-status alice --lockout-status-address $L | tail -1)" \
    "^user alice from 127\\.0\\.0\\.3: 3 failures, banned until " "three wrong tokens ban the pair"
req $A $L -u "alice:$NEW" "$BASE/private/"
is "$CODE" 401 "then even the right token is refused there"
like "$(lastlog 'deny user=alice')" 'from=127\.0\.0\.3 reason=banned' "... reason=banned"
req -H "Authorization: Bearer $NEW" "$BASE/private/"
is "$CODE" 200 "the right token from another address: 200"
like "$(pw --token-list alice "$GK/users.db" | grep '^new')" 'last-used=20[0-9-]+T' \
    "the last use is recorded (in state_dir, not the database)"

# --- the login form never takes a token ----------------------------------------------------
CGI="$top_builddir/cgi-bin/login.cgi"
if [ -x "$CGI" ]; then
	gk_own_copy CGI
	AS=(); [ "$(id -u)" = 0 ] && AS=(runuser -u nobody --)   # the state table is nobody's
	form() { # form USER PASSWORD: a complete POST with a valid CSRF pair; sets $status, $TMP/hdr
		local o="$TMP/cgi.out" c f body
		"${AS[@]}" env -i PATH=/usr/bin:/bin GATEKEEP_CONFIG="$GK/gatekeep.conf" GATEWAY_INTERFACE=CGI/1.1 \
			REQUEST_METHOD=GET REQUEST_URI=/gatekeep/login SCRIPT_NAME=/gatekeep/login \
			REMOTE_ADDR=192.0.2.77 HTTP_HOST=login.example "$CGI" >"$o" 2>>"$LOG/cgi.err"
		c=$(tr -d '\r' <"$o" | sed -n 's/^Set-Cookie: \([^=]*_csrf=[^;]*\);.*/\1/p')  # __Host- over https
		f=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$o")
		body="csrf=$f&user=$1&password=$(printf %s "$2" | "$PY" -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.stdin.read(),safe=""))')"
		printf '%s' "$body" | "${AS[@]}" env -i PATH=/usr/bin:/bin GATEKEEP_CONFIG="$GK/gatekeep.conf" \
			GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST REQUEST_URI=/gatekeep/login \
			SCRIPT_NAME=/gatekeep/login REMOTE_ADDR=192.0.2.77 HTTP_HOST=login.example \
			HTTP_ORIGIN=http://login.example HTTP_COOKIE="$c" \
			CONTENT_LENGTH="${#body}" CONTENT_TYPE=application/x-www-form-urlencoded \
			"$CGI" >"$o" 2>>"$LOG/cgi.err"
		tr -d '\r' <"$o" | sed '/^$/q' >"$TMP/hdr"
		status=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$TMP/hdr")
	}
	form alice "$NEW"
	unlike "$(cat "$TMP/hdr")" 'Set-Cookie: gatekeep_session=' "the login form refuses a token: no session (status $status)"
	like "$(grep 'user=alice' "$LOG/cgi.err" | tail -1)" 'bad-password' "... logged as a bad password"
	form alice alice-pw
	like "$(cat "$TMP/hdr")" 'Set-Cookie: gatekeep_session=' "... while the password signs in (the form works)"
else
	bail "login.cgi is not built: $CGI"
fi

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs nginx "$LOG/authz.out"
done_testing
