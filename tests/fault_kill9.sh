#!/bin/bash
# tests/fault_kill9.sh: kill -9 gatekeep-passwd at random instants of its write (200 trials,
# GK_KILL9_TRIALS to change) while gatekeep-authz workers answer Basic requests: no lost or
# corrupt record (--check passes, every committed user verifies), no wrong allow, no error
# seen by the readers. Half of the kills are aimed by strace at the system calls of the
# write (lock, copy, fsync, rename, directory fsync), each in turn in a shuffled order, half
# are real kill -9 from outside at a random instant after the temp file appeared.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/fault/common.sh"

command -v strace >/dev/null || bail "strace is required (scripts/install-deps test installs it)"
TRIALS=${GK_KILL9_TRIALS:-200}
SEED=${GK_KILL9_SEED:-$(date +%s)}
DB=$FDIR/users.db
"$GK_PASSWD" -c -b -2 -C 1000 "$DB" u0 u0-pw 2>/dev/null || bail "passwd u0"
"$GK_PASSWD" -b -2 -C 1000 "$DB" flip flip-0 2>/dev/null || bail "passwd flip"
# Wrong passwords go to a user of their own: u0 must not be banned (max_failures) by them.
"$GK_PASSWD" -b -2 -C 1000 "$DB" w0 w0-pw 2>/dev/null || bail "passwd w0"
"$TOKENTOOL" create "$FDIR/secret" || bail "secret"
f_give "$DB" "$FDIR/secret"
f_conf
# The flipwrong reader below sends flip a wrong password without pause; only the trials'
# good verifications reset flip's consecutive failures. With hashes off the worker's loop
# (lib/hashpool) failures are answered faster than the trials reset them, and 100 in a row
# lock the account by design (lib/lockout.h) -- not what this test is about: no user lock.
sed -i 's/^lockout_user_throttle = .*/lockout_user_throttle = 100000/' "$FCONF"
echo "lockout_user_lock = 100000" >>"$FCONF"
f_start 2
is "$(f_st /x "$(f_basic u0 u0-pw)")" "Status: 200" "baseline: u0 allowed"
f_mark

STOP=$TMP/stop
for r in 1 2; do
	$PY "$top_srcdir/tests/fault/fcgi_load.py" "$FSOCK" "$STOP" valid=u0:u0-pw wrong=w0:bad \
	    unknown=ghost:x flipwrong=flip:never-set anon= >"$TMP/reader$r.out" 2>"$TMP/reader$r.err" &
	eval "READER$r=\$!"
	at_exit "touch $STOP"
done

diag "seed $SEED, $TRIALS trials"
start=$(date +%s)
$PY "$top_srcdir/tests/fault/kill9.py" "$GK_PASSWD" "$DB" "$FSOCK" "$TRIALS" "$SEED" >"$TMP/kill9.out" 2>&1
took=$(($(date +%s) - start))
touch "$STOP"
wait "$READER1" "$READER2"
sed 's/^/# /' "$TMP/kill9.out"
val() { sed -n "s/^$1 //p" "$TMP/kill9.out"; }
is "$(val trials)" "$TRIALS" "all $TRIALS trials ran"
is "$(val errors)" 0 "no lost, corrupt or half-written record after any kill"
is "$(val lost)" 0 "every committed user still verifies at the end"
[ "$(val killed)" -ge $((TRIALS / 2)) ]; ok $? "most writers were killed mid-way ($(val killed))"
[ "$(val kill_points_hit)" -ge 10 ]; ok $? "the kills hit many different syscalls of the write ($(val kill_points_hit) of $(val kill_points))"
[ "$(val commits)" -gt 0 ] && [ "$(val aborted)" -gt 0 ]; ok $? \
    "kills landed both before and after the commit ($(val commits) committed, $(val aborted) not)"
out=$("$GK_PASSWD" --check "$DB" 2>&1); ok $? "final --check: $out"
diag "took ${took}s"

# the readers
cat "$TMP/reader1.out" "$TMP/reader2.out" | awk '{c[$1" "$2]+=$3} END {for (k in c) print k, c[k]}' |
    sort >"$TMP/readers"
sed 's/^/# reader: /' "$TMP/readers"
cnt() { awk -v k="$1" -v s="$2" '$1 == k && $2 == s {n += $3} END {print n + 0}' "$TMP/readers"; }
total() { awk -v k="$1" '$1 == k {n += $3} END {print n + 0}' "$TMP/readers"; }
[ "$(cnt valid 200)" -ge 50 ]; ok $? "readers were busy during the trials ($(cnt valid 200) valid answers)"
is "$(cnt valid 200)" "$(total valid)" "the valid user was allowed every time: no error answer while writers died"
for k in wrong unknown flipwrong anon; do
	is "$(cnt "$k" 200)" 0 "$k: never allowed"
	is "$(cnt "$k" 401)" "$(total "$k")" "$k: always 401"
done
is "$(cat "$TMP/reader1.err" "$TMP/reader2.err")" "" "readers: no client errors"
is "$(f_count 'err:')" 0 "the authorizer logged no error"
f_pool_ok "kill -9 trials"
f_stop
done_testing
