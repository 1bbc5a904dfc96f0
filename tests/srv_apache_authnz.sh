#!/bin/bash
# tests/srv_apache_authnz.sh: gatekeep-authz behind a real Apache 2.4 with mod_authnz_fcgi
# (AuthnzFcgiCheckAuthnProvider ... UserExpr, FastCGI over TCP), contrib/apache/
# gatekeep-authnz.conf as shipped; the app is app.cgi run by mod_cgid, so REMOTE_USER
# is Apache's authenticated user.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/servers/appcookie.sh"

gk_world
"$GK_PASSWD" --name 'Alice Liddell' "$GK/users.db" alice >>"$LOG/passwd.out" 2>&1 || bail "set alice's name"
gk_start_authz tcp
gk_start_apache authnz
diag "apache on $BASE, gatekeep-authz on tcp:127.0.0.1:$GK_AUTHZ_PORT"

IDVAR=REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
gk_check_auth apache-authnz

# Apache specifics
req -u alice:alice-pw -H 'Remote-User: bob' "$BASE/private/"
is "$(appvar HTTP_REMOTE_USER)" "" "apache-authnz: RequestHeader unset keeps a client Remote-User from the app"
req -u alice:alice-pw -H 'Remote-Name: Administrator' -H 'Remote-Email: boss@example.com' "$BASE/private/"
is "$(appvar HTTP_REMOTE_NAME)/$(appvar HTTP_REMOTE_EMAIL)" / "apache-authnz: ... and a client Remote-Name or Remote-Email"
is "$(appvar REMOTE_NAME)" "Alice Liddell" "apache-authnz: the display name is gatekeep's Variable-REMOTE_NAME"
req "$BASE/public/"
is "$(appvar REMOTE_USER)" anonymous "apache-authnz: a bypass path reaches the app as the DefaultUser (anonymous)"
req -u bob:bob-pw "$BASE/staff/"
is "$CODE" 200 "apache-authnz: admins pass group:staff"
req -X POST -d 'x=1' -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "apache-authnz: POST with a body is authorized"
is "$(appvar BODY_LENGTH)" 3 "apache-authnz: ... and the app got the request body"
like "$(grep -c ' alice "GET /private/' "$LOG/apache-access.log")" '^[1-9]' "apache-authnz: the access log's %u is alice"

# Apache joins a client's Cookie lines with ", ": gatekeep's among them takes them all away
gk_check_app_cookie apache-authnz ""
gk_check_app_cookie_nologin apache-authnz
gk_check_path_readings apache-authnz
# Apache's own parse of the Basic pair (REMOTE_USER/REMOTE_PASSWD: cut at a NUL, bytes after
# the base64 ignored, the first of two merged headers) must be exactly gatekeep's strict
# parse of the Authorization header (CGIPassAuth On); without the header, gatekeep's
# limits still apply to the pair. MODE: provider (AuthBasicProvider gatekeep) or
# requirebasic (AuthnzFcgiCheckAuthnProvider ... RequireBasicAuth On).
b64() { printf "$1" | base64 -w0; }
gk_apache_pair_checks() {  # MODE LABEL [SED]
	local S="apache-authnz $2"
	gk_stop apache
	case "$1" in
	provider) GK_SITE_SED='s|^\tAuthnzFcgiCheckAuthnProvider .*|\tAuthType Basic\n\tAuthName "gatekeep test"\n\tAuthBasicProvider gatekeep|' ;;
	requirebasic) GK_SITE_SED='s|^\tAuthnzFcgiCheckAuthnProvider \(.*\)RequireBasicAuth Off|\tAuthType Basic\n\tAuthName "gatekeep test"\n\tAuthnzFcgiCheckAuthnProvider \1RequireBasicAuth On|' ;;
	esac
	GK_SITE_SED="$GK_SITE_SED${3:+;$3}"
	gk_start_apache authnz
	GK_SITE_SED=''
	grep -q 'RequireBasicAuth Off' "$RUN/apache/site.conf" && [ "$1" != provider ] && bail "$S: the site was not rewritten"
	req -u alice:alice-pw "$BASE/private/"
	is "$CODE" 200 "$S: good Basic credentials -> 200"
	is "$(appvar REMOTE_USER)" alice "$S: ... REMOTE_USER=alice"
	req -u "alice:$BADPW" "$BASE/private/"
	is "$CODE" 401 "$S: bad password -> 401"
	req -H "Authorization: Basic $(b64 "alice:$(printf '%0513d' 0)")" "$BASE/private/"
	is "$CODE" 401 "$S: a 513-byte password -> 401"
	req -H "Authorization: Basic $(b64 'alice:alice-pw\ta')" "$BASE/private/"
	is "$CODE" 401 "$S: a TAB in the password -> 401"
	if [ "${4:-}" = nopassauth ]; then return; fi
	req -H "Authorization: Basic $(b64 'alice:alice-pw\0junk')" "$BASE/private/"
	is "$CODE" 401 "$S: 'alice:<right password>\\0junk' (Apache cuts at the NUL) -> 401"
	unlike "$BODY" 'app-ok' "$S: ... the app did not run"
	req -H "Authorization: Basic $(b64 'alice:alice-pw' | tr -d =)=AAAA" "$BASE/private/"
	is "$CODE" 401 "$S: trailing bytes after valid base64 -> 401"
	req -H "Authorization: Basic $(b64 'alice:alice-pw')" -H "Authorization: Basic $(b64 'mallory:x')" "$BASE/private/"
	is "$CODE" 401 "$S: two Authorization headers (comma-merged by Apache) -> 401"
	unlike "$BODY" 'app-ok' "$S: ... the app did not run"
	like "$(cat "$LOG/authz.out")" 'authorization-mismatch' "$S: gatekeep logs the mismatch"
}
gk_apache_pair_checks provider "(AuthBasicProvider)"
gk_apache_pair_checks requirebasic "(RequireBasicAuth On)"
# Without CGIPassAuth gatekeep sees only Apache's pair: it keeps working, within its limits
gk_apache_pair_checks provider "(AuthBasicProvider, no CGIPassAuth)" '/CGIPassAuth On/d' nopassauth
gk_stop apache
gk_start_apache authnz

gk_check_proxy apache-authnz tcp
gk_check_bypass_host apache-authnz tcp gk-lan.test 200/erin
gk_alive authz
ok $? "apache-authnz: gatekeep-authz is still running"
gk_check_logs apache-authnz "$LOG/authz.out"
done_testing
