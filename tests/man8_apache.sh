#!/bin/bash
# tests/man8_apache.sh: the Apache examples of the man pages run as written, each in the
# place of its contrib/apache file: mod_authnz_fcgi from gatekeep-authz(8) and gatekeep(7),
# mod_fcgid from gatekeep-authz(8). They pass the checks the contrib files pass
# (tests/srv_apache_*.sh), the identity reaches the app from gatekeep only, and a Basic
# name never becomes the user without its password.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/man8_lib.sh"

man_world
gk_start_authz tcp

for ex in 'gatekeep-authz.8:.It Apache mod_authnz_fcgi' 'gatekeep.7:.It Apache httpd'; do
	page=${ex%%:*} S="${page%.*}(${page##*.}) authnz"
	man_example "$page" "${ex#*:}" apache/gatekeep-authnz.conf
	gk_start_apache authnz
	IDVAR=REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
	gk_check_auth "$S"
	man_identity "$S" REMOTE_
	req "$BASE/public/"
	is "$CODE|$(appvar REMOTE_USER)" "200|anonymous" "$S: the bypass path reaches the app as the DefaultUser"
	gk_check_app_cookie "$S" ""
gk_check_app_cookie_nologin "$S"
	gk_stop apache
done

# mod_fcgid asks "is this Basic pair good?" and makes the Basic name the user, whatever
# method gatekeep allowed by: only Basic may answer (GATEKEEP_METHODS basic).
S="gatekeep-authz(8) fcgid"
man_example gatekeep-authz.8 '.It Apache mod_fcgid' apache/gatekeep-fcgid.conf
gk_start_apache fcgid
IDVAR=REMOTE_USER FORBIDDEN=401 BROWSER=401 BYPASS=no
gk_check_auth "$S"
man_identity "$S" REMOTE_
req -u "alice:$BADPW" "$BASE/public/"
is "$CODE|$(appvar REMOTE_USER)" "401|" "$S: a bypass path with alice's name and a wrong password -> 401, never alice"
unlike "$HDRS" '^Variable-' "$S: gatekeep's Variable-* answer never reaches the client"
gk_stop apache

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs man-apache "$LOG/authz.out"
done_testing
