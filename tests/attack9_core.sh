#!/bin/bash
# tests/attack9_core.sh: hostile FastCGI and HTTP peers of the event core while password
# hashes run in the pool (tests/attack9/core.py): request ids multiplexed on one connection,
# an id aborted and reused mid-hash, pipelined heads with the first one slow, a peer that
# closes while its hash runs, a peer that does not read. Every answer must carry its own id,
# come in its request's order and name its own user, never another request's.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
DB=$TMP/users.db LOG=$TMP/authz.log
"$GK_PASSWD" -c -b "$DB" alice 'alice-pw' 2>/dev/null || bail "passwd alice"
# yescrypt at cost 6: each first check is a pool job that takes a while
for i in 1 2 3 4 5 6 7 8; do
	"$GK_PASSWD" -b -y -C 6 "$DB" "s$i" "s$i-pw" 2>/dev/null || bail "passwd s$i"
done
printf 'database = %s\nsecret_file = %s\nmethods = basic\non_unauthenticated = basic\n' \
	"$DB" "$TMP/secret" > "$TMP/gatekeep.conf"
printf 'basic_cache_ttl = 5m\nmax_failures = 0\nlog_target = stderr\n%s\n' "$GK_RUN_LINES" \
	>> "$TMP/gatekeep.conf"
gk_authz_one_worker
out=$(/usr/bin/python3 "$top_srcdir/tests/attack9/core.py" "$TMP/f.sock" "$TMP/h.sock" 2>&1)
diag "$out"
r() { printf '%s\n' "$out" | sed -n "s/^$1 //p"; }
is "$(r fcgi-mux)" "1=200:s1 2=200:alice 3=401:- 4=200:alice" \
	"FastCGI: ids 1-4 on one connection, 1 and 3 slow: each answer its own id and user, in order"
is "$(r fcgi-mux-after)" quiet "... and nothing more"
like "$(r fcgi-abort-reuse)" '^(7=200:s3|7=end) 7=200:alice$' \
	"FastCGI: id 7 aborted mid-hash and reused for alice: the reused id's answer is alice's"
is "$(r fcgi-abort-after)" quiet "... and nothing more"
is "$(r fcgi-closed-peer)" "1=200:alice 2=200:alice quiet" \
	"FastCGI: a peer closed mid-hash; a new connection gets only its own answers"
is "$(r fcgi-parked-meanwhile)" "5=401:- fast=some" \
	"FastCGI: a parked wrong password stays a 401 while other connections' allows are answered"
is "$(r http-parked-meanwhile)" "401:- fast=some" \
	"HTTP: a parked wrong password stays a 401 while other connections' allows are answered"
is "$(r fcgi-other-while-stuck)" "9=200:s5 10=200:alice" \
	"FastCGI: a peer that does not read does not change another connection's answers"
is "$(r fcgi-stuck-reader)" "blocked=True all=True wrong=[]" \
	"FastCGI: the non-reading peer gets every answer it asked for, in order, each its own"
is "$(r http-pipeline)" "200:s6 200:alice 401:- 401:- 200:alice" \
	"HTTP: five pipelined heads, the first and third slow: answers in order, each its own user"
is "$(r http-pipeline-after)" quiet "... and nothing more"
is "$(r http-closed-peer)" "200:alice 200:alice quiet" \
	"HTTP: a peer closed mid-hash; a new connection gets only its own answers"
is "$(r http-other-while-stuck)" "200:s8 200:alice" \
	"HTTP: a peer that does not read does not change another connection's answers"
is "$(r http-stuck-reader)" "blocked=True all=True wrong=[]" \
	"HTTP: the non-reading peer gets every answer it asked for, in order, each its own"
kill -0 "$AUTHZ_PID" 2>/dev/null
ok $? "gatekeep-authz is still running"
done_testing
