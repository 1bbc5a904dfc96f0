#!/bin/bash
# tests/fix11_njshost.sh: gatekeep.js's Host check (hostRefused, njs in real nginx) against
# lib/frontend.c's (tests/host_verdict: gk_frontend_host, then gk_frontend_host_name_ok) on
# generated Host fields beside GATEKEEP_HOST: whatever lib refuses (bad-host,
# host-mismatch), njs refuses too; and on fields and hosts of visible ASCII, where njs
# judges exactly as lib, they agree case for case; gatekeep.js's shortcut for the usual
# Host (usualHost) takes none lib refuses (tests/t_ngxmod_diff does the same for the
# native module's copy).
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

. "$top_srcdir/tests/servers/njsfn.sh"
VERDICT="$top_builddir/tests/host_verdict"
[ -x "$VERDICT" ] || bail "tests/host_verdict not built"

# gatekeep.js's own check, answered by a js_content handler beside a copy: one "0"/"1"
# line per [field or null, served] pair of the JSON array in ?c=, and "u" after it when its
# shortcut for the usual Host (usualHost) takes the pair, else "-"
grep -q '^function hostRefused(field, served) {' "$top_srcdir/contrib/nginx/gatekeep.js" &&
grep -q '^function usualHost(field, served) {' "$top_srcdir/contrib/nginx/gatekeep.js" ||
	bail "gatekeep.js no longer has the hostRefused and usualHost this test calls"
gk_njs_fn hv 'function hv(r) { var c = JSON.parse(decodeURIComponent(r.variables.arg_c)), o = []; for (var i = 0; i < c.length; i++) { var f = c[i][0] === null ? undefined : c[i][0]; o.push((hostRefused(f, c[i][1]) ? "1" : "0") + (usualHost(f, c[i][1]) ? "u" : "-")); } r.return(200, o.join("\n") + "\n"); }'

# 3000 generated pairs (fixed seed): njs's verdicts and lib's, then the counts
out=$($PY - "$PORT" "$VERDICT" <<'PYEOF'
import json, random, subprocess, sys, urllib.parse, urllib.request
port, verdict = sys.argv[1], sys.argv[2]
bits = ["app", "example", "APP", "Example", ".", "..", ":", "[", "]", "::1", "80", "8080",
        "123456", "00080", "x", "-", " ", "\t", "\x7f", "\xc3\xa9", "a.b", "1.2.3.4", "*", "%"]
served_hosts = ["app.example", "app.example.", "[::1]", "", "a b", "app", "a\tb", "127.0.0.1"]
rnd = random.Random(20261207)
cases = [[None, "app.example"], ["app.example:80x", "app.example"], ["other.example", "app.example"],
         ["app.example:123456", "app.example"], ["APP.example.:8080", "app.example"],
         ["app.example", "app.example"], ["app.example:8080", "app.example"]]
while len(cases) < 3000:
    field = "".join(rnd.choice(bits) for _ in range(rnd.randrange(6)))
    if rnd.randrange(2):
        served = rnd.choice(served_hosts)
    else:
        served = field.split(":")[0].lower()
    cases.append([field if rnd.randrange(10) else None, served])
njs = []
for i in range(0, len(cases), 100):
    q = urllib.parse.quote(json.dumps(cases[i:i + 100]), safe="")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/hv?c={q}") as r:
        njs += r.read().decode().split()
hexed = lambda s: s.encode("latin-1").hex()
lines = "".join(f"{'-' if f is None else hexed(f)} {hexed(s)}\n" for f, s in cases)
lib = subprocess.run([verdict], input=lines.encode(), capture_output=True, check=True).stdout.decode().split()
visible = lambda s: s is None or all(0x21 <= ord(c) <= 0x7e for c in s)
usual = [c for c, n, l in zip(cases, njs, lib) if n[1] == "u"]
laxer = [c for c, n, l in zip(cases, njs, lib) if (n[0] == "0" or n[1] == "u") and l == "1"]
njs = [n[0] for n in njs]
differ = [c for c, n, l in zip(cases, njs, lib) if n != l and visible(c[0]) and visible(c[1])]
vis = sum(1 for c in cases if visible(c[0]) and visible(c[1]))
for c in (laxer + differ)[:5]:
    print("# njs and lib differ on", json.dumps(c))
print(len(cases), len(njs), len(lib), len(laxer), len(differ), vis, lib[:5].count("1"),
      sum(1 for l in lib if l == "1"), len(usual))
PYEOF
)
echo "$out" | grep '^#'
read -r n nn nl laxer differ vis first5 refused usual < <(echo "$out" | grep -v '^#')
is "$nn/$nl" "$n/$n" "njs and lib each judged all $n generated Host pairs"
is "$laxer" 0 "njs takes no Host that lib refuses (bad-host, host-mismatch), nor does its shortcut for the usual Host"
[ "$usual" -gt 100 ]
ok $? "... which took $usual of them (the case can fail)"
is "$differ" 0 "on the $vis pairs of visible ASCII, njs and lib agree case for case"
is "$first5" 3 "the three Hosts of tests/attack11_host.sh: lib refuses them (the cases can fail)"
[ "$refused" -gt 500 ] && [ "$refused" -lt $(( n - 500 )) ]
ok $? "lib refuses $refused of them and takes the rest: both answers occur"
done_testing
