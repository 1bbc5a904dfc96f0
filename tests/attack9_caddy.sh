#!/bin/bash
# tests/attack9_caddy.sh: contrib/caddy/Caddyfile and a client's own identity headers
# (Remote-User, Remote-Groups, Remote-Email, Remote-Name) on bypassed and allowed paths,
# under the installed Caddy and under the forward_auth of Caddy 2.9.0-2.11.1, which sets a
# copy_headers header only when the auth answer's value is not empty and otherwise keeps
# the client's (GHSA-7r4p-vjf4-gxv4): that expansion is rebuilt from `caddy adapt` by
# tests/attack9/caddy29.py and run by the real Caddy here.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"

GK_EXTRA_CONF="frontend = caddy"
gk_world && gk_conf "192.0.2.1/32" && gk_start_backend && gk_start_authz unix && gk_start_caddy
"$GK_PASSWD" --name 'Alice Liddell' "$GK/users.db" alice >>"$LOG/passwd.out" 2>&1 || bail "set alice's name"

FORGED=(-H 'Remote-User: bob' -H 'Remote-Groups: admins' -H 'Remote-Email: boss@example.com'
	-H 'Remote-Name: Administrator')
# forged LABEL: what the app saw of the forged headers, on /public/ (bypass: no user) and
# on /private/ as alice (groups users; no e-mail; display name Alice Liddell)
forged() {
	local label="$1" got
	req "${FORGED[@]}" "$BASE/public/"
	got="$CODE user=$(appvar HTTP_REMOTE_USER) groups=$(appvar HTTP_REMOTE_GROUPS)"
	got="$got email=$(appvar HTTP_REMOTE_EMAIL) name=$(appvar HTTP_REMOTE_NAME)"
	is "$got" "200 user= groups= email= name=" "$label: /public/ (bypass): the app sees none of the client's identity headers"
	req -u alice:alice-pw "${FORGED[@]}" "$BASE/private/"
	got="$CODE user=$(appvar HTTP_REMOTE_USER) groups=$(appvar HTTP_REMOTE_GROUPS)"
	got="$got email=$(appvar HTTP_REMOTE_EMAIL) name=$(appvar HTTP_REMOTE_NAME)"
	is "$got" "200 user=alice groups=users email= name=Alice Liddell" "$label: alice on /private/: only her own identity"
}
forged "caddy $(caddy version | cut -d' ' -f1)"
req -u alice:alice-pw -H 'remote_NAME: Administrator' "$BASE/private/"
is "$CODE" 400 "a Remote_Name header (any case) is refused by the contrib config"

# the same site under Caddy 2.9-2.11.1's forward_auth
gk_stop caddy
env HOME="$RUN/caddy/home" caddy adapt --config "$RUN/caddy/Caddyfile" --adapter caddyfile \
	2>"$LOG/caddy-adapt.out" | /usr/bin/python3 "$top_srcdir/tests/attack9/caddy29.py" \
	> "$RUN/caddy/caddy29.json" || bail "caddy adapt: $(cat "$LOG/caddy-adapt.out")"
gk_bg caddy env HOME="$RUN/caddy/home" XDG_CONFIG_HOME="$RUN/caddy/config" \
	XDG_DATA_HOME="$RUN/caddy/data" caddy run --config "$RUN/caddy/caddy29.json"
gk_up caddy "$PORT" caddy Caddy
forged "forward_auth of caddy 2.9-2.11.1"
done_testing
