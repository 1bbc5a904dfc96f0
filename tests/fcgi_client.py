#!/usr/bin/python3
# fcgi_client.py: a raw FastCGI client for the tests: one request with a chosen role, prints the answer.
#
# usage: fcgi_client.py ADDR [--role responder|authorizer|filter|N] [--hostile MODE] [NAME=VALUE ...]
#   ADDR: a unix socket path, or tcp:HOST:PORT
#   NAME=VALUE pairs are sent in order (duplicates allowed, that is the point);
#   "NAME=@FILE" is not supported on purpose: keep tests explicit.
#   --hostile: huge-lengths (a PARAMS record announcing 0x7ffffff0-byte name and value),
#              truncated (half a PARAMS record, then close), many-params (2000 params),
#              big-param (one 100000-byte value), garbage (random bytes),
#              late-stdin (a well-formed request whose empty FCGI_STDIN record follows the
#              PARAMS 0.3 s later, in a write of its own, as Caddy's client can when it is
#              descheduled between writes; exit 4 if that write fails)
#   --get-values NAME,...: an FCGI_GET_VALUES management record asking for the names (empty
#              values, repeats allowed); prints the FCGI_GET_VALUES_RESULT pairs, one
#              NAME=VALUE a line; exit 0 if that record arrived, 3 if not
#   --abort:   a request with FCGI_KEEP_CONN whose PARAMS are cut by an FCGI_ABORT_REQUEST,
#              then, on the same connection, the full request as id 2; prints
#              "aborted: end=N stdout=N" for request 1, then request 2's FCGI_STDOUT
# Prints the FCGI_STDOUT stream; exit 0 if an END_REQUEST arrived, 3 if the peer closed first.
import os
import socket
import struct
import sys
import time

ROLES = {"responder": 1, "authorizer": 2, "filter": 3}


def record(rtype, content, rid=1):
    pad = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBx", 1, rtype, rid, len(content), pad) + content + b"\0" * pad


def nv(name, value):
    out = b""
    for x in (name, value):
        n = len(x)
        out += struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    return out + name + value


def params_records(pairs):
    body = b"".join(nv(n, v) for n, v in pairs)
    out = b""
    for i in range(0, len(body), 65535):
        out += record(4, body[i:i + 65535])
    return out + record(4, b"")


def pairs_of(body):
    out, i = [], 0
    while i < len(body):
        lens = []
        for _ in range(2):
            if body[i] & 0x80:
                lens.append(struct.unpack(">I", body[i:i + 4])[0] & 0x7FFFFFFF)
                i += 4
            else:
                lens.append(body[i])
                i += 1
        out.append((body[i:i + lens[0]], body[i + lens[0]:i + lens[0] + lens[1]]))
        i += lens[0] + lens[1]
    return out


def records_until(s, stop):
    """Reads records until stop(rtype, rid) is true; returns them as (rtype, rid, content)."""
    buf, got = b"", []
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return got
            buf += chunk
            while len(buf) >= 8:
                _, rtype, rid, clen, pad = struct.unpack(">BBHHBx", buf[:8])
                if len(buf) < 8 + clen + pad:
                    break
                got.append((rtype, rid, buf[8:8 + clen]))
                buf = buf[8 + clen + pad:]
                if stop(rtype, rid):
                    return got
    except OSError:
        return got


def get_values(s, names):
    s.sendall(record(9, b"".join(nv(n.encode(), b"") for n in names), rid=0))
    got = records_until(s, lambda t, r: t == 10)
    for rtype, _, content in got:
        if rtype == 10:
            for n, v in pairs_of(content):
                print("%s=%s" % (n.decode(), v.decode()))
            return 0
    return 3


def abort(s, role, pairs):
    first = record(1, struct.pack(">HB5x", role, 1)) + record(4, b"".join(nv(n, v) for n, v in pairs[:1]))
    s.sendall(first + record(2, b""))
    got = records_until(s, lambda t, r: t == 3 and r == 1)
    print("aborted: end=%d stdout=%d" % (sum(1 for t, r, _ in got if t == 3 and r == 1),
                                         sum(len(c) for t, r, c in got if t == 6)))
    s.sendall(record(1, struct.pack(">HB5x", role, 0), rid=2) + params_records_id(pairs, 2) +
              record(5, b"", rid=2))
    got = records_until(s, lambda t, r: t == 3 and r == 2)
    sys.stdout.flush()
    sys.stdout.buffer.write(b"".join(c for t, r, c in got if t == 6 and r == 2))
    return 0 if any(t == 3 and r == 2 for t, r, _ in got) else 3


def params_records_id(pairs, rid):
    body = b"".join(nv(n, v) for n, v in pairs)
    out = b""
    for i in range(0, len(body), 65535):
        out += record(4, body[i:i + 65535], rid)
    return out + record(4, b"", rid)


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__ or "usage: fcgi_client.py ADDR ...", file=sys.stderr)
        return 2
    addr = args.pop(0)
    role, hostile, pairs = 1, None, []
    while args:
        a = args.pop(0)
        if a == "--role":
            r = args.pop(0)
            role = ROLES[r] if r in ROLES else int(r)
        elif a == "--hostile":
            hostile = args.pop(0)
        elif a == "--get-values":
            hostile = "get-values"
            names = args.pop(0).split(",")
        elif a == "--abort":
            hostile = "abort"
        else:
            n, _, v = a.partition("=")
            pairs.append((n.encode(), v.encode()))
    if addr.startswith("tcp:"):
        host, _, port = addr[4:].rpartition(":")
        s = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(addr)
    if hostile == "get-values":
        return get_values(s, names)
    if hostile == "abort":
        return abort(s, role, pairs)
    msg = record(1, struct.pack(">HB5x", role, 0))
    if hostile == "huge-lengths":
        body = struct.pack(">II", 0x7FFFFFF0 | 0x80000000, 0x7FFFFFF0 | 0x80000000) + b"A" * 64
        msg += record(4, body)
    elif hostile == "truncated":
        full = params_records(pairs)
        msg += full[: len(full) // 2 or 4]
    elif hostile == "many-params":
        msg += params_records(pairs + [(b"X_%d" % i, b"y") for i in range(2000)]) + record(5, b"")
    elif hostile == "big-param":
        msg += params_records(pairs + [(b"HTTP_X_BIG", b"a" * 100000)]) + record(5, b"")
    elif hostile == "garbage":
        msg = os.urandom(4096)
    elif hostile == "late-stdin":
        msg += params_records(pairs)
    else:
        msg += params_records(pairs) + record(5, b"")
    late_failed = False
    try:
        s.sendall(msg)
        if hostile == "late-stdin":
            time.sleep(0.3)
            try:
                s.sendall(record(5, b""))
            except OSError as e:
                print("fcgi_client: the late FCGI_STDIN write failed: %s" % e, file=sys.stderr)
                late_failed = True
        if hostile in ("truncated", "garbage", "huge-lengths"):
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    buf, out, ended = b"", b"", False
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 8:
                _, rtype, _, clen, pad = struct.unpack(">BBHHBx", buf[:8])
                if len(buf) < 8 + clen + pad:
                    break
                content = buf[8:8 + clen]
                buf = buf[8 + clen + pad:]
                if rtype == 6:
                    out += content
                elif rtype == 3:
                    ended = True
            if ended:
                break
    except OSError:
        pass
    sys.stdout.buffer.write(out)
    if late_failed:
        return 4
    return 0 if ended else 3


if __name__ == "__main__":
    sys.exit(main())
