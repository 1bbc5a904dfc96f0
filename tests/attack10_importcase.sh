#!/bin/bash
# tests/attack10_importcase.sh: --import of a user name that differs from another only by
# case. gatekeep refuses to create such a user from an identity provider or a trusted
# proxy (lib/extuser: "Alice" beside "alice": many apps fold user names, so the newcomer
# becomes the other user there, name-case-clash), but an htpasswd file brought in with
# --import added "ALICE" beside the existing "alice", and "Bob" beside "bob" from the same
# file: whoever holds ALICE's password is alice in such an app (Remote-User: ALICE).
. "${top_srcdir:-.}/tests/lib.sh"

[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
DB=$TMP/users.db
"$GK_PASSWD" -c -b "$DB" alice 'alice-pw' >/dev/null 2>&1 || bail "passwd alice"
HASH=$("$GK_PASSWD" -n -b x 'other-pw' 2>/dev/null | cut -d: -f2-)
[ -n "$HASH" ] || bail "gatekeep-passwd -n"

users() { "$GK_PASSWD" -l "$DB" 2>/dev/null | cut -f1 | sort | tr '\n' ' '; }

printf 'ALICE:%s\n' "$HASH" >"$TMP/one.txt"
"$GK_PASSWD" --import "$TMP/one.txt" "$DB" >"$TMP/one.out" 2>&1
[ $? -ne 0 ]; ok $? "--import refuses ALICE beside alice ($(tail -1 "$TMP/one.out"))"
is "$(users)" "alice " "... and the database keeps alice alone"

printf 'bob:%s\nBob:%s\n' "$HASH" "$HASH" >"$TMP/two.txt"
"$GK_PASSWD" --import "$TMP/two.txt" "$DB" >"$TMP/two.out" 2>&1
[ $? -ne 0 ]; ok $? "--import refuses a file with bob and Bob ($(tail -1 "$TMP/two.out"))"
unlike "$(users)" 'Bob' "... and adds no Bob"

grep -q "user 'ALICE' differs from the existing user 'alice' only by case" "$TMP/one.out"
ok $? "the refusal names alice and the clash ($(grep -m1 case "$TMP/one.out"))"
"$GK_PASSWD" --force --import "$TMP/one.txt" "$DB" >"$TMP/force1.out" 2>&1
grep -q "differs from the existing user 'alice' only by case" "$TMP/force1.out"; ok $? "--force replaces an existing user only by its exact name: ALICE is still refused"
grep -q "user 'Bob' differs from 'bob' earlier in the file only by case" "$TMP/two.out"
ok $? "the refusal names bob, earlier in the file"
"$GK_PASSWD" -b "$DB" ALICE 'other-pw' >"$TMP/b.out" 2>&1
[ $? -ne 0 ]; ok $? "gatekeep-passwd -b refuses a new ALICE too ($(tail -1 "$TMP/b.out"))"
is "$(users)" "alice " "... and the database keeps alice alone"
"$GK_PASSWD" -b "$DB" alice 'alice-pw2' >/dev/null 2>&1
ok $? "alice's password is still changed by her exact name"
"$GK_PASSWD" -v -b "$DB" alice 'alice-pw2' >/dev/null 2>&1
ok $? "... to the new one"
printf 'alice:%s\n' "$HASH" >"$TMP/force.txt"
"$GK_PASSWD" --force --import "$TMP/force.txt" "$DB" >/dev/null 2>&1
ok $? "--import --force still replaces alice by her exact name"

# what held: an exact duplicate in one file, and a name already there without --force
printf 'carol:%s\ncarol:%s\n' "$HASH" "$HASH" >"$TMP/dup.txt"
"$GK_PASSWD" --import "$TMP/dup.txt" "$DB" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "--import refuses carol twice in one file"
printf 'alice:%s\n' "$HASH" >"$TMP/same.txt"
"$GK_PASSWD" --import "$TMP/same.txt" "$DB" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "--import without --force refuses to replace alice"
done_testing
