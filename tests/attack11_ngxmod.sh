#!/bin/bash
# tests/attack11_ngxmod.sh: tests/attack11_zerohop.sh against the native nginx module: a
# request nginx cannot hand to gatekeep-authz in one FastCGI record (a long target and
# 61 kB of header lines) never passes its zero hop either.
GK_ZEROHOP=module exec "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/attack11_zerohop.sh"
