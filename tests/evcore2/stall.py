#!/usr/bin/python3
"""tests/evcore2/stall.py: while one request's password hash runs (a cache miss), do the
worker's other connections get answered? One FastCGI connection sends SLOW (a Basic pair
whose hash is not cached); then, one after the other on new connections, requests with a
cached pair (FAST) are sent until the slow answer arrives (at most COUNT of them).

usage: stall.py SOCKET SLOW_B64 FAST_B64 [COUNT]
prints: slow_status=N slow_ms=N fast_before_slow=N fast_max_ms=N fast_200=OK/SENT
"""
import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fcgi_client import request as fcgi_request  # noqa: E402


def request(auth):
    pairs = [(b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", b"/x"),
             (b"REMOTE_ADDR", b"127.0.0.1"), (b"HTTP_AUTHORIZATION", b"Basic " + auth.encode())]
    return fcgi_request(pairs)   # responder, no keep-conn


def status_of(data):
    i = data.find(b"Status: ")
    return int(data[i + 8:i + 11]) if i >= 0 else 0


def read_all(s, deadline):
    data = b""
    while time.time() < deadline:
        r, _, _ = select.select([s], [], [], max(0, deadline - time.time()))
        if not r:
            break
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def main(sock, slow, fast, count):
    t0 = time.time()
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(request(slow))
    s.setblocking(False)
    slow_data, slow_done = b"", None
    fast_before, fast_ms, statuses = 0, [], []
    for _ in range(count):
        r, _, _ = select.select([s], [], [], 0)
        if r:
            break
        f = socket.socket(socket.AF_UNIX)
        f.connect(sock)
        t1 = time.time()
        f.sendall(request(fast))
        d = read_all(f, t1 + 30)
        f.close()
        fast_ms.append((time.time() - t1) * 1000)
        statuses.append(status_of(d))
        # the slow answer may have come meanwhile: only count the fast ones before it
        r, _, _ = select.select([s], [], [], 0)
        if r:
            break
        fast_before += 1
    slow_data = read_all(s, t0 + 60)
    slow_done = time.time()
    print("slow_status=%d slow_ms=%d fast_before_slow=%d fast_max_ms=%d fast_200=%d/%d" % (
        status_of(slow_data), (slow_done - t0) * 1000, fast_before,
        max(fast_ms) if fast_ms else 0, statuses.count(200), len(statuses)))


main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 200)
