#!/bin/bash
# tests/httpfront_fuzz.sh: the HTTP head reader's corpus (fuzz/corpus/httpreq: every hostile
# head of tests/httpfront/raw.py), its truncations and 1-byte mutations through
# fuzz/replay_httpreq (ASan+UBSan under --enable-sanitizers).
. "$top_srcdir/tests/lib.sh"

bin="$top_builddir/fuzz/replay_httpreq"
dir="$top_srcdir/fuzz/corpus/httpreq"
[ -x "$bin" ] || bail "not built: $bin"
out=$("$bin" -m "$dir" 2>"$TMP/err")
rc=$?
ok $rc "httpreq: corpus and its mutations replay cleanly ($out)"
[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/err" | tail -40
"$bin" <"$dir/valid-alice" >/dev/null 2>"$TMP/stdin.err"
ok $? "httpreq: stdin mode"
done_testing
