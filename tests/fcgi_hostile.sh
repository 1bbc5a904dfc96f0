#!/bin/bash
# tests/fcgi_hostile.sh: gatekeep-authz against a hostile FastCGI peer (tests/fcgi_hostile.py): after each
# malformed/oversized/overflowing input the pool must still answer correctly, and nothing may yield a 200.
. "$top_srcdir/tests/lib.sh"

PY=/usr/bin/python3
HOSTILE="$top_srcdir/tests/fcgi_hostile.py"
DB=$TMP/users.db
SOCK=$TMP/authz.sock
CONF=$TMP/gatekeep.conf
LOG=$TMP/authz.log

if [ ! -x "$GK_AUTHZ" ] || [ ! -x "$GK_PASSWD" ]; then
	echo "Bail out! gatekeep-authz or gatekeep-passwd not built"
	exit 1
fi
"$GK_PASSWD" -c -b "$DB" alice 'secret one' 2>/dev/null
ok $? "user database created"
cat > "$CONF" <<CONF
database = $DB
secret_file = $TMP/secret
realm = Hostile
methods = bypass, basic
bypass_paths = /public
log_target = stderr
$GK_RUN_LINES
CONF
gk_give_nobody "$TMP"

# Two workers: a silent peer may hold one of them, the other must keep answering.
"$GK_AUTHZ" -c "$CONF" --listen "unix:$SOCK" --workers 2 -d 2>>"$LOG" &
AUTHZ_PID=$!
at_exit "kill $AUTHZ_PID"
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ]
ok $? "gatekeep-authz listens on $SOCK"

base=$($PY "$HOSTILE" "$SOCK" split-writes)
like "$base" 'probe=200 noauth=401' "baseline: valid Basic 200, no credentials 401"

for c in $($PY "$HOSTILE" "$SOCK" --list); do
	r=$($PY "$HOSTILE" "$SOCK" "$c" 2>&1)
	st=$(printf '%s' "$r" | sed -n 's/.* status=\([^ ]*\).*/\1/p')
	case $st in 2??) allowed=1 ;; *) allowed=0 ;; esac
	ok $allowed "$c: not allowed (answer: ${st:-?})"
	like "$r" 'probe=200 noauth=401$' "$c: the pool still answers correctly afterwards"
done

kill -0 $AUTHZ_PID
ok $? "the parent survived every input"
deaths=$(grep -c 'worker .* killed by signal\|worker .* exited with' "$LOG")
grep 'killed by signal\|exited with' "$LOG" | sed 's/^/# /'
# lib/fcgiguard checks every record and pair length before libfcgi parses them, so not even
# the CVE-2025-23016 residue (a libfcgi abort in ReadParams) may kill a worker any more.
is "$deaths" 0 "no worker died"
unlike "$(cat "$LOG")" \
    'ERROR: AddressSanitizer|runtime error|LeakSanitizer|stack smashing|buffer overflow detected' \
    "no sanitizer or fortify report from the workers"
done_testing
