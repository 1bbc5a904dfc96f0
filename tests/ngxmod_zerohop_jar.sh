#!/bin/bash
# tests/ngxmod_zerohop_jar.sh: tests/cpu8d_zerohop_jar.sh against the native nginx module.
GK_ZEROHOP=module exec "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/cpu8d_zerohop_jar.sh"
