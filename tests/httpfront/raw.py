#!/usr/bin/python3
# tests/httpfront/raw.py: raw bytes at gatekeep-authz's HTTP socket (--http-listen) for
# tests/httpfront_nginx.sh: what nginx would send, and what an attacker could.
#
# usage: raw.py cases SOCKET
#          one connection per hostile head; prints "NAME STATUS" (STATUS: the answer's
#          status code, or "closed" when the connection ended without one)
#        raw.py pipeline SOCKET BASIC
#          three requests in one write (Basic alice, none, Basic alice): prints the three
#          statuses in the order they came back
#        raw.py trickle SOCKET SECONDS PEERS -- clients PORT SECONDS THREADS COOKIE
#          tests/load/events.py's trickling peers and clients, the peers sending an HTTP head
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "load"))


def head(extra=b"", uri=b"/private/", line=b"GET /_gatekeep HTTP/1.1"):
    return (line + b"\r\nHost: app.example.com\r\nX-Gatekeep-Method: GET\r\nX-Gatekeep-Uri: " + uri +
            b"\r\nX-Gatekeep-Addr: 127.0.0.1\r\nX-Gatekeep-Scheme: http\r\nX-Gatekeep-Server-Addr: 127.0.0.1\r\n" +
            b"X-Gatekeep-Host: app.example.com\r\n" +
            extra + b"\r\n")


def statuses(path, data, want):
    """Sends data on one connection; the status codes of up to want answers, then 'closed'."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    s.sendall(data)
    buf, out = b"", []
    while len(out) < want:
        while b"\r\n\r\n" not in buf:
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                s.close()
                return out + ["closed"]
            buf += chunk
        h, buf = buf.split(b"\r\n\r\n", 1)
        first = h.split(b"\r\n", 1)[0].split(b" ")
        out.append(first[1].decode() if len(first) > 1 and first[0].startswith(b"HTTP/1.1") else "garbage")
        n = 0
        for ln in h.split(b"\r\n")[1:]:
            if ln.lower().startswith(b"content-length:"):
                n = int(ln.split(b":", 1)[1])
        while len(buf) < n:
            buf += s.recv(65536)
        buf = buf[n:]
    s.close()
    return out


ALICE = b"Authorization: Basic YWxpY2U6YWxpY2UtcHc=\r\n"
CASES = [
    ("valid-anonymous", head()),
    ("valid-alice", head(ALICE)),
    ("cl-and-te", head(ALICE + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n") + b"0\r\n\r\n"),
    ("two-cl", head(ALICE + b"Content-Length: 0\r\nContent-Length: 0\r\n")),
    ("cl-body", head(ALICE + b"Content-Length: 5\r\n") + b"hello"),
    ("chunked", head(ALICE + b"Transfer-Encoding: chunked\r\n") + b"0\r\n\r\n"),
    ("obs-fold", head(ALICE + b"X-A: a\r\n b\r\n")),
    ("huge-head", head(ALICE + b"X-Big: " + b"a" * 140000 + b"\r\n")),
    ("many-fields", head(ALICE + b"".join(b"X-F%d: 1\r\n" % i for i in range(4200)))),
    # under the FastCGI caps (lib/fcgiguard.h), as nginx passes them by default
    ("big-head", head(ALICE + b"".join(b"X-B%d: %s\r\n" % (i, b"a" * 7000) for i in range(4)))),
    ("150-fields", head(ALICE + b"".join(b"X-F%d: 1\r\n" % i for i in range(150)))),
    ("bare-lf", head(ALICE).replace(b"X-Gatekeep-Addr: 127.0.0.1\r\n", b"X-Gatekeep-Addr: 127.0.0.1\n")),
    ("bare-cr", head(ALICE + b"X-A: a\rb\r\n")),
    ("nul", head(ALICE + b"X-A: a\x00b\r\n")),
    ("ctl", head(ALICE + b"X-A: a\x1bb\r\n")),
    ("space-before-colon", head(ALICE + b"X-A : b\r\n")),
    ("http-0.9", b"GET /_gatekeep\r\n"),
    ("http-2", head(ALICE, line=b"GET /_gatekeep HTTP/2.0")),
    ("absolute-form", head(ALICE, line=b"GET http://x/_gatekeep HTTP/1.1")),
    ("leading-crlf", b"\r\n" + head(ALICE)),
    ("underscore-uri", head(ALICE + b"X_Gatekeep_Uri: /public/\r\n", uri=b"/admin/")),
    ("underscore-uri-alone", head(ALICE, uri=b"/admin/").replace(b"X-Gatekeep-Uri", b"X_Gatekeep_Uri")),
    ("twice-uri", head(ALICE + b"x-gatekeep-uri: /public/\r\n", uri=b"/admin/")),
    ("twice-addr", head(ALICE + b"X-GATEKEEP-ADDR: 192.0.2.1\r\n")),
    ("no-addr", head(ALICE).replace(b"X-Gatekeep-Addr: 127.0.0.1\r\n", b"")),
    ("no-uri", head(ALICE).replace(b"X-Gatekeep-Uri: /private/\r\n", b"")),
    ("no-scheme", head(ALICE).replace(b"X-Gatekeep-Scheme: http\r\n", b"")),
    ("no-server-addr", head(ALICE).replace(b"X-Gatekeep-Server-Addr: 127.0.0.1\r\n", b"")),
    ("require-bypass", head(b"X-Gatekeep-Require: bypass\r\n")),
    ("no-gatekeep-host", head(ALICE).replace(b"X-Gatekeep-Host: app.example.com\r\n", b"")),
    ("twice-gatekeep-host", head(ALICE + b"x-gatekeep-host: public.example.com\r\n")),
    ("underscore-host", head(ALICE + b"X_Gatekeep_Host: public.example.com\r\n")),
    ("underscore-host-alone", head(ALICE).replace(b"X-Gatekeep-Host", b"X_Gatekeep_Host")),
    ("twice-host", head(b"Host: public.example.com\r\n")),
    ("two-authorization", head(ALICE + b"Authorization: Basic Ym9iOmJvYi1wdw==\r\n", uri=b"/admin/")),
]


def main():
    a = sys.argv[1:]
    if a[0] == "cases":
        for name, data in CASES:
            print(name, statuses(a[1], data, 1)[0])
        return 0
    if a[0] == "pipeline":
        auth = b"Authorization: Basic " + a[2].encode() + b"\r\n"
        print(" ".join(statuses(a[1], head(auth) + head() + head(auth), 3)))
        return 0
    if a[0] == "fragmented":
        # a head of N fields, one line per send, the next after the server has read it:
        # each line ends a line, so the head is parsed again each time (lib/httpconn)
        import time
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(a[1])
        lines = [head(ALICE)[:-2]] + [b"X-F%d: %s\r\n" % (i, b"f" * 30) for i in range(int(a[2]))]
        try:
            for ln in lines + [b"\r\n"]:
                s.sendall(ln)
                time.sleep(0.001)
        except OSError:
            pass        # refused and closed before the end
        try:
            first = s.recv(65536).split(b"\r\n", 1)[0].split(b" ")
            print(first[1].decode() if len(first) > 1 else "closed")
        except OSError:
            print("closed")
        return 0
    if a[0] == "trickle":
        import http.client
        import events
        events.request = lambda: head(ALICE)
        # events.py's clients look for "user=alice" (its nginx echo app); app.cgi, behind
        # the shipped config, prints HTTP_REMOTE_USER=alice
        read = http.client.HTTPResponse.read
        http.client.HTTPResponse.read = lambda self, *x: read(self, *x).replace(
            b"\nHTTP_REMOTE_USER=alice\n", b"\nHTTP_REMOTE_USER=alice\nuser=alice\n")
        sys.argv = [sys.argv[0]] + a
        return events.main()
    return 2


if __name__ == "__main__":
    sys.exit(main())
