#!/bin/bash
# build_hardening.sh: the programs are built with Debian's hardening set (configure.ac):
# PIE, stack protector, _FORTIFY_SOURCE, full RELRO and BIND_NOW (hardening-check from
# devscripts), stack clash protection and CET (-fcf-protection) in the compile flags.
. "$top_srcdir/tests/lib.sh"

progs="fcgi/gatekeep-authz fcgi/gatekeep-login admin/gatekeep-passwd cgi-bin/login.cgi"
if [ "${GK_HARDENING:-}" = no ]; then
	for p in $progs; do echo "ok $((_tap_n += 1)) # SKIP configured with --disable-hardening: $p"; done
	echo "1..$_tap_n"; exit 0
fi
# a missing checker is a failure, not a skip: CI must check the binaries
command -v hardening-check >/dev/null || bail "hardening-check not found: apt-get install devscripts"
command -v readelf >/dev/null || bail "readelf not found: apt-get install binutils"

# configure found every flag of the set (a compiler that lacks one would show here)
for f in -fPIE -fstack-protector-strong -fstack-clash-protection -fcf-protection \
    -pie -Wl,-z,relro -Wl,-z,now; do
	like " ${GK_HARDEN_FLAGS:-} " " $f " "configure enabled $f"
done
# _FORTIFY_SOURCE is left out of the sanitizer and fuzzing builds (configure.ac says why)
nofortify=""
if [ "${GK_FORTIFY:-no}" = no ]; then
	nofortify=--nofortify
	diag "_FORTIFY_SOURCE not enabled by configure (sanitizer build or no optimisation): not checked"
else
	like " ${GK_HARDEN_FLAGS:-} " " -D_FORTIFY_SOURCE=[23] " "configure enabled _FORTIFY_SOURCE=$GK_FORTIFY"
fi

for p in $progs; do
	b="$top_builddir/$p"
	[ -x "$b" ] || bail "$p is not built"
	# --nocfprotection: the binary carries the CET property only when every object does,
	# and Debian 12's glibc start files do not; our own objects are checked below
	out=$(hardening-check --nocfprotection $nofortify "$b" 2>&1); rc=$?
	ok $rc "hardening-check $p"
	[ "$rc" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
	readelf -d "$b" | grep -q 'BIND_NOW'; ok $? "$p: BIND_NOW"
	readelf -lW "$b" | grep -q 'GNU_RELRO'; ok $? "$p: a RELRO segment"
	if [ -n "$nofortify" ]; then continue; fi
	readelf --dyn-syms -W "$b" | grep -Eq '__[a-z_]+_chk@'; ok $? "$p: calls glibc's fortified __*_chk functions"
done

# -fcf-protection marks every object it compiles (x86 only)
if [ "$(uname -m)" = x86_64 ]; then
	lib="$top_builddir/lib/libgatekeep.a"
	n=$(readelf -n "$lib" | grep -c '^File:')
	c=$(readelf -n "$lib" | grep -c 'x86 feature: IBT, SHSTK')
	[ "$n" -gt 0 ] && [ "$n" = "$c" ]; ok $? "-fcf-protection: all $n objects of lib/libgatekeep.a carry IBT and SHSTK ($c)"
fi
done_testing
