#!/bin/bash
# tests/login_logjson.sh: gatekeep-login (login.cgi here) honours log_format = json like
# gatekeep-authz: its deny line and its other messages are one JSON object a line.
. "${top_srcdir:-.}/tests/lib.sh"

CGI="$top_builddir/cgi-bin/login.cgi"
[ -x "$CGI" ] || bail "login.cgi not built"
[ -x "$GK_PASSWD" ] || bail "gatekeep-passwd not built"
mkdir -p "$TMP/state"
cat >"$TMP/gk.conf" <<CONF
database = $TMP/users.db
secret_file = $TMP/secret
state_dir = $TMP/state
log_target = stderr
log_level = info
log_format = json
cookie_secure = false
CONF
"$GK_PASSWD" --init "$TMP/users.db" >/dev/null 2>&1 || bail "gatekeep-passwd --init"
"$GK_PASSWD" -b "$TMP/users.db" alice 'correct horse' >/dev/null 2>&1 || bail "add alice"
body='user=alice&password=wrong&csrf=forged'
GATEKEEP_CONFIG=$TMP/gk.conf gk_cgi "$CGI" "$TMP/log" POST /gatekeep/login "$body" \
	HTTP_COOKIE='gatekeep_session_csrf=x'
like "$(tr -d '\r' <"$TMP/out" | head -1)" "^Status: 4" "a forged form post is refused"
ok "$([ -s "$TMP/log" ] && echo 0 || echo 1)" "it logged something"
python3 - "$TMP/log" >"$TMP/check" 2>&1 <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
bad = [l for l in lines if not l.startswith("{")]
objs = []
for l in lines:
    try:
        o = json.loads(l)
        if isinstance(o, dict):
            objs.append(o)
    except ValueError:
        pass
deny = [o for o in objs if o.get("event") == "deny" and o.get("method") == "form"]
print("lines=%d json=%d deny=%d" % (len(lines), len(objs), len(deny)))
for l in bad:
    print("not JSON: " + l)
sys.exit(0 if lines and not bad and len(objs) == len(lines) and deny else 1)
PY
ok $? "every line of gatekeep-login's log is a JSON object, the deny line among them"
sed 's/^/#   /' "$TMP/check"
done_testing
