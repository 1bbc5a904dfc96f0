#!/bin/bash
# tests/fault_secret.sh: a missing, short, world-readable or otherwise unusable secret_file:
# gatekeep-authz (as an unprivileged user) answers session cookies with 500 and one
# "secret_file PATH: why" line (gatekeep-authz(8), "internal error"), never with 200, and
# never accepts a token signed with the unusable key; Basic keeps working;
# gatekeep-login refuses to start (--check-config fails naming the file). A key that
# breaks while gatekeep-authz runs is noticed at the next request: no stale key, one line.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/fault/common.sh"

SEC=$FDIR/secret
"$GK_PASSWD" -c -b -2 "$FDIR/users.db" alice alice-pw 2>/dev/null || bail "passwd alice"
"$TOKENTOOL" create "$TMP/good.secret" || bail "secret"
f_give "$FDIR/users.db"
f_conf
ALICE=$(f_basic alice alice-pw)
now=$(date +%s)
gen=$("$GK_PASSWD" --show=alice "$FDIR/users.db" | sed -n 's/^generation: *//p')
good_tok=$("$TOKENTOOL" -t "$now" -l 3600 -g "$gen" issue "$TMP/good.secret" gatekeep alice) || bail "token"

# jwt_with KEYFILE: a token for alice signed (HS256) with the bytes of KEYFILE, as a
# third-party JWT library would do it, whatever the key's quality.
jwt_with() {
	/usr/bin/python3 - "$1" "$now" "$gen" <<'PY'
import sys, jwt
key = open(sys.argv[1], "rb").read()
if key.endswith(b"\n"):
    key = key[:-1]
now = int(sys.argv[2])
print(jwt.encode({"iss": "gatekeep", "sub": "alice", "iat": now, "exp": now + 3600, "gen": int(sys.argv[3])},
                 key, algorithm="HS256", headers={"typ": "JWT"}))
PY
}

# bad KIND: make $SEC unusable in one way; sets WHY (regex of the expected reason).
bad() {
	rm -rf "$SEC" "$SEC.prev"
	case $1 in
	missing) WHY='No such file|missing|cannot open' ;;
	short) printf 'only-sixteen-byt\n' >"$SEC"; WHY='short|at least 32' ;;
	empty) : >"$SEC"; WHY='short|empty|at least 32' ;;
	world-readable) cp "$TMP/good.secret" "$SEC"; chmod 644 "$SEC"; WHY='mode|permission|readable|accessible' ;;
	group-writable) cp "$TMP/good.secret" "$SEC"; chmod 660 "$SEC"; WHY='mode|permission|writable' ;;
	control-bytes) printf 'abcdefghijklmnopqrstuvwxyz0123456789ABCD\r\n' >"$SEC"; WHY='control|CR|byte' ;;
	directory) mkdir "$SEC"; WHY='regular|directory' ;;
	unreadable) cp "$TMP/good.secret" "$SEC"; chmod 000 "$SEC"; WHY='Permission denied' ;;
	bad-prev) cp "$TMP/good.secret" "$SEC"; cp "$TMP/good.secret" "$SEC.prev"; chmod 644 "$SEC.prev"
		WHY='prev' ;;
	esac
	[ -e "$SEC" ] && [ "$1" != directory ] && f_give "$SEC"
	[ -e "$SEC.prev" ] && f_give "$SEC.prev"
	[ -f "$SEC" ] && [ "$1" != world-readable ] && [ "$1" != group-writable ] && [ "$1" != unreadable ] && chmod 600 "$SEC"
	return 0
}

f_start 1
for kind in missing short empty world-readable group-writable control-bytes directory unreadable bad-prev; do
	bad "$kind"
	f_one_line /x "secret $kind, valid cookie" "err: secret_file $SEC: " \
	    'deny user=- method=session from=198\.51\.100\.9 reason=secret uri=/x' "HTTP_COOKIE=gatekeep_session=$good_tok"
	like "$(f_since | grep 'secret_file')" "$WHY" "secret $kind: the line says why (/$WHY/)"
	is "$(f_since | grep -cF "$SEC: $SEC:")" 0 "secret $kind: the line names the file once"
	if [ -f "$SEC" ] && [ "$kind" != unreadable ]; then
		forged=$(jwt_with "$SEC") || bail "pyjwt"
		s=$(f_st /x "HTTP_COOKIE=gatekeep_session=$forged")
		is "$s" "Status: 500" "secret $kind: a token signed with the unusable key is not accepted"
	fi
	is "$(f_st /x "$ALICE")" "Status: 200" "secret $kind: Basic still works (no secret needed)"
	is "$(f_st /x)" "Status: 401" "secret $kind: no credentials, plain 401"
	out=$(f_as_runner "$GK_LOGIN" -c "$FCONF" --check-config 2>&1); rc=$?
	[ "$rc" -ne 0 ]; ok $? "secret $kind: gatekeep-login refuses to start (exit $rc)"
	like "$out" "secret_file:? $SEC" "secret $kind: gatekeep-login names the secret file"
	f_pool_ok "secret $kind"
done

# repaired: the next request works, without a restart
rm -rf "$SEC" "$SEC.prev"
cp "$TMP/good.secret" "$SEC"; chmod 600 "$SEC"; f_give "$SEC"
f_mark
a=$(f_q authorizer /x "HTTP_COOKIE=gatekeep_session=$good_tok")
is "$(echo "$a" | head -1)" "Status: 200" "secret repaired: the cookie is accepted without a restart"
like "$a" 'Variable-REMOTE_USER: alice' "secret repaired: as alice"
is "$(f_count 'err:')" 0 "secret repaired: no error line"
# the forging helper makes tokens gatekeep accepts when the key is the real one, so the
# "not accepted" checks above are meaningful
is "$(f_st /x "HTTP_COOKIE=gatekeep_session=$(jwt_with "$SEC")")" "Status: 200" \
    "a PyJWT token signed with the good key: 200 (the forger works)"
printf 'only-sixteen-byt' >"$TMP/short.key"
is "$(f_st /x "HTTP_COOKIE=gatekeep_session=$(jwt_with "$TMP/short.key")")" "Status: 401" \
    "a token signed with another (short) key: 401"
f_as_runner "$GK_LOGIN" -c "$FCONF" --check-config >/dev/null 2>&1; ok $? "gatekeep-login starts with the repaired secret"

# a key that breaks while in use (garbage renamed over it, as a botched deploy would):
# the stale key is not kept, every cookie is refused, one error line for the change only
printf 'garbage\n' >"$SEC.new"; chmod 600 "$SEC.new"; f_give "$SEC.new"; mv "$SEC.new" "$SEC"
f_one_line /x "secret replaced by garbage while running" "err: secret_file $SEC: .*shorter" \
    'deny user=- method=session .*reason=secret' "HTTP_COOKIE=gatekeep_session=$good_tok"
f_mark
is "$(f_st /x "HTTP_COOKIE=gatekeep_session=$good_tok")" "Status: 500" "still broken: the cookie is refused again"
sleep 0.1
is "$(f_count 'secret_file')" 0 "still broken: not logged again"
cp "$TMP/good.secret" "$SEC.new"; chmod 600 "$SEC.new"; f_give "$SEC.new"; mv "$SEC.new" "$SEC"
f_mark
is "$(f_st /x "HTTP_COOKIE=gatekeep_session=$good_tok")" "Status: 200" "repaired again: accepted without a restart"
sleep 0.1
is "$(f_count "notice: secret_file $SEC: changed on disk, key reloaded")" 1 "repaired again: the reload is logged"
chmod 644 "$SEC"
f_one_line /x "secret made world-readable while running" "err: secret_file $SEC: .*mode" \
    'deny user=- method=session .*reason=secret' "HTTP_COOKIE=gatekeep_session=$good_tok"
chmod 600 "$SEC"
f_stop
unlike "$(cat "$FLOG")" 'AddressSanitizer|runtime error|LeakSanitizer' "no sanitizer report"
done_testing
