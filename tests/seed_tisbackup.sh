#!/bin/bash
# tests/seed_tisbackup.sh: docs/howto-tisbackup.md for real: TISBackup's users file
# (user:bcrypt lines, made with TISBackup's own recipe) imported with gatekeep-passwd, nginx
# + gatekeep-authz (HTTP Basic for API scripts, the sign-in page for browsers), the realm taken from the
# environment (${TISBACKUP_REALM}), and a TISBackup stand-in reading tisbackup_gui.ini.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/seeds/seedlib.sh"

seed_docs_match tisbackup gatekeep.conf nginx.conf tisbackup_gui.ini tisbackup.env
gk_world
seed_env_args tisbackup
TISENV=("${SEED_ENV[@]}")

# /etc/tis/users.txt as TISBackup's docs make it: USER:$(bcrypt.hashpw(...)), "$2b$"
bcrypt() {
	"$PY" - "$1" <<'PY'
import ctypes, ctypes.util, sys
lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
lib.crypt_gensalt.restype = ctypes.c_char_p
lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
lib.crypt.restype = ctypes.c_char_p
lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
salt = lib.crypt_gensalt(b"$2b$", 5, None, 0)
print(lib.crypt(sys.argv[1].encode(), salt).decode())
PY
}
: >"$TMP/users.txt"
for u in admin operator viewer; do
	echo "$u:$(bcrypt "$u-Secret1")" >>"$TMP/users.txt"
done
like "$(cat "$TMP/users.txt")" '^admin:\$2b\$05\$' "users.txt holds TISBackup-style \$2b\$ bcrypt lines"
rm -f "$GK/users.db"
out=$(env "${TISENV[@]}" "$GK_PASSWD" --secret-file "$GK/secret2" --init "$GK/users.db" 2>&1)
ok $? "gatekeep-passwd --init${out:+ ($out)}"
out=$(env "${TISENV[@]}" "$GK_PASSWD" --import "$TMP/users.txt" --groups tisbackup "$GK/users.db" 2>&1)
ok $? "gatekeep-passwd --import users.txt --groups tisbackup${out:+ ($out)}"
env "${TISENV[@]}" "$GK_PASSWD" --permission ro "$GK/users.db" viewer >>"$LOG/passwd.out" 2>&1
ok $? "viewer made read-only"
"$GK_PASSWD" -v -b "$GK/users.db" operator operator-Secret1 >/dev/null 2>&1
ok $? "the imported bcrypt hash verifies with gatekeep-passwd -v"

gk_give_nobody "$GK/users.db" "$GK/secret2"    # gatekeep-authz serves as nobody when root
seed_start_app tisbackup STANDIN_TISBACKUP_INI="$APPS/tisbackup/tisbackup_gui.ini"
seed_start_gk tisbackup 8080 "${TISENV[@]}"
seed_start_nginx tisbackup 8080

req "$BASE/api/backups"
is "$CODE" 401 "no credentials -> 401"
is "$(hdr WWW-Authenticate)" 'Basic realm="TISBackup Admin", charset="UTF-8"' "the realm comes from \${TISBACKUP_REALM}"
unlike "$BODY" tisbackup "... TISBackup did not see the request"
req -H 'Accept: text/html' "$BASE/"
is "$CODE" 302 "a browser goes to the sign-in page (on_unauthenticated = auto)"
like "$(hdr Location)" '/gatekeep/login\?rd=' "... gatekeep's login_url, with the way back"
req -u admin:admin-Secret1 "$BASE/api/backups"
is "$CODE" 200 "curl -u admin:PASSWORD /api/backups -> 200 (TISBackup's API recipe)"
like "$BODY" 'srv1-full' "... the backup list"
is "$(jget proxy_user)" admin "... TISBackup is told the user (Remote-User)"
is "$(jget got_authorization)" false "... but never gets the password (Authorization stripped)"
req -u operator:operator-Secret1 -X POST -d 'backup=srv1' "$BASE/api/backup/run"
is "$CODE/$(jget method)" 200/POST "operator may start a backup (POST)"
req -u viewer:viewer-Secret1 "$BASE/api/backups"
is "$CODE" 200 "viewer may look"
req -u viewer:viewer-Secret1 -X POST -d 'backup=srv1' "$BASE/api/backup/run"
is "$CODE" 403 "viewer (permission ro) may not start a backup"
unlike "$BODY" tisbackup "... TISBackup did not see the POST"
req -u "admin:$BADPW" "$BASE/api/backups"
is "$CODE" 401 "wrong password -> 401"
req -u nobody:admin-Secret1 "$BASE/api/backups"
is "$CODE" 401 "unknown user -> 401"
req -u 'admin:admin-Secret1' -H 'Remote-User: viewer' "$BASE/api/backups"
is "$(jget proxy_user)" admin "a client Remote-User header is replaced"
seed_spoof 200 "admin on /api/backups" "$BASE/api/backups" -u admin:admin-Secret1
seed_app_cookie "admin on /api/backups" "$BASE/api/backups" -u admin:admin-Secret1
seed_spoof 401 "/api/backups without credentials" "$BASE/api/backups"
req -H 'Remote-User: admin' "$BASE/api/backups"
is "$CODE" 401 "a client Remote-User alone -> 401 (no proxy in methods: no proxy trust)"

# the admin tool needs the same environment as the authorizer (the config names it)
out=$(env -u TISBACKUP_REALM GATEKEEP_CONFIG="$GK/gatekeep.conf" "$GK_PASSWD" -l 2>&1)
like "$out" '\$\{TISBACKUP_REALM\} is not set in the environment' "gatekeep-passwd without TISBACKUP_REALM names the variable"
out=$(env "${TISENV[@]}" GATEKEEP_CONFIG="$GK/gatekeep.conf" "$GK_PASSWD" -l 2>&1)
like "$out" 'viewer' "gatekeep-passwd -l with the environment lists the imported users"

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs tisbackup "$LOG/authz.out"
done_testing
