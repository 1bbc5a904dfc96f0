#!/bin/bash
# tests/fault_db.sh: gatekeep-authz (as an unprivileged user) with a missing, unreadable,
# corrupt, replaced, overwritten or FIFO user database: it fails closed (403, never 200 nor 500), logs
# exactly one clear error line and one deny line per request, and the pool survives.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/fault/common.sh"

DB=$FDIR/users.db
F_STATUS=403    # an unreadable database is a deny every web server passes on (docs/metrics.md)
"$GK_PASSWD" -c -b -2 "$DB" alice alice-pw 2>/dev/null || bail "passwd alice"
"$GK_PASSWD" -b -2 "$DB" bob bob-pw 2>/dev/null || bail "passwd bob"
"$TOKENTOOL" create "$FDIR/secret" || bail "secret"
f_give "$DB" "$FDIR/secret"
cp -p "$DB" "$TMP/good.db"
ALICE=$(f_basic alice alice-pw)
BOB=$(f_basic bob bob-pw)
f_conf

# --- baseline, and the privilege drop really happened ------------------------------
f_start 2
is "$(f_st /x "$ALICE")" "Status: 200" "baseline: alice 200"
users=$(ps -o user= -p "$(f_workers | tr ' ' ',' | sed 's/,$//')" | sort -u | tr -d ' ')
is "$users" "$RUN_AS" "workers run as $RUN_AS"
f_stop

# --- missing at start ----------------------------------------------------------------
mv "$DB" "$TMP/aside.db"
: >"$FLOG"
f_start 1
f_one_line /x "missing database" "err: database $DB: .*(No such file|cannot stat|cannot open)" \
    'deny user=alice method=basic from=198\.51\.100\.9 reason=database uri=/x' "$ALICE"
f_one_line /x "missing database, unknown user" "err: database $DB: " \
    'deny user=mallory method=basic .*reason=database' "$(f_basic mallory x)"
# a session cookie for a valid user cannot be checked against a missing database either
tok=$("$TOKENTOOL" -l 3600 issue "$FDIR/secret" gatekeep alice)
f_one_line /x "missing database, valid session cookie" "err: database $DB: " \
    'deny user=alice method=session .*reason=database' "HTTP_COOKIE=gatekeep_session=$tok"
f_mark
is "$(f_st /x)" "Status: 401" "missing database, no credentials: plain 401 (nothing to look up)"
f_pool_ok "missing database"
f_stop
mv "$TMP/aside.db" "$DB"

# --- unreadable (mode 000; the workers are not root) ----------------------------------
if [ "$RUN_AS" = "$(id -un)" ] && [ "$(id -u)" = 0 ]; then bail "cannot test permissions as root"; fi
chmod 000 "$DB"
: >"$FLOG"
f_start 1
f_one_line /x "unreadable database" "err: database $DB: .*Permission denied" \
    'deny user=alice method=basic .*reason=database' "$ALICE"
f_pool_ok "unreadable database"
# it becomes readable: the next request works without a restart
chmod 600 "$DB"
is "$(f_st /x "$ALICE")" "Status: 200" "readable again: 200 without a restart"
f_stop

# --- corrupt files, at start and swapped in (rename) while serving ---------------------
corrupt() {  # corrupt KIND FILE
	case $1 in
	zero-length) : >"$2" ;;
	truncated) head -c "$(($(stat -c %s "$TMP/good.db") / 2))" "$TMP/good.db" >"$2" ;;
	truncated-header) head -c 100 "$TMP/good.db" >"$2" ;;
	garbage) head -c "$(stat -c %s "$TMP/good.db")" /dev/urandom >"$2" ;;
	htpasswd-file)  # an easy mistake: a text htpasswd file with alice's right hash
		"$GK_PASSWD" -n -b -2 alice alice-pw >"$2" 2>/dev/null ;;
	fifo)  # open(2) of a FIFO without a writer blocks: the worker must not hang in it
		rm -f "$2"; mkfifo "$2" ;;
	esac
	f_give "$2"
	chmod 600 "$2"
}
: >"$FLOG"
f_start 2
for kind in zero-length truncated truncated-header garbage htpasswd-file fifo; do
	corrupt "$kind" "$FDIR/new.db"
	mv "$FDIR/new.db" "$DB"
	for i in 1 2; do   # both workers notice
		f_one_line /x "$kind database (rename while serving, request $i)" \
		    "err: database $DB: " 'deny user=alice method=basic .*reason=database' "$ALICE"
	done
	f_mark
	is "$(f_st /x "$(f_basic alice wrong)")" "Status: 403" "$kind database: a wrong password is 403, not 401/200/500"
	f_pool_ok "$kind database"
done
like "$(cat "$FLOG")" 'Empty database|cannot open' "zero-length: the message says why"
like "$(cat "$FLOG")" "database $DB: .*not a regular file" "fifo: the message says why"
# gatekeep-passwd on a FIFO: a clean error, no hang
rm -f "$TMP/fifo.db"; mkfifo "$TMP/fifo.db"
out=$(timeout 20 "$GK_PASSWD" -l "$TMP/fifo.db" 2>&1); rc=$?
is "$rc" 1 "gatekeep-passwd -l on a FIFO: exit 1 (a file problem), no hang"
like "$out" 'not a regular file' "gatekeep-passwd -l on a FIFO: says why"
out=$(timeout 20 "$GK_PASSWD" -b "$TMP/fifo.db" alice pw 2>&1); rc=$?
is "$rc" 1 "gatekeep-passwd -b on a FIFO: exit 1, no hang"
like "$out" 'not a regular file' "gatekeep-passwd -b on a FIFO: says why"
# a good database renamed back in: served again
cp -p "$TMP/good.db" "$FDIR/new.db"
mv "$FDIR/new.db" "$DB"
is "$(f_st /x "$ALICE")" "Status: 200" "good database renamed back in: 200"
is "$(f_st /x "$ALICE")" "Status: 200" "... on both workers"
f_stop

# --- replaced atomically while serving: new users visible, removed users gone ----------
: >"$FLOG"
f_start 2
for i in 1 2 3 4; do f_st /x "$ALICE" >/dev/null; f_st /x "$BOB" >/dev/null; done
f_mark
cp -p "$DB" "$TMP/next.db"
"$GK_PASSWD" -b -2 "$TMP/next.db" carol carol-pw 2>/dev/null || bail "passwd carol"
"$GK_PASSWD" -D "$TMP/next.db" bob 2>/dev/null || bail "delete bob"
"$GK_PASSWD" -b -2 "$TMP/next.db" alice alice-pw2 2>/dev/null || bail "alice new pw"
f_give "$TMP/next.db"
mv "$TMP/next.db" "$DB"
for i in 1 2 3 4; do
	is "$(f_st /x "$(f_basic carol carol-pw)")" "Status: 200" "replaced database: new user carol allowed ($i)"
	is "$(f_st /x "$BOB")" "Status: 401" "replaced database: removed user bob denied ($i)"
	is "$(f_st /x "$ALICE")" "Status: 401" "replaced database: alice's old password denied ($i)"
	is "$(f_st /x "$(f_basic alice alice-pw2)")" "Status: 200" "replaced database: alice's new password ($i)"
done
is "$(f_count 'err:|warning:')" 0 "replaced database: no error lines"
is "$(f_count 'deny user=bob method=basic .*reason=unknown-user')" 4 "removed user: logged as unknown-user"
f_pool_ok "replaced database"

# --- overwritten in place (same inode) while serving --------------------------------
cp -p "$DB" "$TMP/good2.db"
size=$(stat -c %s "$DB")
for how in head tail whole truncate-in-place; do
	cp "$TMP/good2.db" "$DB"    # cp keeps the inode: an in-place rewrite
	f_give "$DB"
	for i in 1 2; do f_st /x "$(f_basic carol carol-pw)" >/dev/null; done
	f_mark
	case $how in
	head) dd if=/dev/urandom of="$DB" bs=1024 count=4 conv=notrunc 2>/dev/null ;;
	tail) dd if=/dev/urandom of="$DB" bs=1024 seek=4 count=$(( (size - 4096) / 1024 )) conv=notrunc 2>/dev/null ;;
	whole) head -c "$size" /dev/urandom | dd of="$DB" conv=notrunc 2>/dev/null ;;
	truncate-in-place) truncate -s 2000 "$DB" ;;
	esac
	allowed=0 bad=0
	for i in 1 2 3 4 5 6; do
		s=$(f_st /x "$(f_basic carol carol-pw)")
		case $s in "Status: 403"|"Status: 500") ;; "Status: 200") allowed=$((allowed + 1)) ;; *) bad=$((bad + 1)) ;; esac
		s=$(f_st /x "$(f_basic carol wrong)")
		case $s in "Status: 403"|"Status: 500"|"Status: 401") ;; *) bad=$((bad + 1)) ;; esac
		s=$(f_st /x "$(f_basic nobody-here x)")
		case $s in "Status: 403"|"Status: 500"|"Status: 401") ;; *) bad=$((bad + 1)) ;; esac
	done
	is "$bad" 0 "in-place $how overwrite: no wrong password or unknown user ever allowed, no odd status"
	is "$allowed" 0 "in-place $how overwrite: the garbled database allows nobody"
	errs=$(f_count "err: database $DB: ")
	denies=$(f_count 'reason=database')
	is "$errs" "$denies" "in-place $how overwrite: one error line per failed request ($errs)"
	[ "$denies" -ge 6 ]; ok $? "in-place $how overwrite: failed requests logged ($denies)"
	f_pool_ok "in-place $how overwrite"
done
f_stop
unlike "$(cat "$FLOG")" 'AddressSanitizer|runtime error|LeakSanitizer' "no sanitizer report"
done_testing
