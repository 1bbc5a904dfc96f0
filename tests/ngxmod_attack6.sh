#!/bin/bash
# tests/ngxmod_attack6.sh: tests/attack6_zerohop.sh against the native nginx module: the
# cookies in two Cookie lines, a method override header (any case, '_' for '-') or a
# _method parameter, more header lines than gatekeep-authz takes never pass the module's
# zero hop either.
GK_ZEROHOP=module exec "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/attack6_zerohop.sh"
