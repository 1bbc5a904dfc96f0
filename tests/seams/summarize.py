#!/usr/bin/python3
"""tests/seams/summarize.py: a table of the violations a seam run kept (GK_SEAMS_REPORT).

Usage: summarize.py REPORT.jsonl [EXAMPLES]
Per class: the count on each server, the mutation tags most often behind it, and up to
EXAMPLES (default 1) request lines, so that a long run reads as a list of seams.
"""
import collections
import json
import sys


def main():
    path = sys.argv[1]
    examples = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    servers = sorted({r["server"] for r in rows})
    by_class = collections.defaultdict(list)
    for r in rows:
        by_class[r["class"]].append(r)
    print("%-52s %s" % ("class", " ".join("%13s" % s for s in servers)))
    for c, rs in sorted(by_class.items(), key=lambda kv: -len(kv[1])):
        n = collections.Counter(r["server"] for r in rs)
        print("%-52s %s" % (c, " ".join("%13d" % n[s] for s in servers)))
        tags = collections.Counter(t for r in rs for t in set(r["tags"]) if not t.startswith("target:"))
        print("    tags: " + ", ".join("%s %d" % kv for kv in tags.most_common(5)))
        for r in rs[:examples]:
            print("    e.g. %s: %s | %s" % (r["server"], r["request"].split("\r\n", 1)[0][:100], r["why"][:120]))
    print("total %d violations" % len(rows))


if __name__ == "__main__":
    main()
