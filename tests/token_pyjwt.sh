#!/bin/bash
# token_pyjwt.sh: interop with an independent JWT implementation (PyJWT): each side verifies the other's tokens.
. "$top_srcdir/tests/lib.sh"

TT="$top_builddir/tests/tokentool"
PY=/usr/bin/python3
HELPER="$top_srcdir/tests/token_pyjwt.py"
ISS=https://auth.example.test
KEY="$TMP/secret"

[ -x "$TT" ] || bail "tests/tokentool not built"
"$PY" -c 'import jwt' 2>/dev/null || bail "python3-jwt missing (apt-get install python3-jwt)"

pyjwt() { "$PY" "$HELPER" "$@"; }

"$TT" create "$KEY"; ok $? "create the secret file"
is "$(stat -c %a "$KEY")" 600 "  mode 0600"
is "$(head -c 43 "$KEY" | tr -d 'A-Za-z0-9_-' | wc -c)$(wc -c < "$KEY")" "044" \
	"  43 base64url characters and a newline"

# --- ours -> PyJWT ---
tok=$("$TT" -g 3 -G admins,users -e alice@example.com -N "Alice Å" issue "$KEY" "$ISS" alice)
ok $? "we issue a token"
out=$(pyjwt decode "$KEY" "$ISS" "$tok"); ok $? "PyJWT verifies our token with the secret file's string"
like "$out" '"sub": "alice"' "  sub"
like "$out" '"grp": "admins,users"' "  grp"
like "$out" '"email": "alice@example.com"' "  email"
like "$out" '"gen": 3' "  gen"
like "$out" '"iss": "https://auth.example.test"' "  iss"
like "$out" '"name": "Alice \\u00c5"' "  name (UTF-8)"
pyjwt decode "$KEY" https://other.test "$tok" 2>/dev/null; ok $((! $?)) "PyJWT refuses it for another issuer"
"$TT" create "$TMP/other"
pyjwt decode "$TMP/other" "$ISS" "$tok" 2>/dev/null; ok $((! $?)) "PyJWT refuses it with another key"
old=$("$TT" -t $(( $(date +%s) - 7200 )) issue "$KEY" "$ISS" alice)
pyjwt decode "$KEY" "$ISS" "$old" 2>/dev/null; ok $((! $?)) "PyJWT refuses our expired token"

# --- PyJWT -> ours ---
ptok=$(pyjwt encode "$KEY" "$ISS" bob --gen 5 --grp staff); ok $? "PyJWT issues a token"
out=$("$TT" verify "$KEY" "$ISS" "$ptok"); ok $? "we verify PyJWT's token"
like "$out" '^sub=bob' "  sub"
like "$out" 'grp=staff' "  grp"
like "$out" 'gen=5' "  gen"
out=$("$TT" verify "$KEY" "$ISS" - <<<"$ptok"); ok $? "  (token on stdin works too)"

refused() {  # refused REASON TOKEN DESC [tokentool options...]
	local reason=$1 t=$2 desc=$3 err
	shift 3
	err=$("$TT" "$@" verify "$KEY" "$ISS" "$t" 2>&1 >/dev/null)
	ok $((! $?)) "$desc"
	like "$err" "^refused: $reason " "  reason $reason"
}
refused malformed "$(pyjwt encode "$KEY" "$ISS" bob --alg none)" "PyJWT alg=none token refused"
refused malformed "$(pyjwt encode "$KEY" "$ISS" bob --alg HS512)" \
	"PyJWT HS512 token (same key; 64-byte MAC) refused"
refused bad-signature "$(pyjwt encode "$KEY" "$ISS" bob --key="$(cat "$TMP/other")")" \
	"PyJWT token with a different key refused"
refused bad-signature "$(pyjwt encode "$KEY" "$ISS" bob --key="$(cat "$KEY")x")" \
	"PyJWT token with the key plus one byte refused"
refused bad-header "$(pyjwt encode "$KEY" "$ISS" bob --header '{"kid":"../../dev/null"}')" \
	"PyJWT token with a kid header refused"
refused wrong-issuer "$(pyjwt encode "$KEY" https://evil.test bob)" "PyJWT token for another issuer"
refused expired "$(pyjwt encode "$KEY" "$ISS" bob --iat-offset -7200)" "PyJWT expired token"
refused not-yet-valid "$(pyjwt encode "$KEY" "$ISS" bob --iat-offset 600)" "PyJWT token from the future"
refused bad-claims "$(pyjwt encode "$KEY" "$ISS" bob --extra '{"aud":"x"}')" "PyJWT token with aud"
refused bad-claims "$(pyjwt encode "$KEY" "$ISS" bob --ttl 7200)" "PyJWT token living longer than the TTL"
refused bad-claims "$(pyjwt encode "$KEY" "$ISS" 'bob:x')" "PyJWT token with an invalid sub"
refused bad-claims "$(pyjwt encode "$KEY" "$ISS" bob --extra '{"gen":"5"}')" "PyJWT token with gen as a string"
"$TT" -l 7200 verify "$KEY" "$ISS" "$(pyjwt encode "$KEY" "$ISS" bob --ttl 7200)" >/dev/null
ok $? "  but accepted when our TTL allows it"

# --- rotation: the old key keeps working for one TTL, for us; PyJWT only knows the new key ---
cp "$KEY" "$TMP/key.before"
"$TT" rotate "$KEY"; ok $? "rotate the secret"
cmp -s "$TMP/key.before" "$KEY.prev"; ok $? "  the old key is now .prev"
"$TT" verify "$KEY" "$ISS" "$tok" >/dev/null; ok $? "our pre-rotation token still verifies (previous key)"
# Pretend the rotation happened one TTL ago (the .prev mtime is the rotation time).
touch -d "@$(( $(date +%s) - 3600 ))" "$KEY.prev"
refused bad-signature "$tok" "  but not once the rotation is one TTL old" -l 3600
touch -d "@$(( $(date +%s) - 3500 ))" "$KEY.prev"
"$TT" -l 3600 verify "$KEY" "$ISS" "$tok" >/dev/null; ok $? "  (accepted 100 s before that)"
pyjwt decode "$KEY" "$ISS" "$tok" 2>/dev/null; ok $((! $?)) "PyJWT (new key only) refuses the old token"
tok2=$("$TT" issue "$KEY" "$ISS" carol)
pyjwt decode "$KEY" "$ISS" "$tok2" >/dev/null; ok $? "PyJWT verifies a token signed with the new key"

chmod 0644 "$KEY"
"$TT" verify "$KEY" "$ISS" "$tok2" 2>/dev/null; ok $((! $?)) "a world-readable secret file is refused"

done_testing
