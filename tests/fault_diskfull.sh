#!/bin/bash
# tests/fault_diskfull.sh: gatekeep-passwd on a full file system (a small tmpfs mounted by
# the test) and over RLIMIT_FSIZE (EFBIG): every failed write exits non-zero with a clear
# message and leaves the database byte-for-byte unchanged and valid; a write that does
# fit is complete.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"

sum() { sha256sum "$1" | cut -d' ' -f1; }

# scenario DIR LABEL FILLER-FN: the fill levels; FILLER-FN KIB leaves about KIB KiB free.
check_write() {  # check_write LABEL DB CMD...: one admin write that may fail
	local label=$1 db=$2 before out rc
	shift 2
	before=$(sum "$db")
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -ne 0 ]; then
		FAILS=$((FAILS + 1))
		is "$(sum "$db")" "$before" "$label: failed (exit $rc): database unchanged"
		like "$out" "$WANT_MSG" "$label: clear message: $(echo "$out" | head -1)"
		unlike "$out" 'Segmentation|core dumped|Aborted' "$label: no crash"
	else
		OKS=$((OKS + 1))
		ok 0 "$label: succeeded (there was room)"
	fi
	out=$("$GK_PASSWD" --check "$db" 2>&1)
	ok $? "$label: --check passes ($out)"
	"$GK_PASSWD" -v -b "$db" alice alice-pw >/dev/null 2>&1
	ok $? "$label: alice still verifies"
	return 0
}

# --- a full tmpfs -------------------------------------------------------------------
MNT=$TMP/small
mkdir -p "$MNT"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256k,mode=0700 gktest-full "$MNT" 2>/dev/null; then
	at_exit "umount -l '$MNT'"
	DB=$MNT/users.db
	"$GK_PASSWD" -c -b -2 "$DB" alice alice-pw 2>/dev/null || bail "create"
	for u in u1 d0 d4 d8 d12 d16 d24 d32 d48 d64; do "$GK_PASSWD" -b -2 "$DB" "$u" "$u-pw" 2>/dev/null || bail "add $u"; done
	dbsize=$(stat -c %s "$DB")
	diag "database: $dbsize bytes on a 256 KiB tmpfs"
	FAILS=0 OKS=0 WANT_MSG='No space left on device'
	for free_kib in 0 4 8 12 16 24 32 48 64; do
		rm -f "$MNT/filler"
		# fill the file system, then give back free_kib KiB
		dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
		[ "$free_kib" -gt 0 ] && truncate -s "-$((free_kib * 1024))" "$MNT/filler"
		n=$(ls "$MNT" | wc -l)
		check_write "tmpfs, ${free_kib} KiB free, add a user" "$DB" \
		    "$GK_PASSWD" -b -2 "$DB" "new$free_kib" "pw-$free_kib"
		check_write "tmpfs, ${free_kib} KiB free, change a password" "$DB" \
		    "$GK_PASSWD" -b -2 "$DB" u1 "u1-pw-$free_kib"
		check_write "tmpfs, ${free_kib} KiB free, delete a user" "$DB" \
		    "$GK_PASSWD" -D "$DB" "d$free_kib"
		is "$(ls "$MNT" | grep -vc '^\(users\.db\|users\.db\.lock\|filler\)$')" 0 \
		    "tmpfs, ${free_kib} KiB free: no temp file left behind"
	done
	[ "$FAILS" -gt 0 ]; ok $? "tmpfs: some writes failed for lack of space ($FAILS failed, $OKS fitted)"
	[ "$OKS" -gt 0 ]; ok $? "tmpfs: writes with room succeeded ($OKS)"
	rm -f "$MNT/filler"
	"$GK_PASSWD" -b -2 "$DB" after after-pw >/dev/null 2>&1; ok $? "space freed: the next write works"
	"$GK_PASSWD" -v -b "$DB" after after-pw >/dev/null 2>&1; ok $? "... and is visible"
else
	# not fatal: the EFBIG part below covers the same code path without mount rights
	diag "cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): only RLIMIT_FSIZE is tested"
fi

# --- RLIMIT_FSIZE: the write fails with EFBIG (SIGXFSZ ignored, as a daemon would) -----
DB=$TMP/users.db
"$GK_PASSWD" -c -b -2 "$DB" alice alice-pw 2>/dev/null || bail "create"
for u in v1 v2 v3 v4 v5 v6; do "$GK_PASSWD" -b -2 "$DB" "$u" "$u-pw" 2>/dev/null || bail "add $u"; done
dbsize=$(stat -c %s "$DB")
FAILS=0 OKS=0 WANT_MSG='File too large'
for lim in 512 4096 $((dbsize / 2)) $((dbsize - 1)); do
	check_write "fsize limit $lim (db $dbsize), add a user" "$DB" \
	    bash -c 'trap "" XFSZ; exec prlimit --fsize="$0" -- "$@"' "$lim" "$GK_PASSWD" -b -2 "$DB" "x$lim" pw
	check_write "fsize limit $lim, change a password" "$DB" \
	    bash -c 'trap "" XFSZ; exec prlimit --fsize="$0" -- "$@"' "$lim" "$GK_PASSWD" -b -2 "$DB" v1 "new-$lim"
done
is "$OKS" 0 "fsize: every write over the limit failed"
is "$(ls "$TMP" | grep -c '^users\.db\..*[^k]$')" 0 "fsize: no temp file left behind"
# without the signal ignored, SIGXFSZ kills the writer mid-copy: the old database survives
before=$(sum "$DB")
{ (prlimit --fsize=4096 -- "$GK_PASSWD" -b -2 "$DB" killed pw) >/dev/null 2>&1; } 2>/dev/null
rc=$?
[ "$rc" -ne 0 ]; ok $? "fsize with SIGXFSZ: the writer dies (exit $rc)"
is "$(sum "$DB")" "$before" "fsize with SIGXFSZ: database unchanged"
"$GK_PASSWD" --check "$DB" >/dev/null 2>&1; ok $? "fsize with SIGXFSZ: --check passes"
"$GK_PASSWD" -b -2 "$DB" later later-pw >/dev/null 2>&1; ok $? "the next writer cleans up and works"
is "$(ls "$TMP" | grep -c '^users\.db\..*[^k]$')" 0 "... and no temp file is left"
done_testing
