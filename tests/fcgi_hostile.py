#!/usr/bin/python3
# fcgi_hostile.py: a hostile FastCGI peer: malformed, truncated, interleaved, oversized and overflowing records.
#
# usage: fcgi_hostile.py SOCKET --list            print the case names
#        fcgi_hostile.py SOCKET CASE [USER:PASS]  run one case, then probe the pool
#
# For one CASE it prints a single line
#   CASE status=<first Status of any answer, "none" if no answer> probe=<status> noauth=<status>
# where probe is the answer to a valid Authorizer request with USER:PASS (expected 200) and
# noauth the answer without credentials (expected 401), both sent after the hostile input.
# Hostile inputs never carry the right password, except where a 200 would itself be the bug
# (unknown role, params after the end of the PARAMS stream, two interleaved request ids).
import base64
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fcgi_client import (ABORT, AUTHORIZER, FILTER, GET_VALUES, PARAMS,  # noqa: E402
                         RESPONDER, STDIN, begin, connect, nv, nv_raw, params_records,
                         read_stdout, record, request)


def env(auth=None, uri=b"/x"):
    pairs = [(b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", uri), (b"HTTP_HOST", b"app.example.com"),
             (b"REMOTE_ADDR", b"203.0.113.7"), (b"SERVER_PROTOCOL", b"HTTP/1.1")]
    if auth is not None:
        pairs.append((b"HTTP_AUTHORIZATION", b"Basic " + base64.b64encode(auth)))
    return pairs


def status_of(stdout):
    """The HTTP status an answer means: a CGI answer without Status: is a 200."""
    if not stdout:
        return "none"
    head = stdout.split(b"\r\n\r\n")[0].split(b"\n\n")[0]
    for line in head.splitlines():
        if line.lower().startswith(b"status:"):
            return line.split(b":", 1)[1].strip().split(b" ")[0].decode("latin-1")
    return "200"


def send_all(path, data, chunks=None, shut=True, delay=0.0):
    s = connect(path, 5)
    try:
        if chunks is None:
            s.sendall(data)
        else:
            for i in range(0, len(data), chunks):
                s.sendall(data[i:i + chunks])
                if delay:
                    time.sleep(delay)
        if shut:
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    s.settimeout(5)
    out, _ = read_stdout(s)
    s.close()
    return status_of(out)


def probe(path, auth):
    """A valid request; retried while a restarted worker comes up."""
    last = "none"
    for _ in range(40):
        try:
            last = send_all(path, request(env(auth), AUTHORIZER), shut=False)
        except OSError:
            last = "refused"
        if last != "none" and last != "refused":
            return last
        time.sleep(0.1)
    return last


WRONG = b"alice:wrong password"


def case_data(name, good):
    """The bytes of one hostile case (None for the cases that need a socket dance)."""
    hdr = begin(AUTHORIZER)
    if name == "bad-version":
        return begin(AUTHORIZER, version=2) + params_records(env(good)) + record(STDIN, b"")
    if name == "bad-version-params":
        return hdr + record(PARAMS, b"".join(nv(n, v) for n, v in env(good)), version=0) + \
            record(PARAMS, b"") + record(STDIN, b"")
    if name == "unknown-type":
        return hdr + record(0x55, b"x" * 16) + params_records(env(WRONG)) + record(STDIN, b"")
    if name == "unknown-type-interleaved":
        p = params_records(env(WRONG))
        return hdr + p[:16] + record(0x42, b"junk" * 4) + p[16:] + record(STDIN, b"")
    if name == "role-unknown":
        return begin(7) + params_records(env(good)) + record(STDIN, b"")
    if name == "role-zero":
        return begin(0) + params_records(env(good)) + record(STDIN, b"")
    if name == "role-ffff":
        return begin(0xFFFF) + params_records(env(good)) + record(STDIN, b"")
    if name == "role-filter":
        return begin(FILTER) + params_records(env(good)) + record(STDIN, b"") + record(8, b"")
    if name == "cve-2025-23016-residual":
        # 0x7ffffffe + 0x7ffffffe + 2 overflows int: Debian 12's patch only refuses >= INT_MAX.
        return hdr + record(PARAMS, nv_raw(0x7FFFFFFE, 0x7FFFFFFE) + b"A" * 256)
    if name == "cve-2025-23016-intmax":
        return hdr + record(PARAMS, nv_raw(0x7FFFFFFF, 0x7FFFFFFF) + b"A" * 256)
    if name == "cve-2025-23016-name-only":
        return hdr + record(PARAMS, nv_raw(0x7FFFFFFE, 1) + b"A" * 256)
    if name == "cve-2025-23016-split-prefix":
        # the 8 length bytes spread over four PARAMS records
        raw = nv_raw(0x7FFFFFFE, 0x7FFFFFFE)
        return hdr + b"".join(record(PARAMS, raw[i:i + 2]) for i in range(0, 8, 2)) + \
            record(PARAMS, b"B" * 512)
    if name == "length-prefix-over-content":
        # a name announced as 200 bytes, 10 sent, then the end of the PARAMS stream
        return hdr + record(PARAMS, struct.pack(">BB", 200, 5) + b"REQUEST_UR") + \
            record(PARAMS, b"") + record(STDIN, b"")
    if name == "record-longer-than-sent":
        return hdr + record(PARAMS, b"\x0b\x02REQUEST_URI/x", clen=4000)
    if name == "padding-longer-than-sent":
        return hdr + record(PARAMS, b"\x0b\x02REQUEST_URI/x", pad=255)[:40]
    if name == "truncated-header":
        return hdr + b"\x01\x04\x00"
    if name == "params-after-end":
        # the stream ended with the empty record: credentials after it must not count
        return hdr + params_records(env(None)) + record(PARAMS, b"".join(nv(n, v) for n, v in
                                                                 env(good)[-1:])) + \
            record(STDIN, b"")
    if name == "two-request-ids":
        # libfcgi does not multiplex: request 2's credentials must not leak into request 1
        return begin(AUTHORIZER, rid=1) + begin(AUTHORIZER, rid=2) + params_records(env(good), rid=2) + \
            params_records(env(None), rid=1) + record(STDIN, b"", 1) + record(STDIN, b"", 2)
    if name == "begin-twice":
        return hdr + begin(RESPONDER) + params_records(env(WRONG)) + record(STDIN, b"")
    if name == "abort-mid-params":
        p = params_records(env(good))
        return hdr + p[:24] + record(ABORT, b"") + p[24:] + record(STDIN, b"")
    if name == "get-values-overflow":
        # FCGI_GET_VALUES answers into a 64-byte stack buffer; ask for 300 known names
        body = b"".join(nv(b"FCGI_MAX_CONNS", b"") for _ in range(300))
        return record(GET_VALUES, body, rid=0)
    if name == "get-values-bad-lengths":
        return record(GET_VALUES, nv_raw(0x7FFFFFFE, 0x7FFFFFFE) + b"x" * 64, rid=0)
    if name == "many-tiny-params":
        pairs = env(WRONG) + [(b"X%d" % i, b"") for i in range(10000)]
        return hdr + params_records(pairs) + record(STDIN, b"")
    if name == "one-mb-param":
        return hdr + params_records(env(WRONG) + [(b"HTTP_X_BIG", b"a" * (1 << 20))]) + record(STDIN, b"")
    if name == "one-mb-name":
        return hdr + params_records(env(WRONG) + [(b"N" * (1 << 20), b"v")]) + record(STDIN, b"")
    if name == "nul-in-name":
        return hdr + params_records(env(None) + [(b"HTTP_AUTHORIZATION\0", b"Basic " +
                                          base64.b64encode(good))]) + record(STDIN, b"")
    if name.startswith("bypass-"):
        # bypass_paths = /public: the URI must not be read as /public when nginx serves /admin
        uri = {"bypass-params-slash": b"/public;%2f..%2fadmin",
               "bypass-params-backslash": b"/public;\\..\\admin",
               "bypass-params-5c": b"/public;%5c..%5cadmin",
               "bypass-encoded-slash": b"/public%2f..%2fadmin",
               "bypass-dotdot": b"/public/../admin"}[name]
        return request(env(None, uri=uri), AUTHORIZER)
    if name == "garbage":
        return bytes((i * 37 + 11) & 0xFF for i in range(4096))
    return None


CASES = ["bad-version", "bad-version-params", "unknown-type", "unknown-type-interleaved",
         "role-unknown", "role-zero", "role-ffff", "role-filter", "cve-2025-23016-residual",
         "cve-2025-23016-intmax", "cve-2025-23016-name-only", "cve-2025-23016-split-prefix",
         "length-prefix-over-content", "record-longer-than-sent", "padding-longer-than-sent",
         "truncated-header", "params-after-end", "two-request-ids", "begin-twice",
         "abort-mid-params", "get-values-overflow", "get-values-bad-lengths", "many-tiny-params",
         "one-mb-param", "one-mb-name", "nul-in-name", "garbage", "split-writes",
         "split-writes-wrong", "silent-peer", "silent-then-close", "half-request-idle",
         "silent-all-workers",
         "bypass-params-slash", "bypass-params-backslash", "bypass-params-5c",
         "bypass-encoded-slash", "bypass-dotdot"]


def run(path, name, good):
    if name == "split-writes":
        # a valid request without credentials, one byte per write: must be answered 401
        return send_all(path, request(env(None), AUTHORIZER), chunks=1, shut=False)
    if name == "split-writes-wrong":
        return send_all(path, request(env(WRONG), AUTHORIZER), chunks=3, shut=False)
    if name in ("silent-peer", "half-request-idle"):
        # hold a connection that sends nothing (or half a request) while the pool is probed
        s = connect(path, 5)
        if name == "half-request-idle":
            s.sendall(begin(AUTHORIZER) + params_records(env(None))[:20])
        time.sleep(0.3)
        st = probe(path, good)
        s.close()
        return "none" if st == "200" else "probe-" + st
    if name == "silent-all-workers":
        # as many silent peers as workers (the test runs 2): the guard's 5 s timeout must free them
        held = [connect(path, 5) for _ in range(2)]
        time.sleep(6.5)
        st = probe(path, good)
        for s in held:
            s.close()
        return "none" if st == "200" else "probe-" + st
    if name == "silent-then-close":
        s = connect(path, 5)
        s.close()
        return "none"
    return send_all(path, case_data(name, good))


def main():
    if len(sys.argv) < 3:
        print("usage: fcgi_hostile.py SOCKET --list | CASE [USER:PASS]", file=sys.stderr)
        return 2
    path, name = sys.argv[1], sys.argv[2]
    if name == "--list":
        print("\n".join(CASES))
        return 0
    good = (sys.argv[3] if len(sys.argv) > 3 else "alice:secret one").encode()
    try:
        st = run(path, name, good)
    except OSError as e:
        st = "error-" + type(e).__name__
    print("%s status=%s probe=%s noauth=%s" % (name, st, probe(path, good), probe(path, None)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
