#!/bin/bash
# tests/ngxmod_attack7.sh: tests/attack7_zerohop.sh against the native nginx module: a path
# over GK_PATH_MAX, a "..;" segment above the root, a method over GK_METHOD_LEN_MAX and a
# DEL in the Cookie header never pass the module's zero hop either.
GK_ZEROHOP=module exec "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/attack7_zerohop.sh"
