#!/bin/bash
# export_creds.sh: --export names the users whose credentials (app tokens...) an htpasswd
# file cannot carry, and an import of its output indeed lacks them.
. "$top_srcdir/tests/lib.sh"

gk_passwd_world

"$P" --init users.db 2>/dev/null || bail "--init failed"
for u in alice bob carol; do
	"$P" -b -C 10 -B users.db "$u" "pw $u" 2>/dev/null || bail "adding $u failed"
done
"$P" --token-add alice --name phone users.db >/dev/null 2>&1 || bail "--token-add alice failed"
"$P" --token-add carol --name dav users.db >/dev/null 2>&1 || bail "--token-add carol failed"

run "$P" --export users.db
is "$rc" 0 "--export with credentials in the database: exit 0"
is "$(printf '%s\n' "$out" | cut -d: -f1 | tr '\n' ' ')" "alice bob carol " \
    "--export prints every user's htpasswd line"
like "$err" 'credentials NOT exported.* of: alice, carol$' \
    "--export names the users whose tokens it cannot carry"
unlike "$err" 'bob' "... and not the user without any"

printf '%s\n' "$out" > export.htpasswd
mkdir new && "$P" --init new/users.db 2>/dev/null || bail "--init new/users.db failed"
run "$P" --import export.htpasswd new/users.db
is "$rc" 0 "the export imports"
run "$P" --token-list alice new/users.db
is "$out" "" "the imported alice has no tokens: exactly what --export warned about"
run "$P" --export new/users.db
unlike "$err" 'credentials' "no warning for a database without credentials"

# --- --with-credentials carries them, and --import brings them back -------------------------
TOK=$("$P" --token-add alice --name laptop users.db 2>/dev/null) || bail "--token-add laptop failed"
"$P" --token-add bob --name old users.db >/dev/null 2>&1
"$P" --revoke-sessions users.db bob >/dev/null 2>&1 || bail "--revoke-sessions bob failed"
run "$P" --export --with-credentials users.db
is "$rc" 0 "--export --with-credentials: exit 0"
like "$(printf '%s\n' "$out" | sed -n 3p)" '^#gatekeep-creds alice [A-Za-z0-9+/]+=*$' \
    "alice's credentials line follows her htpasswd line (and her user line, tests/tofu8_export.sh)"
unlike "$out" '#gatekeep-creds bob' "bob's only token is revoked: nothing carried"
like "$err" 'TOTP seeds in the clear' "--with-credentials warns that the output is secret"
printf '%s\n' "$out" > full.htpasswd
mkdir full && "$P" --init full/users.db 2>/dev/null || bail "--init full/users.db failed"
run "$P" --import full.htpasswd full/users.db
unlike "$rc" '^0$' "the export with credentials is refused by a plain --import"
like "$err" 'import it with --import --with-credentials' "... which says what to add"
run "$P" --import full.htpasswd --with-credentials full/users.db
is "$rc" 0 "the export with credentials imports with --import --with-credentials"
like "$("$P" --token-list alice full/users.db)" 'laptop	id=.*state=active' \
    "alice's token is there after the import, active"
run "$P" -v -b full/users.db alice "$TOK"
unlike "$rc" '^0$' "(a token is never a password)"
run "$P" --token-list bob full/users.db
is "$out" "" "bob's revoked token did not travel"
run "$P" --export --with-credentials full/users.db
is "$(printf '%s\n' "$out" | grep '^#gatekeep-creds alice' | wc -l)" 1 "and exports again"

# A credentials line must follow its own user, be base64 and decode: else nothing is imported.
sed 's/^#gatekeep-creds alice/#gatekeep-creds carol/' full.htpasswd > stray.htpasswd
mkdir stray && "$P" --init stray/users.db 2>/dev/null || bail "--init stray failed"
run "$P" --import stray.htpasswd --with-credentials stray/users.db
unlike "$rc" '^0$' "a credentials line naming another user is refused"
like "$err" 'must follow its user' "... saying why"
is "$("$P" -l stray/users.db 2>/dev/null | wc -l)" 0 "... and nothing is imported"
awk '/^#gatekeep-creds/ { $3 = "Z" substr($3, 2) } { print }' full.htpasswd > bad.htpasswd
run "$P" --import bad.htpasswd --with-credentials stray/users.db
unlike "$rc" '^0$' "a mangled credentials value is refused"
run "$P" --export --with-credentials --list users.db
unlike "$rc" '^0$' "--with-credentials only with --export or --import"

"$P" --token-revoke alice phone users.db 2>/dev/null
"$P" --token-revoke carol dav users.db 2>/dev/null
"$P" --token-revoke alice laptop users.db 2>/dev/null
"$P" --token-revoke bob old users.db 2>/dev/null
run "$P" --export users.db
unlike "$err" 'credentials' "tokens revoked: nothing to warn about"
done_testing
