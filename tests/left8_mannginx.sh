#!/bin/bash
# tests/left8_mannginx.sh: the nginx examples of the man pages run as written: the literal
# block after ".It nginx" in gatekeep-authz(8) and gatekeep(7) (its "# in http {}" part in
# http, its "# in server {}" part in a server), gatekeep-authz on the test's database and
# app.cgi behind the proxy_pass. The identity reaches the app from gatekeep only (all four
# headers, a client's own never), browsers are sent to the login page, API clients get 401.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/servers/harness.sh"
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/servers/appcookie.sh"

gk_world
"$GK_PASSWD" --name 'Alice Liddell' --email alice@example.org "$GK/users.db" alice >>"$LOG/passwd.out" 2>&1 ||
	bail "set alice's name and e-mail"
gk_start_backend
gk_start_authz unix

# man_site PAGE: the page's nginx example as a site file in $TMP/contrib/nginx/gatekeep.conf
man_site() {
	mkdir -p "$TMP/contrib/nginx"
	"$PY" - "$1" >"$TMP/contrib/nginx/gatekeep.conf" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
i = lines.index(".It nginx")
while not lines[i].startswith(".Bd -literal"):
    i += 1
j = lines.index(".Ed", i)
block = [re.sub(r"\\(e|&|\(dq)", lambda m: {"e": "\\", "&": "", "(dq": '"'}[m.group(1)], l)
         for l in lines[i + 1:j]]
k = block.index("# in server {}:") if "# in server {}:" in block else -1
print("\n".join(block[:max(k, 0)]))
print("server {\n\tlisten 80;\n\tserver_name _;")
print("\n".join("\t" + l for l in block[k + 1:]))
print("}")
PY
}

for page in gatekeep-authz.8 gatekeep.7; do
	S="${page%.*}(${page##*.})"
	man_site "$top_srcdir/man/$page" || bail "no nginx example in man/$page"
	PORT=$(free_port)
	BASE="http://127.0.0.1:$PORT"
	CONTRIB="$TMP/contrib" gk_start_nginx

	req -u alice:alice-pw "$BASE/private/"
	is "$CODE" 200 "$S: alice (Basic) -> 200"
	is "$(appvar HTTP_REMOTE_USER)|$(appvar HTTP_REMOTE_GROUPS)" "alice|users" \
		"$S: the app gets Remote-User/-Groups from gatekeep's answer"
	is "$(appvar HTTP_REMOTE_EMAIL)|$(appvar HTTP_REMOTE_NAME)" "alice@example.org|Alice Liddell" \
		"$S: ... and Remote-Email/-Name"
	req -u erin:erin-pw -H 'Remote-User: bob' -H 'remote-groups: admins' -H 'REMOTE-EMAIL: b@x.test' \
		-H 'Remote-Name: Bob' -H 'Remote-Name: Bob2' "$BASE/private/"
	is "$CODE/$(appvar HTTP_REMOTE_USER)" 200/erin "$S: erin with a client's identity headers -> 200 as erin"
	is "$(appvar HTTP_REMOTE_GROUPS)|$(appvar HTTP_REMOTE_EMAIL)|$(appvar HTTP_REMOTE_NAME)" "staff||" \
		"$S: ... none of the client's values reach the app (erin has no e-mail, no name)"
	req -H 'Remote-User: bob' -H 'Remote-Email: b@x.test' -H 'Remote-Name: Bob' "$BASE/public/"
	is "$CODE/$(appvar HTTP_REMOTE_USER)|$(appvar HTTP_REMOTE_EMAIL)|$(appvar HTTP_REMOTE_NAME)" "200/||" \
		"$S: the bypass path: no identity at all, not the client's"
	req -H 'Accept: text/html' "$BASE/private/"
	is "$CODE" 302 "$S: a browser without credentials -> 302"
	like "$(hdr Location)" '/gatekeep/login\?rd=' "$S: ... to the login page"
	req "$BASE/private/"
	is "$CODE" 401 "$S: an API client without credentials -> 401"
	like "$(hdr WWW-Authenticate)" '^Basic ' "$S: ... with the Basic challenge"
	gk_check_app_cookie "$S"
	gk_stop nginx
done
gk_alive authz
ok $? "gatekeep-authz is still running"
gk_check_logs man-nginx "$LOG/authz.out"
done_testing
