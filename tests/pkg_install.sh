#!/bin/bash
# tests/pkg_install.sh: the Debian package, as an admin gets it. Builds gatekeep_*.deb from a
# copy of the source tree (dpkg-buildpackage -us -uc -b, without its unit tests), checks it
# with lintian (no errors), installs it on this machine, checks the installed units with
# systemd-analyze, starts gatekeep-authz exactly as its units would (systemd is not PID 1
# here: the .socket's socket, the .service's ExecStart, as root) behind a real nginx with
# the installed nginx example, adds a user with the installed gatekeep-passwd and checks
# 401/200; then purges the package and checks that nothing of it is left. The machine is
# put back even when a check fails: purge, and the gatekeep user removed if the test made it.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

# a skipped TAP test: the plan 1..0 with the reason, exit 0 (tap-driver.sh counts it as SKIP)
skip() { echo "1..0 # SKIP $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "installs a package: needs root (a throwaway machine)"
command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage not found (apt-get install dpkg-dev debhelper)"
# The package is built from the source tree, whatever this build's configuration: the
# suite runs it once, in the plain build, not again in the sanitizer build or distcheck.
grep -q '^SAN_CFLAGS = -f' "$top_builddir/Makefile" 2>/dev/null &&
	skip "the package does not depend on this build: tested once, in the plain build"
case "$top_builddir" in */_build/sub)
	[ -e "$top_srcdir/.git" ] || skip "distcheck: the package is tested once, in the plain build" ;;
esac
for p in lintian nginx systemd-analyze systemd-socket-activate curl runuser; do
	command -v "$p" >/dev/null || bail "$p is required (scripts/install-deps test)"
done
dpkg-query -W -f='${Status}' gatekeep 2>/dev/null | grep -q 'ok installed' &&
	bail "a gatekeep package is installed on this machine; this test would replace and purge it"
[ -e /run/gatekeep ] && bail "/run/gatekeep exists (a gatekeep already runs here?); this test uses it"

T0=$(date +%s)
chmod 755 "$TMP"
LOG="$TMP/log"; mkdir -p "$LOG"

# --- build ---------------------------------------------------------------------------
SRC="$TMP/src/gatekeep"
mkdir -p "$SRC"
if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
	# the tree as it is (uncommitted changes too), without what .gitignore leaves out
	(cd "$top_srcdir" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) |
		tar -xf - -C "$SRC"
else
	(cd "$top_srcdir" && tar --exclude=./_build --exclude=./autom4te.cache -cf - .) | tar -xf - -C "$SRC"
fi
ok $? "the source tree copied for the package build"
# not the make flags of the `make check` this runs under (-s, TESTS=..., its jobserver)
(cd "$SRC" && unset MAKEFLAGS MFLAGS MAKELEVEL && DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" \
	dpkg-buildpackage -us -uc -b >"$LOG/dpkg-buildpackage.log" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then tail -30 "$LOG/dpkg-buildpackage.log" | sed 's/^/#   /'; fi
is "$rc" 0 "dpkg-buildpackage -us -uc -b builds the package"
DEB=$(ls "$TMP"/src/gatekeep_*_*.deb 2>/dev/null | head -1)
[ -f "$DEB" ] || bail "no gatekeep_*.deb was built (log above)"
diag "built ${DEB##*/} in $(($(date +%s) - T0)) s"
like "$(grep -- '-D_FORTIFY_SOURCE' "$LOG/dpkg-buildpackage.log" | head -1)" '-fstack-clash-protection' \
	"the package is compiled with Debian's hardening flags"

lintian --fail-on error "$DEB" >"$LOG/lintian.out" 2>&1
rc=$?
grep -v 'running with root privileges' "$LOG/lintian.out" | sed 's/^/#   lintian: /'
is "$rc" 0 "lintian: no errors"
is "$(grep -c '^E: ' "$LOG/lintian.out")" 0 "... and none listed"

# --- install ---------------------------------------------------------------------------
had_user=no
getent passwd gatekeep >/dev/null && had_user=yes
purge_all() {
	[ -n "${AUTHZ:-}" ] && kill -KILL -- "-$AUTHZ" 2>/dev/null
	[ -n "${NGINX:-}" ] && kill -KILL -- "-$NGINX" 2>/dev/null
	sleep 0.2
	dpkg-query -W -f='${Status}' gatekeep 2>/dev/null | grep -q 'installed' &&
		dpkg --purge gatekeep >>"$LOG/purge.log" 2>&1
	rm -rf /run/gatekeep
	if [ "$had_user" = no ] && getent passwd gatekeep >/dev/null; then
		# userdel refuses while a process runs as gatekeep (maybe a worker still exiting)
		for _ in 1 2 3 4 5; do userdel gatekeep 2>>"$LOG/userdel.log" && break; sleep 1; done
		getent group gatekeep >/dev/null && groupdel gatekeep
		getent passwd gatekeep >/dev/null &&
			echo "# could not remove the user gatekeep: $(tail -1 "$LOG/userdel.log")" >&2
	fi
	return 0
}
at_exit purge_all
DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" >"$LOG/install.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then sed 's/^/#   /' "$LOG/install.log"; fi
is "$rc" 0 "dpkg -i installs the package"
dpkg -L gatekeep >"$TMP/files" 2>/dev/null

getent passwd gatekeep >/dev/null
ok $? "postinst: the system user gatekeep exists"
like "$(getent passwd gatekeep | cut -d: -f7)" 'nologin|false' "... without a login shell"
is "$(stat -c '%U:%G %a' /var/lib/gatekeep 2>&1)" "gatekeep:gatekeep 750" \
	"postinst: /var/lib/gatekeep belongs to gatekeep, mode 0750"
is "$(stat -c '%U %a' /var/lib/gatekeep/users.db /var/lib/gatekeep/secret 2>&1 | tr '\n' ' ')" \
	"gatekeep 600 gatekeep 600 " "postinst: an empty database and a secret of gatekeep's, mode 0600"
grep -qx /etc/gatekeep/gatekeep.conf /var/lib/dpkg/info/gatekeep.conffiles
ok $? "/etc/gatekeep/gatekeep.conf is a conffile"
for f in /usr/sbin/gatekeep-authz /usr/sbin/gatekeep-login /usr/bin/gatekeep-passwd \
	/usr/libexec/gatekeep/cgi-bin/login.cgi /usr/share/man/man8/gatekeep-authz.8.gz \
	/usr/share/man/man5/gatekeep.conf.5.gz /usr/share/doc/gatekeep/examples/nginx/gatekeep.conf \
	/usr/share/doc/gatekeep/examples/fail2ban/filter.d/gatekeep.conf; do
	[ -f "$f" ]; ok $? "installed: $f"
done
# --nocfprotection: a binary carries the CET property only when every object does, and
# Debian 12's glibc start files do not (tests/build_hardening.sh checks our objects)
hc=$(hardening-check --nocfprotection /usr/sbin/gatekeep-authz /usr/sbin/gatekeep-login /usr/bin/gatekeep-passwd 2>&1)
rc=$?
[ $rc -eq 0 ] || printf '%s\n' "$hc" | grep -v ': yes' | sed 's/^/#   /'
is "$rc" 0 "hardening-check passes on the three installed programs"

# enabled (the postinst's symlinks), not started, nothing on the network
for u in gatekeep-authz.socket gatekeep-login.socket gatekeep-authz.service gatekeep-login.service; do
	ls /etc/systemd/system/*.wants/"$u" >/dev/null 2>&1
	ok $? "$u is enabled"
done
pgrep -f '^/usr/sbin/gatekeep-(authz|login)' >/dev/null
ok "$([ $? -ne 0 ]; echo $?)" "the installation started nothing"

out=$(/usr/sbin/gatekeep-authz --check-config 2>&1 >/dev/null)
is "$?:$out" "0:" "gatekeep-authz --check-config: the installed configuration, database, secret and user are usable"

# The installed units: valid for systemd, their commands and man pages in place.
out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify /lib/systemd/system/gatekeep-*.socket \
	/lib/systemd/system/gatekeep-*.service 2>&1)
rc=$?
is "$rc:$out" "0:" "systemd-analyze verify: the installed units, their commands and man pages"

# --- serve: gatekeep-authz as its units start it, behind nginx with the installed example --
unit=/lib/systemd/system
listen=$(sed -n 's/^ListenStream=//p' "$unit/gatekeep-authz.socket")
sgroup=$(sed -n 's/^SocketGroup=//p' "$unit/gatekeep-authz.socket")
smode=$(sed -n 's/^SocketMode=//p' "$unit/gatekeep-authz.socket")
exec_start=$(sed -n 's/^ExecStart=//p' "$unit/gatekeep-authz.service")
is "$listen" /run/gatekeep/authz.sock "the socket unit listens on /run/gatekeep/authz.sock"
is "$exec_start" "/usr/sbin/gatekeep-authz -c /etc/gatekeep/gatekeep.conf -d" \
	"the service runs /usr/sbin/gatekeep-authz with /etc/gatekeep/gatekeep.conf"
install -d -m 0755 /run/gatekeep
# shellcheck disable=SC2086  # ExecStart is a word list
setsid systemd-socket-activate -l "$listen" $exec_start >"$LOG/authz.log" 2>&1 </dev/null &
AUTHZ=$!
for _ in $(seq 100); do [ -S "$listen" ] && break; sleep 0.1; done
chgrp "$sgroup" "$listen" && chmod "$smode" "$listen"   # what systemd does for the .socket

PORT=$(free_port); APP_PORT=$(free_port)
mkdir -p "$TMP/nginx"
cp /etc/nginx/fastcgi_params "$TMP/nginx/"
sed -e "s|listen 80;|listen 127.0.0.1:$PORT;|" -e "s|127\.0\.0\.1:8080|127.0.0.1:$APP_PORT|" \
	-e "s|/etc/nginx/gatekeep-app-cookie.conf|/usr/share/doc/gatekeep/examples/nginx/gatekeep-app-cookie.conf|" \
	/usr/share/doc/gatekeep/examples/nginx/gatekeep.conf >"$TMP/nginx/site.conf"
cat >"$TMP/nginx/nginx.conf" <<CONF
user www-data;
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $LOG/nginx-error.log info;
events { worker_connections 64; }
http {
	access_log $LOG/nginx-access.log;
	client_body_temp_path $TMP/nginx/body;
	proxy_temp_path $TMP/nginx/proxy;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
	include $TMP/nginx/site.conf;
	# the app: says who the authorizer let in
	server {
		listen 127.0.0.1:$APP_PORT;
		location / { return 200 "app: user=\$http_remote_user\n"; }
	}
}
CONF
setsid nginx -e "$LOG/nginx-error.log" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" \
	>"$LOG/nginx.out" 2>&1 </dev/null &
NGINX=$!
wait_port "$PORT" 100 || bail "nginx did not start: $(tail -5 "$LOG/nginx-error.log" "$LOG/nginx.out")"

code() { curl -s -o "$TMP/body" -w '%{http_code}' --max-time 20 "$@"; }
is "$(code "http://127.0.0.1:$PORT/")" 401 "no credentials: 401 (nginx, installed example, installed config)"
like "$(ps -o user= --ppid "$(pgrep -f -o "^/usr/sbin/gatekeep-authz -c /etc/gatekeep")" | sort -u | tr '\n' ' ')" \
	'^gatekeep $' "the workers serve as the user gatekeep (run_user unset: the package's user)"
/usr/bin/gatekeep-passwd -b /var/lib/gatekeep/users.db alice 'Wonder-land-7' >"$LOG/passwd.out" 2>&1
ok $? "root adds a user with the installed gatekeep-passwd"
is "$(stat -c %U /var/lib/gatekeep/users.db)" gatekeep "... and the database stays gatekeep's"
is "$(code -u alice:wrong-password "http://127.0.0.1:$PORT/")" 401 "a wrong password: 401"
is "$(code -u alice:Wonder-land-7 "http://127.0.0.1:$PORT/app")" 200 "alice with her password: 200"
is "$(cat "$TMP/body")" "app: user=alice" "... and the app is told it is alice"
is "$(stat -c '%U' /var/lib/gatekeep/state/lockout.tbl 2>&1)" gatekeep \
	"the lockout table is created in /var/lib/gatekeep/state, gatekeep's"
like "$(cat "$LOG/authz.log")" 'deny user=alice method=basic from=127\.0\.0\.1 reason=bad-password' \
	"the deny is logged (to the journal's stderr under the unit)"
kill -TERM -- "-$NGINX" "-$AUTHZ" 2>/dev/null
for _ in $(seq 50); do pgrep -f "^/usr/sbin/gatekeep-authz" >/dev/null || break; sleep 0.1; done
rm -rf /run/gatekeep

# --- purge -----------------------------------------------------------------------------
dpkg --purge gatekeep >"$LOG/purge.log" 2>&1
rc=$?
[ $rc -eq 0 ] || sed 's/^/#   /' "$LOG/purge.log"
is "$rc" 0 "dpkg --purge gatekeep"
left=""
while read -r f; do
	[ -e "$f" ] && [ ! -d "$f" ] && left="$left $f"
done <"$TMP/files"
for f in /etc/gatekeep /var/lib/gatekeep /usr/share/doc/gatekeep /usr/libexec/gatekeep \
	/etc/systemd/system/*.wants/gatekeep-* /var/lib/systemd/deb-systemd-helper-enabled/gatekeep-*; do
	[ -e "$f" ] && left="$left $f"
done
is "$left" "" "after the purge nothing of the package is left (files, config, state, unit links)"
getent passwd gatekeep >/dev/null
ok $? "the system user gatekeep stays after the purge (Debian practice; the test removes it)"
diag "tests/pkg_install.sh took $(($(date +%s) - T0)) s"
done_testing
