#!/bin/bash
# tests/seed_navidrome.sh: docs/howto-navidrome.md for real: nginx + gatekeep-authz + a
# Navidrome stand-in that believes Remote-User only from ND_REVERSEPROXYWHITELIST, serves
# /share/ publicly and checks its own Subsonic credentials on /rest/. Then gatekeep's own
# Navidrome rule: with proxy_auto_create the first user of an empty database is an admin
# (also under concurrent first logins).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/seeds/seedlib.sh"

seed_docs_match navidrome gatekeep.conf nginx.conf navidrome.env
gk_world
seed_start_app navidrome STANDIN_SUBSONIC_USERS=carol:carol-sub
seed_start_gk navidrome 4533
seed_start_nginx navidrome 4533
ND="127.0.0.1:$BACKEND_PORT"

req "$BASE/"
is "$CODE" 401 "no credentials -> 401"
unlike "$BODY" standin "... Navidrome did not see the request"
req -H 'Accept: text/html' "$BASE/app/"
is "$CODE" 302 "a browser without credentials -> 302 to the login page"
req -u alice:alice-pw "$BASE/app/"
is "$CODE" 200 "alice (Basic) -> 200"
is "$(jget user)" alice "Navidrome sees Remote-User: alice from the whitelisted proxy"
is "$(jget admin)" true "... and, as its first user, makes her its admin (its own rule)"
req -u erin:erin-pw "$BASE/app/"
is "$(jget user)/$(jget admin)" erin/false "erin is Navidrome's second user, not an admin"
req -u erin:erin-pw -H 'Remote-User: alice' "$BASE/app/"
is "$(jget user)" erin "a client Remote-User: alice does not change who Navidrome sees"
req -u "alice:$BADPW" "$BASE/app/"
is "$CODE" 401 "bad password -> 401"

# Sharing: /share/ is public, and carries no identity
req "$BASE/share/abc123"
is "$CODE" 200 "/share/ without credentials -> 200"
is "$(jget share)" abc123 "... Navidrome served the share"
req -H 'Remote-User: alice' "$BASE/share/abc123"
is "$(jget user)" null "... a client Remote-User: alice is not passed on to Navidrome"
for u in '/share/../app/' '/share/%2e%2e/app/' '/share/..;/app/' '/share%2f..%2fapp/'; do
	req "$BASE$u"
	like "$CODE" '^(400|401|403|404)$' "$u is not the public share path (got $CODE)"
	unlike "$BODY" '"user"' "... and Navidrome did not answer it"
done

# Subsonic API: Navidrome's own authentication
req "$BASE/rest/ping.view?u=carol&p=carol-sub&v=1.16.1&c=test"
like "$BODY" 'status="ok".*user="carol"' "/rest/ with Subsonic u/p -> ok (gatekeep bypassed it)"
tok=$(printf '%s' 'carol-subs4lt' | md5sum | cut -d' ' -f1)
req "$BASE/rest/ping.view?u=carol&t=$tok&s=s4lt&v=1.16.1&c=test"
like "$BODY" 'status="ok"' "/rest/ with a Subsonic token (t, s) -> ok"
req "$BASE/rest/ping.view?u=carol&p=wrong&v=1.16.1&c=test"
like "$BODY" 'status="failed".*code="40"' "/rest/ with a wrong Subsonic password -> error 40"
req -H 'Remote-User: alice' "$BASE/rest/ping.view?v=1.16.1&c=test"
like "$BODY" 'status="failed"' "/rest/ with only a client Remote-User: alice -> refused (nginx dropped it)"

# every identity header Navidrome gets is gatekeep's, on protected and bypassed paths
seed_spoof 200 "erin on /app/" "$BASE/app/" -u erin:erin-pw
seed_spoof 200 "/share/ (bypassed)" "$BASE/share/abc123"
seed_app_cookie "erin on /app/" "$BASE/app/" -u erin:erin-pw
SESSION=1 seed_app_cookie "/share/ (bypassed)" "$BASE/share/abc123"
seed_spoof 200 "/rest/ (bypassed)" "$BASE/rest/ping.view?u=carol&p=carol-sub&v=1.16.1&c=test"
seed_spoof 401 "/app/ without credentials" "$BASE/app/"

# Navidrome's whitelist: the header from anywhere else is not believed
req --interface 127.0.0.3 -H 'Remote-User: alice' "http://$ND/app/"
is "$CODE" 401 "straight to Navidrome from a non-whitelisted address with Remote-User: alice -> 401"
like "$(cat "$LOG/app.out")" 'ignored Remote-User from non-whitelisted 127.0.0.3' "... and Navidrome logged it"

# --- gatekeep's own first-user rule (proxy_auto_create, empty database) ----------------
gk_stop authz
gk_stop app
SEED_GK_EXTRA="proxy_trusted = 127.0.0.1/32
proxy_auto_create = true
proxy_auto_create_groups = listeners"
mv "$GK/users.db" "$GK/users.db.old"
"$GK_PASSWD" --secret-file "$GK/secret.new" --init "$GK/users.db" >"$LOG/init.out" 2>&1
ok $? "an empty database (gatekeep-passwd --init)"
gk_give_nobody "$GK/users.db"    # gatekeep-authz serves as nobody when the test is root
seed_start_gk navidrome 4533
seed_start_app navidrome
req -H 'Remote-User: dave' "$BASE/app/"
is "$CODE" 200 "trusted proxy names dave, unknown -> auto-created, 200"
is "$(jget user)/$(jget admin)" dave/true "Navidrome sees dave (its admin too)"
show=$("$GK_PASSWD" --show dave "$GK/users.db" 2>&1)
like "$show" 'groups: listeners,admins' "the first auto-created user joins admins (plus proxy_auto_create_groups)"
like "$show" 'level: 0' "... at level 0"
req -H 'Remote-User: frank' "$BASE/app/"
is "$CODE" 200 "second auto-created user frank -> 200"
show=$("$GK_PASSWD" --show frank "$GK/users.db" 2>&1)
like "$show" 'groups: listeners$|groups: listeners[^,]' "the second one is not an admin"
like "$show" 'level: 998' "... level 998 (any logged-in user)"
req -H 'Remote-User: dave' "$BASE/app/"
show=$("$GK_PASSWD" --show dave "$GK/users.db" 2>&1)
like "$show" 'groups: listeners,admins' "re-synchronising dave on his next login keeps admins"
like "$(cat "$LOG/authz.out")" 'first user of an empty database: created as an admin' "gatekeep logged the first-user promotion"

# race: many first logins at once on an empty database -> exactly one admin
gk_stop authz
rm -f "$GK/users.db"
"$GK_PASSWD" --secret-file "$GK/secret.new2" --init "$GK/users.db" >>"$LOG/init.out" 2>&1
gk_give_nobody "$GK/users.db"
seed_start_gk navidrome 4533
pids=()
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null -w '%{http_code}\n' -H "Remote-User: racer$i" "$BASE/app/" >"$TMP/race.$i" &
	pids+=($!)
done
wait "${pids[@]}"
is "$(cat "$TMP"/race.* | sort | uniq -c | tr -s ' ')" " 8 200" "8 concurrent first logins all answered 200"
is "$("$GK_PASSWD" -l "$GK/users.db" 2>/dev/null | grep -c racer)" 8 "... 8 users were created"
admins=0
for i in 1 2 3 4 5 6 7 8; do
	"$GK_PASSWD" --show "racer$i" "$GK/users.db" 2>/dev/null | grep -q 'level: 0' && admins=$((admins + 1))
done
is "$admins" 1 "... exactly one of them is the first-user admin"

gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs navidrome "$LOG/authz.out"
done_testing
