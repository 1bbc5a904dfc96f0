#!/bin/bash
# tests/srv_apache_fcgid.sh: gatekeep-authz spawned by a real Apache 2.4 through mod_fcgid
# (FcgidAuthenticator, listening socket on fd 0), contrib/apache/gatekeep-fcgid.conf as
# shipped. mod_fcgid is Basic-only: it answers 401 itself without Basic credentials,
# turns every denial (403, 302) into 401, and REMOTE_USER is the Basic name.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
# mod_fcgid runs gatekeep-authz as Apache's User (nobody when the test runs as root)
gk_make_readable_by nobody nogroup
gk_start_apache fcgid
diag "apache (mod_fcgid) on $BASE"

IDVAR=REMOTE_USER FORBIDDEN=401 BROWSER=401 BYPASS=no
gk_check_auth apache-fcgid

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
# ... but ";" is no separator for Apache: "/public/..;/private/" IS under /public/ and
# is served without authentication (an app that treats "..;" as ".." would be exposed)
req "$BASE/public/..;/private/"
is "$CODE" 200 "apache-fcgid: /public/..;/private/ is public in Apache's own view (documented)"
req -H 'Remote-User: bob' "$BASE/private/"
is "$CODE" 401 "apache-fcgid: no Basic credentials -> mod_fcgid's 401, proxy header unused"
req -u bob:bob-pw "$BASE/staff/"
is "$CODE" 200 "apache-fcgid: admins pass group:staff"
req -X POST -d 'x=1' -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "apache-fcgid: POST with a body is authorized"
is "$(appvar BODY_LENGTH)" 3 "apache-fcgid: ... and the app got the request body"

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

	gk_stop apache
	gk_conf "192.0.2.1/32" "bypass_networks = 127.0.0.0/8"
	gk_make_readable_by nobody nogroup
	gk_start_apache fcgid
	req -u "alice:$BADPW" "$BASE/private/"
	is "$CODE" 401 "apache-fcgid $1: bypass_networks + Basic alice with a bad password -> 401"
	unlike "$(appvar REMOTE_USER)" alice "apache-fcgid $1: ... the app does not see REMOTE_USER=alice"
}
gk_fcgid_pair_checks "(contrib)"
GK_SITE_SED='/GATEKEEP_METHODS/d'
gk_fcgid_pair_checks "(all methods)"
GK_SITE_SED=''

gk_check_logs apache-fcgid "$LOG/apache-error.log"
done_testing
