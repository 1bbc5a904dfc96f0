#!/bin/bash
# tests/perf_cookie_diff.sh: gatekeep.js's cookie parser (njs in real nginx; its fast path
# and the full split behind it) against
# lib/cookie.c on the same Cookie headers: whatever njs takes as the session cookie or the
# ticket, lib/cookie.c takes too, value for value (njs may refuse more, never accept more),
# and on headers of plain cookie octets without quotes they agree exactly.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

. "$top_srcdir/tests/servers/njsfn.sh"
VERDICT="$top_builddir/tests/cookie_verdict"
[ -x "$VERDICT" ] || bail "tests/cookie_verdict not built"

# gatekeep.js's own parser, answered as JSON by a js_content handler beside a copy
gk_njs_fn cv 'function cv(r) { r.return(200, JSON.stringify(cookieValues(r.headersIn.Cookie, "gatekeep_session", "gatekeep_session_ticket"))); }'

# the headers: hand-made edge cases, then random ones from tricky pieces (fixed seed)
$PY - "$TMP/headers" <<'PYEOF'
import random, sys
T = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhIn0.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
K = "eyJzdWIiOiJhIn0.ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjih"
S, N = "gatekeep_session", "gatekeep_session_ticket"
fixed = [
    f"{S}={T}; {N}={K}", f"{S}={T}", f"{N}={K}", f"{S}={T}; {S}={T}; {N}={K}",
    f"{S}={T}; {N}={K}; {N}={K}", f" {S} = {T} ; {N}={K}", f"\t{S}\t=\t{T}\t;{N}={K}",
    f"{S}=\"{T}\"; {N}={K}", f"{S.upper()}={T}; {N}={K}", f"x{S}={T}; {N}={K}",
    f"{S}x={T}; {N}={K}", f"{S}={T}=; {N}={K}", f"{S}=; {N}={K}", f"{S}; {N}={K}",
    f";;{S}={T};;{N}={K};", f"a=1; {S}={T}; b=2; {N}={K}; c", f"{S}={T}, {N}={K}",
    f"{S} x={T}; {N}={K}", f"{S}={T} x; {N}={K}", f"{N}={K}; {S}={T}",
    f"{S}={T}; {S} ={T}", f"{S}={T};{S}\t={T}", f"   {S}={T}", f"{S}=a\\b; {N}={K}",
    f"{S}={T}; {N}=\"{K}\"", f"{S}={T}; {N}= {K}", "", ";", "=", f"={T}; {N}={K}",
    f"{S}={T}; gatekeep_session_ticketx={K}", f"{S}=={T}; {N}={K}",
    # the edges of gatekeep.js's fast path (each name once, "; "-separated)
    f"{S}={T};{N}={K}", f"{S}={T}; {N}={K} ", f"{S}={T} ; {N}={K}", f"x={S}; {S}={T}; {N}={K}",
    f"{S}={T}; {N}={K}; {S}x=1", f"{S}={T}; {N}={K};", f" {S}={T}; {N}={K}", f"{S}={T};  {N}={K}",
    f"{S}={T}; {N}={K}{S}", f"{S}={T}; x {N}={K}", f"{S}={T}; {N}=; a=1", f"{S}=\t{T}; {N}={K}",
]
pieces = [S, N, S.upper(), "x", "gatekeep", " ", "\t", "=", ";", ",", "\"", T, K, "a=b",
          "==", "\\", "ticket", "_", "  ", "\t ", ";;"]
rnd = random.Random(15)
cases = list(fixed)
for _ in range(400):
    cases.append("".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 9))))
with open(sys.argv[1], "w") as f:
    for c in cases:
        f.write(c + "\n")
PYEOF
"$VERDICT" <"$TMP/headers" >"$TMP/c.out"
$PY - "$TMP/headers" "$PORT" >"$TMP/njs.out" <<'PYEOF'
import http.client, json, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[2]), timeout=10)
for line in open(sys.argv[1]).read().split("\n")[:-1]:
    conn.putrequest("GET", "/cv", skip_accept_encoding=True)
    if line != "":
        conn.putheader("Cookie", line)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read().decode()
    if r.status != 200:
        print("HTTP%d\x01HTTP%d" % (r.status, r.status))
        continue
    a, b = json.loads(body)
    print("%s\x01%s" % ("-" if a is None else a, "-" if b is None else b))
PYEOF
total=$(wc -l <"$TMP/headers")
is "$(wc -l <"$TMP/njs.out")" "$total" "njs answered every one of the $total headers"
# njs takes a value only where lib/cookie.c takes the very same one
cmp() {  # cmp AWK-CONDITION: headers (and both verdicts) where it holds
	paste -d $'\x01' "$TMP/headers" "$TMP/njs.out" "$TMP/c.out" | awk -F'\x01' '
		function octets(v) { return v !~ /[ \t",;\\]/ }
		function token(v) { return v ~ /^[A-Za-z0-9_.-]+$/ }
		{ h = $1; n1 = $2; n2 = $3; c1 = $4; c2 = $5 }
		'"$1"' { print "#   [" h "] njs: [" n1 "] [" n2 "] C: [" c1 "] [" c2 "]" }'
}
cmp '(token(n1) && n1 != c1) || (token(n2) && n2 != c2)' >"$TMP/laxer"
sed -n 1,10p "$TMP/laxer"
is "$(wc -l <"$TMP/laxer")" 0 "no header where njs takes a token-shaped value lib/cookie.c does not (or another one)"
# where njs's value is made of cookie octets (lib/cookie.c refuses others, njs's format
# check after it too) and the header has no quotes: the very same verdict
cmp 'h !~ /"/ && ((octets(n1) && n1 != c1) || (octets(n2) && n2 != c2))' >"$TMP/differ"
sed -n 1,10p "$TMP/differ"
is "$(wc -l <"$TMP/differ")" 0 "values of cookie octets, no quotes: the very same verdict"
same=$(paste -d $'\x02' "$TMP/njs.out" "$TMP/c.out" | awk -F'\x02' '$1 == $2' | wc -l)
echo "# identical verdicts: $same of $total"
ok "$([ "$same" -ge $((total / 2)) ]; echo $?)" "most verdicts identical ($same of $total)"
done_testing
