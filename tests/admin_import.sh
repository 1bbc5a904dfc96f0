#!/bin/bash
# admin_import.sh: --import of a real htpasswd file made here with Apache's htpasswd
# (bcrypt, apr1, {SHA}, sha256/512-crypt), all-or-nothing refusals, --force, --export.
. "$top_srcdir/tests/lib.sh"

command -v htpasswd >/dev/null || bail "htpasswd (apache2-utils) is needed"
gk_passwd_world

sum() { sha256sum "$1" | cut -d' ' -f1; }

# A real htpasswd file, one user per method Apache's htpasswd offers (and we accept).
htpasswd -c -b -B -C 5 real.htpasswd bcrypt 'pw bcrypt' 2>/dev/null || bail "htpasswd -B failed"
htpasswd -b -m real.htpasswd apr1 'pw apr1' 2>/dev/null
htpasswd -b -s real.htpasswd sha1 'pw sha1' 2>/dev/null
htpasswd -b -5 real.htpasswd sha512 'pw sha512' 2>/dev/null
htpasswd -b -2 real.htpasswd sha256 'pw sha256' 2>/dev/null
"$P" -n -b -y yes 'pw yes' >> real.htpasswd 2>/dev/null
like "$(cat real.htpasswd)" '^bcrypt:\$2y\$05\$' "htpasswd -B made a \$2y\$ line"
like "$(grep '^apr1:' real.htpasswd)" '^apr1:\$apr1\$' "htpasswd -m made an \$apr1\$ line"
like "$(grep '^sha1:' real.htpasswd)" '^sha1:\{SHA\}' "htpasswd -s made a {SHA} line"
like "$(grep '^sha512:' real.htpasswd)" '^sha512:\$6\$' "htpasswd -5 made a \$6\$ line"
like "$(grep '^sha256:' real.htpasswd)" '^sha256:\$5\$' "htpasswd -2 made a \$5\$ line"
users="bcrypt apr1 sha1 sha512 sha256 yes"

"$P" --init users.db 2>/dev/null || bail "--init failed"
run "$P" --import real.htpasswd users.db
is "$rc" 0 "--import of a real htpasswd file: exit 0"
like "$err" 'Imported 6 users' "--import reports the count"
for u in $users; do
	run "$P" -v -b users.db "$u" "pw $u"
	is "$rc" 0 "imported $u verifies with its password"
	run "$P" -v -b users.db "$u" "pw wrong"
	is "$rc" 3 "imported $u refuses a wrong password"
done
like "$("$P" --show apr1 users.db)" 'password: apr1-md5' "--show names the apr1 method"

# --- all or nothing ---------------------------------------------------------------------
before=$(sum users.db)
refused() {  # refused FILE RC REGEX DESC
	run "$P" --import "$1" users.db
	is "$rc" "$2" "$4: exit $2"
	like "$err" "$3" "$4: message"
	like "$err" 'nothing imported' "$4: says nothing was imported"
	is "$(sum users.db)" "$before" "$4: database unchanged"
}
{ htpasswd -nbB -C 5 new1 'pw new1'; htpasswd -nbd des 'pw des'; htpasswd -nbB -C 5 new2 'pw new2'; } \
	| grep . > des.htpasswd
refused des.htpasswd 7 'des.htpasswd:2: user .des.: unsupported or malformed password hash' "a DES crypt line"
run "$P" -v -b users.db new1 'pw new1'
is "$rc" 6 "the valid line before the bad one was not imported"
printf 'ok1:%s\nplain:secret\n' "$(htpasswd -nbB -C 5 x y | cut -d: -f2 | head -1)" > plain.htpasswd
refused plain.htpasswd 7 'plain.htpasswd:2: .*unsupported' "a plaintext line"
printf 'md5:%s\n' "$(openssl passwd -1 pw 2>/dev/null || echo '$1$abc$def')" > md5.htpasswd
refused md5.htpasswd 7 'md5.htpasswd:1: .*unsupported' "an md5-crypt (\$1\$) line"
printf 'trunc:$2y$05$tooshort\n' > trunc.htpasswd
refused trunc.htpasswd 7 'trunc.htpasswd:1: .*malformed' "a truncated bcrypt hash"
# Mangled hashes of every accepted family: each would lock its user out, so each is refused.
good6=$(grep '^sha512:' real.htpasswd | cut -d: -f2)
for h in "${good6%?}" "${good6}x" '$5$salt$short' '$apr1$abc$short' '{SHA}abc=' \
	"$(grep '^sha1:' real.htpasswd | cut -d: -f2 | tr = x)" '$y$j9T$salt$short' \
	'$2y$99$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0' '$6$rounds=$salt$x'; do
	printf 'mangled:%s\n' "$h" > mangled.htpasswd
	run "$P" --import mangled.htpasswd users.db
	is "$rc" 7 "mangled hash '$h' is refused"
done
is "$(sum users.db)" "$before" "mangled hashes changed nothing"
printf 'nocolon\n' > nocolon.htpasswd
refused nocolon.htpasswd 7 'nocolon.htpasswd:1: not a "user:hash" line' "a line without ':'"
printf 'a%sb:%s\n' "$(printf '\t')" "$(grep '^bcrypt:' real.htpasswd | cut -d: -f2)" > tab.htpasswd
refused tab.htpasswd 7 'tab.htpasswd:1: invalid user name' "a user name with a TAB"
printf '%s:%s\n' "$(head -c 129 /dev/zero | tr '\0' u)" "$(grep '^bcrypt:' real.htpasswd | cut -d: -f2)" > long.htpasswd
refused long.htpasswd 7 'long.htpasswd:1: user name too long' "a 129-byte user name"
printf 'emptyhash:\n' > empty.htpasswd
refused empty.htpasswd 7 'empty.htpasswd:1: .*empty password hash' "an empty hash"
{ grep '^sha1:' real.htpasswd | sed 's/^sha1:/dup:/'; grep '^sha1:' real.htpasswd | sed 's/^sha1:/dup:/'; } > dup.htpasswd
refused dup.htpasswd 7 "dup.htpasswd:2: user 'dup' appears twice" "a user twice in the file"
refused real.htpasswd 7 "real.htpasswd:1: user 'bcrypt' already exists .*--force" "existing users without --force"
printf 'x:%s\0tail\n' "$(grep '^bcrypt:' real.htpasswd | cut -d: -f2)" > nul.htpasswd
refused nul.htpasswd 7 'nul.htpasswd:1: NUL byte' "a NUL byte"
head -c 3000 /dev/zero | tr '\0' a > longline.htpasswd
refused longline.htpasswd 7 'longline.htpasswd:1: line too long' "a 3000-byte line"
run "$P" --import nowhere.htpasswd users.db
is "$rc" 1 "a missing import file: exit 1"
like "$err" 'nowhere.htpasswd: No such file' "... named"
run "$P" --import real.htpasswd missing.db
is "$rc" 1 "import into a missing database without -c: exit 1"

# --- --force, attributes, stdin, CRLF, comments -------------------------------------------
htpasswd -nbB -C 5 bcrypt 'pw changed' | grep . > change.htpasswd
gen=$("$P" --show bcrypt users.db | sed -n 's/^generation: //p')
run "$P" --import change.htpasswd --force users.db
is "$rc" 0 "--import --force replaces an existing user"
like "$err" '1 replaced' "--force reports the replacement"
run "$P" -v -b users.db bcrypt 'pw changed'
is "$rc" 0 "the replaced user has the new password"
is "$("$P" --show bcrypt users.db | sed -n 's/^generation: //p')" "$((gen + 1))" "replacing a password revokes sessions"

{ printf '# a comment\r\n\r\n'; htpasswd -nbB -C 5 crlf 'pw crlf' | grep . | sed 's/$/\r/'; } > crlf.htpasswd
run "$P" --import crlf.htpasswd --groups imported,staff --permission ro users.db
is "$rc" 0 "CRLF lines, comments and blank lines import"
run "$P" -v -b users.db crlf 'pw crlf'
is "$rc" 0 "a CRLF line's hash is intact"
like "$("$P" -l users.db)" "$(printf 'crlf\t-\tro\timported,staff\t-')" "attributes apply to imported users"

htpasswd -nbB -C 5 piped 'pw piped' | "$P" --import - users.db 2>/dev/null
ok $? "--import - reads standard input"
run "$P" -v -b users.db piped 'pw piped'
is "$rc" 0 "the user from standard input verifies"

run "$P" -c --import real.htpasswd fresh.db
is "$rc" 0 "-c --import creates a database"
is "$(stat -c %a fresh.db)" 600 "... with mode 0600"
before=$(sum fresh.db)
run "$P" -c --import real.htpasswd fresh.db
is "$rc" 1 "-c --import on an existing database: exit 1"

# --- export round trip ---------------------------------------------------------------------
run "$P" --export fresh.db
is "$rc" 0 "--export exits 0"
is "$out" "$(sort real.htpasswd)" "--export of an import is the original file (sorted)"
printf '%s\n' "$out" > exported.htpasswd
for u in bcrypt apr1 sha1 sha512 sha256 yes; do
	htpasswd -vb exported.htpasswd "$u" "pw $u" >/dev/null 2>&1
	is "$?" 0 "htpasswd verifies exported $u"
done
"$P" --disable fresh.db apr1 2>/dev/null
unlike "$("$P" --export fresh.db 2>/dev/null)" '^apr1:' "a disabled user is not exported"

done_testing
