#!/bin/bash
# tests/docs_run.sh: README.md and docs/howto-*.md run as written (tests/docs_run.py: the
# markers, what it rewrites, the browser walk through the login page for each app).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
for p in nginx curl pgrep setsid; do
	command -v "$p" >/dev/null || bail "required program not found: $p"
done
[ -x "$GK_AUTHZ" ] && [ -x "$GK_LOGIN" ] && [ -x "$GK_PASSWD" ] || bail "the programs are not built in $top_builddir"
if [ "$(id -u)" = 0 ]; then
	# nginx's workers run as www-data: the how-tos' sockets must be reachable by it
	chmod 755 "$TMP"
	runuser -u www-data -- test -x "$TMP" ||
		bail "www-data cannot reach $TMP: run the tests with TMPDIR set to a directory every user can traverse (e.g. TMPDIR=/tmp)"
fi
/usr/bin/python3 "$top_srcdir/tests/docs_run.py" "$(cd "$top_srcdir" && pwd)" "$(cd "$top_builddir" && pwd)" "$TMP"
exit $?
