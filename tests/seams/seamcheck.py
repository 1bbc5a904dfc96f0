#!/usr/bin/python3
"""tests/seams/seamcheck.py: the differential seam checker: mutated requests in, invariant out.

Standard library only. Sends COUNT seeded, mutated requests over raw sockets to a real web
server that asks gatekeep-authz, then reads the log of the app behind it (recorder.py) and
checks every request the app served against a pure-Python model of the policy (policy.py),
computed from what the CLIENT sent, under the strictest reading:

  if the app served it, gatekeep allowed exactly that method, host and path (under every
  reading the app could use), as exactly the user the app saw.

Prints the counts (sent, served, denied, violations) and the first violations with the
request that caused them; exits 1 if there was any violation.
"""
import argparse
import json
import os
import random
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutate   # noqa: E402
import policy   # noqa: E402


def send(port, raw, timeout):
    """One request on its own connection; returns the status code (0: no answer)."""
    s = socket.socket()
    s.settimeout(timeout)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(raw)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        # drain (bounded) so the server is not cut mid-answer
        try:
            while len(data) < 1 << 20:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
    except OSError:
        return 0
    finally:
        s.close()
    parts = data.split(b"\r\n", 1)[0].split(b" ")
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        return int(parts[1])
    return 0


def load_records(path):
    recs = {}
    if not os.path.exists(path):
        return recs
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("rid") is not None:
                recs.setdefault(r["rid"], []).append(r)
    return recs


BYPASS_USER = "bob"   # tests/seams.sh: bypass_user


def identity_cause(req, app_users, bypass_host):
    """Which trick made the app see an unproven user: the bypass Host anywhere in the
    request (Host, absolute form, X-Forwarded-Host in any spelling) when the app saw the
    bypass user, else the credential sent."""
    cred = [t[5:] for t in req.tags if t.startswith("cred:")]
    kind = (cred[0] if cred else "?").partition("(")[0]
    if bypass_host and bypass_host.lower().encode() in req.raw().lower() and BYPASS_USER in app_users:
        return "bypass-host"
    return kind


def top_tags(items, sent, n=4):
    """The tags most over-represented in ITEMS (requests) compared with all requests SENT."""
    all_count, count = {}, {}
    for _, req, _ in sent:
        for t in set(req.tags):
            all_count[t] = all_count.get(t, 0) + 1
    for req in items:
        for t in set(req.tags):
            if not t.startswith("target:"):
                count[t] = count.get(t, 0) + 1
    best = sorted(count, key=lambda t: (-count[t] / all_count[t], -count[t]))
    return ", ".join("%s %d/%d" % (t, count[t], all_count[t]) for t in best[:n] if count[t] > 1)


def show(b, limit=600):
    s = repr(b)[2:-1]
    return s if len(s) <= limit else s[:limit] + "...(%d bytes)" % len(b)


def parse_scope(s):
    """'-' or 'path=/p/,method=GET+PUT' -> None or (path segments or None, methods or None)."""
    if s == "-":
        return None
    path, methods = None, None
    for item in s.split(","):
        if item.startswith("path="):
            path = tuple(x.encode() for x in item[5:].split("/") if x)
        elif item.startswith("method="):
            methods = set(m.upper() for m in item[7:].split("+"))
    return path, methods


def user_lines(path):
    """{user: value} of a file of 'user value' lines (None: {})."""
    out = {}
    if path:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    u, v = line.split()
                    out[u] = v
    return out


def compare(p, mine, other_file, mode, limit):
    """Request by request against another front's decisions: prints the differences and a
    'differ' line (seams.sh turns it into a TAP line)."""
    with open(other_file, encoding="utf-8") as f:
        other = [json.loads(line) for line in f if line.strip()]
    bad, other_status = [], []
    if len(other) != len(mine):
        bad.append((-1, "the runs sent %d and %d requests" % (len(other), len(mine))))
    for i, (o, m) in enumerate(zip(other, mine)):
        if o["tags"] != m["tags"]:
            bad.append((i, "not the same request (tags %s / %s)" % (o["tags"], m["tags"])))
            break
        if mode == "same":
            # the decision: allowed or not (2xx), served or not, as whom; a denial's status
            # may differ (nginx's fastcgi_params REMOTE_USER with a NUL is a refused
            # FastCGI record, 403, where the HTTP front reads the Basic header, 401)
            if (o["status"] // 100 == 2, o["served"], o["users"]) != (
                    m["status"] // 100 == 2, m["served"], m["users"]):
                bad.append((i, "there: status %d served %s users %s; here: status %d served %s users %s" % (
                    o["status"], o["served"], o["users"], m["status"], m["served"], m["users"])))
            elif o["status"] != m["status"]:
                other_status.append((i, o["status"], m["status"]))
        elif o["served"] and (not m["served"] or o["users"] != m["users"]):
            bad.append((i, "there: served as %s (status %d); here: %s" % (
                o["users"] or "nobody", o["status"],
                "served as %s" % (m["users"] or "nobody") if m["served"] else "status %d" % m["status"])))
    kinds = {}
    for i, why in bad:
        if i >= 0:
            for t in other[i]["tags"]:
                if not t.startswith("target:"):
                    kinds[t] = kinds.get(t, 0) + 1
    if kinds:
        print("# %s: differences by mutation: %s" % (p, ", ".join(
            "%s %d" % kv for kv in sorted(kinds.items(), key=lambda kv: -kv[1])[:8])))
    if other_status:
        print("# %s: %d denials with another status (there/here): %s" % (p, len(other_status), ", ".join(
            "#%d %d/%d" % x for x in other_status[:8])))
    for i, why in bad[:limit]:
        print("# %s: DIFFERENCE #%d: %s" % (p, i, why))
        if i >= 0:
            print("# %s:   mutations: %s" % (p, ", ".join(other[i]["tags"])))
            print("# %s:   request: %s" % (p, show(other[i]["request"].encode("latin-1"))))
    print("differ server=%s mode=%s compared=%d differences=%d" % (p, mode, min(len(other), len(mine)), len(bad)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True, help="the recorder's log")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--rid-base", type=int, default=0, help="first request id")
    ap.add_argument("--cookies", help="file of 'user token' lines (valid sessions)")
    ap.add_argument("--forged-cookie", default="", help="a well-formed token with a bad signature")
    ap.add_argument("--app-tokens", help="file of 'user token scope' lines (app tokens; scope "
                    "'-' for none, else path=/p,method=M)")
    ap.add_argument("--bypass-host", default="",
                    help="the bypass_hosts value in the config, if bypass by host can happen")
    ap.add_argument("--anon-user", default="", help="the name the server gives 'no user' (DefaultUser)")
    ap.add_argument("--paranoid", action="store_true",
                    help="also the rarer readings: double decoding, NFKC hosts, trailing dots in segments")
    ap.add_argument("--honest", action="store_true",
                    help="plain requests only (no mutation): checks the oracle itself")
    ap.add_argument("--waive", default="",
                    help="a regular expression: violations whose 'SERVER CLASS' it matches are "
                         "printed and counted as waived, but do not fail the run")
    ap.add_argument("--tickets", help="file of 'user ticket' lines: zero-hop tickets for the "
                    "--cookies tokens (the nginx module's site)")
    ap.add_argument("--no-rules", action="store_true",
                    help="the policy without its rule lines (the zero-hop site's gatekeep.conf)")
    ap.add_argument("--decisions", help="write each request's decision here (JSON lines, in the "
                    "order sent), for --compare-with")
    ap.add_argument("--compare-with", help="another run's --decisions (the same seed and "
                    "options, another front): compare request by request")
    ap.add_argument("--compare-mode", choices=("same", "not-laxer"), default="same",
                    help="same: the same status, app user and served-or-not; not-laxer: the "
                    "other front never served what this one did not, nor as another user")
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--show", type=int, default=6, help="violations printed in full")
    ap.add_argument("--report", help="write every violation as JSON lines here")
    a = ap.parse_args()

    tokens, tickets = user_lines(a.cookies), user_lines(a.tickets)
    app_tokens, app_by_token = {}, {}
    if a.app_tokens:
        with open(a.app_tokens, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    u, t, scope = line.split()
                    app_tokens[u] = t
                    app_by_token[t] = (u, parse_scope(scope))
    rng = random.Random(a.seed)
    gen = mutate.Generator(rng, port=a.port, tokens=tokens, forged=a.forged_cookie,
                           bypass_host=a.bypass_host, honest=a.honest, app_tokens=app_tokens,
                           tickets=tickets)
    model = (policy.NoRulesModel if a.no_rules else policy.Model)(
        tokens={t: u for u, t in tokens.items()}, anon_user=a.anon_user,
        paranoid=a.paranoid, app_tokens=app_by_token)

    sent = []
    t0 = time.time()
    reqs = [gen.request(a.rid_base + i + 1) for i in range(a.count)]
    if not a.honest:
        reqs += gen.host_cases(a.rid_base + a.count + 1)
        reqs += gen.ticket_cases(a.rid_base + len(reqs) + 1)
        reqs += gen.identity_cases(a.rid_base + len(reqs) + 1)
    for i, req in enumerate(reqs):
        status = send(a.port, req.raw(), a.timeout)
        sent.append((a.rid_base + i + 1, req, status))
    elapsed = time.time() - t0
    time.sleep(0.5)   # CGI children may still be writing their line
    recs = load_records(a.log)

    served = denied = noanswer = ok_not_app = 0
    violations = []
    decisions = []
    for rid, req, status in sent:
        got = recs.get(rid, [])
        decisions.append({"status": status, "served": bool(got),
                          "tags": [t.replace(str(a.port), "PORT") for t in req.tags],
                          "users": sorted(set(u for rec in got for u in model.app_users(rec))),
                          "request": req.raw().decode("latin-1")})
        if not got:
            if status == 0:
                noanswer += 1
            elif 200 <= status < 300:
                ok_not_app += 1   # e.g. Caddy's empty answer for a host it does not serve
            else:
                denied += 1
            continue
        served += 1
        for rec in got:
            for v in model.check(req, rec):
                if v["class"] == "identity":
                    v["class"] += ":" + identity_cause(req, model.app_users(rec), a.bypass_host)
                violations.append((rid, req, status, rec, v))

    p = a.server
    waived = []
    if a.waive:
        waive = re.compile(a.waive)
        waived = [v for v in violations if waive.search("%s %s" % (p, v[4]["class"]))]
        violations = [v for v in violations if not waive.search("%s %s" % (p, v[4]["class"]))]
        for v in waived:
            v[4]["class"] = "waived " + v[4]["class"]
    print("# %s: sent %d, served %d, denied %d, 2xx not from the app %d, no answer %d, "
          "violations %d, waived %d (%.1f s, seed %d)" % (
              p, len(sent), served, denied, ok_not_app, noanswer, len(violations), len(waived),
              elapsed, a.seed))
    by_class = {}
    for _, _, _, _, v in violations + waived:
        by_class[v["class"]] = by_class.get(v["class"], 0) + 1
    for c in sorted(by_class, key=lambda k: -by_class[k]):
        print("# %s:   class %-34s %4d  (%s)" % (p, c, by_class[c], top_tags(
            [req for _, req, _, _, v in violations + waived if v["class"] == c], sent)))
    for rid, req, status, rec, v in violations[:a.show]:
        print("# %s: VIOLATION rid=%d status=%d class=%s: %s" % (p, rid, status, v["class"], v["why"]))
        print("# %s:   mutations: %s" % (p, ", ".join(req.tags)))
        print("# %s:   request: %s" % (p, show(req.raw())))
        print("# %s:   app saw: method=%s target=%s user=%s" % (
            p, rec.get("method"), show(rec.get("target", "").encode("latin-1"), 200),
            model.app_users(rec) or "-"))
    if a.report:
        with open(a.report, "a", encoding="utf-8") as f:
            for rid, req, status, rec, v in violations + waived:
                f.write(json.dumps({"server": p, "rid": rid, "status": status, "class": v["class"],
                                    "why": v["why"], "tags": req.tags,
                                    "request": req.raw().decode("latin-1"), "app": rec}) + "\n")
    if a.decisions:
        with open(a.decisions, "w", encoding="utf-8") as f:
            for d in decisions:
                f.write(json.dumps(d) + "\n")
    if a.compare_with:
        compare(p, decisions, a.compare_with, a.compare_mode, a.show)
    ident = [(rid, status) for rid, req, status in sent if "enum:identity" in req.tags]
    print("# %s: spoofed identity headers: sent %d, served %d (the rest refused)" % (
        p, len(ident), sum(1 for rid, _ in ident if rid in recs)))
    print("seams server=%s sent=%d served=%d denied=%d violations=%d waived=%d identity_served=%d" % (
        p, len(sent), served, denied, len(violations), len(waived),
        sum(1 for rid, _ in ident if rid in recs)))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
