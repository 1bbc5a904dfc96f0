#!/usr/bin/python3
# tests/load/verdict.py: a tests/load/client.py report as "key value" lines for the load tests.
#
# usage: verdict.py REPORT.json
# Prints: requests, rate, a "class ..." line per class, valid_5xx (5xx for valid requests),
# any_5xx, deny_2xx (2xx for anonymous, hostile or forbidden requests), wrong (other wrong
# decisions: a valid request's status or user, a deny class's unexpected status),
# conn_errors, min_class (requests of the least-sent class), and "sample ..." lines.
import json
import sys

r = json.load(open(sys.argv[1]))
print("requests", r["requests"])
print("rate", int(r["requests"] / max(r["seconds"], 1)))
valid5 = any5 = deny2 = wrong = errs = 0
for name, c in sorted(r["classes"].items()):
    st = c["statuses"]
    n = sum(st.values())
    five = sum(k for s, k in st.items() if s.startswith("5"))
    two = sum(k for s, k in st.items() if s.startswith("2"))
    print("class %-26s %-5s n=%-7d %s p50=%sms p99=%sms wrong=%d" % (name, c["expect"], n,
          " ".join("%s:%d" % kv for kv in sorted(st.items())), c["p50_ms"], c["p99_ms"], c["wrong"]))
    any5 += five
    if c["expect"] == "allow":
        valid5 += five
        wrong += c["wrong"]
    else:
        deny2 += two
        wrong += c["wrong"] if two == 0 else 0
    errs += sum(k for s, k in st.items() if s.startswith("error"))
print("valid_5xx", valid5)
print("any_5xx", any5)
print("deny_2xx", deny2)
print("wrong", wrong)
print("conn_errors", errs)
print("min_class", min(sum(c["statuses"].values()) for c in r["classes"].values()))
for s in r["wrong_samples"]:
    print("sample", s)
