#!/bin/bash
# tests/tokens_lighttpd.sh: app tokens through a real lighttpd in FastCGI authorizer mode
# (contrib/lighttpd/gatekeep.conf, mod_fastcgi "mode" => "authorizer"; the app is app.cgi, so
# REMOTE_USER comes from gatekeep's Variable-REMOTE_USER): the token as the Basic password and
# as Bearer in several spellings; comma-merged, duplicated, another user's, revoked and
# out-of-scope tokens are refused with their log lines; a GET scope takes HEAD.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
token() { GATEKEEP_CONFIG=$GK/gatekeep.conf "$GK_PASSWD" --token-add alice --name "$@" \
	"$GK/users.db" 2>>"$LOG/passwd.out" || bail "gatekeep-passwd --token-add $*"; }
lastlog() { grep "$1" "$LOG/authz.out" | tail -1; }
gk_start_authz unix
gk_start_lighttpd socket
diag "app tokens through lighttpd on $BASE, gatekeep-authz on $GK_SOCK"
# the tokens are added while both run: the authorizer reads the database as it changes
ALL=$(token all)
GET=$(token get --scope 'path=/private/,method=GET')

req -u "alice:$ALL" "$BASE/private/"
is "$CODE" 200 "the token as alice's Basic password: 200"
is "$(appvar REMOTE_USER)" alice "... the app sees REMOTE_USER=alice"
like "$(lastlog 'allow user=alice')" 'method=token' "... logged as method=token"
req -H "Authorization: Bearer $ALL" "$BASE/private/"
is "$CODE" 200 "the token as Bearer: 200"
is "$(appvar REMOTE_USER)" alice "... REMOTE_USER=alice"
req -H "authorization: bearer  $ALL" "$BASE/private/"
is "$CODE" 200 "header and scheme in lower case, two spaces (RFC 6750/7235): 200"
req -H "Authorization: Bearer $ALL" -H 'Remote-User: bob' "$BASE/private/"
unlike "$(appvar REMOTE_USER)" bob "a client Remote-User header does not become the user ($CODE)"

A=--interface
req $A 127.0.0.2 -H "Authorization: Bearer $ALL, Bearer $ALL" "$BASE/private/"
is "$CODE" 401 "two Bearer tokens comma-merged: 401"
like "$(lastlog 'deny ')" 'reason=bad-token' "... reason=bad-token"
req $A 127.0.0.2 -H "Authorization: Bearer $ALL" -H "Authorization: Basic $(printf bob:bob-pw | base64)" \
    "$BASE/private/"
like "$CODE" '^40[013]$' "Bearer and Basic in two Authorization headers: refused ($CODE)"
unlike "$BODY" 'app-ok' "... the app did not run"
req $A 127.0.0.3 -u "bob:$ALL" "$BASE/private/"
is "$CODE" 401 "alice's token as bob's password: 401"
like "$(lastlog 'deny user=bob')" 'reason=bad-token' "... reason=bad-token"

req -u "alice:$GET" "$BASE/private/"
is "$CODE" 200 "the token scoped to GET below /private/: GET 200"
req -u "alice:$GET" -I "$BASE/private/"
is "$CODE" 200 "... HEAD 200 (GET includes HEAD)"
req -u "alice:$GET" -X POST -d x=1 "$BASE/private/"
is "$CODE" 403 "... POST: 403"
like "$(lastlog 'deny user=alice')" 'reason=token-scope' "... reason=token-scope"
req -u "alice:$GET" "$BASE/staff/"
is "$CODE" 403 "... another path: 403"
unlike "$BODY" 'app-ok' "... the app did not run"

GATEKEEP_CONFIG=$GK/gatekeep.conf "$GK_PASSWD" --revoke-sessions "$GK/users.db" alice \
	2>>"$LOG/passwd.out"
req -H "Authorization: Bearer $ALL" "$BASE/private/"
is "$CODE" 401 "after --revoke-sessions: 401"
like "$(lastlog 'deny user=alice')" 'reason=token-revoked' "... reason=token-revoked"
req -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "the password still works"

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs lighttpd-tokens "$LOG/authz.out"
done_testing
