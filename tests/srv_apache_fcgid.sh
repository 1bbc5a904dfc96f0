#!/bin/bash
# tests/srv_apache_fcgid.sh: gatekeep-authz spawned by a real Apache 2.4 through mod_fcgid
# (FcgidAuthenticator, listening socket on fd 0), contrib/apache/gatekeep-fcgid.conf as
# shipped. mod_fcgid is Basic-only: it answers 401 itself without Basic credentials,
# turns every denial (403, 302) into 401, and REMOTE_USER is the Basic name. So the
# cookie login does not work at all here (asserted), not even with a cookie already set.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/servers/appcookie.sh"
. "$top_srcdir/tests/servers/login-flow.sh"

gk_world
# login settings, so that login.cgi can issue real session cookies (gk_mint_session)
gk_login_world
# mod_fcgid runs gatekeep-authz as Apache's User (nobody when the test runs as root)
gk_make_readable_by nobody nogroup
gk_start_apache fcgid
diag "apache (mod_fcgid) on $BASE"

IDVAR=REMOTE_USER FORBIDDEN=401 BROWSER=401 BYPASS=no
gk_check_auth apache-fcgid
gk_check_app_cookie apache-fcgid ""
gk_check_app_cookie_nologin apache-fcgid
# what mod_fcgid spawns runs as Apache's User from the test's own tree: a build tree under
# a 0700 directory (a clone in /root or in mktemp -d) is out of that user's reach
is "$(ps -eo user:32=,args= | awk -v p="$GK_AUTHZ" '$2 == p { print $1 }' | sort -u | tr '\n' ' ')" "$RUNUSER " \
	"apache-fcgid: mod_fcgid runs gatekeep-authz as $RUNUSER from $GK_AUTHZ"
like "$GK_AUTHZ" "^$TMP/bin/" "apache-fcgid: ... a copy in the test's directory, not the build tree"

# mod_fcgid specifics: what really happens
req -u alice:alice-pw "$BASE/admin/"
like "$(hdr WWW-Authenticate)" '^Basic realm="gatekeep"' "apache-fcgid: a wrong-group denial is Apache's own 401 challenge"
req "$BASE/public/"
is "$CODE" 200 "apache-fcgid: /public/ is opened by Apache (Require all granted), not by gatekeep"
is "$(appvar REMOTE_USER)" "" "apache-fcgid: ... with no REMOTE_USER"
# Apache normalises these before matching <Location "/public/">: they need credentials
for u in '/public/../private/' '/public/%2e%2e/private/' '/public/%2E%2E/admin/' '/./public/../private/'; do
	req "$BASE$u"
	is "$CODE" 401 "apache-fcgid: $u without credentials -> 401"
done
# ... and these are under /public/ in Apache's own view, but another path to an app
# that reads ";params", "\\", overlong UTF-8 or double encoding its own way: the
# contrib config opens only a plain raw target
for u in '/public/..;/private/' '/public/..%5cprivate/' '/public/%c0%ae%c0%ae/private/' \
    '/public/%252e%252e/private/' '/public/x/../../private/' '/public//x' '/public/.x'; do
	req "$BASE$u"
	is "$CODE" 401 "apache-fcgid: $u without credentials -> 401"
done
req "$BASE/public/?q=..;%5c&x=%41"
is "$CODE" 200 "apache-fcgid: a plain public target with any query -> 200"
req -H 'Remote-User: bob' "$BASE/private/"
is "$CODE" 401 "apache-fcgid: no Basic credentials -> mod_fcgid's 401, proxy header unused"
req -u alice:alice-pw -H 'Remote-User: bob' -H 'Remote-Groups: admins' -H 'Remote-Email: boss@example.com' \
    -H 'Remote-Name: Administrator' "$BASE/private/"
is "$CODE:$(appvar HTTP_REMOTE_USER):$(appvar HTTP_REMOTE_GROUPS):$(appvar HTTP_REMOTE_EMAIL):$(appvar HTTP_REMOTE_NAME)" \
    "200::::" "apache-fcgid: the client's own identity headers never reach the app"
req -u bob:bob-pw "$BASE/staff/"
is "$CODE" 200 "apache-fcgid: admins pass group:staff"
req -X POST -d 'x=1' -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "apache-fcgid: POST with a body is authorized"
is "$(appvar BODY_LENGTH)" 3 "apache-fcgid: ... and the app got the request body"

# The cookie login cannot work through mod_fcgid's Authenticator: without Basic
# credentials mod_fcgid answers 401 before gatekeep is asked, so neither the redirect to
# the login page nor an existing session cookie is ever used (docs/login.md).
SA=$(gk_mint_session alice alice-pw)
like "$SA" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "apache-fcgid: login.cgi issued a real session cookie for alice"
req -H 'Accept: text/html' -H "Cookie: gatekeep_session=$SA" "$BASE/private/"
is "$CODE" 401 "apache-fcgid: a valid session cookie is not used: browser -> 401"
is "$(hdr Location)" "" "apache-fcgid: ... no redirect to the login page"
like "$(hdr WWW-Authenticate)" '^Basic realm="gatekeep"' "apache-fcgid: ... Apache's Basic challenge instead"
unlike "$BODY" 'app-ok' "apache-fcgid: ... the app did not run"
req -u bob:bob-pw -H "Cookie: gatekeep_session=$SA" "$BASE/private/"
is "$(appvar REMOTE_USER)" bob "apache-fcgid: Basic bob + alice's cookie -> bob (the Basic pair decides)"
req -u "alice:$BADPW" -H "Cookie: gatekeep_session=$SA" "$BASE/private/"
is "$CODE" 401 "apache-fcgid: alice's cookie does not rescue a wrong Basic password"

# The AUTHENTICATOR call must check exactly the Basic pair: Apache takes the Basic name
# as the user whatever gatekeep identified. The contrib file restricts gatekeep to
# GATEKEEP_METHODS=basic; gatekeep itself must also get it right without that line.
gk_fcgid_pair_checks() {  # LABEL
	gk_stop apache
	gk_conf "127.0.0.1/32"
	gk_make_readable_by nobody nogroup
	gk_start_apache fcgid
	req -u "alice:$BADPW" -H 'Remote-User: bob' "$BASE/private/"
	is "$CODE" 401 "apache-fcgid $1: trusted Remote-User: bob + Basic alice with a bad password -> 401"
	unlike "$BODY" 'app-ok' "apache-fcgid $1: ... the app did not run as alice"
	req -u alice:alice-pw "$BASE/private/"
	is "$(appvar REMOTE_USER)" alice "apache-fcgid $1: good Basic still works with a trusted proxy configured"
	# CGIPassAuth On: Apache's pair (cut at the NUL) must be gatekeep's strict parse
	req -H "Authorization: Basic $(printf 'alice:alice-pw\0junk' | base64 -w0)" "$BASE/private/"
	is "$CODE" 401 "apache-fcgid $1: 'alice:<right password>\\0junk' -> 401"
	unlike "$BODY" 'app-ok' "apache-fcgid $1: ... the app did not run"

	gk_stop apache
	gk_conf "192.0.2.1/32" "bypass_networks = 127.0.0.0/8"
	gk_make_readable_by nobody nogroup
	gk_start_apache fcgid
	req -u "alice:$BADPW" "$BASE/private/"
	is "$CODE" 401 "apache-fcgid $1: bypass_networks + Basic alice with a bad password -> 401"
	unlike "$(appvar REMOTE_USER)" alice "apache-fcgid $1: ... the app does not see REMOTE_USER=alice"
	req -H 'Accept: text/html' -H "Cookie: gatekeep_session=$SA" "$BASE/private/"
	is "$CODE" 401 "apache-fcgid $1: alice's session cookie alone -> 401"
	req -u "alice:$BADPW" -H "Cookie: gatekeep_session=$SA" "$BASE/private/"
	is "$CODE" 401 "apache-fcgid $1: alice's session cookie + a wrong Basic password -> 401"
}
gk_fcgid_pair_checks "(contrib)"
GK_SITE_SED='/GATEKEEP_METHODS/d'
gk_fcgid_pair_checks "(all methods)"
GK_SITE_SED=''

# Not shipped, asserted so that docs/login.md can say it: FcgidAccessChecker (before
# authentication, no Basic requirement) does accept an existing session cookie, and the
# app sees REMOTE_USER through mod_fcgid's Variable-* copy, but Apache has no user (%u
# stays "-"), and every denial, the login redirect included, is a bare 401.
gk_stop apache
gk_conf "192.0.2.1/32"
gk_make_readable_by nobody nogroup
GK_SITE_SED='s/^\tFcgidAuthenticator /\tFcgidAccessChecker /;/GATEKEEP_METHODS/d;/^\tAuth/d;s/Require valid-user/Require all granted/'
gk_start_apache fcgid
GK_SITE_SED=''
: >"$LOG/apache-access.log"
req -H "Cookie: gatekeep_session=$SA" "$BASE/private/"
is "$CODE" 200 "apache-fcgid access checker: an existing session cookie -> 200"
is "$(appvar REMOTE_USER)" alice "apache-fcgid access checker: ... the app sees REMOTE_USER=alice (Variable-REMOTE_USER)"
like "$(cat "$LOG/apache-access.log")" '^127\.0\.0\.1 - "GET /private/' "apache-fcgid access checker: ... but Apache has no user (%u is -)"
req -H 'Accept: text/html' "$BASE/private/"
is "$CODE" 401 "apache-fcgid access checker: a browser without a session -> 401, not the login redirect"
is "$(hdr Location)" "" "apache-fcgid access checker: ... no Location"
req -H "Cookie: gatekeep_session=$SA" "$BASE/admin/"
is "$CODE" 401 "apache-fcgid access checker: wrong group -> 401 (gatekeep's 403 is lost)"
like "$(cat "$LOG/apache-error.log")" 'script returned status 302' "apache-fcgid access checker: mod_fcgid logs gatekeep's 302 as a failure"

gk_check_logs apache-fcgid "$LOG/apache-error.log"
done_testing
