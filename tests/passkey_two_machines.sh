#!/bin/bash
# tests/passkey_two_machines.sh: a passkey answer passes once across machines too: two login
# contexts, each its own copy of the database, share one real redis-server (state_backend =
# redis); the answer accepted on one is refused on the other (tests/t_passkey_login's
# two_machines, run here with GK_TEST_REDIS_URL).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

gk_redis_tap t_passkey_login 70
done_testing
