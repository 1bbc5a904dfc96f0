#!/bin/bash
# tests/attack10_hashcost.sh: an imported password hash whose cost has no bound. --import
# checks a hash's shape only, so an htpasswd line "slow:$2y$31$..." (bcrypt cost 31: about
# 2^19 times the default's 250 ms, days per check), "$6$rounds=999999999$..." or a yescrypt
# of 2 GiB a check goes in (and one libxcrypt cannot compute, which locks its user out for
# good: what the shape checks are there to stop). From then on anyone who knows the name (no password needed) sends
# "Authorization: Basic slow:anything" a few times: each guess holds one of the worker's
# hash threads (lib/hashpool, 2 a worker) for as long as the hash runs, its failure is
# counted only when the hash ends (never: no lockout, no ban), and every credential not in
# the Basic cache (an unknown user's dummy hash, a first sign-in) waits behind them: Basic
# sign-in stops for everyone. Real gatekeep-passwd and gatekeep-authz (one worker, unix
# socket, Authorizer role).
. "${top_srcdir:-.}/tests/lib.sh"

for p in "$GK_AUTHZ" "$GK_PASSWD"; do [ -x "$p" ] || bail "$p not built"; done
PY=/usr/bin/python3
CLIENT="$top_srcdir/tests/fcgi_client.py"

DB=$TMP/users.db
"$GK_PASSWD" -c -b "$DB" alice 'alice-pw' >/dev/null 2>&1 || bail "passwd alice"
"$PY" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$TMP/secret" && chmod 600 "$TMP/secret" ||
	bail "secret"

# Well-formed hashes (the shape --import checks) of an unbounded cost.
A53=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZa
BCRYPT31='$2y$31$'$A53
SHA512MAX='$6$rounds=999999999$saltsalt$'$(printf 'a%.0s' $(seq 86))
# 2 GiB of memory and about 4 s a check: above the most gatekeep-passwd -C gives (11: jFT)
YESCRYPT_HUGE='$y$jGT$saltsalt$'$(printf 'a%.0s' $(seq 43))
# libxcrypt cannot compute this one at all ("*0"): its user could never sign in
YESCRYPT_NEVER='$y$jKT$saltsalt$'$(printf 'a%.0s' $(seq 43))

imported() {  # imported NAME HASH: 0 when --import took the line
	printf '%s:%s\n' "$1" "$2" >"$TMP/import.txt"
	"$GK_PASSWD" --import "$TMP/import.txt" "$DB" >"$TMP/import.out" 2>&1
}
imported slow "$BCRYPT31"
[ $? -ne 0 ]; ok $? "--import refuses a bcrypt hash of cost 31 ($(tail -1 "$TMP/import.out"))"
imported slow6 "$SHA512MAX"
[ $? -ne 0 ]; ok $? "--import refuses a sha512-crypt hash of 999999999 rounds ($(tail -1 "$TMP/import.out"))"
imported slowy "$YESCRYPT_HUGE"
[ $? -ne 0 ]; ok $? "--import refuses a yescrypt hash above the costs gatekeep-passwd -C takes ($(tail -1 "$TMP/import.out"))"
imported never "$YESCRYPT_NEVER"
[ $? -ne 0 ]; ok $? "--import refuses a yescrypt hash libxcrypt cannot compute ($(tail -1 "$TMP/import.out"))"

# A database written before the bound (an older --import): "dear" holds a bcrypt hash of cost
# 31, planted in its record (lib/record: the hash, then a 16-byte BLAKE2b of all before).
"$GK_PASSWD" -B -C 12 -b "$DB" dear 'dear-pw' >/dev/null 2>&1 || bail "passwd dear"
"$PY" - "$DB" <<'PYEOF' || bail "cannot plant the cost-31 hash"
import hashlib, re, struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
m = re.search(rb"\x04dear\x00\x3c(\$2b\$12\$)", data)
start = m.start() - 36                       # the fixed fields before the name
p = m.start(1) + 60
for _ in range(3):                           # groups, email, display
    p += 2 + struct.unpack(">H", data[p:p + 2])[0]
data[m.start(1):m.start(1) + 7] = b"$2b$31$"
data[p:p + 16] = hashlib.blake2b(bytes(data[start:p]), digest_size=16).digest()
open(sys.argv[1], "wb").write(data)
PYEOF
timeout 10 "$GK_PASSWD" -v -b "$DB" dear 'dear-pw' >"$TMP/verify.out" 2>&1
grep -q "dear': password hash cost over the limit" "$TMP/verify.out"
ok $? "gatekeep-passwd -v names the planted hash's cost ($(tail -1 "$TMP/verify.out"))"

mkdir -m 700 "$TMP/state"
cat >"$TMP/gk.conf" <<EOF
database = $DB
secret_file = $TMP/secret
state_dir = $TMP/state
methods = basic
log_target = stderr
log_level = info
$GK_RUN_LINES
EOF
gk_give_nobody "$TMP"
# its own process group: a worker stuck in a hash is killed with it, never left behind
setsid "$GK_AUTHZ" -c "$TMP/gk.conf" --listen "unix:$TMP/authz.sock" --workers 1 2>>"$TMP/authz.log" &
PID=$!
at_exit "kill -9 -- -$PID 2>/dev/null"
for _ in $(seq 50); do [ -S "$TMP/authz.sock" ] && break; sleep 0.1; done
[ -S "$TMP/authz.sock" ] || bail "gatekeep-authz did not start: $(cat "$TMP/authz.log")"

b64() { printf '%s' "$1" | base64 -w0; }
# basic USER PASSWORD ADDR [SECONDS]: the answer's status (Authorizer role), "timeout" when
# none came within SECONDS (5).
basic() {
	local s
	s=$(timeout "${4:-5}" "$PY" "$CLIENT" "$TMP/authz.sock" --role authorizer REQUEST_METHOD=GET \
		HTTP_HOST=app.example.com REQUEST_URI=/x REMOTE_ADDR="$3" \
		"HTTP_AUTHORIZATION=Basic $(b64 "$1:$2")" | tr -d '\r' | sed -n 's/^Status: //p' | head -1)
	echo "${s:-timeout}"
}
is "$(basic nosuch guess 192.0.2.1)" 401 "before: an unknown user is refused at once"

# Three guesses at the slow user (if --import took it) from three addresses: more than the
# worker's two hash threads. None needs the password.
GUESSES=()
for i in 1 2 3; do basic slow "guess$i" "198.51.100.$i" 3 >/dev/null & GUESSES+=($!); done
sleep 1
is "$(basic nosuch2 guess 192.0.2.2)" 401 "meanwhile, an unknown user is still refused within 5 s"
is "$(basic alice alice-pw 192.0.2.3)" 200 "meanwhile, alice signs in within 5 s"
wait "${GUESSES[@]}"
# the planted cost-31 hash is never computed: each guess is a prompt 401, logged
GUESSES=()
for i in 1 2 3; do basic dear "guess$i" "198.51.100.1$i" 3 >"$TMP/dear.$i" & GUESSES+=($!); done
sleep 1
is "$(basic alice alice-pw 192.0.2.4)" 200 "with three guesses at the cost-31 hash, alice signs in within 5 s"
wait "${GUESSES[@]}"
is "$(cat "$TMP/dear.1" "$TMP/dear.2" "$TMP/dear.3" | tr '\n' ' ')" "401 401 401 " "each guess at it is refused within 3 s"
is "$(basic dear dear-pw 192.0.2.5)" 401 "its own password is refused too (fail closed)"
grep -q "user dear: password hash cost over the limit: re-set this password" "$TMP/authz.log"
ok $? "the log says to re-set that password"
kill -0 "$PID" 2>/dev/null
ok $? "gatekeep-authz is still running"
done_testing
