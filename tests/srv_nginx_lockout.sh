#!/bin/bash
# tests/srv_nginx_lockout.sh: no victim lockout through a real nginx (auth_request): wrong Basic
# passwords for alice from 127.0.0.2 ban alice at that address only; alice from 127.0.0.3 still
# gets in, and the attacker's further guesses are neither checked nor counted. nginx passes the
# real peer as REMOTE_ADDR, and on Linux every 127/8 address is local, so curl --interface
# plays the two clients.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

ATT=127.0.0.2
VIC=127.0.0.3
gk_world
# The server tests' shared configuration turns bans nearly off (100 failures).
sed -i -e 's/^max_failures = 100$/max_failures = 3/' \
    -e 's/^lockout_address_failures = 100$/lockout_address_failures = 10/' "$GK/gatekeep.conf"
grep -q '^max_failures = 3$' "$GK/gatekeep.conf" && grep -q '^lockout_address_failures = 10$' "$GK/gatekeep.conf" ||
	bail "cannot set max_failures and lockout_address_failures in $GK/gatekeep.conf"
printf '%s\n' 'ban_time = 10m' >> "$GK/gatekeep.conf"
gk_start_backend
gk_start_authz unix
gk_start_nginx
diag "nginx on $BASE, gatekeep-authz on $GK_SOCK"
curl -s -o /dev/null --max-time 5 --interface $ATT "$BASE/public/" ||
	bail "cannot connect from $ATT (a loopback source address)"
status() { GATEKEEP_CONFIG=$GK/gatekeep.conf "$GK_PASSWD" --lockout-status "$@" 2>&1; }

# --- the attacker at 127.0.0.2 --------------------------------------------------------------
for i in 1 2 3; do
	req --interface $ATT -u alice:wrong-$i "$BASE/private/"
	is "$CODE" 401 "attacker ($ATT): wrong password $i for alice: 401"
done
req --interface $ATT -u alice:alice-pw "$BASE/private/"
is "$CODE" 401 "attacker: after 3 failures even the right password is refused at $ATT"
like "$(grep 'deny user=alice ' "$LOG/authz.out" | tail -1)" "method=basic from=127\\.0\\.0\\.2 reason=banned" \
    "... logged as banned, with nginx's real peer address"
like "$(status alice --lockout-status-address $ATT | tail -1)" \
    "^user alice from 127\\.0\\.0\\.2: 3 failures, banned until " "gatekeep-passwd shows the pair ban"

# --- the victim at 127.0.0.3 ----------------------------------------------------------------
req --interface $VIC -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "victim ($VIC): alice with her password gets in while banned at $ATT"
is "$(appvar HTTP_REMOTE_USER)" alice "... as alice"
is "$(status alice)" "user alice: 0 failures, not banned" "... and her success cleared her count"

# --- the attacker cannot push alice towards the lock --------------------------------------------
for i in 4 5 6 7 8; do req --interface $ATT -u alice:wrong-$i "$BASE/private/"; done
is "$CODE" 401 "attacker keeps guessing: 401"
is "$(grep -c 'deny user=alice .*from=127\.0\.0\.2 reason=banned' "$LOG/authz.out")" 6 \
    "... each refused as banned, unchecked"
is "$(status alice)" "user alice: 0 failures, not banned" "... and not counted against alice"
req --interface $VIC -u alice:alice-pw "$BASE/private/"
is "$CODE" 200 "the victim still gets in"
req --interface $ATT -u bob:bob-pw "$BASE/admin/"
is "$CODE" 200 "another user at the attacker's address (3 failures there, below 10): 200"

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs nginx "$LOG/authz.out"
done_testing
