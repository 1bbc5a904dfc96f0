#!/bin/bash
# tests/seed_2fauth.sh: docs/howto-2fauth.md for real: nginx + gatekeep-authz + a 2FAuth
# stand-in (AUTHENTICATION_GUARD=reverse-proxy-guard, AUTH_PROXY_HEADER_FOR_USER/_EMAIL).
# Also gatekeep's own 2FAuth e-mail rule for proxy_email_header: stored only when valid
# and not another user's (case-insensitively), otherwise ignored with a log line — never
# a refusal — including concurrent claims of one address. And ${SSO_PROXY_ADDR} in the
# config comes from gatekeep-authz's environment.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/seeds/seedlib.sh"

seed_docs_match 2fauth gatekeep.conf nginx.conf 2fauth.env
gk_world
"$GK_PASSWD" --email alice@example.com "$GK/users.db" alice >>"$LOG/passwd.out" 2>&1 || bail "set alice's e-mail"
seed_start_app 2fauth

# ${SSO_PROXY_ADDR} must be set for gatekeep to start
seed_gk_conf 2fauth 8000
out=$(env -u SSO_PROXY_ADDR "$GK_AUTHZ" -c "$GK/gatekeep.conf" --check-config 2>&1)
ok $((! $?)) "gatekeep-authz refuses to start without SSO_PROXY_ADDR in its environment"
like "$out" "gatekeep.conf:[0-9]+: \\$\\{SSO_PROXY_ADDR\\} is not set in the environment" "... naming file:line and the variable"
out=$(SSO_PROXY_ADDR=127.0.0.1/32 "$GK_AUTHZ" -c "$GK/gatekeep.conf" --check-config 2>&1)
like "$out" 'proxy_trusted = 127\.0\.0\.1/32' "with SSO_PROXY_ADDR=127.0.0.1/32 the effective proxy_trusted is that"

seed_start_gk 2fauth 8000 SSO_PROXY_ADDR=127.0.0.1/32
seed_start_nginx 2fauth 8000
show() { "$GK_PASSWD" --show "$1" "$GK/users.db" 2>&1 | sed -n 's/^email: //p'; }
authz_log() { cat "$LOG/authz.out"; }

# gatekeep's own users
req "$BASE/"
is "$CODE" 401 "no credentials -> 401"
req -u alice:alice-pw "$BASE/"
is "$CODE" 200 "alice (Basic) -> 200"
is "$(jget user)/$(jget email)" alice/alice@example.com "2FAuth sees alice and her gatekeep e-mail"
req -u erin:erin-pw "$BASE/"
is "$(jget user)/$(jget email)" erin/erin@remote "erin has no e-mail: 2FAuth falls back to erin@remote"
req -u erin:erin-pw -H 'Remote-Email: boss@example.com' "$BASE/"
is "$(jget email)" erin@remote "a client Remote-Email from an untrusted path never reaches 2FAuth"
req --interface 127.0.0.3 -H 'Remote-User: alice' "$BASE/"
is "$CODE" 401 "Remote-User: alice from a peer outside proxy_trusted -> 401"
# a client outside proxy_trusted: only gatekeep's identity headers reach 2FAuth
seed_spoof 200 "erin from 127.0.0.3" "$BASE/" --interface 127.0.0.3 -u erin:erin-pw
seed_app_cookie "erin" "$BASE/" -u erin:erin-pw
seed_spoof 401 "no credentials from 127.0.0.3" "$BASE/" --interface 127.0.0.3

# an SSO proxy in front (the test client, 127.0.0.1, is SSO_PROXY_ADDR)
req -H 'Remote-User: gina' -H 'Remote-Email: gina@example.com' "$BASE/"
is "$CODE" 200 "SSO proxy names gina with an e-mail -> 200"
is "$(jget user)/$(jget email)" gina/gina@example.com "2FAuth sees gina and gina@example.com"
is "$(show gina)" gina@example.com "gatekeep stored gina's valid, unused e-mail"
req -H 'Remote-User: hank' -H 'Remote-Email: alice@example.com' "$BASE/"
is "$CODE" 200 "hank with alice's e-mail -> still 200 (the e-mail is ignored, not the user)"
is "$(jget email)" hank@remote "2FAuth sees no e-mail for hank (its fallback)"
is "$(show hank)" - "gatekeep did not store alice's address for hank"
like "$(authz_log)" 'proxy user hank: ignored e-mail alice@example.com from Remote-Email: used by another user' "... and logged why"
req -H 'Remote-User: jo' -H 'Remote-Email: ALICE@Example.COM' "$BASE/"
is "$(show jo)" - "an address differing only in case is alice's too"
req -H 'Remote-User: ivy' -H 'Remote-Email: not an address' "$BASE/"
is "$CODE" 200 "ivy with an invalid e-mail -> 200"
is "$(show ivy)" - "... the invalid e-mail is not stored"
like "$(authz_log)" 'proxy user ivy: ignored Remote-Email header: not a valid e-mail address' "... and the log says so"
long=$(printf 'x%.0s' $(seq 1 250))@example.com
req -H 'Remote-User: ivy' -H "Remote-Email: $long" "$BASE/"
is "$CODE/$(show ivy)" 200/- "an over-long e-mail is ignored"
req -H 'Remote-User: ivy' -H 'Remote-Email: ivy@example.com' -H 'Remote-Email: alice@example.com' "$BASE/"
is "$CODE/$(show ivy)" 200/- "two Remote-Email headers: ignored"
like "$(authz_log)" 'ignored Remote-Email header: sent more than once' "... logged"
for e in '<ivy@example.com>' 'ivy@example.com, x@y.z' 'ivy@@example.com' 'ivy@-example.com' '"ivy"@example.com'; do
	req -H 'Remote-User: ivy' -H "Remote-Email: $e" "$BASE/"
	is "$CODE/$(show ivy)" 200/- "hostile e-mail '$e' ignored"
done
req -H 'Remote-User: gina' -H 'Remote-Email: gina2@example.com' "$BASE/"
is "$(show gina)" gina2@example.com "gina's new valid address replaces the old one"
req -H 'Remote-User: gina' "$BASE/"
is "$(jget email)/$(show gina)" gina2@example.com/gina2@example.com "no header: the stored address is kept (and passed on)"
req -H 'Remote-User: gina' -H 'Remote-Email: gina@example.com' "$BASE/"
is "$(show gina)" gina@example.com "gina may take back her released old address"
req -H 'Remote-User: hank' -H 'Remote-Email: gina2@example.com' "$BASE/"
is "$(show hank)" gina2@example.com "... and hank the one gina released"
req -H 'Remote-User: alice' -H 'Remote-Email: alice2@example.com' "$BASE/"
is "$(show alice)" alice@example.com "a local (non-external) user's e-mail is never changed by the proxy"

# concurrent claims of one new address: exactly one user gets it
pids=()
for i in 1 2 3 4 5 6; do
	curl -s -o /dev/null -w '%{http_code}\n' -H "Remote-User: racer$i" -H 'Remote-Email: race@example.com' \
		"$BASE/" >"$TMP/race.$i" &
	pids+=($!)
done
wait "${pids[@]}"
is "$(cat "$TMP"/race.* | sort | uniq -c | tr -s ' ')" " 6 200" "6 concurrent new users claiming one address: all 200"
n=0
for i in 1 2 3 4 5 6; do [ "$(show "racer$i")" = race@example.com ] && n=$((n + 1)); done
is "$n" 1 "... exactly one of them holds race@example.com"

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs 2fauth "$LOG/authz.out"
done_testing
