# tests/servers/cookiejar.sh: pad N, about N bytes of other sites' cookies ("; "-separated),
# the jar a browser sends along with the session cookie. Source it in a test.
pad() { "$PY" -c 'import sys
n = int(sys.argv[1]); out = []; k = 0
while sum(len(x) + 2 for x in out) < n:
    out.append("_ga%d=GA1.2.%d.%d" % (k, k * 7919, 1700000000 + k)); k += 1
print("; ".join(out))' "$1"; }
