#!/bin/bash
# userdb_crash.sh: kill -9 a user-database writer at random instants while readers verify
# every lookup; then damage copies of the file and require a clean fail-closed error.
# Usage: userdb_crash.sh [--trials N]   (default 30; more for a long soak)
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

TRIALS=30
while [ $# -gt 0 ]; do
	case $1 in
	--trials) TRIALS=$2; shift 2 ;;
	--trials=*) TRIALS=${1#*=}; shift ;;
	*) echo "usage: $0 [--trials N]" >&2; exit 64 ;;
	esac
done

DRV="$top_builddir/tests/userdb_crash"
[ -x "$DRV" ] || bail "driver $DRV not built"
N=300
READERS=3
DB="$TMP/users.db"
LOG="$TMP/writer.log"
STOP="$TMP/stop"

"$DRV" init "$DB" "$N"
ok $? "create a database with $N users"

pids=()
for i in $(seq 1 $READERS); do
	"$DRV" reader "$DB" "$N" "$STOP" >"$TMP/reader.$i.out" 2>&1 &
	pids+=($!)
done
at_exit "touch '$STOP'; kill ${pids[*]}"

log_lines() { if [ -f "$LOG" ]; then wc -l <"$LOG"; else echo 0; fi; }
bad=0 inflight=0 stale=0
for t in $(seq 1 "$TRIALS"); do
	before=$(log_lines)
	"$DRV" writer "$DB" "$N" "$LOG" 2>"$TMP/writer.err" &
	wpid=$!
	# Its first log line says it is past start-up (a sanitizer build on a busy machine
	# takes longer than the whole window below): wait for it, up to 20 s.
	for _ in $(seq 1 400); do
		[ "$(log_lines)" -gt "$before" ] || ! kill -0 "$wpid" 2>/dev/null && break
		sleep 0.05
	done
	# 10..400 ms more: the writer has committed from a few to ~100 transactions by then.
	sleep "$(printf '0.%03d' $((RANDOM % 390 + 10)))"
	kill -9 "$wpid"
	wait "$wpid" 2>/dev/null
	if [ -s "$TMP/writer.err" ]; then
		diag "trial $t: writer error: $(cat "$TMP/writer.err")"; bad=$((bad + 1))
	fi
	stale=$((stale + $(find "$TMP" -name 'users.db.gktmp.*' | wc -l)))
	if out=$("$DRV" verify "$DB" "$N" "$LOG" 2>&1); then
		case $out in *in-flight*) inflight=$((inflight + 1)) ;; esac
	else
		diag "trial $t: $out"; bad=$((bad + 1))
	fi
done
is "$bad" 0 "$TRIALS SIGKILLed writers: database always the old or the new state"
diag "killed mid-commit with the new state published: $inflight; stale temp files seen: $stale"
commits=$(grep -c '^C' "$LOG")
[ "$commits" -gt "$TRIALS" ]
ok $? "writers committed $commits transactions in total"

touch "$STOP"
for i in $(seq 1 $READERS); do
	wait "${pids[$((i - 1))]}"
	ok $? "reader $i: every lookup returned a valid version, never an error"
	out=$(cat "$TMP/reader.$i.out")
	like "$out" 'lookups=[1-9][0-9]* .*maxgen=[1-9]' "reader $i looked users up and saw updates"
	diag "reader $i: $out"
done

"$DRV" sweep "$DB"
ok $? "next writer takes the lock"
is "$(find "$TMP" -name 'users.db.gktmp.*' | wc -l)" 0 "and removes stale temp files"
"$DRV" verify "$DB" "$N" "$LOG" >/dev/null
ok $? "final database intact and gk_userdb_check passes"

# Damaged copies fail closed: a clean error (2), or all users intact (0) when the damage
# hit unused space; never wrong data (3), another status (4) or a crash (>= 128).
size=$(stat -c %s "$DB")
cp "$DB" "$TMP/hdr.db"
printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' | dd of="$TMP/hdr.db" conv=notrunc status=none
out=$("$DRV" scan "$TMP/hdr.db" "$N"); rc=$?
is "$rc" 2 "damaged header: clean error"
like "$out" 'hdr.db' "  message names the file: $out"
head -c $((size / 2)) "$DB" >"$TMP/half.db"
"$DRV" scan "$TMP/half.db" "$N" >/dev/null
is "$?" 2 "file cut in half: clean error"
wrong=0 errors=0
for i in $(seq 1 40); do
	cp "$DB" "$TMP/dmg.db"
	off=$(( (RANDOM * 32768 + RANDOM) % size ))
	head -c 64 /dev/urandom | dd of="$TMP/dmg.db" bs=1 seek="$off" conv=notrunc status=none
	"$DRV" scan "$TMP/dmg.db" "$N" >"$TMP/scan.out" 2>&1; rc=$?
	case $rc in
	0) ;;
	2) errors=$((errors + 1)) ;;
	*) wrong=$((wrong + 1)); diag "offset $off: status $rc: $(head -3 "$TMP/scan.out")" ;;
	esac
done
is "$wrong" 0 "40 randomly damaged copies: never wrong data, never a crash"
diag "damaged copies refused with a clean error: $errors of 40"

done_testing
