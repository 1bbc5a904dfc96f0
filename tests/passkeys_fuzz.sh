#!/bin/bash
# tests/passkeys_fuzz.sh: replays fuzz/corpus/webauthn, with every truncation and 1-byte
# mutation of each seed, through fuzz/replay_webauthn (ASan+UBSan under --enable-sanitizers).
. "$top_srcdir/tests/lib.sh"

bin="$top_builddir/fuzz/replay_webauthn"
dir="$top_srcdir/fuzz/corpus/webauthn"
[ -x "$bin" ] && [ -d "$dir" ] || bail "$bin or $dir missing"
nfiles=$(find "$dir" -type f | wc -l)
[ "$nfiles" -ge 5 ]
ok $? "webauthn: corpus has seeds ($nfiles)"
out=$("$bin" -m "$dir" 2>"$TMP/err")
rc=$?
ok $rc "webauthn: corpus and its mutations replay cleanly ($out)"
[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/err" | tail -40
"$bin" < "$dir/00-att_es256" >/dev/null 2>"$TMP/stdin.err"
ok $? "webauthn: stdin mode"
done_testing
