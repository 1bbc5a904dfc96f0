#!/usr/bin/python3
# fcgi_client.py: the tests' one FastCGI client: the record packers and readers every Python
# test imports (record, params_records, request, connect, read_stdout, ...), and as a program
# one request with a chosen role, printing the answer.
#
# usage: fcgi_client.py ADDR [--role responder|authorizer|filter|N] [--hostile MODE] [NAME=VALUE ...]
#   ADDR: a unix socket path, or tcp:HOST:PORT
#   NAME=VALUE pairs are sent in order (duplicates allowed, that is the point);
#   "NAME=@FILE" is not supported on purpose: keep tests explicit.
#   --hostile: huge-lengths (a PARAMS record announcing 0x7ffffff0-byte name and value),
#              residual (CVE-2025-23016's exact residual shape: 0x7ffffffe-byte name and
#              value, then the end of the PARAMS stream),
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

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, GET_VALUES, GET_VALUES_RESULT = 1, 2, 3, 4, 5, 6, 9, 10
RESPONDER, AUTHORIZER, FILTER = 1, 2, 3
ROLES = {"responder": RESPONDER, "authorizer": AUTHORIZER, "filter": FILTER}


def record(rtype, content, rid=1, version=1, clen=None, pad=None):
    """One record; clen and pad may lie about the content (the hostile tests)."""
    if pad is None:
        pad = (8 - len(content) % 8) % 8
    if clen is None:
        clen = len(content)
    return struct.pack(">BBHHBx", version, rtype, rid, clen, pad) + content + b"\0" * pad


def nv(name, value):
    out = b""
    for x in (name, value):
        n = len(x)
        out += struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    return out + name + value


def nv_raw(namelen, valuelen):
    """Two 4-byte length prefixes, whatever their values."""
    return struct.pack(">II", namelen | 0x80000000, valuelen | 0x80000000)


def params_records(pairs, rid=1):
    """The PARAMS stream of the pairs, in records of at most 65535 bytes, and its end."""
    body = b"".join(nv(n, v) for n, v in pairs)
    out = b""
    for i in range(0, len(body), 65535):
        out += record(PARAMS, body[i:i + 65535], rid)
    return out + record(PARAMS, b"", rid)


def begin(role=RESPONDER, rid=1, flags=0, version=1):
    return record(BEGIN, struct.pack(">HB5x", role, flags), rid, version)


def stdin_records(body, rid=1):
    """The STDIN stream of body, in records of 8192 bytes, and its end."""
    out = b"".join(record(STDIN, body[i:i + 8192], rid) for i in range(0, len(body), 8192))
    return out + record(STDIN, b"", rid)


def request(pairs, role=RESPONDER, rid=1, body=b""):
    """A complete request: BEGIN, PARAMS, STDIN."""
    return begin(role, rid) + params_records(pairs, rid) + stdin_records(body, rid)


def connect(addr, timeout=10):
    """A connection to a unix socket path or to tcp:HOST:PORT."""
    if addr.startswith("tcp:"):
        host, _, port = addr[4:].rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(addr)
    return s


def read_stdout(s, raise_errors=False):
    """Reads until END_REQUEST (the rest of its read included) or EOF: (the STDOUT bytes of
    every request id, whether END_REQUEST came). A socket error ends the read like EOF,
    or is raised with raise_errors."""
    buf, out, ended = b"", b"", False
    try:
        while not ended:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 8:
                _, rtype, _, clen, pad = struct.unpack(">BBHHBx", buf[:8])
                if len(buf) < 8 + clen + pad:
                    break
                if rtype == STDOUT:
                    out += buf[8:8 + clen]
                elif rtype == END:
                    ended = True
                buf = buf[8 + clen + pad:]
    except OSError:
        if raise_errors:
            raise
    return out, ended


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
    first = begin(role, flags=1) + record(PARAMS, b"".join(nv(n, v) for n, v in pairs[:1]))
    s.sendall(first + record(2, b""))
    got = records_until(s, lambda t, r: t == 3 and r == 1)
    print("aborted: end=%d stdout=%d" % (sum(1 for t, r, _ in got if t == 3 and r == 1),
                                         sum(len(c) for t, r, c in got if t == 6)))
    s.sendall(request(pairs, role, rid=2))
    got = records_until(s, lambda t, r: t == 3 and r == 2)
    sys.stdout.flush()
    sys.stdout.buffer.write(b"".join(c for t, r, c in got if t == 6 and r == 2))
    return 0 if any(t == 3 and r == 2 for t, r, _ in got) else 3


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
    s = connect(addr)
    if hostile == "get-values":
        return get_values(s, names)
    if hostile == "abort":
        return abort(s, role, pairs)
    msg = begin(role)
    if hostile == "huge-lengths":
        msg += record(PARAMS, nv_raw(0x7FFFFFF0, 0x7FFFFFF0) + b"A" * 64)
    elif hostile == "residual":
        msg += record(PARAMS, nv_raw(0x7FFFFFFE, 0x7FFFFFFE) + b"A" * 64) + record(PARAMS, b"")
    elif hostile == "truncated":
        full = params_records(pairs)
        msg += full[: len(full) // 2 or 4]
    elif hostile == "many-params":
        msg += params_records(pairs + [(b"X_%d" % i, b"y") for i in range(2000)]) + record(STDIN, b"")
    elif hostile == "big-param":
        msg += params_records(pairs + [(b"HTTP_X_BIG", b"a" * 100000)]) + record(STDIN, b"")
    elif hostile == "garbage":
        msg = os.urandom(4096)
    elif hostile == "late-stdin":
        msg += params_records(pairs)
    else:
        msg += params_records(pairs) + record(STDIN, b"")
    late_failed = False
    try:
        s.sendall(msg)
        if hostile == "late-stdin":
            time.sleep(0.3)
            try:
                s.sendall(record(STDIN, b""))
            except OSError as e:
                print("fcgi_client: the late FCGI_STDIN write failed: %s" % e, file=sys.stderr)
                late_failed = True
        if hostile in ("truncated", "garbage", "huge-lengths"):
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    out, ended = read_stdout(s)
    sys.stdout.buffer.write(out)
    if late_failed:
        return 4
    return 0 if ended else 3


if __name__ == "__main__":
    sys.exit(main())
