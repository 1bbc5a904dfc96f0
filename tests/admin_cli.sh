#!/bin/bash
# admin_cli.sh: gatekeep-passwd end to end: add, verify, delete, attributes, list/show,
# -n output checked by Apache's htpasswd, --init, --check, --rotate-secret and exit codes.
. "$top_srcdir/tests/lib.sh"

command -v htpasswd >/dev/null || bail "htpasswd (apache2-utils) is needed"
gk_passwd_world

# sum FILE: content fingerprint, to prove a refused command changed nothing.
sum() { sha256sum "$1" | cut -d' ' -f1; }
mode_of() { stat -c %a "$1"; }

# --- help, version, usage -------------------------------------------------------------
run "$P" --help
is "$rc" 0 "--help exits 0"
like "$out" '^Usage: gatekeep-passwd' "--help prints the usage on stdout"
like "$out" '--import=FILE' "--help lists --import"
is "$err" "" "--help prints nothing on stderr"
run "$P" --version
is "$rc" 0 "--version exits 0"
like "$out" '^gatekeep-passwd \(gatekeep\) [0-9]+\.[0-9]+' "--version names program and version"
run "$P"
is "$rc" 2 "no arguments: exit 2"
is "$out" "" "usage error prints nothing on stdout"
like "$err" 'missing arguments' "usage error says what is missing"
run "$P" --no-such-option users.db alice
is "$rc" 2 "unknown long option: exit 2"
like "$err" 'unknown option --no-such-option' "unknown option is named"
run "$P" -Q users.db alice
is "$rc" 2 "unknown short option: exit 2"
run "$P" --show
is "$rc" 2 "missing option argument: exit 2"
like "$err" 'needs an argument' "missing option argument is reported"

# --- create, add, verify --------------------------------------------------------------
run "$P" -c -b users.db alice 'correct horse'
is "$rc" 0 "-c -b creates the database with a user"
like "$err" 'Adding password for user alice' "adding is reported like htpasswd"
is "$(mode_of users.db)" 600 "new database is mode 0600"
before=$(sum users.db)
run "$P" -c -b users.db mallory 'x'
is "$rc" 1 "-c on an existing database: exit 1"
like "$err" 'users.db: database already exists' "-c refusal names the file"
is "$(sum users.db)" "$before" "-c refusal left the database unchanged"

run "$P" -b users.db bob 'pw-bob'
is "$rc" 0 "-b adds a second user"
run "$P" -v -b users.db alice 'correct horse'
is "$rc" 0 "-v with the right password: exit 0"
like "$err" 'Password for user alice correct' "-v success message (htpasswd's)"
run "$P" -v -b users.db alice 'wrong horse'
is "$rc" 3 "-v with a wrong password: exit 3"
like "$err" 'password verification failed' "-v failure message"
run "$P" -v -b users.db carol 'x'
is "$rc" 6 "-v for an unknown user: exit 6"
is "$err" "gatekeep-passwd: users.db: no such user 'carol'" "unknown user message names db and user"
run "$P" -b missing.db alice pw
is "$rc" 1 "missing database without -c: exit 1"
like "$err" 'missing.db: no such database' "missing database is named"
[ ! -e missing.db ]; ok $? "missing database was not created"

# -b password starting with '-' is an argument, not an option (options stop at DBFILE).
run "$P" -b users.db dash '-D'
is "$rc" 0 "a password that looks like an option is taken as the password"
run "$P" -v -b users.db dash '-D'
is "$rc" 0 "... and verifies"

# -i: one line from stdin, trailing newline or CRLF stripped, NUL refused.
printf 'from stdin\n' | "$P" -i users.db ivan 2>/dev/null
ok $? "-i reads the password from stdin"
run "$P" -v -b users.db ivan 'from stdin'
is "$rc" 0 "-i password stored without its newline"
printf 'crlf pw\r\n' | "$P" -i users.db ivan 2>/dev/null
run "$P" -v -b users.db ivan 'crlf pw'
is "$rc" 0 "-i strips a trailing CRLF"
printf 'no newline' | "$P" -i users.db ivan 2>/dev/null
run "$P" -v -b users.db ivan 'no newline'
is "$rc" 0 "-i accepts a last line without newline"
printf 'only first\nsecond\n' | "$P" -v -i users.db ivan >/dev/null 2>&1
is "$?" 3 "-i reads one line only (the second is not part of the password)"
before=$(sum users.db)
out=$(printf 'a\0b\n' | "$P" -i users.db ivan 2>&1); rc=$?
is "$rc" 2 "-i refuses a NUL byte: exit 2"
like "$out" 'NUL byte' "NUL refusal says why"
out=$("$P" -i users.db ivan </dev/null 2>&1); rc=$?
is "$rc" 2 "-i with empty stdin: exit 2"
like "$out" 'no password on standard input' "empty stdin is reported"
out=$(head -c 300 /dev/zero | tr '\0' p | "$P" -i users.db ivan 2>&1); rc=$?
is "$rc" 5 "-i password over 256 bytes: exit 5"
is "$(sum users.db)" "$before" "refused -i inputs changed nothing"
printf 'pw\n' | "$P" -v -i users.db ivan >/dev/null 2>&1
is "$?" 3 "-v -i with a wrong password: exit 3"

# No terminal, no -b/-i: a clear error, not a hang.
out=$(setsid "$P" users.db nobody </dev/null 2>&1); rc=$?
is "$rc" 2 "no /dev/tty and no -b/-i: exit 2"
like "$out" '/dev/tty.*use -b or -i' "no-terminal error suggests -b or -i"

# --- hashing methods ------------------------------------------------------------------
for m in y B 2 5 6; do
	run "$P" -$m -b users.db "m$m" "pw $m"
	is "$rc" 0 "-$m stores a password"
	run "$P" -v -b users.db "m$m" "pw $m"
	is "$rc" 0 "-$m password verifies"
done
like "$("$P" --show my users.db)" 'password: yescrypt' "-y stores yescrypt"
like "$("$P" --show mB users.db)" 'password: bcrypt' "-B stores bcrypt"
# htpasswd's letters: -2 is SHA-256 ($5$), -5 SHA-512 ($6$); -6 is gatekeep's SHA-512 alias
like "$("$P" --show m2 users.db)" 'password: sha256-crypt' "-2 stores sha256-crypt"
like "$("$P" --show m5 users.db)" 'password: sha512-crypt' "-5 stores sha512-crypt"
like "$("$P" --show m6 users.db)" 'password: sha512-crypt' "-6 stores sha512-crypt"
for m in 2 5; do
	is "$("$P" -n -b -$m u p 2>/dev/null | cut -c1-5)" "$(htpasswd -nb -$m u p 2>/dev/null | head -1 | cut -c1-5)" \
		"-$m makes the same kind of hash as htpasswd -$m"
done
like "$("$P" -n -b --sha512 u p 2>/dev/null)" '^u:\$6\$' "--sha512 makes \$6\$"
like "$("$P" -n -b --sha256 u p 2>/dev/null)" '^u:\$5\$' "--sha256 makes \$5\$"
like "$("$P" --show alice users.db)" 'password: yescrypt' "the default is yescrypt (libxcrypt's preferred)"
for m in m s d p; do
	run "$P" -$m -b users.db x pw
	is "$rc" 10 "-$m (a weak htpasswd method) is refused: exit 10"
done
run "$P" -B -b users.db longpw "$(head -c 73 /dev/zero | tr '\0' x)"
is "$rc" 5 "bcrypt refuses a password over 72 bytes: exit 5"
run "$P" -b users.db empty ''
is "$rc" 2 "an empty password is refused: exit 2"
run "$P" -C abc -b users.db x pw
is "$rc" 2 "-C with a non-number: exit 2"
run "$P" -B -C 11 -b users.db cost11 pw
is "$rc" 0 "-B -C 11 works"
like "$("$P" --export users.db 2>/dev/null | grep '^cost11:')" '^cost11:\$2b\$11\$' "the cost is in the stored hash"
run "$P" -B -6 -b users.db x pw
is "$rc" 2 "two methods at once: exit 2"
# every cost outside what the method takes is refused up front, naming the range
# (libxcrypt alone says "Invalid argument" for yescrypt and bcrypt, and silently turns
# sha-crypt rounds under 1000 into 1000)
check_cost() {  # check_cost OPTIONS EXPECTED-ERROR DESCRIPTION
	before=$(sum users.db)
	run "$P" $1 -b users.db costly pw
	is "$rc:$err" "2:gatekeep-passwd: $2" "$3: exit 2, the range named"
	is "$(sum users.db)" "$before" "... nothing stored"
}
check_cost "-y -C 20" "-C 20: the yescrypt cost must be 1 to 11 (default 5)" "-y -C 20"
check_cost "-C 12" "-C 12: the yescrypt cost must be 1 to 11 (default 5)" "-C 12 with the default method (yescrypt)"
check_cost "-B -C 9" "-C 9: the bcrypt cost must be 10 to 15 (default 12)" "-B -C 9 (cheaper than gatekeep allows)"
check_cost "-B -C 16" "-C 16: the bcrypt cost must be 10 to 15 (default 12)" "-B -C 16 (dearer than a stored hash may be)"
check_cost "-5 -C 100" "-C 100: the sha512-crypt rounds must be 1000 to 5000000 (default 5000)" "-5 -C 100"
check_cost "-2 -r 999" "-C 999: the sha256-crypt rounds must be 1000 to 5000000 (default 5000)" "-2 -r 999"
run "$P" -n -b -5 -C 1000 u p
like "$out" '^u:\$6\$rounds=1000\$' "-5 -C 1000: the lowest sha-crypt rounds work"
run "$P" -n -b -y -C 1 u p
like "$out" '^u:\$y\$' "-y -C 1: the lowest yescrypt cost works"
run "$P" --help
like "$out" 'yescrypt 1-11 \(default 5\), bcrypt 10-15 \(12\)' "--help gives the real cost ranges"

# --- -n prints user:hash, and Apache's htpasswd accepts it ------------------------------
run "$P" -n -b -B alice 'n pass'
is "$rc" 0 "-n -b -B exits 0"
like "$out" '^alice:\$2b\$12\$[./A-Za-z0-9]{53}$' "-n -B prints exactly one user:bcrypt line"
printf '%s\n' "$out" > n.htpasswd
htpasswd -vb n.htpasswd alice 'n pass' >/dev/null 2>&1
is "$?" 0 "htpasswd -v accepts our -n -B line"
htpasswd -vb n.htpasswd alice 'wrong' >/dev/null 2>&1
is "$?" 3 "htpasswd -v rejects a wrong password for it"
for m in y 5 6; do
	"$P" -n -b -$m bob 'n pass' > n$m.htpasswd 2>/dev/null
	htpasswd -vb n$m.htpasswd bob 'n pass' >/dev/null 2>&1
	is "$?" 0 "htpasswd -v accepts our -n -$m line"
done
run "$P" -n -b users.db alice pw
is "$rc" 2 "-n with a DBFILE: exit 2"
like "$err" 'takes no DBFILE' "-n explains there is no DBFILE"
printf 'stdin pw\n' | "$P" -n -i zed > ni.htpasswd 2>/dev/null
htpasswd -vb ni.htpasswd zed 'stdin pw' >/dev/null 2>&1
is "$?" 0 "-n -i output verifies with htpasswd"
htpasswd -nbB hal 'apache made' > apache.htpasswd 2>/dev/null
"$P" --import apache.htpasswd users.db 2>/dev/null
run "$P" -v -b users.db hal 'apache made'
is "$rc" 0 "a hash from htpasswd -nbB verifies in gatekeep"

# --- delete ---------------------------------------------------------------------------
run "$P" -D users.db bob
is "$rc" 0 "-D deletes a user"
like "$err" 'Deleting user bob' "-D reports the deletion"
run "$P" -v -b users.db bob 'pw-bob'
is "$rc" 6 "a deleted user no longer verifies: exit 6"
before=$(sum users.db)
run "$P" -D users.db bob
is "$rc" 0 "-D of an unknown user: exit 0, as htpasswd -D"
is "$err" "gatekeep-passwd: users.db: no such user 'bob': nothing to delete" "-D unknown user message"
is "$(sum users.db)" "$before" "-D of an unknown user left the database unchanged"
"$P" -b users.db xuser pw 2>/dev/null
run "$P" -x users.db xuser
is "$rc:$err" "0:gatekeep-passwd: Deleting user xuser" "-x deletes, as htdbm -x"
run "$P" -v -b users.db xuser pw
is "$rc" 6 "... the user is gone"
run "$P" -D -b users.db bob pw
is "$rc" 2 "-D with -b: exit 2"
run "$P" -D -v users.db bob
is "$rc" 2 "-D with -v: exit 2"

# --- attributes, list, show -----------------------------------------------------------
run "$P" --groups admins,staff users.db alice
is "$rc" 0 "--groups on an existing user needs no password"
like "$err" 'Updating user alice' "attribute change is reported"
run "$P" -v -b users.db alice 'correct horse'
is "$rc" 0 "an attribute change keeps the password"
gen1=$("$P" --show alice users.db | sed -n 's/^generation: //p')
run "$P" --permission ro --email alice@example.org --name 'Alice Liddell' --level 0 users.db alice
is "$rc" 0 "--permission --email --name --level together"
run "$P" --add-group ops --remove-group staff users.db alice
is "$rc" 0 "--add-group/--remove-group"
run "$P" --show alice users.db
is "$rc" 0 "--show exits 0"
is "$(printf '%s\n' "$out" | sed -n '1,8p')" "user: alice
name: Alice Liddell
email: alice@example.org
groups: admins,ops
permission: ro
level: 0
flags: -
password: yescrypt" "--show prints the fields (and never the hash)"
unlike "$out" '\$y\$' "--show does not print the hash"
like "$out" 'created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z' "--show prints ISO 8601 UTC times"
gen2=$(printf '%s\n' "$out" | sed -n 's/^generation: //p')
is "$gen2" "$gen1" "attribute changes do not revoke sessions"
run "$P" --revoke-sessions users.db alice
gen3=$("$P" --show alice users.db | sed -n 's/^generation: //p')
is "$gen3" "$((gen2 + 1))" "--revoke-sessions bumps the generation"
"$P" -b users.db alice 'new horse' 2>/dev/null
gen4=$("$P" --show alice users.db | sed -n 's/^generation: //p')
is "$gen4" "$((gen3 + 1))" "a password change bumps the generation"
run "$P" --disable users.db alice
gen5=$("$P" --show alice users.db | sed -n 's/^generation: //p')
is "$gen5" "$((gen4 + 1))" "--disable bumps the generation"
like "$("$P" --show alice users.db)" 'flags: disabled' "--disable sets the flag"
run "$P" -v -b users.db alice 'new horse'
is "$rc" 3 "a disabled user fails -v: exit 3"
like "$err" "user 'alice' is disabled" "-v says the user is disabled"
run "$P" --enable users.db alice
run "$P" -v -b users.db alice 'new horse'
is "$rc" 0 "--enable makes -v succeed again"
run "$P" --email '' --name '' --groups '' users.db alice
like "$("$P" --show alice users.db)" 'email: -' "--email '' clears the address"
run "$P" --groups admins -b users.db gina 'gina pw'
is "$rc" 0 "a new user with attributes and -b"
run "$P" --groups admins users.db nobody
is "$rc" 6 "attributes for an unknown user without a password: exit 6"
like "$err" "no such user 'nobody'.*-b or -i" "... with a hint to give a password"

run "$P" -l users.db
is "$rc" 0 "-l exits 0"
is "$(printf '%s\n' "$out" | head -3)" "alice	-	ro	-	-
cost11	-	rw	-	-
dash	-	rw	-	-" "-l prints sorted tab-separated lines"
like "$out" "$(printf 'gina\t-\trw\tadmins\t-')" "-l shows groups"
is "$(printf '%s\n' "$out" | wc -l)" "$("$P" --check users.db | sed 's/.*ok, \([0-9]*\) users/\1/')" "-l has one line per user"
"$P" --disable --permission none --email g@example.org users.db gina 2>/dev/null
like "$("$P" --list users.db)" "$(printf 'gina\tdisabled\tnone\tadmins\tg@example.org')" "--list shows flags, permission and e-mail"
run "$P" --show nobody users.db
is "$rc" 6 "--show of an unknown user: exit 6"

# --- invalid input: one line naming the problem, nothing written -------------------------
before=$(sum users.db)
check_refused() {  # check_refused WANT_RC REGEX DESC -- CMD...
	local want=$1 re=$2 desc=$3; shift 4
	run "$@"
	is "$rc" "$want" "$desc: exit $want"
	like "$err" "$re" "$desc: message"
	# One line naming the problem (usage errors add GNU's "Try --help" line).
	is "$(printf '%s\n' "$err" | grep -vc "^Try 'gatekeep-passwd --help'")" 1 "$desc: one line"
}
check_refused 6 "illegal character ':'" "':' in a user name" -- "$P" -b users.db 'a:b' pw
check_refused 6 "illegal character ','" "',' in a user name" -- "$P" -b users.db 'a,b' pw
check_refused 6 'control character \(0x0d\)' "CR in a user name" -- "$P" -b users.db "$(printf 'a\rb')" pw
check_refused 6 'control character \(0x0a\)' "LF in a user name" -- "$P" -b users.db "$(printf 'a\nb')" pw
check_refused 6 'control character \(0x09\)' "TAB in a user name" -- "$P" -b users.db "$(printf 'a\tb')" pw
check_refused 6 'starts or ends with a space' "leading space" -- "$P" -b users.db ' bob' pw
check_refused 6 'UTF-8' "invalid UTF-8 name" -- "$P" -b users.db "$(printf 'a\xffb')" pw
check_refused 6 "'-bob' starts with '-'" "leading '-' (admin scripts would read an option)" -- "$P" -b users.db -bob pw
check_refused 6 "starts with '-'" "leading '-' with an attribute" -- "$P" --groups users users.db -bob
check_refused 0 "no such user '-bob': nothing to delete" "-D of an absent '-bob' (an old record could be deleted; absent: exit 0 as htpasswd -D)" -- "$P" -D users.db -bob
check_refused 6 'empty user name' "empty user name" -- "$P" -b users.db '' pw
check_refused 5 'too long' "129-byte user name" -- "$P" -b users.db "$(head -c 129 /dev/zero | tr '\0' u)" pw
check_refused 6 "illegal character ':'" "-D with ':'" -- "$P" -D users.db 'a:b'
check_refused 6 "control character" "-v with LF" -- "$P" -v -b users.db "$(printf 'a\nb')" pw
check_refused 2 "invalid e-mail address 'not-an-email'" "bad e-mail" -- "$P" --email not-an-email users.db gina
check_refused 2 "invalid e-mail" "e-mail with CRLF" -- "$P" --email "$(printf 'a@b\r\nX: y')" users.db gina
check_refused 5 "too long" "over-long e-mail" -- "$P" --email "$(head -c 250 /dev/zero | tr '\0' a)@example.org" users.db gina
check_refused 2 "invalid permission 'admin'" "bad permission" -- "$P" --permission admin users.db gina
check_refused 2 "invalid group list 'a b'" "group with a space" -- "$P" --groups 'a b' users.db gina
check_refused 2 "invalid group list" "duplicate groups" -- "$P" --groups 'a,a' users.db gina
check_refused 2 "invalid group list" "group with a newline" -- "$P" --groups "$(printf 'a\nb')" users.db gina
check_refused 2 "invalid group list" "empty --add-group" -- "$P" --add-group '' users.db gina
check_refused 5 "too long" "over-long group list" -- "$P" --groups "$(seq -s, 1 400 | sed 's/[0-9]*/g&/g')" users.db gina
check_refused 2 "invalid level '1000'" "level over 999" -- "$P" --level 1000 users.db gina
check_refused 2 "invalid level '-1'" "negative level" -- "$P" --level -1 users.db gina
check_refused 2 "invalid display name" "display name with LF" -- "$P" --name "$(printf 'a\nb')" users.db gina
check_refused 2 "--disable and --enable" "--disable with --enable" -- "$P" --disable --enable users.db gina
check_refused 2 "-b and -i cannot be combined" "-b with -i" -- "$P" -b -i users.db gina pw
check_refused 2 "--force is only for --import" "--force alone" -- "$P" --force -b users.db gina pw
check_refused 2 "-c cannot be used with --list" "-c with --list" -- "$P" -c -l users.db
check_refused 2 "--groups cannot be used with -v" "attributes with -v" -- "$P" --groups a -v -b users.db gina pw
check_refused 2 "too many arguments" "extra argument" -- "$P" -b users.db gina pw extra
is "$(sum users.db)" "$before" "none of the refused commands changed the database"

# --- --init, --check, --rotate-secret, config -----------------------------------------
mkdir site
run "$P" --init site/users.db
is "$rc" 0 "--init exits 0"
is "$(mode_of site/users.db)" 600 "--init database is mode 0600"
is "$(mode_of site/secret)" 600 "--init secret (beside the database) is mode 0600"
ok "$([ "$(tr -d '\n' < site/secret | wc -c)" -ge 32 ]; echo $?)" "the secret holds at least 32 bytes"
run "$P" -l site/users.db
is "$rc" 0 "-l of the new database exits 0"
is "$out" "" "the new database has no users"
secret_before=$(sum site/secret)
run "$P" --init site/users.db
is "$rc" 1 "--init refuses an existing database: exit 1"
like "$err" 'already exists; not overwriting' "--init refusal message"
is "$(sum site/secret)" "$secret_before" "--init refusal left the secret alone"
mkdir site2
cp site/secret site2/secret
run "$P" --init site2/users.db
is "$rc" 1 "--init refuses an existing secret: exit 1"
[ ! -e site2/users.db ]; ok $? "... and created no database"
run "$P" --init --secret-file "$TMP/other.key" site3.db
is "$rc" 0 "--init --secret-file"
is "$(mode_of other.key)" 600 "--secret-file secret is mode 0600"
GATEKEEP_SECRET_FILE="$TMP/env.key" "$P" --init site4.db 2>/dev/null
[ -f env.key ]; ok $? "--init honours GATEKEEP_SECRET_FILE"
printf 'database = %s/site/users.db\nsecret_file = %s/conf.key\n' "$TMP" "$TMP" > site.conf
"$P" --config site.conf -b site/users.db frank 'frank pw' 2>/dev/null
run "$P" --config site.conf -l
is "$rc" 0 "-l without DBFILE uses the configured database"
like "$out" '^frank' "... and lists its users"
run env GATEKEEP_DATABASE="$TMP/site/users.db" "$P" --check
is "$rc" 0 "--check without DBFILE uses GATEKEEP_DATABASE"
printf 'no_such_key = 1\n' > broken.conf
run "$P" --config broken.conf -l
is "$rc" 9 "a broken configuration: exit 9"
like "$err" 'broken.conf:1' "... naming the file and line"

run "$P" --rotate-secret site/users.db
is "$rc" 0 "--rotate-secret exits 0"
[ -f site/secret.prev ]; ok $? "--rotate-secret keeps the previous key"
is "$(sum site/secret.prev)" "$secret_before" "the previous key is the old secret"
isnt_same=$([ "$(sum site/secret)" != "$secret_before" ]; echo $?)
ok "$isnt_same" "the secret changed"
is "$(mode_of site/secret)" 600 "the rotated secret is mode 0600"
run "$P" --rotate-secret --secret-file "$TMP/absent.key" site/users.db
is "$rc" 1 "--rotate-secret of a missing secret: exit 1"
secret_rotated=$(sum site/secret)
chmod 644 site/secret
run "$P" --rotate-secret --leaked site/users.db
is "$rc" 0 "--rotate-secret --leaked exits 0 (also for a world-readable key: it may be what leaked)"
like "$err" 'removed .*secret\.prev' "--leaked says the previous key is gone"
[ ! -e site/secret.prev ]; ok $? "--rotate-secret --leaked removes the previous key"
ok "$([ "$(sum site/secret)" != "$secret_rotated" ]; echo $?)" "--leaked: the secret changed"
is "$(mode_of site/secret)" 640 "--leaked: the new key is never readable by others"
chmod 600 site/secret
run "$P" --leaked -l site/users.db
is "$rc" 2 "--leaked without --rotate-secret: usage error (exit 2)"

run "$P" --check users.db
is "$rc" 0 "--check of a good database: exit 0"
like "$out" '^users.db: ok, [0-9]+ users$' "--check reports the user count"
cp users.db trunc.db
truncate -s 1000 trunc.db
run "$P" --check trunc.db
is "$rc" 7 "--check of a truncated database: exit 7"
like "$err" '^gatekeep-passwd: trunc.db: ' "--check failure names the file"
run "$P" -l trunc.db
is "$rc" 7 "-l of a truncated database: exit 7"
run "$P" -b trunc.db x pw
is "$rc" 7 "writing to a truncated database: exit 7"
: > zero.db
run "$P" --check zero.db
ok "$([ "$rc" -ne 0 ]; echo $?)" "--check of an empty file fails"
printf 'alice:$2y$05$abc\n' > text.db
run "$P" --check text.db
is "$rc" 7 "--check of an htpasswd text file: exit 7"
run "$P" --check nowhere.db
is "$rc" 1 "--check of a missing file: exit 1"

# --- export round trip ----------------------------------------------------------------
run "$P" --export users.db
is "$rc" 0 "--export exits 0"
unlike "$out" '^gina:' "--export skips disabled users"
like "$err" 'not exported' "--export reports skipped users on stderr"
printf '%s\n' "$out" > exported.htpasswd
htpasswd -vb exported.htpasswd mB 'pw B' >/dev/null 2>&1
is "$?" 0 "htpasswd verifies an exported bcrypt user"
run "$P" -c --import exported.htpasswd copy.db
is "$rc" 0 "the export imports into a new database"
is "$("$P" --export copy.db 2>/dev/null)" "$(cat exported.htpasswd)" "export -> import -> export is identical"
run "$P" -v -b copy.db alice 'new horse'
is "$rc" 0 "a user verifies after the round trip"

# --- a database in a directory the user cannot write ------------------------------------
# A change is written to a new file beside the database and renamed over it, under a lock
# file beside it too: the message names the directory and the permission it needs.
mkdir ro && "$P" -c -b ro/users.db alice pw 2>/dev/null
if [ "$(id -u)" = 0 ]; then     # root may write anywhere: nobody runs a copy (TMP 0711)
	chmod 711 "$TMP"; install -m 0755 "$P" "$TMP/gkp"
	chown nobody ro/users.db ro/users.db.lock
	as=(runuser -u nobody -- "$TMP/gkp")
else
	chmod 555 ro; as=("$P")
fi
before=$(sum ro/users.db)
for cmd in "-b ro/users.db bob pw" "-D ro/users.db alice" "--groups staff ro/users.db alice"; do
	run "${as[@]}" $cmd
	is "$rc:$err" "1:gatekeep-passwd: ro/users.db: cannot change the database: no write permission on the directory ro (a change is written to a new file there and renamed over the database, with a lock file beside it: run as a user who may write and search ro)" \
		"${cmd%% *} in a directory the user cannot write: exit 1, the directory named"
done
is "$(sum ro/users.db)" "$before" "... the database is unchanged"
run "${as[@]}" -v -b ro/users.db alice pw
is "$rc" 0 "... and still readable (-v needs no write permission)"
chmod 755 ro

done_testing
