#!/bin/bash
# tests/ngxmod_attack.sh: tests/attack5_zerohop.sh against the native nginx module: what
# gatekeep-authz refuses whoever asks (a tab in the Cookie header, a path it cannot read
# one way) never passes the module's zero hop either.
GK_ZEROHOP=module exec "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/attack5_zerohop.sh"
