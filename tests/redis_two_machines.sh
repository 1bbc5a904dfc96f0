#!/bin/bash
# tests/redis_two_machines.sh: two "machines" on one host -- gatekeep-authz A and B, each with
# its own user database copy and state_dir, each behind its own nginx -- share one real
# redis-server (state_backend = redis, unix socket under $TMP, append-only file so a restart
# keeps its data). A ban earned through A holds on B; a revocation on A (gatekeep-passwd
# --revoke-sessions on A's database) refuses the old cookie on B within
# state_generation_cache_ms; redis killed: every password and session check is refused with a
# log line naming the store (state_store_down = deny), never an allow; redis back: both work
# again without a restart, the ban and the revocation still in force.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

gk_need redis-server nginx
TOKENTOOL="$top_builddir/tests/tokentool"
[ -x "$TOKENTOOL" ] || bail "tests/tokentool not built"
ATT=127.0.0.2
VIC=127.0.0.3
RSOCK="$RUN/redis.sock"
gk_world
mkdir -p "$TMP/redis"
RPORT=$(free_port)
RPASS=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')
(umask 077 && printf '%s\n' "$RPASS" >"$GK/redis-password") || bail "cannot write the redis password"
start_redis() {  # unix socket for A, loopback TCP for B; AUTH required
	rm -f "$RSOCK"
	gk_bg redis redis-server --port "$RPORT" --bind 127.0.0.1 --unixsocket "$RSOCK" \
		--unixsocketperm 777 --requirepass "$RPASS" --save '' --appendonly yes \
		--appendfsync always --dir "$TMP/redis" --daemonize no
	gk_wait_sock "$RSOCK" && wait_port "$RPORT" 50 || gk_fail_start redis "redis-server"
}
start_redis

# --- two machines: own database copy, own state_dir, own socket, own nginx ---------------------
machine() {  # machine NAME URL: gatekeep-authz NAME on $RUN/NAME.sock, the store at URL
	local m="$1" url="$2"
	cp "$GK/users.db" "$GK/users-$m.db"
	sed -e "s|^database = .*|database = $GK/users-$m.db|" \
	    -e "s|^state_dir = .*|state_dir = $TMP/state-$m|" \
	    -e 's/^max_failures = 100$/max_failures = 3/' \
	    -e 's/^lockout_address_failures = 100$/lockout_address_failures = 10/' \
	    "$GK/gatekeep.conf" >"$GK/$m.conf"
	printf '%s\n' "state_backend = redis" "redis_url = $url" "redis_prefix = gk2m:" \
		"redis_password_file = $GK/redis-password" \
		"redis_timeout_ms = 300" "state_generation_cache_ms = 1000" "ban_time = 10m" >>"$GK/$m.conf"
	gk_make_readable_by nobody nogroup
	"$GK_AUTHZ" -c "$GK/$m.conf" --check-config >"$LOG/check-$m.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/check-$m.out"; bail "--check-config rejects $GK/$m.conf"; }
	gk_bg "authz-$m" "$GK_AUTHZ" -c "$GK/$m.conf" --listen "unix:$RUN/$m.sock" --socket-mode 0666 --workers 2
	{ gk_wait_sock "$RUN/$m.sock" && gk_alive "authz-$m"; } || gk_fail_start "authz-$m" "gatekeep-authz $m"
}
nginx_for() {  # nginx_for NAME PORT: nginx NAME in front of gatekeep-authz NAME
	local m="$1" port="$2" d="$RUN/nginx-$1" user=""
	mkdir -p "$d/nginx"
	[ "$(id -u)" = 0 ] && user="user root root;"
	( GK_SOCK="$RUN/$m.sock"; RUN="$d"; gk_render "$CONTRIB/nginx/gatekeep.conf" "$d/nginx/site.conf" )
	sed -i -e "s|listen 80;|listen 127.0.0.1:$port;|" \
	       -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" "$d/nginx/site.conf"
	sed -e "s|@NGINX_USER@|$user|" "$SRV/nginx-main.conf" >"$d/main.tmpl"
	( RUN="$d"; LOG="$LOG/nginx-$m"; mkdir -p "$LOG"; gk_render "$d/main.tmpl" "$d/nginx/nginx.conf" )
	nginx -t -p "$d/nginx" -c "$d/nginx/nginx.conf" >"$LOG/nginx-t-$m.out" 2>&1 ||
		{ sed 's/^/#   /' "$LOG/nginx-t-$m.out"; bail "nginx -t rejects the config of $m"; }
	gk_bg "nginx-$m" nginx -p "$d/nginx" -c "$d/nginx/nginx.conf" -g 'daemon off;'
	gk_up "nginx-$m" "$port" "nginx $m" nginx
}
gk_start_backend
machine A "unix:$RSOCK"
machine B "redis://127.0.0.1:$RPORT"    # TCP: the worker's seccomp filter lets it connect
PA=$PORT
PB=$(free_port)
nginx_for A "$PA"
nginx_for B "$PB"
A="http://127.0.0.1:$PA"
B="http://127.0.0.1:$PB"
diag "nginx A on $A, nginx B on $B, redis on $RSOCK (A) and 127.0.0.1:$RPORT (B)"

diag "t=${SECONDS}s"
# --- a ban earned through A holds on B ----------------------------------------------------------
for i in 1 2 3; do
	req --interface $ATT -u alice:wrong-$i "$A/private/"
	is "$CODE" 401 "A: wrong password $i for alice from $ATT: 401"
done
req --interface $ATT -u alice:alice-pw "$B/private/"
is "$CODE" 401 "B: alice's right password from $ATT is refused: the pair is banned everywhere"
like "$(grep 'deny user=alice ' "$LOG/authz-B.out" | tail -1)" "reason=banned" "... B logs it as banned"
like "$(GATEKEEP_CONFIG="$GK/B.conf" "$GK_PASSWD" --lockout-status alice --lockout-status-address $ATT 2>&1 | tail -1)" \
	"^user alice from 127\\.0\\.0\\.2: 3 failures, banned until " "gatekeep-passwd with B's configuration shows the ban A counted"
req --interface $VIC -u alice:alice-pw "$B/private/"
is "$CODE" 200 "B: alice from $VIC (the victim elsewhere) gets in"
req --interface $VIC -u alice:alice-pw "$A/private/"
is "$CODE" 200 "A: the same"

diag "t=${SECONDS}s"
# --- sign out everywhere on A reaches B within state_generation_cache_ms -------------------------
now=$(date +%s)
g0=$("$GK_PASSWD" --show bob "$GK/users-A.db" 2>/dev/null | sed -n 's/^generation: //p')
like "$g0" '^[0-9]+$' "bob's record generation (the same in both copies): $g0"
tok=$("$TOKENTOOL" -t "$now" -l 3600 -g "$g0" issue "$GK/secret" gatekeep bob) || bail "tokentool issue"
for m in A B; do
	url=$A; [ $m = B ] && url=$B
	req -H "Cookie: gatekeep_session=$tok" "$url/admin/"
	is "$CODE" 200 "$m: bob's session cookie (generation $g0) lets him in"
done
GATEKEEP_CONFIG="$GK/A.conf" "$GK_PASSWD" --revoke-sessions "$GK/users-A.db" bob >"$LOG/revoke.out" 2>&1
ok $? "gatekeep-passwd --revoke-sessions bob on A's database (and the store)"
t0=$(date +%s%N)
req -H "Cookie: gatekeep_session=$tok" "$A/admin/"
is "$CODE" 401 "A refuses the old cookie at once (its own record)"
refused=""
for i in $(seq 1 40); do
	req -H "Cookie: gatekeep_session=$tok" "$B/admin/"
	[ "$CODE" = 401 ] && { refused=$(( ($(date +%s%N) - t0) / 1000000 )); break; }
	sleep 0.1
done
ok "$([ -n "$refused" ]; echo $?)" "B refuses it too, though B's record still says generation $g0"
diag "B refused the revoked cookie $refused ms after the revocation (bound: 1000 ms cache + a request)"
like "$(grep 'deny user=bob' "$LOG/authz-B.out" | tail -1)" "reason=session-revoked" "... as revoked"
sleep 1.2
req -H "Cookie: gatekeep_session=$tok" "$B/admin/"
is "$CODE" 401 "... and keeps refusing it once every worker's cache has expired"
new=$("$TOKENTOOL" -t "$now" -l 3600 -g $((g0 + 1)) issue "$GK/secret" gatekeep bob) || bail "tokentool issue"
req -H "Cookie: gatekeep_session=$new" "$B/admin/"
is "$CODE" 200 "B accepts a cookie of the new generation (max(record $g0, store $((g0 + 1))))"

diag "t=${SECONDS}s"
# --- redis killed: deny with a log line, never an allow -------------------------------------------
rpid=$(cat "$RUN/redis.pid")
{ kill -KILL -- "-$rpid"; wait "$rpid"; } 2>/dev/null
# Past state_generation_cache_ms (1000) since the last good read (test 17's, in whichever
# worker answered it), so every worker's cached generation has expired.
sleep 1.3
bad=0
for m in A B; do
	url=$A; [ $m = B ] && url=$B
	req --interface $VIC -u alice:alice-pw "$url/private/"
	is "$CODE" 401 "redis down: $m refuses alice's right password (state_store_down = deny)"
	req -H "Cookie: gatekeep_session=$new" "$url/admin/"
	is "$CODE" 401 "redis down: $m refuses bob's valid cookie once its cache has expired"
	req -H "Cookie: gatekeep_session=$tok" "$url/admin/"
	[ "$CODE" = 401 ] || bad=$((bad + 1))
	req --interface $ATT -u alice:alice-pw "$url/private/"
	[ "$CODE" = 401 ] || bad=$((bad + 1))
done
is "$bad" 0 "redis down: the revoked cookie and the banned pair stay refused on A and B"
like "$(grep -c 'state store redis unix:.*\(cannot connect\|next try in\)' "$LOG/authz-A.out")" '^[1-9]' \
	"A's log names the store and why (cannot connect / next try)"
like "$(grep 'session of user=bob refused: state store' "$LOG/authz-B.out" | tail -1)" "state store redis redis://127" \
	"B's log says why bob's session was refused"

diag "t=${SECONDS}s"
# --- redis back: works again without a restart ---------------------------------------------------
start_redis
back=""
for i in $(seq 1 100); do
	req --interface $VIC -u alice:alice-pw "$B/private/"
	[ "$CODE" = 200 ] && { back=$i; break; }
	sleep 0.1
done
ok "$([ -n "$back" ]; echo $?)" "redis back: B lets alice in again, no restart (after $back tries)"
for i in $(seq 1 100); do
	req -H "Cookie: gatekeep_session=$new" "$A/admin/"
	[ "$CODE" = 200 ] && break
	sleep 0.1
done
is "$CODE" 200 "... and A takes bob's new cookie again"
req -H "Cookie: gatekeep_session=$tok" "$A/admin/"
is "$CODE" 401 "... the revoked cookie is still refused (the store kept its data)"
req --interface $ATT -u alice:alice-pw "$A/private/"
is "$CODE" 401 "... and so is the banned pair"
keys=$(REDISCLI_AUTH="$RPASS" redis-cli -s "$RSOCK" --scan 2>/dev/null)
like "$keys" "gk2m:" "the store holds the machines' keys"
GATEKEEP_CONFIG="$GK/B.conf" "$GK_PASSWD" --unban alice >"$LOG/unban.out" 2>&1
ok $? "gatekeep-passwd --unban with B's configuration"
req --interface $ATT -u alice:alice-pw "$A/private/"
is "$CODE" 200 "... lifts the ban on A"
unlike "$keys" "alice|bob|127\\.0\\.0" \
	"the store's keys hold no user name or address"

diag "t=${SECONDS}s"
for m in A B; do gk_alive "authz-$m"; ok $? "gatekeep-authz $m is still running"; done
done_testing
