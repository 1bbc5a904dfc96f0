#!/bin/bash
# admin_concurrency.sh: two gatekeep-passwd writers adding different users in parallel,
# 20 each: the writer lock must serialise them so that all 40 users are present.
. "$top_srcdir/tests/lib.sh"

P=$GK_PASSWD
[ -x "$P" ] || bail "$P not built"
cd "$TMP" || bail "no TMP"
for v in $(env | sed -n 's/^\(GATEKEEP_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

"$P" --init users.db 2>/dev/null || bail "--init failed"
writer() {  # writer PREFIX: add 20 users, record every exit status
	local i
	for i in $(seq 1 20); do
		"$P" -2 -C 1000 -b users.db "$1$i" "pw $1$i" 2>>"$1.err"
		echo $? >> "$1.rc"
	done
}
writer a & pa=$!
writer b & pb=$!
# A reader running at the same time must never fail (readers do not lock).
: > reader.rc
while kill -0 "$pa" 2>/dev/null || kill -0 "$pb" 2>/dev/null; do
	"$P" -l users.db >/dev/null 2>>reader.err; echo $? >> reader.rc
done
wait "$pa"; wait "$pb"

is "$(sort -u a.rc b.rc)" 0 "all 40 writes exited 0"
is "$(cat a.err b.err)" "$(for i in $(seq 1 20); do echo "gatekeep-passwd: Adding password for user a$i"; done;
	for i in $(seq 1 20); do echo "gatekeep-passwd: Adding password for user b$i"; done)" \
	"no writer reported an error"
is "$("$P" -l users.db | wc -l)" 40 "all 40 users are present"
missing=0
for p in a b; do
	for i in $(seq 1 20); do
		"$P" -l users.db | grep -q "^$p$i	" || missing=$((missing + 1))
	done
done
is "$missing" 0 "every user name is listed"
run_rc=0
"$P" -v -b users.db a7 'pw a7' 2>/dev/null || run_rc=$?
is "$run_rc" 0 "a user from the first writer verifies"
"$P" -v -b users.db b20 'pw b20' 2>/dev/null || run_rc=$?
is "$run_rc" 0 "the last user of the second writer verifies"
like "$("$P" --check users.db)" 'ok, 40 users' "--check counts 40 users"
is "$(sort -u reader.rc)" 0 "concurrent readers never failed ($(wc -l < reader.rc) reads)"
ls users.db.* 2>/dev/null | grep -v '\.lock$' > leftovers
is "$(cat leftovers)" "" "no temporary files are left beside the database"

done_testing
