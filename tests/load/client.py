#!/usr/bin/python3
# tests/load/client.py: an asyncio HTTP/1.1 load generator that holds N keep-alive connections
# for a fixed time, sends a weighted mix of request classes and checks every answer
# against its class: valid credentials must get 200 and the right user from the app,
# anonymous and hostile requests must never get a 2xx. Prints a JSON summary.
#
# usage: client.py PORT SECONDS CONNECTIONS CLASSES.json
# CLASSES.json: [{"name", "weight", "path", "headers": [[name, value], ...],
#                 "expect": "allow" | "deny", "user": "alice" (allow), "status": [codes]}]
import asyncio
import collections
import json
import random
import sys
import time


def build(cls):
    lines = ["GET %s HTTP/1.1" % cls["path"], "Host: app.example.com", "User-Agent: gk-load"]
    for n, v in cls["headers"]:
        lines.append("%s: %s" % (n, v))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for ln in lines[1:]:
        if ":" in ln:
            k, _, v = ln.partition(":")
            hdrs.setdefault(k.strip().lower(), []).append(v.strip())
    body = b""
    if "content-length" in hdrs:
        n = int(hdrs["content-length"][0])
        body = await reader.readexactly(n) if n else b""
    elif "chunked" in ",".join(hdrs.get("transfer-encoding", [])).lower():
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    close = "close" in ",".join(hdrs.get("connection", [])).lower()
    return status, hdrs, body, close


def judge(cls, status, body):
    """'ok', or why this answer is a wrong decision."""
    if cls["expect"] == "allow":
        if status != 200:
            return "valid request got %d" % status
        want = ("user=%s\n" % cls.get("user", "")).encode()
        if want not in body:
            return "valid request: app saw %r, wanted %r" % (body[:80], want)
        return "ok"
    if 200 <= status < 300:
        return "deny class got %d (%r)" % (status, body[:80])
    if status not in cls.get("status", [401]):
        return "unexpected status %d" % status
    return "ok"


async def conn_loop(port, deadline, classes, weights, stats, wrong, lat, rnd):
    reader = writer = None
    while time.monotonic() < deadline:
        cls = rnd.choices(classes, weights)[0]
        name = cls["name"]
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
            t0 = time.monotonic()
            writer.write(cls["_req"])
            status, _, body, close = await asyncio.wait_for(read_response(reader), 30)
            lat[name].append(time.monotonic() - t0)
            stats[name][str(status)] += 1
            verdict = judge(cls, status, body)
            if verdict != "ok":
                wrong[name] += 1
                if len(wrong["_samples"]) < 20:
                    wrong["_samples"].append("%s: %s" % (name, verdict))
            if close:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError,
                ValueError, IndexError) as e:
            stats[name]["error-" + type(e).__name__] += 1
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def main():
    port, seconds, nconn = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    classes = json.load(open(sys.argv[4]))
    for c in classes:
        c["_req"] = build(c)
    weights = [c["weight"] for c in classes]
    stats = collections.defaultdict(collections.Counter)
    wrong = collections.Counter()
    wrong["_samples"] = []
    lat = collections.defaultdict(list)
    deadline = time.monotonic() + seconds
    rnd = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    t0 = time.monotonic()
    await asyncio.gather(*(conn_loop(port, deadline, classes, weights, stats, wrong, lat,
                                     random.Random(rnd.random())) for _ in range(nconn)))
    took = time.monotonic() - t0
    out = {"seconds": round(took, 1), "connections": nconn,
           "requests": sum(sum(c.values()) for c in stats.values()),
           "classes": {}, "wrong_samples": wrong["_samples"]}
    for c in classes:
        n = c["name"]
        ls = sorted(lat[n])
        out["classes"][n] = {"expect": c["expect"], "statuses": dict(stats[n]), "wrong": wrong[n],
                             "p50_ms": round(ls[len(ls) // 2] * 1000, 1) if ls else None,
                             "p99_ms": round(ls[int(len(ls) * 0.99)] * 1000, 1) if ls else None}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    asyncio.run(main())
