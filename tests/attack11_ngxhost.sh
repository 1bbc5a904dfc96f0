#!/bin/bash
# tests/attack11_ngxhost.sh: tests/attack11_host.sh against the native nginx module: a Host
# gatekeep-authz refuses whoever asks (host-mismatch, bad-host) never passes its zero hop.
GK_ZEROHOP=module exec "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/attack11_host.sh"
