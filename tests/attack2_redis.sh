#!/bin/bash
# tests/attack2_redis.sh: tests/t_attack2_redis against a real redis-server on a unix socket under $TMP.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

command -v redis-server >/dev/null || bail "redis-server not found (Debian package redis-server)"
SOCK="$TMP/redis.sock"
mkdir -p "$TMP/redis"
setsid redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --save '' \
	--appendonly no --dir "$TMP/redis" --daemonize no >"$TMP/redis.out" 2>&1 </dev/null &
echo $! >"$TMP/redis.pid"
at_exit 'kill -TERM -- "-$(cat "$TMP/redis.pid")" 2>/dev/null; sleep 0.2'
for i in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { sed 's/^/#   /' "$TMP/redis.out"; bail "redis-server did not start"; }

GK_TEST_REDIS_URL="unix:$SOCK" "$top_builddir/tests/t_attack2_redis" >"$TMP/t.out" 2>&1
rc=$?
sed -e 's/^ok /# (t_attack2_redis) ok /' -e 's/^not ok /# (t_attack2_redis) NOT OK /' "$TMP/t.out" | grep -v '^1\.\.'
is "$rc" 0 "t_attack2_redis against redis-server: every check passed"
like "$(grep -c '^ok' "$TMP/t.out")" '^[5-9]$' "... and it ran its checks"
done_testing
