#!/bin/bash
# tests/tofu8_export.sh: a database rebuilt by --export --with-credentials and --import keeps
# each user's creation time and generation. A session is its user's only while its
# generation is the user's and it was issued after the user was created: an import that
# made both anew ended every session. Old exports (without the user line) still import.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

gk_passwd_world
"$P" --init users.db 2>/dev/null || bail "--init failed"
for u in alice bob; do
	"$P" -b -C 10 -B users.db "$u" "pw $u" 2>/dev/null || bail "adding $u failed"
done
"$P" --revoke-sessions users.db bob >/dev/null 2>&1 || bail "--revoke-sessions bob failed"
"$P" --token-add bob --name ci users.db >/dev/null 2>&1 || bail "--token-add bob failed"
# times: USER DB: the created time and generation --show prints.
times() { "$P" --show "$1" "$2" 2>/dev/null | grep -E '^(created|generation):' | tr '\n' ' '; }
# into DIR FILE: FILE imported into a new database DIR/users.db ($rc, $err).
into() {
	mkdir "$1" && "$P" --init "$1/users.db" 2>/dev/null || bail "--init $1 failed"
	run "$P" --import "$2" --with-credentials "$1/users.db"
}
sleep 1         # the import happens in a later second than the creation

run "$P" --export --with-credentials users.db
is "$rc" 0 "--export --with-credentials: exit 0"
like "$(printf '%s\n' "$out" | sed -n 2p)" '^#gatekeep-user alice created=[1-9][0-9]* generation=1$' \
	"alice's user line follows her htpasswd line"
like "$out" '#gatekeep-user bob created=[1-9][0-9]* generation=2' "bob's says generation 2"
printf '%s\n' "$out" >full.htpasswd
into new full.htpasswd
is "$rc" 0 "the export imports"
for u in alice bob; do
	is "$(times "$u" new/users.db)" "$(times "$u" users.db)" "$u: the same created time and generation"
done
like "$("$P" --token-list bob new/users.db)" 'ci	id=.*state=active' "bob's token is still active"

# Old exports (no user line) import as before: the users are created now.
grep -v '^#gatekeep-user' full.htpasswd >old.htpasswd
into old old.htpasswd
is "$rc" 0 "an export without user lines imports"
like "$(times bob old/users.db)" 'generation: 1 ' "... its users start at generation 1"

# --force keeps a replaced user's own times; a stray, malformed or future line is refused whole.
"$P" --revoke-sessions old/users.db bob >/dev/null 2>&1 || bail "--revoke-sessions failed"
run "$P" --import full.htpasswd --force --with-credentials old/users.db
is "$rc" 0 "--force over existing users"
like "$(times bob old/users.db)" 'generation: 3 ' "... bumps their own generation (2 to 3, not the file's 2)"
mkdir bad && "$P" --init bad/users.db 2>/dev/null || bail "--init bad failed"
for edit in 's/^#gatekeep-user alice/#gatekeep-user bob/' 's/generation=1$/generation=0/' \
    "s/created=[0-9]*/created=$(($(date +%s) + 3600))/" 's/ generation=1$//'; do
	sed "$edit" full.htpasswd >bad.htpasswd
	run "$P" --import bad.htpasswd --with-credentials bad/users.db
	unlike "$rc" '^0$' "refused: $edit"
done
like "$err" 'created=N generation=N' "... saying what the line must be"
is "$("$P" -l bad/users.db 2>/dev/null | wc -l)" 0 "... and nothing is imported"
done_testing
