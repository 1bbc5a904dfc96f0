#!/bin/bash
# admin_man.sh: gatekeep-passwd.1 is lint-clean and documents every option --help lists.
. "$top_srcdir/tests/lib.sh"

P=$GK_PASSWD
page="$top_srcdir/man/gatekeep-passwd.1"
[ -x "$P" ] || bail "$P not built"
[ -f "$page" ] || bail "$page missing"
command -v mandoc >/dev/null || bail "mandoc is needed (apt-get install mandoc)"

lint=$(mandoc -Tlint -Wwarning "$page" 2>&1); rc=$?
is "$rc" 0 "mandoc -Tlint -Wwarning exits 0"
is "$lint" "" "mandoc -Tlint -Wwarning has nothing to say"

text=$(mandoc -Tascii "$page" | sed 's/.\x08//g')
for opt in $("$P" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	case "$text" in
	*"$opt"*) ok 0 "the man page documents $opt" ;;
	*) ok 1 "the man page documents $opt" ;;
	esac
done
for opt in -c -b -i -D -x -v -n -y -B -2 -5 -6 -C -l; do
	printf '%s\n' "$text" | grep -Eq -- "^ *(-[0-9A-Za-z], )*$opt[ ,]"
	ok $? "the man page has an entry for $opt"
done
for code in 0 1 2 3 4 5 6 7 9 10; do
	printf '%s\n' "$text" | sed -n '/^EXIT STATUS/,/^EXAMPLES/p' | grep -Eq "^ +$code[[:space:]]+[A-Z]"
	ok $? "EXIT STATUS lists $code"
done
like "$text" 'SEE ALSO.*' "has SEE ALSO"
like "$(printf '%s\n' "$text" | sed -n '/^SEE ALSO/,$p')" 'htpasswd\(1\).*gatekeep\.conf\(5\).*gatekeep\(7\)' \
	"SEE ALSO names htpasswd(1), gatekeep.conf(5), gatekeep(7)"

done_testing
