#!/bin/bash
# tests/redis_state.sh: lib/lockout_redis and lib/statestore against a real redis-server on a
# unix socket under $TMP: the table and the store give the same verdicts (tests/t_statestore),
# and the store's key names hold neither user names nor addresses.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

command -v redis-cli >/dev/null || bail "redis-cli not found (Debian package redis-tools)"
SOCK="$TMP/redis.sock"
gk_redis_start "$SOCK"

GK_TEST_REDIS_URL="unix:$SOCK" "$top_builddir/tests/t_statestore" >"$TMP/t.out" 2>&1
rc=$?
sed -e 's/^ok /# (t_statestore) ok /' -e 's/^not ok /# (t_statestore) NOT OK /' "$TMP/t.out" | grep -v '^1\.\.' 
is "$rc" 0 "t_statestore against redis-server: every check passed"
is "$(grep -c '^not ok' "$TMP/t.out")" 0 "... no failed check"
like "$(grep -c '^ok' "$TMP/t.out")" '^[0-9][0-9]+$' "... and it ran its checks"

keys=$(redis-cli -s "$SOCK" --scan)
like "$keys" "^t[0-9]+:[apuk]:[0-9a-f]{32}" "the store holds lockout keys (prefix, kind, hash)"
unlike "$keys" "alice|bob|carol|dave|erin|192\\.0\\.2|2001:db8|198\\.51" "... and no user name or address"
like "$(redis-cli -s "$SOCK" --scan --pattern '*hashkey')" "hashkey" \
	"the name-hash key was created in the store (no redis_key_file)"
done_testing
