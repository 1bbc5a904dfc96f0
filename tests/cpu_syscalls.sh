#!/bin/bash
# tests/cpu_syscalls.sh: the event core's system calls per decision behind a real nginx,
# counted (strace of the one worker), never timed: an auth_request connection costs one
# accept4, recv, send and close (an accept4 that finds the queue empty after one in two at most, no
# setsockopt, fcntl, getpeername or clock call); fastcgi_keep_conn under auth_request (nginx
# closes the connection anyway) one recv() per decision, none after the answer; a FastCGI
# connection nginx really reuses one recv and one send per decision.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

N=100
[ -x "$GK_AUTHZ" ] && [ -x "$GK_PASSWD" ] || bail "programs not built"
command -v strace >/dev/null || bail "strace is missing (scripts/install-deps test)"
command -v nginx >/dev/null || bail "nginx is missing (scripts/install-deps test)"

DB=$TMP/users.db SOCK=$TMP/authz.sock CONF=$TMP/gatekeep.conf LOG=$TMP/authz.log
"$GK_PASSWD" -c -b "$DB" alice 'pw-alice' 2>/dev/null || bail "passwd alice"
cat >"$CONF" <<CONF
database = $DB
methods = proxy
proxy_trusted = 127.0.0.1
log_target = stderr
log_level = err
$GK_RUN_LINES
CONF
echo ok >"$TMP/ok.txt"
chmod 755 "$TMP"; chmod 644 "$TMP/ok.txt"
gk_give_nobody "$TMP"
PORT=$(free_port)
mkdir -p "$TMP/ngx"
cat >"$TMP/nginx.conf" <<NGX
$(gk_nginx_http_head "$TMP/ngx")
	upstream kept { server unix:$SOCK; keepalive 8; }
	server {
		listen 127.0.0.1:$PORT;
		fastcgi_pass_request_body off;
		fastcgi_param CONTENT_LENGTH "";
		fastcgi_param REQUEST_METHOD \$request_method;
		fastcgi_param REQUEST_URI \$request_uri;
		fastcgi_param REMOTE_ADDR \$remote_addr;
		location = /n { auth_request /_n; alias $TMP/ok.txt; }
		location = /_n { internal; fastcgi_pass unix:$SOCK; }
		location = /k { auth_request /_k; alias $TMP/ok.txt; }
		location = /_k { internal; fastcgi_pass kept; fastcgi_keep_conn on; }
		location = /r { fastcgi_pass kept; fastcgi_keep_conn on; }
	}
}
NGX

"$GK_AUTHZ" -c "$CONF" --listen "unix:$SOCK" --socket-mode 0666 --workers 1 2>>"$LOG" &
AUTHZ_PID=$!
at_exit "kill $AUTHZ_PID"
nginx -p "$TMP/ngx" -c "$TMP/nginx.conf" -g 'daemon off;' 2>>"$TMP/ngx/stderr" &
NGX_PID=$!
at_exit "kill $NGX_PID"
for _ in $(seq 50); do [ -S "$SOCK" ] && curl -s -o /dev/null "http://127.0.0.1:$PORT/n" && break; sleep 0.1; done
W=$(pgrep -P "$AUTHZ_PID" | head -1)
[ -n "$W" ] || bail "no worker: $(cat "$LOG")"

# N requests one after the other on one client connection; prints the status codes seen
send() { curl -s -w '%{http_code}\n' -H 'Remote-User: alice' \
	$(for _ in $(seq $N); do printf -- '-o /dev/null http://127.0.0.1:%s%s ' "$PORT" "$1"; done) | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }'; }
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/n")" 401 "sanity: no Remote-User, 401"
send /n >/dev/null; send /r >/dev/null      # warm

# trace PATH: strace the worker over N requests to PATH; the calls in $TMP/calls.PATH
trace() {
	local f="$TMP/calls${1//\//.}" sp
	strace -f -o "$f" -p "$W" 2>"$f.err" &
	sp=$!
	for _ in $(seq 50); do grep -q attached "$f.err" 2>/dev/null && break; sleep 0.1; done
	is "$(send "$1")" "200:$N " "$1: $N requests allowed"
	sleep 0.3
	kill -INT "$sp"; wait "$sp" 2>/dev/null
	echo "# $1: $(sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p' "$f" | sort | uniq -c | sort -rn | awk '{ printf "%s %s, ", $1, $2 }')"
}
# n NAME PATH [ERRNO]: how many NAME calls (failing with ERRNO) the worker made for PATH
n() { grep -E "^[0-9]+ +$1\(" "$TMP/calls${2//\//.}" | { [ -n "${3:-}" ] && grep -- "= -1 $3" || cat; } | wc -l; }
le() { [ "$1" -le "$2" ]; ok $? "$3 ($1, at most $2)"; }

trace /n
is "$(n accept4 /n)" "$(( N + $(n accept4 /n EAGAIN) ))" "/n: one accept4 per decision that finds a connection..."
le "$(n accept4 /n EAGAIN)" $((N / 2 + 5)) "/n: ... and at most one per two decisions that finds none (connections one at a time)"
le "$(n recvfrom /n)" $((N + N / 4)) "/n: one recv per decision"
is "$(n sendto /n)" "$N" "/n: one send per answer"
le "$(n close /n)" $((N + N / 4)) "/n: one close per decision"
for c in setsockopt fcntl getpeername getsockname clock_gettime gettimeofday time newfstatat; do
	is "$(n $c /n)" 0 "/n: no $c per decision"
done

trace /k
# a recv that finds nothing yet is counted apart: under load the worker is woken for a
# connection before nginx's request is in it more often (a third of them on a busy machine)
le "$(( $(n recvfrom /k) - $(n recvfrom /k EAGAIN) ))" $((N + N / 4)) "/k (fastcgi_keep_conn, nginx closes): a recv for the request, none for nginx's close (its hang-up is closed on the event; three recvs, then two before)"
le "$(n close /k)" $((N + N / 4)) "/k: one close per decision"
le "$(n recvfrom /k EAGAIN)" $((N / 2)) "/k: not a recv that finds nothing per decision"
is "$(n sendto /k)" "$N" "/k: one send per answer"

trace /r
le "$(n accept4 /r)" 4 "/r (a connection nginx reuses): no accept per decision"
le "$(n recvfrom /r)" $((N + N / 4)) "/r: one recv per decision"
is "$(n sendto /r)" "$N" "/r: one send per answer"
le "$(n epoll_ctl /r)" 4 "/r: no epoll_ctl per decision"
le "$(grep -cE '^[0-9]+ +[a-z0-9_]+\(' "$TMP/calls.r")" $((3 * N + N / 4)) "/r: about three system calls per decision in all (recv, send, epoll_wait)"
kill -0 "$W" 2>/dev/null
ok $? "the worker is still running"
done_testing
