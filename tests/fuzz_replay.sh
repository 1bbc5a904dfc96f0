#!/bin/bash
# tests/fuzz_replay.sh: replays every fuzz corpus file, plus truncations and 1-byte mutations of
# each, through the non-libFuzzer drivers (fuzz/replay_*); under --enable-sanitizers that is ASan+UBSan.
. "$top_srcdir/tests/lib.sh"

for t in basic cookie token config record form redirect pathnorm request_header fcgiguard httpreq; do
	bin="$top_builddir/fuzz/replay_$t"
	dir="$top_srcdir/fuzz/corpus/$t"
	if [ ! -x "$bin" ] || [ ! -d "$dir" ]; then
		ok 1 "$t: driver $bin and corpus $dir exist"
		continue
	fi
	nfiles=$(find "$dir" -type f | wc -l)
	[ "$nfiles" -ge 3 ]
	ok $? "$t: corpus has seeds ($nfiles)"
	out=$("$bin" -m "$dir" 2>"$TMP/$t.err")
	rc=$?
	ok $rc "$t: corpus and its mutations replay cleanly ($out)"
	[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/$t.err" | tail -40
	# The stdin (AFL) mode runs one input.
	f=$(find "$dir" -type f | head -1)
	"$bin" < "$f" >/dev/null 2>"$TMP/$t.stdin.err"
	ok $? "$t: stdin mode"
done
# The drivers really check invariants: an input that breaks one must abort (the harness can fail).
printf 'x' | GK_FUZZ_SELFTEST=1 "$top_builddir/fuzz/replay_basic" >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "a violated invariant makes the driver fail"
done_testing
