#!/bin/bash
# tests/ngxmod_zerohop.sh: tests/evcore2_zerohop.sh against the native nginx module
# (contrib/nginx/gatekeep-module.conf, ngx_http_gatekeep_module.so of this build) instead
# of njs: every case the njs check passes or refuses, the module must answer the same.
GK_ZEROHOP=module exec "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/evcore2_zerohop.sh"
