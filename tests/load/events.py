#!/usr/bin/python3
# tests/load/events.py: clients for tests/srv_nginx_events.sh: HTTP keep-alive clients through
# nginx that time every request, and peers that trickle bytes at the authorizer's socket.
#
# usage: events.py clients PORT SECONDS THREADS COOKIE [PATH]
#          THREADS keep-alive connections to nginx, each sending requests one after the
#          other for SECONDS: PATH (default /private/) with the session cookie (expects 200
#          and alice, in the app's body or in gatekeep's Remote-User header) and without
#          (expects 401).  Prints "requests=N errors=N wrong=N max_ms=N".
#        events.py trickle SOCKET SECONDS PEERS [-- clients PORT SECONDS THREADS COOKIE]
#          PEERS unix connections that send a valid request one byte every 0.2 s (never
#          complete within the authorizer's deadline) and reconnect when closed; with the
#          clients part, the clients run meanwhile.  Prints the clients' line, then
#          "peers=N closed_by_server=N".
import http.client
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fcgi_client import RESPONDER, begin, params_records  # noqa: E402


def clients(port, seconds, threads, cookie, path="/private/"):
    lock = threading.Lock()
    stats = {"requests": 0, "errors": 0, "wrong": 0, "max_ms": 0}
    end = time.monotonic() + seconds

    def one():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = 0
        while time.monotonic() < end:
            auth = i % 2 == 0
            i += 1
            hdrs = {"Host": "app.example.com"}
            if auth:
                hdrs["Cookie"] = "gatekeep_session=" + cookie
            t0 = time.monotonic()
            try:
                conn.request("GET", path, headers=hdrs)
                r = conn.getresponse()
                body = r.read()
                alice = b"user=alice" in body or r.getheader("Remote-User") == "alice"
                good = (r.status == 200 and alice) if auth else r.status == 401
                err = False
            except (OSError, http.client.HTTPException):
                good, err = False, True
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ms = int((time.monotonic() - t0) * 1000)
            with lock:
                stats["requests"] += 1
                stats["errors"] += err
                stats["wrong"] += (not good) and not err
                stats["max_ms"] = max(stats["max_ms"], ms)
        conn.close()

    ts = [threading.Thread(target=one) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return "requests=%(requests)d errors=%(errors)d wrong=%(wrong)d max_ms=%(max_ms)d" % stats


def request():
    """A valid request but its STDIN: the trickled peers never complete it."""
    return begin(RESPONDER) + params_records([(b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", b"/private/"),
                                              (b"REMOTE_ADDR", b"127.0.0.1")])


def trickle(path, seconds, peers):
    data = request()
    end = time.monotonic() + seconds
    socks, closed, opened = [], 0, 0

    def connect():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(path)
        except BlockingIOError:
            pass
        return [s, 0]

    for _ in range(peers):
        socks.append(connect())
        opened += 1
    while time.monotonic() < end:
        for p in socks:
            s, pos = p
            try:
                s.send(data[pos % (len(data) - 1):pos % (len(data) - 1) + 1])
                p[1] = pos + 1
                # the server closing shows as EOF (or a reset) on a read
                if s.recv(1, socket.MSG_DONTWAIT) == b"":
                    raise ConnectionResetError
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                closed += 1
                p[:] = connect()
                opened += 1
        time.sleep(0.2)
    for s, _ in socks:
        s.close()
    return "peers=%d closed_by_server=%d" % (peers, closed)


def main():
    a = sys.argv[1:]
    if a[0] == "clients":
        print(clients(int(a[1]), float(a[2]), int(a[3]), a[4], *a[5:6]))
        return 0
    if a[0] == "trickle":
        out = {}
        t = None
        if len(a) > 4 and a[4] == "--":
            c = a[5:]
            t = threading.Thread(target=lambda: out.update(
                c=clients(int(c[1]), float(c[2]), int(c[3]), c[4])))
            time.sleep(0)
        res = {}
        tt = threading.Thread(target=lambda: res.update(r=trickle(a[1], float(a[2]), int(a[3]))))
        tt.start()
        if t is not None:
            time.sleep(1.0)     # the peers are connected and trickling first
            t.start()
            t.join()
            print(out.get("c", "clients failed"))
        tt.join()
        print(res.get("r", "trickle failed"))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
