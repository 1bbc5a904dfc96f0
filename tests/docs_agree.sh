#!/bin/bash
# docs_agree.sh: the docs say what the code and the shipped files do: the README's package
# list is install-deps' build set, gatekeep(7) quotes the shipped fail2ban rule, every man
# page has a fixed date (a bare $Mdocdate$ becomes the build date), no doc cites a file
# that is not in the project, and every documented unix socket names its owner.
. "$top_srcdir/tests/lib.sh"

S=$top_srcdir
# the README's apt-get line (a comment over several lines) against scripts/install-deps
readme=$(sed -n '/apt-get install build-essential/,/^ *[^ #]/p' "$S/README.md" |
	sed -n 's/.*# *\(or: apt-get install \)\{0,1\}//p' | tr -d '\\' | tr ' ' '\n' | grep -v '^$' | sort -u)
deps=$(sed -n '/^build_pkgs=(/,/)/p' "$S/scripts/install-deps" | sed 's/build_pkgs=(//; s/)//' |
	tr ' \t' '\n\n' | grep -v '^$' | sort -u)
is "$readme" "$deps" "README's apt-get line names install-deps' build packages"

filter=$(sed -n 's/^failregex = //p' "$S/contrib/fail2ban/filter.d/gatekeep.conf")
manrule=$(mandoc -Tascii "$S/man/gatekeep.7" | sed 's/.\x08//g' | sed -n 's/^ *failregex = //p')
[ -n "$filter" ]; ok $? "contrib's fail2ban filter has a failregex"
is "$manrule" "$filter" "gatekeep(7) quotes the shipped filter's failregex"

for page in "$S"/man/*.[1-8]; do
	d=$(sed -n 's/^\.Dd //p' "$page")
	like "$d" '^\$Mdocdate: [A-Z][a-z]+ [0-9]{1,2} [0-9]{4} \$$' "${page##*/}: a fixed .Dd date ($d)"
done

cites=$(grep -rln 'INTEROP\.md' "$S/README.md" "$S/SECURITY.md" "$S/docs" "$S/man" "$S/contrib" 2>/dev/null)
is "$cites" "" "no doc cites INTEROP.md, which is not in the project"

# a unix socket the web server's workers (www-data) open: started as root without
# --socket-owner it is root's, and nginx answers 500 (the Navidrome how-to did that)
bare=$(cd "$S" && grep -rn -- '--listen unix:' README.md docs/howto-*.md contrib | grep -v -- '--socket-owner')
is "$bare" "" "README, the how-tos and contrib/ start gatekeep's unix sockets with --socket-owner"
done_testing
