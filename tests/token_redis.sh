#!/bin/bash
# tests/token_redis.sh: tests/t_token_redis against a real redis-server on a unix socket under $TMP.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

SOCK="$TMP/redis.sock"
gk_redis_start "$SOCK"

GK_TEST_REDIS_URL="unix:$SOCK" "$top_builddir/tests/t_token_redis" >"$TMP/t.out" 2>&1
rc=$?
sed -e 's/^ok /# (t_token_redis) ok /' -e 's/^not ok /# (t_token_redis) NOT OK /' "$TMP/t.out" | grep -v '^1\.\.'
is "$rc" 0 "t_token_redis against redis-server: every check passed"
like "$(grep -c '^ok' "$TMP/t.out")" '^1[0-9]$' "... and it ran its checks"
done_testing
