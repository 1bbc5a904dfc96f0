#!/bin/bash
# tests/tokens_fuzz.sh: replays the credentials-value and app-token corpora, plus truncations and
# 1-byte mutations of each, through their non-libFuzzer drivers (as tests/fuzz_replay.sh does for
# the older targets); under --enable-sanitizers that is ASan+UBSan.
. "$top_srcdir/tests/lib.sh"

for t in creds apptoken; do
	bin="$top_builddir/fuzz/replay_$t"
	dir="$top_srcdir/fuzz/corpus/$t"
	[ -x "$bin" ] && [ -d "$dir" ] || bail "$t: driver $bin and corpus $dir must exist"
	nfiles=$(find "$dir" -type f | wc -l)
	[ "$nfiles" -ge 3 ]
	ok $? "$t: corpus has seeds ($nfiles)"
	out=$("$bin" -m "$dir" 2>"$TMP/$t.err")
	rc=$?
	ok $rc "$t: corpus and its mutations replay cleanly ($out)"
	[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/$t.err" | tail -40
done
done_testing
