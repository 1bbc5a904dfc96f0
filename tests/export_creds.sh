#!/bin/bash
# export_creds.sh: --export names the users whose credentials (app tokens...) an htpasswd
# file cannot carry, and an import of its output indeed lacks them.
. "$top_srcdir/tests/lib.sh"

P=$GK_PASSWD
[ -x "$P" ] || bail "$P not built"
cd "$TMP" || bail "no TMP"
for v in $(env | sed -n 's/^\(GATEKEEP_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
: > empty.conf
export GATEKEEP_CONFIG="$TMP/empty.conf"

run() {
	out=$("$@" 2>"$TMP/stderr"); rc=$?
	err=$(cat "$TMP/stderr")
}

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

"$P" --token-revoke alice phone users.db 2>/dev/null
"$P" --token-revoke carol dav users.db 2>/dev/null
run "$P" --export users.db
unlike "$err" 'credentials' "tokens revoked: nothing to warn about"
done_testing
