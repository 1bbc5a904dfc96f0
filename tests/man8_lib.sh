# tests/man8_lib.sh: for tests/man8_*.sh, sourced after tests/servers/harness.sh: a man
# page's configuration example taken as written into a contrib-like tree that the
# harness's gk_start_* read, and the identity checks every example must pass.
. "$top_srcdir/tests/servers/login-flow.sh"
. "$top_srcdir/tests/servers/appcookie.sh"

# man_example PAGE MARKER DEST: the literal display (.Bd -literal ... .Ed) after the line
# MARKER of man/PAGE (before the next .It, .El or .Sh), its roff escapes undone, as $TMP/contrib/DEST; the
# harness then reads $CONTRIB=$TMP/contrib. Bails when the page has no such example.
man_example() {
	mkdir -p "$(dirname "$TMP/contrib/$3")" || bail "cannot create $TMP/contrib"
	"$PY" - "$top_srcdir/man/$1" "$2" >"$TMP/contrib/$3" <<'PY' || bail "no example after '$2' in man/$1"
import sys
lines = open(sys.argv[1]).read().split("\n")
start = lines.index(sys.argv[2])
bd = start + 1
while not lines[bd].startswith(".Bd -literal"):
    if lines[bd].split(" ")[0] in (".It", ".El", ".Sh"):
        sys.exit("no literal display")
    bd += 1
ed = lines.index(".Ed", bd)
roff = {"\\e": "\\", "\\&": "", "\\(dq": '"'}
for line in lines[bd + 1:ed]:
    for k, v in roff.items():
        line = line.replace(k, v)
    print(line)
PY
	CONTRIB="$TMP/contrib"
}

# man_world: gk_world, alice with a display name and an e-mail address (man_identity).
man_world() {
	gk_world
	"$GK_PASSWD" --name 'Alice Liddell' --email alice@example.org "$GK/users.db" alice >>"$LOG/passwd.out" 2>&1 ||
		bail "set alice's name and e-mail"
}

# man_identity LABEL PREFIX: the identity gatekeep answered reaches the app (PREFIX:
# REMOTE_ for an authorizer's Variable-*, HTTP_REMOTE_ for headers a proxy sets), a
# client's identity headers in any spelling never do: refused (400/403) or dropped;
# with BYPASS=yes, not on the bypass path either.
man_identity() {
	local S="$1" P="$2" h
	req -u alice:alice-pw "$BASE/private/"
	is "$CODE|$(appvar "${P}USER")|$(appvar "${P}GROUPS")" "200|alice|users" \
		"$S: alice -> 200, the app gets ${P}USER/GROUPS from gatekeep"
	is "$(appvar "${P}EMAIL")|$(appvar "${P}NAME")" "alice@example.org|Alice Liddell" \
		"$S: ... and ${P}EMAIL/NAME"
	req -u erin:erin-pw -H 'Remote-User: bob' -H 'remote-groups: admins' -H 'REMOTE-EMAIL: b@x.test' \
		-H 'Remote-Name: Bob' -H 'Remote-Name: Bob2' "$BASE/private/"
	is "$CODE|$(appvar "${P}USER")|$(appvar "${P}GROUPS")" "200|erin|staff" \
		"$S: erin with a client's Remote-* headers -> 200 as erin (staff)"
	is "$(appvar HTTP_REMOTE_USER)$(appvar HTTP_REMOTE_GROUPS)$(appvar HTTP_REMOTE_EMAIL)$(appvar HTTP_REMOTE_NAME)" \
		"$([ "$P" = HTTP_REMOTE_ ] && echo erinstaff)" "$S: ... no value of the client's reaches the app"
	for h in Remote_User remote_groups REMOTE_EMAIL Remote_Name; do
		for u in /private/ /public/; do
			req -u erin:erin-pw -H "$h: bob" "$BASE$u"
			if [ "$CODE" = 200 ]; then
				unlike "$BODY" '=bob$' "$S: a client's '$h: bob' on $u never reaches the app"
			else
				like "$CODE" '^40[03]$' "$S: a client's '$h: bob' on $u is refused"
			fi
		done
	done
	[ "$BYPASS" = yes ] || return 0
	req -H 'Remote-User: bob' -H 'Remote-Email: b@x.test' -H 'remote-name: Bob' "$BASE/public/"
	is "$CODE" 200 "$S: the bypass path, no credentials, a client's Remote-* headers -> 200"
	unlike "$BODY" '=(bob|b@x\.test|Bob)$' "$S: ... no value of the client's reaches the app"
}
