#!/bin/bash
# tests/man8_lighttpd.sh: the lighttpd examples of gatekeep-authz(8) and gatekeep(7) run
# as written in the place of contrib/lighttpd/gatekeep.conf, gatekeep-authz on its own
# socket: the checks the contrib file passes (tests/srv_lighttpd.sh), and the identity
# reaches the app from gatekeep only.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/man8_lib.sh"

man_world
gk_start_authz unix

for page in gatekeep-authz.8 gatekeep.7; do
	S="${page%.*}(${page##*.}) lighttpd"
	man_example "$page" '.It lighttpd' lighttpd/gatekeep.conf
	gk_start_lighttpd socket
	IDVAR=REMOTE_USER FORBIDDEN=403 BROWSER=302 BYPASS=yes
	gk_check_auth "$S"
	man_identity "$S" REMOTE_
	gk_stop lighttpd
done

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs man-lighttpd "$LOG/authz.out"
done_testing
