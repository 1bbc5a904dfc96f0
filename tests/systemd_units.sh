#!/bin/bash
# tests/systemd_units.sh: the shipped systemd units (contrib/systemd/) are valid for
# systemd-analyze, and the authorizer service's ExecStart really serves the socket that
# its .socket unit would pass (LISTEN_FDS, emulated with systemd-socket-activate).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
PY=/usr/bin/python3
command -v systemd-analyze >/dev/null || bail "systemd-analyze is required (scripts/install-deps test installs systemd)"
command -v systemd-socket-activate >/dev/null || bail "systemd-socket-activate is required"

# The units (made by `make` from contrib/systemd/*.in) name the configured sbindir and
# sysconfdir; point them at the build and the temp dir.
mkdir -p "$TMP/units"
for u in "$top_builddir"/contrib/systemd/*.socket "$top_builddir"/contrib/systemd/*.service; do
	like "$(grep -c '@[a-z]*dir@' "$u")" '^0$' "${u##*/}: every @dir@ of the template substituted"
	sed -e "s#^ExecStart=[^ ]*/gatekeep-\(authz\|login\) #ExecStart=$top_builddir/fcgi/gatekeep-\1 #" \
	    -e "s| -c [^ ]*/gatekeep/gatekeep.conf| -c $TMP/gatekeep.conf|" "$u" >"$TMP/units/${u##*/}"
done
for u in "$TMP"/units/*; do
	out=$(cd "$TMP/units" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "./${u##*/}" 2>&1)
	rc=$?
	is "$rc:$out" "0:" "systemd-analyze verify ${u##*/}: no error, no warning"
done
# A broken key is reported: the check above can fail.
sed 's/^Backlog=/Backlogg=/' "$TMP/units/gatekeep-authz.socket" >"$TMP/units/broken.socket"
out=$(cd "$TMP/units" && systemd-analyze verify --man=no ./broken.socket 2>&1)
like "$out" "Unknown key 'Backlogg'" "a misspelt key in a unit is reported"

# Run the service's ExecStart under emulated socket activation.
"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 || bail "passwd --init"
"$GK_PASSWD" -b "$TMP/users.db" alice 'Wonder-land-7' >/dev/null 2>&1 || bail "passwd alice"
cat >"$TMP/gatekeep.conf" <<CONF
database = $TMP/users.db
secret_file = $TMP/secret
methods = basic
log_target = stderr
$GK_RUN_LINES
CONF
gk_give_nobody "$TMP/users.db" "$TMP/secret"
exec_start=$(sed -n 's/^ExecStart=//p' "$TMP/units/gatekeep-authz.service")
socket_path=$(sed -n 's/^ListenStream=//p' "$TMP/units/gatekeep-authz.socket")
like "$socket_path" "^/.*/gatekeep/authz.sock$" "the socket unit listens on RUNSTATEDIR/gatekeep/authz.sock"
like "$exec_start" "^$top_builddir/fcgi/gatekeep-authz -c $TMP/gatekeep.conf" "... and the service runs the built gatekeep-authz"
SOCK=$TMP/authz.sock
# shellcheck disable=SC2086  # ExecStart is a word list
systemd-socket-activate -l "$SOCK" $exec_start 2>"$TMP/authz.log" &
SA_PID=$!
at_exit "kill $SA_PID"
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
ask() { $PY "$top_srcdir/tests/fcgi_client.py" "$SOCK" --role authorizer REQUEST_METHOD=GET \
	REQUEST_URI=/app/ HTTP_HOST=app.example.com REMOTE_ADDR=192.0.2.9 "$@" | head -1 | tr -d '\r'; }
is "$(ask HTTP_AUTHORIZATION="Basic $(printf 'alice:Wonder-land-7' | base64)")" "Status: 200" \
	"ExecStart under socket activation: good Basic allowed"
is "$(ask HTTP_AUTHORIZATION="Basic $(printf 'alice:wrong' | base64)")" "Status: 401" \
	"... a wrong password denied"
is "$(ask)" "Status: 401" "... no credentials denied"
like "$(cat "$TMP/authz.log")" "deny user=alice method=basic from=192.0.2.9 reason=bad-password" \
	"... and the decision is logged to the journal's stderr"
done_testing
