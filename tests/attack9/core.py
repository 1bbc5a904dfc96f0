#!/usr/bin/python3
"""tests/attack9/core.py: hostile peers of the event core while a password hash runs in the
pool (a credential-cache miss parks its request): does every answer carry its own request
id, its own order and its own user, never another request's allow?

usage: core.py FCGI_SOCKET HTTP_SOCKET
users (tests/attack9_core.sh): alice/alice-pw (cached first), s1..s5/sN-pw (slow hashes).
prints one line per case, "NAME VALUE", compared by the test.
"""
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fcgi_client import (ABORT, AUTHORIZER, END, STDOUT, begin, connect,  # noqa: E402
                         params_records, record, stdin_records)


def b64(pair):
    import base64
    return base64.b64encode(pair.encode())


def authz(pair, rid):
    """An authorizer request on a kept connection (FCGI_KEEP_CONN) for Basic pair."""
    pairs = [(b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", b"/x"), (b"REMOTE_ADDR", b"127.0.0.1"),
             (b"HTTP_HOST", b"app.example.com")]
    if pair:
        pairs.append((b"HTTP_AUTHORIZATION", b"Basic " + b64(pair)))
    return begin(AUTHORIZER, rid, flags=1) + params_records(pairs, rid) + stdin_records(b"", rid)


def verdict(stdout):
    """'STATUS:USER' of an authorizer answer ('-' for no user)."""
    st, user = "?", "-"
    for ln in stdout.split(b"\r\n"):
        if ln.startswith(b"Status: "):
            st = ln[8:11].decode()
        elif ln.startswith(b"Variable-REMOTE_USER: "):
            user = ln[22:].decode() or "-"
    return "%s:%s" % (st, user)


def recv_or_nothing(s):
    """What s has (waiting up to its timeout); b"" at its end, a timeout or an error."""
    try:
        return s.recv(262144)
    except OSError:
        return b""


def split_records(buf):
    """The whole records at the start of buf as (type, id, content), and the rest."""
    recs, at = [], 0
    while at + 8 <= len(buf):
        _, rtype, rid, clen, pad = struct.unpack_from(">BBHHBx", buf, at)
        end = at + 8 + clen + pad
        if end > len(buf):
            break
        recs.append((rtype, rid, buf[at + 8:at + 8 + clen]))
        at = end
    return recs, buf[at:]


def fcgi_answers(s, want, timeout=10):
    """The first want answers on s, in the order their END_REQUEST came: 'ID=STATUS:USER'
    ('ID=end' for an END_REQUEST without output); anything after them: 'more'."""
    buf, out, per = b"", [], {}
    s.settimeout(timeout)
    while len(out) < want:
        chunk = recv_or_nothing(s)
        if not chunk:
            break
        recs, buf = split_records(buf + chunk)
        for rtype, rid, content in recs:
            if len(out) == want:
                out.append("more")
            elif rtype == STDOUT:
                per[rid] = per.get(rid, b"") + content
            elif rtype == END:
                out.append("%d=%s" % (rid, verdict(per.pop(rid)) if rid in per else "end"))
    return out + (["more"] if buf and "more" not in out else [])


def quiet(s, secs=0.3):
    """Whether nothing more arrives on s for secs."""
    r, _, _ = select.select([s], [], [], secs)
    return "quiet" if not r else "extra:%r" % s.recv(4096)[:60]


def send_until_stuck(s, blob, secs=0.5):
    """Sends what s takes of blob in secs without reading anything back: the bytes sent."""
    s.setblocking(False)
    sent, end = 0, time.time() + secs
    while sent < len(blob) and time.time() < end:
        try:
            sent += s.send(blob[sent:])
        except BlockingIOError:
            select.select([], [s], [], 0.1)
    s.setblocking(True)
    return sent


def meanwhile(path, slow, fast, answers):
    """Sends slow on one connection, then fast() on new ones, one after the other, until
    slow's answer is there: 'SLOW_ANSWER fast=N' (N: fast ones answered meanwhile, all
    'alice' or the line says which was not)."""
    p = socket.socket(socket.AF_UNIX)
    p.connect(path)
    p.sendall(slow)
    n, wrong = 0, ""
    while n < 200 and not select.select([p], [], [], 0)[0]:
        q = socket.socket(socket.AF_UNIX)
        q.connect(path)
        q.sendall(fast())
        got = answers(q, 1)
        if not got or "alice" not in got[0]:
            wrong = " wrong=%s" % got
        q.close()
        n += 1
    return "%s fast=%s%s" % (" ".join(answers(p, 1)), "some" if n > 0 else "none", wrong)


def fcgi_cases(path):
    # two request ids on one connection, the first parked on its hash (FCGI_MPXS_CONNS is 0,
    # a peer may send them anyway), then a wrong password's hash and a cached one
    s = connect(path)
    s.sendall(authz("s1:s1-pw", 1) + authz("alice:alice-pw", 2) + authz("s2:wrong", 3) + authz("alice:alice-pw", 4))
    print("fcgi-mux", " ".join(fcgi_answers(s, 4)))
    print("fcgi-mux-after", quiet(s))
    s.close()

    # ABORT_REQUEST mid-hash, then the same request id at once for another user
    s = connect(path)
    s.sendall(authz("s3:s3-pw", 7))
    time.sleep(0.02)
    s.sendall(record(ABORT, b"", 7) + authz("alice:alice-pw", 7))
    print("fcgi-abort-reuse", " ".join(fcgi_answers(s, 2)))
    print("fcgi-abort-after", quiet(s))
    s.close()

    # a peer that closes while its hash runs; a new connection meanwhile (and after the
    # hash ended) gets its own answers and nothing else
    a = connect(path)
    a.sendall(authz("s4:s4-pw", 1))
    a.close()
    b = connect(path)
    b.sendall(authz("alice:alice-pw", 1))
    first = fcgi_answers(b, 1)
    time.sleep(0.5)
    b.sendall(authz("alice:alice-pw", 2))
    print("fcgi-closed-peer", " ".join(first + fcgi_answers(b, 1)), quiet(b))
    b.close()

    # other connections answered while a request is parked (a wrong password: its hash
    # is never cached): the parked one's answer is still its own, never their allow
    print("fcgi-parked-meanwhile", meanwhile(path, authz("s2:wrong-p", 5),
                                             lambda: authz("alice:alice-pw", 1), fcgi_answers))

    # a peer that does not read its answers while another one asks
    n = 20000
    d = connect(path)
    blob = b"".join(authz("alice:alice-pw", 1 + i % 60000) for i in range(n))
    sent = send_until_stuck(d, blob)
    e = connect(path)
    e.sendall(authz("s5:s5-pw", 9) + authz("alice:alice-pw", 10))
    print("fcgi-other-while-stuck", " ".join(fcgi_answers(e, 2)))
    e.close()
    full = sent // len(authz("alice:alice-pw", 1))
    got = fcgi_answers(d, full, timeout=5)
    bad = [x for i, x in enumerate(got) if x != "%d=200:alice" % (1 + i % 60000)]
    print("fcgi-stuck-reader", "blocked=%s all=%s wrong=%s" % (sent < len(blob), len(got) == full, bad[:3]))
    d.close()


def head(pair):
    h = (b"GET /_gatekeep HTTP/1.1\r\nHost: app.example.com\r\nX-Gatekeep-Method: GET\r\n"
         b"X-Gatekeep-Uri: /private/\r\nX-Gatekeep-Addr: 127.0.0.1\r\nX-Gatekeep-Scheme: http\r\n"
         b"X-Gatekeep-Server-Addr: 127.0.0.1\r\nX-Gatekeep-Host: app.example.com\r\n")
    if pair:
        h += b"Authorization: Basic " + b64(pair) + b"\r\n"
    return h + b"\r\n"


def http_answers(s, want, timeout=10):
    """'STATUS:USER' of the first want answers on s, in order; anything after them: 'more'."""
    buf, out = b"", []
    deadline = time.time() + timeout
    s.setblocking(True)
    s.settimeout(timeout)
    while len(out) < want and time.time() < deadline:
        while b"\r\n\r\n" not in buf:
            chunk = recv_or_nothing(s)
            if not chunk:
                return out + ["closed"]
            buf += chunk
        h, buf = buf.split(b"\r\n\r\n", 1)
        lines = h.split(b"\r\n")
        st, user, n = lines[0].split(b" ")[1].decode(), "-", 0
        for ln in lines[1:]:
            k, _, v = ln.partition(b":")
            if k.lower() == b"remote-user":
                user = v.strip().decode() or "-"
            elif k.lower() == b"content-length":
                n = int(v)
        while len(buf) < n:
            buf += s.recv(65536)
        buf = buf[n:]
        out.append("%s:%s" % (st, user))
    return out + (["more"] if buf else [])


def http_cases(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(head("s6:s6-pw") + head("alice:alice-pw") + head("s2:wrong2") + head(None) + head("alice:alice-pw"))
    print("http-pipeline", " ".join(http_answers(s, 5)))
    print("http-pipeline-after", quiet(s))
    s.close()

    print("http-parked-meanwhile", meanwhile(path, head("s3:wrong-p"), lambda: head("alice:alice-pw"),
                                             http_answers))

    a = socket.socket(socket.AF_UNIX)
    a.connect(path)
    a.sendall(head("s7:s7-pw"))
    a.close()
    b = socket.socket(socket.AF_UNIX)
    b.connect(path)
    b.sendall(head("alice:alice-pw"))
    first = http_answers(b, 1)
    time.sleep(0.5)
    b.sendall(head("alice:alice-pw"))
    print("http-closed-peer", " ".join(first + http_answers(b, 1)), quiet(b))
    b.close()

    n = 20000
    d = socket.socket(socket.AF_UNIX)
    d.connect(path)
    blob = b"".join(head("alice:alice-pw") if i % 2 == 0 else head(None) for i in range(n))
    sent = send_until_stuck(d, blob)
    e = socket.socket(socket.AF_UNIX)
    e.connect(path)
    e.sendall(head("s8:s8-pw") + head("alice:alice-pw"))
    print("http-other-while-stuck", " ".join(http_answers(e, 2)))
    e.close()
    full, left, i = 0, sent, 0
    while left >= len(head("alice:alice-pw") if i % 2 == 0 else head(None)):
        left -= len(head("alice:alice-pw") if i % 2 == 0 else head(None))
        full, i = full + 1, i + 1
    got = http_answers(d, full, timeout=5)
    bad = [(i, x) for i, x in enumerate(got) if x != ("200:alice" if i % 2 == 0 else "401:-")]
    print("http-stuck-reader", "blocked=%s all=%s wrong=%s" % (sent < len(blob), len(got) == full, bad[:3]))
    d.close()


def main():
    # alice's pair in the credential cache first: her later requests are the fast ones
    s = connect(sys.argv[1])
    s.sendall(authz("alice:alice-pw", 1))
    if fcgi_answers(s, 1) != ["1=200:alice"]:
        sys.exit("alice's first request failed")
    s.close()
    fcgi_cases(sys.argv[1])
    http_cases(sys.argv[2])


if __name__ == "__main__":
    main()
