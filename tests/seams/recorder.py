#!/usr/bin/python3 -SE
"""tests/seams/recorder.py: the app behind the seam checker; logs exactly what it was served.

Standard library only. Two ways to run:
  recorder.py serve PORT LOG   an HTTP/1.1 app server (behind nginx and Caddy, which proxy
                               to it): reads the request line and headers byte for byte
  as a CGI program             (Apache mod_cgid, lighttpd mod_cgi): LOG is the first line
                               "# log: PATH" of the file recorder.path next to this script
Each request served appends one JSON line to LOG: the request id (the query parameter
seamrid), and what the app got: method, target, headers (every spelling, every copy) or
the CGI environment. The checker (seamcheck.py) derives from it every reading an app's
router could make. Bytes are kept as latin-1 strings, so nothing is lost.
"""
import json
import os
import re
import socket
import sys
import threading

RID_RE = re.compile(rb"(?:^|[?&;])seamrid=([0-9]+)")


def rid_of(target, headers):
    m = RID_RE.search(target.split(b"?", 1)[1] if b"?" in target else b"")
    if m:
        return int(m.group(1))
    for name, value in headers:
        if name.lower() in (b"x-seam-rid", b"http_x_seam_rid"):
            try:
                return int(value.strip())
            except ValueError:
                pass
    return None


def append(log, rec):
    line = (json.dumps(rec, separators=(",", ":")) + "\n").encode()
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def l1(b):
    return b.decode("latin-1")


# --- CGI --------------------------------------------------------------------------------
def cgi():
    here = os.path.dirname(os.path.abspath(sys.argv[0]))
    log = None
    with open(os.path.join(here, "recorder.path"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("# log: "):
                log = line[7:].strip()
    env = os.environb
    n = env.get(b"CONTENT_LENGTH", b"")
    if n.isdigit():
        sys.stdin.buffer.read(int(n))
    target = env.get(b"REQUEST_URI", b"")
    headers = [(k, v) for k, v in env.items() if k.startswith(b"HTTP_")]
    rec = {
        "kind": "cgi",
        "rid": rid_of(target, headers),
        "method": l1(env.get(b"REQUEST_METHOD", b"")),
        "target": l1(target),
        "env": {l1(k): l1(v) for k, v in env.items()
                if k.startswith(b"HTTP_") or k in (
                    b"REQUEST_URI", b"SCRIPT_NAME", b"PATH_INFO", b"QUERY_STRING",
                    b"SERVER_NAME", b"REMOTE_USER", b"AUTH_TYPE", b"REQUEST_METHOD",
                    b"REDIRECT_REMOTE_USER")},
    }
    append(log, rec)
    out = b"Status: 200 OK\r\nContent-Type: text/plain\r\nCache-Control: no-store\r\n\r\n"
    out += b"seam-ok rid=%d\n" % (rec["rid"] or 0)
    sys.stdout.buffer.write(out)


# --- HTTP server ------------------------------------------------------------------------
def read_request(conn):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buf += chunk
        if len(buf) > 1 << 20:
            return None
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3:
        return None
    headers = []
    for line in lines[1:]:
        if b":" in line:
            k, v = line.split(b":", 1)
            headers.append((k, v.strip(b" \t")))
    clen, chunked = 0, False
    for k, v in headers:
        if k.lower() == b"content-length" and v.isdigit():
            clen = int(v)
        if k.lower() == b"transfer-encoding" and b"chunked" in v.lower():
            chunked = True
    if chunked:   # read up to the last chunk; the body itself is not recorded
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
    else:
        while len(rest) < clen:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
    return parts[0], parts[1], headers


def serve(port, log):
    lock = threading.Lock()

    def handle(conn):
        try:
            conn.settimeout(10)
            req = read_request(conn)
            if req is None:
                return
            method, target, headers = req
            rid = rid_of(target, headers)
            rec = {"kind": "http", "rid": rid, "method": l1(method), "target": l1(target),
                   "headers": [[l1(k), l1(v)] for k, v in headers]}
            with lock:
                append(log, rec)
            body = b"seam-ok rid=%d\n" % (rid or 0)
            conn.sendall(b"HTTP/1.1 200 OK\r\nServer: seam-recorder\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        except OSError:
            pass
        finally:
            conn.close()

    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(128)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    else:
        cgi()
