#!/bin/bash
# tests/lead8_workers.sh: without --workers, the event core starts one worker per two online
# CPUs (at least one): a worker serves all its connections, hashes and LDAP binds run in its
# pool's threads, and fewer workers find more requests per wake-up. The libfcgi core, whose
# worker blocks on one connection, keeps one per CPU. (On a 1-CPU machine both are 1.)
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

[ -x "$GK_AUTHZ" ] || bail "gatekeep-authz not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
printf '%s\n' "database = $TMP/users.db" "secret_file = $TMP/secret" "methods = proxy" \
	"proxy_trusted = 127.0.0.1" "log_target = stderr" "log_level = info" "$GK_RUN_LINES" > "$TMP/gatekeep.conf"
gk_give_nobody "$TMP"
cpus=$(getconf _NPROCESSORS_ONLN)

# started CORE: the "starting N workers" count of a pool started without --workers
started() {
	local log="$TMP/$1.log" pid n
	: >"$log"
	"$GK_AUTHZ" -c "$TMP/gatekeep.conf" --listen "unix:$TMP/$1.sock" --core "$1" 2>>"$log" &
	pid=$!
	for _ in $(seq 50); do grep -q 'starting [0-9]* workers' "$log" && break; sleep 0.1; done
	n=$(sed -n 's/.*starting \([0-9]*\) workers.*/\1/p' "$log" | head -1)
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	printf '%s' "$n"
}
half=$(( cpus / 2 )); [ "$half" -ge 1 ] || half=1
is "$(started event)" "$half" "event core, $cpus CPUs, no --workers: $half worker(s), one per two CPUs"
is "$(started libfcgi)" "$cpus" "libfcgi core, $cpus CPUs, no --workers: one per CPU"
done_testing
