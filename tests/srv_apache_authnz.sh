#!/bin/bash
# tests/srv_apache_authnz.sh: gatekeep-authz behind a real Apache 2.4 with mod_authnz_fcgi
# (AuthnzFcgiCheckAuthnProvider ... UserExpr, FastCGI over TCP), contrib/apache/
# gatekeep-authnz.conf as shipped; the app is app.cgi run by mod_cgid, so REMOTE_USER
# is Apache's authenticated user.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_world
gk_start_authz tcp
gk_start_apache authnz
diag "apache on $BASE, gatekeep-authz on tcp:127.0.0.1:$GK_AUTHZ_PORT"

IDVAR=REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
gk_check_auth apache-authnz

# Apache specifics
req -u alice:alice-pw -H 'Remote-User: bob' "$BASE/private/"
is "$(appvar HTTP_REMOTE_USER)" "" "apache-authnz: RequestHeader unset keeps a client Remote-User from the app"
req "$BASE/public/"
is "$(appvar REMOTE_USER)" anonymous "apache-authnz: a bypass path reaches the app as the DefaultUser (anonymous)"
req -u bob:bob-pw "$BASE/staff/"
is "$CODE" 200 "apache-authnz: admins pass group:staff"
req -X POST -d 'x=1' -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "apache-authnz: POST with a body is authorized"
is "$(appvar BODY_LENGTH)" 3 "apache-authnz: ... and the app got the request body"
like "$(grep -c ' alice "GET /private/' "$LOG/apache-access.log")" '^[1-9]' "apache-authnz: the access log's %u is alice"

gk_check_path_readings apache-authnz
gk_check_proxy apache-authnz tcp
gk_alive authz
ok $? "apache-authnz: gatekeep-authz is still running"
gk_check_logs apache-authnz "$LOG/authz.out"
done_testing
