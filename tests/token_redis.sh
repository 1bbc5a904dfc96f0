#!/bin/bash
# tests/token_redis.sh: tests/t_token_redis against a real redis-server on a unix socket under $TMP.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

gk_redis_tap t_token_redis 13
done_testing
