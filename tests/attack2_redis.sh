#!/bin/bash
# tests/attack2_redis.sh: tests/t_attack2_redis against a real redis-server on a unix socket under $TMP.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

gk_redis_tap t_attack2_redis 5
done_testing
