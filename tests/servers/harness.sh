# tests/servers/harness.sh: start/stop real web servers and gatekeep-authz for tests/srv_*.sh.
# Sourced after tests/lib.sh. Everything lives under $TMP and binds 127.0.0.1 on free
# ports; every process is started in its own process group and killed by at_exit.
# The server configs are the shipped contrib/ files, rendered by gk_render (sed on the
# example paths/ports), wrapped in a test-only main config from this directory.

SRV="$top_srcdir/tests/servers"
CONTRIB="$top_srcdir/contrib"
PY=/usr/bin/python3
GK="$TMP/gk"           # gatekeep.conf, users.db, secret
RUN="$TMP/run"         # sockets, pid files
LOG="$TMP/log"
APP="$TMP/app"         # app.cgi
CGIBIN="$TMP/cgi-bin"  # login.cgi (tests/servers/login-flow.sh)
WWW="$TMP/www"         # docroot: {private,public,admin,staff}/index.cgi
GK_SOCK="$RUN/authz.sock"
GK_AUTHZ_PORT=9200     # replaced by gk_world
BACKEND_PORT=8080
REALM="gatekeep test"

# fail loudly: a missing program or a server that does not come up is a failure, not a skip
gk_need() {
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || [ -x "$p" ] || bail "required program not found: $p"
	done
}

# gk_bg NAME CMD...: start CMD in its own process group (stderr+stdout to $LOG/NAME.out),
# remember the pid in $RUN/NAME.pid and kill the whole group at exit.
gk_bg() {
	local name="$1" pid
	shift
	setsid "$@" >>"$LOG/$name.out" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$RUN/$name.pid"
	at_exit "gk_stop $name"
}

# gk_stop NAME: TERM the process group, wait up to 3 s, then KILL it.
gk_stop() {
	local f="$RUN/$1.pid" pid i
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	rm -f "$f"
	kill -TERM -- "-$pid" 2>/dev/null || return 0
	for i in $(seq 1 30); do
		kill -0 -- "-$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null
	return 0
}

# gk_alive NAME: the process group is still running.
gk_alive() { [ -f "$RUN/$1.pid" ] && kill -0 -- "-$(cat "$RUN/$1.pid")" 2>/dev/null; }

# gk_wait_sock PATH: wait until a unix socket exists (5 s).
gk_wait_sock() {
	local i
	for i in $(seq 1 20); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# gk_up NAME PORT WHAT [SERVER]: the port answers AND it is our server (its "Server:"
# response header matches SERVER) AND our process is alive: someone else on the port
# would satisfy wait_port alone, and nginx keeps retrying a busy port for seconds.
gk_up() {
	local i
	wait_port "$2" 80 || gk_fail_start "$1" "$3"
	if [ -n "${4:-}" ]; then
		for i in $(seq 1 20); do
			curl -sI --max-time 0.5 "http://127.0.0.1:$2/" 2>/dev/null | grep -qi "^Server: *$4" && break
			[ "$i" = 20 ] && gk_fail_start "$1" "$3 (something else answers on port $2)"
			sleep 0.1
		done
	fi
	gk_alive "$1" || gk_fail_start "$1" "$3"
}

# gk_fail_start NAME WHAT: a server did not come up: show its log and stop the test.
gk_fail_start() {
	diag "$2 did not start; its output:"
	sed 's/^/#   /' "$LOG/$1.out" 2>/dev/null | tail -40
	for f in "$LOG"/*error*.log; do
		[ -f "$f" ] && { diag "$f:"; sed 's/^/#   /' "$f" | tail -20; }
	done
	bail "$2 did not start"
}

# gk_render SRC DST: copy a contrib/ or tests/servers file, replacing the example
# paths and ports by the test ones. The list of replaced strings is the contract
# between the shipped examples and the tests (keep docs/servers.md in sync).
gk_render() {
	sed -e "s|/run/gatekeep/authz.sock|$GK_SOCK|g" \
	    -e "s|/usr/libexec/gatekeep/cgi-bin|$CGIBIN|g" \
	    -e "s|/run/gatekeep|$RUN|g" \
	    -e "s|127\.0\.0\.1:9200|127.0.0.1:$GK_AUTHZ_PORT|g" \
	    -e "s|127\.0\.0\.1:8080|127.0.0.1:$BACKEND_PORT|g" \
	    -e "s|/usr/sbin/gatekeep-authz|$GK_AUTHZ|g" \
	    -e "s|/etc/gatekeep/gatekeep.conf|$GK/gatekeep.conf|g" \
	    -e "s|/usr/lib/cgi-bin/app.cgi|$APP/app.cgi|g" \
	    -e "s|/var/www/app|$WWW|g" \
	    -e "s|/var/log/gatekeep|$LOG|g" \
	    -e "s|@PORT@|${PORT:-0}|g" \
	    -e "s|@TMP@|$TMP|g" \
	    -e "s|@LOG@|$LOG|g" \
	    -e "s|@RUN@|$RUN|g" \
	    -e "s|@APP@|$APP|g" \
	    -e "s|@WWW@|$WWW|g" \
	    -e "s|@SRV@|$SRV|g" \
	    -e "s|@BACKEND_PORT@|$BACKEND_PORT|g" \
	    -e "s|@RUNUSER@|${RUNUSER:-nobody}|g" \
	    -e "s|@RUNGROUP@|${RUNGROUP:-nogroup}|g" \
	    -e "s|/etc/nginx/gatekeep-app-cookie.conf|$(cd "$top_srcdir" && pwd)/contrib/nginx/gatekeep-app-cookie.conf|g" \
	    "$1" >"$2" || bail "cannot render $1"
}

# --- programs another user runs --------------------------------------------------------
# As root the servers run their workers and what they spawn as nobody (Apache's User,
# nginx's workers, mod_fcgid's gatekeep-authz, login.cgi under mod_cgid). nobody cannot
# reach the build tree when a parent of it is 0700 (a clone in /root or in a mktemp -d
# directory), so whatever nobody runs or opens lives in $TMP, which must be reachable.

# gk_reachable_by USER PATH: bail, naming the directory, unless USER can reach PATH.
gk_reachable_by() {
	local user="$1" path="$2" d d_path=""
	[ "$(id -u)" = 0 ] || return 0
	runuser -u "$user" -- test -x "$path" 2>/dev/null && return 0
	for d in $(printf '%s\n' "$path" | tr '/' '\n'); do
		[ -n "$d" ] || continue
		d_path="$d_path/$d"
		runuser -u "$user" -- test -x "$d_path" 2>/dev/null || break
	done
	bail "$user (the user the web servers run their workers as) cannot reach $path:" \
		"$(stat -c '%A %U' "${d_path:-/}" 2>/dev/null) ${d_path:-/} is not searchable by it;" \
		"run the tests with TMPDIR set to a directory every user can traverse (e.g. TMPDIR=/tmp)"
}

# gk_own_copy VAR: copy the program named by $VAR into $TMP/bin (mode 0755) and point VAR
# at the copy, for a program the web server starts as its own user (mod_fcgid).
gk_own_copy() {
	local src="${!1}" dst="$TMP/bin/${!1##*/}"
	[ "$src" = "$dst" ] && return 0
	mkdir -p "$TMP/bin" && chmod 755 "$TMP/bin" && cp "$src" "$dst" && chmod 755 "$dst" ||
		bail "cannot copy $src into $TMP/bin"
	printf -v "$1" '%s' "$dst"
	[ "$(id -u)" = 0 ] || return 0
	runuser -u nobody -- test -x "$dst" || bail "nobody cannot run $dst"
}

# gk_world: the user database, secret, app and docroot shared by every server test.
# Users: alice (users), bob (admins), erin (staff), carol (disabled), rita (permission ro).
# Passwords NAME-pw.
gk_world() {
	gk_need "$GK_AUTHZ" "$GK_PASSWD" curl setsid
	[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz is not built: $GK_AUTHZ"
	[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd is not built: $GK_PASSWD"
	# servers drop privileges (Apache must when run as root): the tree must be readable
	chmod 755 "$TMP"
	gk_reachable_by nobody "$TMP"
	mkdir -p "$GK" "$RUN" "$LOG" "$APP" "$WWW" "$TMP/state"
	chmod 755 "$GK" "$RUN" "$LOG" "$APP" "$WWW"
	chmod 700 "$TMP/state"
	cp "$SRV/app.cgi" "$APP/app.cgi"
	chmod 755 "$APP/app.cgi"
	local d
	for d in private public admin staff; do
		mkdir -p "$WWW/$d"
		cp "$SRV/app.cgi" "$WWW/$d/index.cgi"
		chmod 755 "$WWW/$d" "$WWW/$d/index.cgi"
	done
	(umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$GK/secret") ||
		bail "cannot create the secret"
	"$GK_PASSWD" -c -b "$GK/users.db" alice alice-pw >"$LOG/passwd.out" 2>&1 &&
	"$GK_PASSWD" -b "$GK/users.db" bob bob-pw >>"$LOG/passwd.out" 2>&1 &&
	"$GK_PASSWD" -b "$GK/users.db" erin erin-pw >>"$LOG/passwd.out" 2>&1 &&
	"$GK_PASSWD" -b "$GK/users.db" carol carol-pw >>"$LOG/passwd.out" 2>&1 &&
	"$GK_PASSWD" -b "$GK/users.db" rita rita-pw >>"$LOG/passwd.out" 2>&1 &&
	"$GK_PASSWD" --permission=ro "$GK/users.db" rita >>"$LOG/passwd.out" 2>&1 &&
	"$GK_PASSWD" --groups users "$GK/users.db" alice >>"$LOG/passwd.out" 2>&1 &&
	"$GK_PASSWD" --groups admins "$GK/users.db" bob >>"$LOG/passwd.out" 2>&1 &&
	"$GK_PASSWD" --groups staff "$GK/users.db" erin >>"$LOG/passwd.out" 2>&1 &&
	"$GK_PASSWD" --disable "$GK/users.db" carol >>"$LOG/passwd.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/passwd.out"; bail "gatekeep-passwd could not create the test users"; }
	# as root, the programs serve as nobody (run_user): the files must be theirs
	gk_make_readable_by nobody nogroup
	GK_AUTHZ_PORT=$(free_port)
	BACKEND_PORT=$(free_port)
	PORT=$(free_port)
	BASE="http://127.0.0.1:$PORT"
	gk_conf "192.0.2.1/32"
}

# gk_conf TRUSTED [EXTRA-LINE...]: write gatekeep.conf; TRUSTED is proxy_trusted.
# $GK_EXTRA_CONF (lines) is appended every time (e.g. "frontend = caddy").
GK_EXTRA_CONF=""
gk_conf() {
	local trusted="$1" l
	shift
	{
		gk_render "$SRV/gatekeep.conf.in" "$GK/gatekeep.conf.base"
		cat "$GK/gatekeep.conf.base"
		echo "proxy_trusted = $trusted"
		if [ -n "$GK_RUN_LINES" ]; then printf '%s\n' "$GK_RUN_LINES"; fi
		for l in "$@"; do echo "$l"; done
		if [ -n "$GK_EXTRA_CONF" ]; then printf '%s\n' "$GK_EXTRA_CONF"; fi
	} >"$GK/gatekeep.conf"
}

# gk_make_readable_by USER GROUP: hand the gatekeep files (and state_dir) to the user the
# server runs its spawned programs as (mod_fcgid, lighttpd bin-path); the secret stays
# mode 0640.
gk_make_readable_by() {
	[ "$(id -u)" = 0 ] || return 0
	chown -R "$1:$2" "$GK" "$TMP/state"
	chmod 750 "$GK"
	chmod 640 "$GK"/*
}

# gk_start_authz unix|tcp [WORKERS]: run gatekeep-authz as a standalone pool (our own socket), 2 workers unless said.
# $GK_AUTHZ_OPTS: more options (words), e.g. --http-listen (tests/httpfront_*.sh).
gk_start_authz() {
	"$GK_AUTHZ" -c "$GK/gatekeep.conf" --check-config >"$LOG/check-config.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/check-config.out"; bail "gatekeep-authz --check-config rejects the test config"; }
	case "$1" in
	unix)
		rm -f "$GK_SOCK"
		gk_bg authz "$GK_AUTHZ" -c "$GK/gatekeep.conf" --listen "unix:$GK_SOCK" --socket-mode 0666 --workers "${2:-2}" ${GK_AUTHZ_OPTS:-}
		{ gk_wait_sock "$GK_SOCK" && gk_alive authz; } || gk_fail_start authz "gatekeep-authz (unix:$GK_SOCK)"
		;;
	tcp)
		gk_bg authz "$GK_AUTHZ" -c "$GK/gatekeep.conf" --listen "tcp:127.0.0.1:$GK_AUTHZ_PORT" --workers "${2:-2}" ${GK_AUTHZ_OPTS:-}
		gk_up authz "$GK_AUTHZ_PORT" "gatekeep-authz (tcp:$GK_AUTHZ_PORT)"
		;;
	esac
}

# gk_restart_authz unix|tcp [TRUSTED]: new config, new pool; the web server stays up.
gk_restart_authz() {
	gk_stop authz
	[ $# -ge 2 ] && gk_conf "$2"
	gk_start_authz "$1"
}

# --- the CGI backend (for nginx and Caddy, which proxy to an app) --------------------
# lighttpd with mod_cgi only, no auth: what it hands app.cgi is exactly what the front
# server sent (the Remote-User header becomes HTTP_REMOTE_USER).
gk_start_backend() {
	gk_need lighttpd
	gk_render "$SRV/backend-lighttpd.conf" "$RUN/backend.conf"
	gk_bg backend lighttpd -D -f "$RUN/backend.conf"
	gk_up backend "$BACKEND_PORT" "backend lighttpd (port $BACKEND_PORT)" lighttpd
}

# gk_nginx_reload: nginx -s reload of the running $RUN/nginx, then wait until its old
# workers are gone: until then one of them may still take a connection with the old setting.
gk_nginx_reload() {
	local old p alive
	old=$(pgrep -P "$(cat "$RUN/nginx/nginx.pid")")
	nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -s reload 2>>"$LOG/nginx-t.out" || bail "nginx reload"
	for _ in $(seq 1 100); do
		alive=0
		for p in $old; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ "$alive" = 0 ] && return 0
		sleep 0.1
	done
}

# --- nginx ----------------------------------------------------------------------------
gk_start_nginx() {
	gk_need nginx
	mkdir -p "$RUN/nginx"
	gk_render "$CONTRIB/nginx/gatekeep.conf" "$RUN/nginx/site.conf"
	sed -i -e "s|listen 80;|listen 127.0.0.1:$PORT;|" \
	       -e "s|include fastcgi_params;|include ${GK_FASTCGI_PARAMS:-/etc/nginx/fastcgi_params};|" "$RUN/nginx/site.conf"
	if [ -n "${GK_NGINX_INCLUDE:-}" ]; then sed -i -e "s|^\tlocation / {|\tinclude $GK_NGINX_INCLUDE;\n&|" "$RUN/nginx/site.conf"; fi
	gk_run_nginx "$SRV/nginx-main.conf"
}
# gk_run_nginx MAIN [PREAMBLE]: nginx with the main config MAIN (its @NGINX_USER@ filled in,
# PREAMBLE before it, e.g. a load_module line) around the site in $RUN/nginx/site.conf;
# checked with nginx -t, started, and waited for on $PORT.
gk_run_nginx() {
	local user=""
	[ "$(id -u)" = 0 ] && user="user root root;"
	{ [ -z "${2:-}" ] || echo "$2"; sed -e "s|@NGINX_USER@|$user|" "$1"; } >"$RUN/nginx/main.tmpl"
	gk_render "$RUN/nginx/main.tmpl" "$RUN/nginx/nginx.conf"
	nginx -t -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" >"$LOG/nginx-t.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/nginx-t.out"; bail "nginx -t rejects the config"; }
	gk_bg nginx nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -g 'daemon off;'
	gk_up nginx "$PORT" nginx nginx
}

# --- Apache httpd -----------------------------------------------------------------------
# MODE: authnz (mod_authnz_fcgi, gatekeep-authz over TCP) or fcgid (mod_fcgid spawns it).
gk_start_apache() {
	local mode="$1"
	gk_need apache2
	mkdir -p "$RUN/apache" "$RUN/fcgid"
	if [ "$(id -u)" = 0 ]; then
		RUNUSER=nobody RUNGROUP=nogroup
		chown nobody:nogroup "$RUN/fcgid"
	else
		RUNUSER=$(id -un) RUNGROUP=$(id -gn)
	fi
	case "$mode" in
	authnz) gk_render "$CONTRIB/apache/gatekeep-authnz.conf" "$RUN/apache/site.conf" ;;
	fcgid)  # mod_fcgid starts gatekeep-authz as Apache's User: a copy it can reach
		gk_own_copy GK_AUTHZ
		gk_render "$CONTRIB/apache/gatekeep-fcgid.conf" "$RUN/apache/site.conf" ;;
	esac
	# GK_LOGIN_SITE: also the sign-in page (contrib/apache/gatekeep-login.conf), after it
	local defs=(-D "GK_$mode")
	if [ -n "${GK_LOGIN_SITE:-}" ]; then
		gk_render "$GK_LOGIN_SITE" "$RUN/apache/login.conf"
		cat "$RUN/apache/login.conf" >>"$RUN/apache/site.conf"
		defs+=(-D GK_login)
	fi
	# GK_SITE_SED: a sed script a test applies to the rendered contrib file (to show
	# what a line in it protects against)
	if [ -n "${GK_SITE_SED:-}" ]; then sed -i -e "$GK_SITE_SED" "$RUN/apache/site.conf"; fi
	gk_render "$SRV/apache-main.conf" "$RUN/apache/httpd.conf"
	apache2 -t -f "$RUN/apache/httpd.conf" "${defs[@]}" >"$LOG/apache-t.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/apache-t.out"; bail "apache2 -t rejects the config"; }
	gk_bg apache apache2 -f "$RUN/apache/httpd.conf" "${defs[@]}" -DFOREGROUND
	gk_up apache "$PORT" "apache2 ($mode)" Apache
}

# --- lighttpd ---------------------------------------------------------------------------
# MODE: socket (gatekeep-authz started by us) or binpath (lighttpd spawns it on fd 0).
# GK_LIGHTTPD_MAIN: the main config around it (default tests/servers/lighttpd-main.conf).
gk_start_lighttpd() {
	local mode="$1"
	gk_need lighttpd
	mkdir -p "$RUN/lighttpd"
	case "$mode" in
	socket) gk_render "$CONTRIB/lighttpd/gatekeep.conf" "$RUN/lighttpd/site.conf" ;;
	binpath) gk_render "$CONTRIB/lighttpd/gatekeep-binpath.conf" "$RUN/lighttpd/site.conf" ;;
	esac
	# GK_LOGIN_SITE: also the sign-in page (contrib/lighttpd/gatekeep-login.conf), after it
	if [ -n "${GK_LOGIN_SITE:-}" ]; then
		gk_render "$GK_LOGIN_SITE" "$RUN/lighttpd/login.conf"
		cat "$RUN/lighttpd/login.conf" >>"$RUN/lighttpd/site.conf"
	fi
	gk_render "${GK_LIGHTTPD_MAIN:-$SRV/lighttpd-main.conf}" "$RUN/lighttpd/lighttpd.conf"
	# GK_LIGHTTPD_USER: as root, the user lighttpd switches to (and runs its CGIs as)
	if [ -n "${GK_LIGHTTPD_USER:-}" ] && [ "$(id -u)" = 0 ]; then
		printf 'server.username = "%s"\nserver.groupname = "%s"\n' "$GK_LIGHTTPD_USER" \
		    "$(id -gn "$GK_LIGHTTPD_USER")" >>"$RUN/lighttpd/lighttpd.conf"
	fi
	lighttpd -tt -f "$RUN/lighttpd/lighttpd.conf" >"$LOG/lighttpd-t.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/lighttpd-t.out"; bail "lighttpd -tt rejects the config"; }
	gk_bg lighttpd lighttpd -D -f "$RUN/lighttpd/lighttpd.conf"
	gk_up lighttpd "$PORT" "lighttpd ($mode)" lighttpd
}

# --- Caddy ------------------------------------------------------------------------------
# GK_CADDY_SITE: the site address(es) put in place of "http://app.example.com" (default:
# 127.0.0.1 on this port; the login test names its two host names, as an SSO site does).
# GK_CADDY_MAIN: the main config around it (default tests/servers/Caddyfile.main).
gk_start_caddy() {
	gk_need caddy
	mkdir -p "$RUN/caddy/home" "$RUN/caddy/config" "$RUN/caddy/data"
	gk_render "$CONTRIB/caddy/Caddyfile" "$RUN/caddy/site.caddy"
	sed -i -e "s|^http://app\.example\.com {|${GK_CADDY_SITE:-http://127.0.0.1:$PORT} {|" "$RUN/caddy/site.caddy"
	grep -q '^http://app\.example\.com' "$RUN/caddy/site.caddy" &&
		bail "gk_start_caddy: the site address was not replaced"
	# $GK_CADDY_SED: a sed script a test applies to the rendered site (e.g. to take a
	# protection out and show that gatekeep alone still holds).
	if [ -n "${GK_CADDY_SED:-}" ]; then
		cp "$RUN/caddy/site.caddy" "$RUN/caddy/site.orig"
		sed -i -e "$GK_CADDY_SED" "$RUN/caddy/site.caddy"
		cmp -s "$RUN/caddy/site.caddy" "$RUN/caddy/site.orig" &&
			bail "gk_start_caddy: GK_CADDY_SED changed nothing"
	fi
	gk_render "${GK_CADDY_MAIN:-$SRV/Caddyfile.main}" "$RUN/caddy/Caddyfile"
	local env=(env HOME="$RUN/caddy/home" XDG_CONFIG_HOME="$RUN/caddy/config" XDG_DATA_HOME="$RUN/caddy/data")
	"${env[@]}" caddy validate --config "$RUN/caddy/Caddyfile" --adapter caddyfile >"$LOG/caddy-t.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/caddy-t.out"; bail "caddy validate rejects the config"; }
	gk_bg caddy "${env[@]}" caddy run --config "$RUN/caddy/Caddyfile" --adapter caddyfile
	gk_up caddy "$PORT" caddy Caddy
}

# --- requests ---------------------------------------------------------------------------
# req CURL-ARGS... URL: sets CODE, BODY, HDRS (response headers, CR stripped).
# --path-as-is keeps ../ and // as sent; -g keeps [] literal.
req() {
	CODE=$(curl -s -g --path-as-is --max-time 10 -o "$TMP/body" -D "$TMP/hdrs" -w '%{http_code}' "$@")
	BODY=$(cat "$TMP/body" 2>/dev/null)
	HDRS=$(tr -d '\r' <"$TMP/hdrs" 2>/dev/null)
}

# appvar NAME: the value app.cgi printed for NAME in the last response ("" if absent).
appvar() { printf '%s\n' "$BODY" | sed -n "s/^$1=//p" | head -1; }

# hdr NAME: a response header's value from the last response.
hdr() { printf '%s\n' "$HDRS" | sed -n "s/^$1: *//Ip" | head -1; }

# --- the checks every server runs ---------------------------------------------------------
# Expectations differ per server; the calling test sets:
#   IDVAR      the app.cgi variable that carries the identity (REMOTE_USER when the server
#              sets it from Variable-REMOTE_USER, HTTP_REMOTE_USER when a proxy passes
#              the Remote-User header to the app)
#   FORBIDDEN  what the client gets for "authenticated, wrong group" (403; mod_fcgid: 401)
#   BROWSER    what a browser (Accept: text/html) without credentials gets (302 or 401)
#   BYPASS     yes if gatekeep's bypass_paths can be reached (no: mod_fcgid)
BADPW='Wr0ng-Passw0rd-xyzzy'

gk_check_auth() {
	local S="$1" u bad_body

	req "$BASE/private/"
	is "$CODE" 401 "$S: no credentials -> 401"
	like "$(hdr WWW-Authenticate)" '^Basic realm=' "$S: the 401 carries a Basic challenge"
	unlike "$BODY" 'app-ok' "$S: the app did not run for the 401"

	req -H 'Accept: text/html,application/xhtml+xml' "$BASE/private/"
	is "$CODE" "$BROWSER" "$S: a browser without credentials -> $BROWSER"
	if [ "$BROWSER" = 302 ]; then
		like "$(hdr Location)" '/login' "$S: the redirect goes to login_url"
	fi
	unlike "$BODY" 'app-ok' "$S: the app did not run for the browser"

	req -u alice:alice-pw "$BASE/private/"
	is "$CODE" 200 "$S: good Basic credentials -> 200"
	like "$BODY" '^app-ok' "$S: the app ran"
	is "$(appvar "$IDVAR")" alice "$S: the app sees $IDVAR=alice"
	unlike "$HDRS" '^([Vv]ariable-|[Rr]emote-[Uu]ser:|[Xx]-[Aa]uth-[Rr]equest-)' "$S: no authorizer answer header leaks into the client's response"

	req -u "alice:$BADPW" "$BASE/private/"
	is "$CODE" 401 "$S: bad password -> 401"
	unlike "$BODY" 'app-ok' "$S: the app did not run for a bad password"
	bad_body=$BODY
	req -u "mallory:$BADPW" "$BASE/private/"
	is "$CODE" 401 "$S: unknown user -> 401"
	is "$BODY" "$bad_body" "$S: unknown user gets the same body as a bad password"
	req -u carol:carol-pw "$BASE/private/"
	is "$CODE" 401 "$S: disabled user with the right password -> 401"
	unlike "$BODY" 'app-ok' "$S: the app did not run for a disabled user"
	req -u 'alice:' "$BASE/private/"
	is "$CODE" 401 "$S: empty password -> 401"
	req -H 'Authorization: Basic !!!notbase64' "$BASE/private/"
	is "$CODE" 401 "$S: garbage Authorization -> 401"

	# authorization: config rules (/admin, /staff), read the app's ways too
	req -u alice:alice-pw "$BASE/admin/"
	is "$CODE" "$FORBIDDEN" "$S: rule group:admins, user not in it -> $FORBIDDEN"
	unlike "$BODY" 'app-ok' "$S: the app did not run for the wrong group"
	req -u bob:bob-pw "$BASE/admin/"
	is "$CODE" 200 "$S: rule group:admins, admin -> 200"
	is "$(appvar "$IDVAR")" bob "$S: the app sees $IDVAR=bob"
	req -u alice:alice-pw "$BASE/staff/"
	is "$CODE" "$FORBIDDEN" "$S: rule group:staff, alice -> $FORBIDDEN"
	req -u erin:erin-pw "$BASE/staff/"
	is "$CODE" 200 "$S: rule group:staff, erin (staff) -> 200"
	is "$(appvar "$IDVAR")" erin "$S: the app sees $IDVAR=erin"
	req -u alice:alice-pw "$BASE/public/../staff/"
	is "$CODE" "$FORBIDDEN" "$S: /public/../staff/ still needs group:staff"
	# the server's own location matching is not the app's: the rule must hold for these
	for u in '/staff;x=1/' '/STaff/'; do
		req -u alice:alice-pw "$BASE$u"
		is "$CODE" "$FORBIDDEN" "$S: $u needs group:staff too (alice -> $FORBIDDEN)"
	done

	# the original method reaches gatekeep (nginx's subrequest and Caddy's forward_auth
	# are GETs; permission ro allows only GET/HEAD/OPTIONS)
	req -u rita:rita-pw "$BASE/private/"
	is "$CODE" 200 "$S: read-only user, GET -> 200"
	req -u rita:rita-pw -X POST -d 'x=1' "$BASE/private/"
	is "$CODE" "$FORBIDDEN" "$S: read-only user, POST -> $FORBIDDEN (the original method is checked)"
	unlike "$BODY" 'app-ok' "$S: ... the app did not run for the POST"
	req -u rita:rita-pw -X DELETE -H 'X-Forwarded-Method: GET' "$BASE/private/"
	is "$CODE" "$FORBIDDEN" "$S: read-only user, DELETE with a client X-Forwarded-Method: GET -> $FORBIDDEN"
	# method overrides: apps run the DELETE these ask for
	for h in X-HTTP-Method-Override X-HTTP-Method x-method-override; do
		req -u rita:rita-pw -H "$h: DELETE" "$BASE/private/"
		is "$CODE" "$FORBIDDEN" "$S: read-only user, GET with $h: DELETE -> $FORBIDDEN"
	done
	req -u rita:rita-pw "$BASE/private/?_method=DELETE"
	is "$CODE" "$FORBIDDEN" "$S: read-only user, GET ?_method=DELETE -> $FORBIDDEN"
	req -u rita:rita-pw -H 'X-HTTP-Method-Override: GET' "$BASE/private/?_method=HEAD"
	is "$CODE" 200 "$S: read-only user, overrides to safe methods -> 200"
	req -u alice:alice-pw -H 'X-HTTP-Method-Override: DEL ETE' "$BASE/private/"
	is "$CODE" "$FORBIDDEN" "$S: a malformed override -> $FORBIDDEN"

	# client-sent identity headers are never the identity
	req -u alice:alice-pw -H 'Remote-User: bob' -H 'Remote-Groups: admins' "$BASE/admin/"
	is "$CODE" "$FORBIDDEN" "$S: Remote-User/Remote-Groups from the client do not make alice an admin"
	req -u alice:alice-pw -H 'Remote-User: bob' "$BASE/private/"
	is "$CODE" 200 "$S: alice with a client Remote-User: bob header -> 200"
	is "$(appvar "$IDVAR")" alice "$S: ... and the app still sees $IDVAR=alice"
	unlike "$(appvar REMOTE_USER)" bob "$S: ... REMOTE_USER is never the client's bob"
	req -H 'Remote-User: bob' "$BASE/private/"
	is "$CODE" 401 "$S: Remote-User from an untrusted peer alone -> 401"
	req -H 'X-Forwarded-Uri: /public/' -H 'X-Original-URI: /public/' "$BASE/private/"
	is "$CODE" 401 "$S: a client X-Forwarded-Uri/X-Original-URI: /public/ does not bypass"

	if [ "$BYPASS" = yes ]; then
		req "$BASE/public/"
		is "$CODE" 200 "$S: bypass path without credentials -> 200"
		like "$BODY" '^app-ok' "$S: the app ran for the bypass path"
		req -H 'Remote-User: bob' "$BASE/public/"
		is "$CODE" 200 "$S: bypass path with a client Remote-User: bob -> 200"
		unlike "$(appvar "$IDVAR")" '^bob$' "$S: ... the app does not see bob as $IDVAR"
		unlike "$(appvar REMOTE_USER)" '^bob$' "$S: ... nor as REMOTE_USER"
		gk_check_tricks "$S"
	fi
}

# gk_check_tricks LABEL: paths that look like the bypass path but are not.
gk_check_tricks() {
	local S="$1" u
	for u in '/public/../private/' '/public/%2e%2e/private/' '/public/%2E%2E/admin/' \
	    '//public/..;/private/' '/public/..;/private/' '/public/./../private/' \
	    '/public/..%2fprivate/' '/public%2f..%2fprivate/' '/./public/../private/'; do
		req "$BASE$u"
		like "$CODE" '^(400|401|403|404)$' "$S: $u without credentials is not bypassed (got $CODE)"
		unlike "$BODY" 'app-ok' "$S: ... and the app did not run for $u"
	done
}

# gk_check_path_readings LABEL: a path the app may read differently from gatekeep's
# canonical reading is decided under every reading (case-folded, "..;" as a name or as
# "..", decoded twice): each of these is /admin (rule group:admins) for some back end.
gk_check_path_readings() {
	local S="$1" u
	for u in '/ADMIN/panel' '/Admin/' '/admin/..;/x' '/admin/..;/public/' '/%2561dmin/' \
	    '/public/..;/admin/' '/x;y/..;/ADMIN/'; do
		req -u alice:alice-pw "$BASE$u"
		is "$CODE" "$FORBIDDEN" "$S: $u is /admin under some reading: alice -> $FORBIDDEN"
		unlike "$BODY" 'app-ok' "$S: ... the app did not run for $u"
	done
	req "$BASE/admin/..;/public/"
	unlike "$BODY" 'app-ok' "$S: /admin/..;/public/ without credentials is no bypass"
	req -u bob:bob-pw "$BASE/ADMIN/panel"
	unlike "$CODE" "^$FORBIDDEN\$" "$S: an admin still passes gatekeep for /ADMIN/panel (got $CODE)"
	req -u alice:alice-pw "$BASE/private/"
	is "$CODE" 200 "$S: alice still reaches /private/"
}

# gk_check_proxy LABEL LISTEN: the trusted-proxy header, with gatekeep-authz restarted on a
# config that trusts 127.0.0.1 (the test client), then one that does not.
gk_check_proxy() {
	local S="$1"
	gk_restart_authz "$2" "127.0.0.1/32"
	req -H 'Remote-User: bob' "$BASE/private/"
	is "$CODE" 200 "$S: trusted peer's Remote-User: bob -> 200"
	is "$(appvar "$IDVAR")" bob "$S: ... the app sees $IDVAR=bob"
	req -H 'Remote-User: bob' "$BASE/admin/"
	is "$CODE" 200 "$S: trusted peer's bob is in his database groups (admins)"
	req -H 'Remote-User: alice' "$BASE/admin/"
	is "$CODE" "$FORBIDDEN" "$S: trusted peer's alice is still not an admin"
	req -H 'Remote_User: bob' "$BASE/private/"
	like "$CODE" '^(400|401|403)$' "$S: underscore Remote_User: bob is never believed (got $CODE)"
	unlike "$BODY" 'app-ok' "$S: ... the app did not run"
	req -H 'REMOTE_USER: bob' "$BASE/private/"
	like "$CODE" '^(400|401|403)$' "$S: REMOTE_USER: bob header is never believed (got $CODE)"

	gk_restart_authz "$2" "192.0.2.1/32"
	req -H 'Remote-User: bob' "$BASE/private/"
	is "$CODE" 401 "$S: untrusted peer's Remote-User: bob is ignored -> 401"
	unlike "$BODY" 'app-ok' "$S: ... the app did not run"
	req -u alice:alice-pw -H 'Remote-User: bob' "$BASE/private/"
	is "$(appvar "$IDVAR")" alice "$S: untrusted peer with Basic alice + Remote-User: bob -> alice"
}

# gk_check_bypass_host LABEL unix|tcp HOST ON: bypass_hosts = HOST applies only when bound:
# by bypass_hosts_on (the server's SERVER_ADDR; ON is what a request on 127.0.0.1 gets:
# 200/erin when the server sends SERVER_ADDR, 401 when it does not) or by
# bypass_hosts_from (the client's address), and never on another listener or network.
gk_check_bypass_host() {
	local S="$1" mode="$2" host="$3" want_on="$4" bind got
	for bind in "bypass_hosts_on = 127.0.0.1:$want_on" "bypass_hosts_on = 127.0.0.2:401" \
	    "bypass_hosts_from = 127.0.0.1:200/erin" "bypass_hosts_from = 192.0.2.0/24:401"; do
		gk_conf "192.0.2.1/32" "bypass_hosts = $host" "bypass_user = erin" "${bind%:*}"
		gk_restart_authz "$mode"
		req -H "Host: $host" "$BASE/private/"
		got=$CODE
		[ "$CODE" = 200 ] && got="200/$(appvar "$IDVAR")"
		is "$got" "${bind##*:}" "$S: Host: $host with ${bind%:*} -> ${bind##*:}"
	done
	gk_conf "192.0.2.1/32"
	gk_restart_authz "$mode"
}

# gk_check_logs LOGFILE...: no sanitizer report, no password in the logs, deny lines present.
gk_check_logs() {
	local S="$1" all
	shift
	all=$(cat "$@" 2>/dev/null)
	unlike "$all" 'AddressSanitizer|runtime error:|LeakSanitizer|Assertion .* failed' "$S: no sanitizer report or assertion in the authorizer's log"
	# a worker killed by seccomp or a crash without a sanitizer report shows only here
	unlike "$all" 'worker [0-9]+ (killed by signal|exited with status)' "$S: no worker died"
	unlike "$all" "$BADPW|alice-pw|erin-pw|carol-pw|rita-pw" "$S: no password in the logs"
	like "$all" 'deny' "$S: the authorizer logged its denials"
}

# --- load tests (tests/load_*.sh) -----------------------------------------------------------
# lval KEY: a value from the last gk_load_verdicts summary.
lval() { sed -n "s/^$1 //p" "$TMP/verdict" | head -1; }

# gk_load_verdicts REPORT MIN_REQUESTS FIVE_KEY FIVE_WHAT [LABEL]: summarise a load report of
# tests/load/client.py (tests/load/verdict.py) and check it: more than MIN_REQUESTS
# requests, every class sent, FIVE_KEY (valid_5xx or any_5xx) zero, no 2xx for the deny
# classes, no wrong decision, no connection error.
gk_load_verdicts() {
	local p="${5:+$5: }"
	"$PY" "$top_srcdir/tests/load/verdict.py" "$1" >"$TMP/verdict" || bail "verdict.py $1"
	sed 's/^/# /' "$TMP/verdict"
	[ "$(lval requests)" -gt "$2" ]; ok $? "${p}real load: $(lval requests) requests ($(lval rate)/s)"
	[ "$(lval min_class)" -gt 0 ]; ok $? "${p}every class was sent (least: $(lval min_class))"
	is "$(lval "$3")" 0 "${p}zero $4"
	is "$(lval deny_2xx)" 0 "${p}zero 2xx for anonymous, hostile or forbidden requests"
	is "$(lval wrong)" 0 "${p}zero wrong decisions (status and the user the app saw)"
	is "$(lval conn_errors)" 0 "${p}zero connection errors or timeouts"
}
