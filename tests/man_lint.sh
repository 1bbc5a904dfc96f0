#!/bin/bash
# man_lint.sh: every man page in the source tree must be clean under mandoc -Tlint, style included (TAP).
. "$top_srcdir/tests/lib.sh"

pages=$(ls "$top_srcdir"/man/*.[1-8] 2>/dev/null | sort)
if ! command -v mandoc >/dev/null 2>&1; then
	# A missing linter is a failure, not a skip: CI must lint the pages.
	ok 1 "mandoc is installed (apt-get install mandoc)"
	done_testing
	exit 1
fi
[ -n "$pages" ]; ok $? "man/ holds pages to lint"
for p in $pages; do
	out=$(mandoc -Tlint -Wwarning "$p" 2>&1)
	rc=$?
	[ $rc -eq 0 ] && [ -z "$out" ]; ok $? "mandoc -Tlint -Wwarning $(basename "$p")"
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	# Style too, but for cross references to pages this machine may not have installed
	# (gatekeep's own before make install, scmp_sys_resolver) and a stale mandoc.db.
	out=$(mandoc -Tlint -Wstyle "$p" 2>&1 | grep -v -e 'referenced manual not found' -e 'mandoc\.db')
	[ -z "$out" ]; ok $? "mandoc -Tlint -Wstyle $(basename "$p") (but for missing cross references)"
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	# The page must also render (catches macros mandoc accepts but cannot format).
	mandoc -Tutf8 "$p" >/dev/null 2>&1; ok $? "mandoc renders $(basename "$p")"
done
done_testing
