#!/bin/bash
# tests/tokens_apache.sh: app tokens through a real Apache 2.4 with mod_authnz_fcgi (the
# REMOTE_USER/REMOTE_PASSWD pair path, contrib/apache/gatekeep-authnz.conf as shipped): the
# token as the Basic password and as Bearer reaches the app as REMOTE_USER; another user's,
# revoked and out-of-scope tokens are refused with their log lines.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
pw() { GATEKEEP_CONFIG=$GK/gatekeep.conf "$GK_PASSWD" "$@" 2>>"$LOG/passwd.out"; }
ALL=$(pw --token-add alice --name all "$GK/users.db") || bail "--token-add"
DAV=$(pw --token-add alice --name dav --scope 'path=/private/,method=GET' "$GK/users.db") ||
	bail "--token-add --scope"
gk_make_readable_by nobody nogroup
gk_start_authz tcp
gk_start_apache authnz
diag "apache on $BASE, gatekeep-authz on tcp:127.0.0.1:$GK_AUTHZ_PORT"
lastlog() { grep "$1" "$LOG/authz.out" | tail -1; }

req -u "alice:$ALL" "$BASE/private/"
is "$CODE" 200 "the token as alice's Basic password (Apache's pair): 200"
is "$(appvar REMOTE_USER)" alice "... REMOTE_USER=alice"
like "$(lastlog 'allow user=alice')" 'method=token' "... logged as method=token"
req -H "Authorization: Bearer $ALL" "$BASE/private/"
is "$CODE" 200 "the token as Bearer: 200"
is "$(appvar REMOTE_USER)" alice "... REMOTE_USER=alice"
req -u "bob:$ALL" "$BASE/private/"
is "$CODE" 401 "alice's token as bob's password: 401"
like "$(lastlog 'deny user=bob')" 'reason=bad-token' "... reason=bad-token"
req -u "alice:$DAV" "$BASE/private/"
is "$CODE" 200 "the scoped token in scope: 200"
req -u "alice:$DAV" -X POST -d x=1 "$BASE/private/"
like "$CODE" '^40[13]$' "... POST out of its scope: refused ($CODE)"
unlike "$BODY" 'app-ok' "... the app did not run"
like "$(lastlog 'deny user=alice')" 'reason=token-scope' "... reason=token-scope"
pw --revoke-sessions "$GK/users.db" alice
req -u "alice:$ALL" "$BASE/private/"
is "$CODE" 401 "after a generation bump: 401"
like "$(lastlog 'deny user=alice')" 'reason=token-revoked' "... reason=token-revoked"

# Apache's own Basic provider: the pair REMOTE_USER/REMOTE_PASSWD reaches gatekeep-authz.
NEW=$(pw --token-add alice --name new "$GK/users.db") || bail "--token-add new"
gk_stop apache
GK_SITE_SED='s|^\tAuthnzFcgiCheckAuthnProvider .*|\tAuthType Basic\n\tAuthName "gatekeep test"\n\tAuthBasicProvider gatekeep|'
gk_start_apache authnz
req -u "alice:$NEW" "$BASE/private/"
is "$CODE" 200 "AuthBasicProvider gatekeep: the token as the Basic password: 200"
is "$(appvar REMOTE_USER)" alice "... REMOTE_USER=alice"
like "$(lastlog 'allow user=alice')" 'method=token' "... checked as a token from the pair"
req -u "bob:$NEW" "$BASE/private/"
is "$CODE" 401 "... alice's token as bob's: 401"
like "$(lastlog 'deny user=bob')" 'method=apache .*reason=bad-token' "... method=apache reason=bad-token"

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs apache "$LOG/authz.out"
done_testing
