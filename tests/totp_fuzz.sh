#!/bin/bash
# tests/totp_fuzz.sh: the second-factor fuzz target's corpus and its mutations replay cleanly
# (as tests/fuzz_replay.sh does for the other targets).
. "${top_srcdir:-.}/tests/lib.sh"

bin="$top_builddir/fuzz/replay_totp"
dir="$top_srcdir/fuzz/corpus/totp"
[ -x "$bin" ] && [ -d "$dir" ] || bail "driver $bin or corpus $dir missing"
out=$("$bin" -m "$dir" 2>"$TMP/err")
ok $? "totp: corpus and its mutations replay cleanly ($out)"
sed 's/^/# /' "$TMP/err" | tail -20
"$bin" <"$dir/code" >/dev/null 2>&1
ok $? "totp: stdin mode"
done_testing
