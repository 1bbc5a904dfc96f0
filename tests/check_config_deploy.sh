#!/bin/bash
# tests/check_config_deploy.sh: gatekeep-authz --check-config fails, one line per problem, on
# a deployment the workers could not serve from (missing database, open secret, a state_dir
# of another user, a --listen socket in a missing directory), as the user they would serve
# as; a complete one passes.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

chmod 755 "$TMP"
mkdir -p "$TMP/gk"
"$GK_PASSWD" --init "$TMP/gk/users.db" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
cat >"$TMP/gk.conf" <<CONF
database = $TMP/gk/users.db
secret_file = $TMP/gk/users.secret
state_dir = $TMP/gk/state
$GK_RUN_LINES
CONF
mv "$TMP/gk/secret" "$TMP/gk/users.secret"
gk_give_nobody "$TMP/gk"
check() { "$GK_AUTHZ" -c "$TMP/gk.conf" --check-config 2>&1 >/dev/null; }

out=$(check); is "$?:$out" "0:" "a complete deployment: exit 0, nothing on stderr"

mv "$TMP/gk/users.db" "$TMP/users.db.away"
out=$(check); r=$?
is "$r" 1 "a missing database: exit 1"
like "$out" "^gatekeep-authz: database: $TMP/gk/users.db: .*No such file" "... one line naming it"
mv "$TMP/users.db.away" "$TMP/gk/users.db"

chmod 0644 "$TMP/gk/users.secret"
out=$(check); r=$?
is "$r" 1 "a secret readable by others: exit 1"
like "$out" "^gatekeep-authz: secret_file: $TMP/gk/users.secret: mode 0644" "... one line naming it"
chmod 0600 "$TMP/gk/users.secret"

mkdir -p "$TMP/gk/state" && chmod 0777 "$TMP/gk/state" && gk_give_nobody "$TMP/gk/state"
out=$(check); r=$?
is "$r" 1 "a state_dir writable by everybody: exit 1"
is "$(printf '%s\n' "$out" | grep -c .)" 1 "... one line: $out"
chmod 0700 "$TMP/gk/state"
if [ "$(id -u)" = 0 ]; then
	chown root:root "$TMP/gk/state"
	out=$(check)
	like "$out" "state_dir: $TMP/gk/state: belongs to uid 0" \
		"as root: a state_dir of root's while the workers serve as nobody is reported"
	chown nobody:nogroup "$TMP/gk/state"
	sed -i 's/^run_user = .*/run_user = gk-no-such-user/' "$TMP/gk.conf"
	out=$(check); r=$?
	is "$r:$out" "1:gatekeep-authz: run_user gk-no-such-user: no such user" "as root: an unknown run_user"
	sed -i 's/^run_user = .*/run_user = nobody/' "$TMP/gk.conf"
fi
out=$(check); is "$?:$out" "0:" "repaired: exit 0 again"

# --listen unix:PATH: the socket's directory must exist; PATH must be free or a socket.
listen_check() { "$1" -c "$TMP/gk.conf" --listen "unix:$2" --check-config 2>&1 >/dev/null; }
out=$(listen_check "$GK_AUTHZ" "$TMP/gk/authz.sock"); is "$?:$out" "0:" "gatekeep-authz: a free path in an existing directory: exit 0"
for prog in "$GK_AUTHZ" "$GK_LOGIN"; do
	name=$(basename "$prog")
	out=$(listen_check "$prog" "$TMP/no-such-dir/authz.sock"); r=$?
	is "$r" 1 "$name: --listen in a missing directory: exit 1"
	like "$out" "^$name: --listen: $TMP/no-such-dir: No such file" "... one line naming the directory"
	: >"$TMP/gk/not-a-socket"
	out=$(listen_check "$prog" "$TMP/gk/not-a-socket"); r=$?
	is "$r" 1 "$name: --listen on a regular file: exit 1"
	like "$out" "^$name: --listen: $TMP/gk/not-a-socket: exists and is not a socket" "... said so"
	rm -f "$TMP/gk/not-a-socket"
done
done_testing
