#!/usr/bin/python3
# tests/fault/fcgi_load.py: a FastCGI reader loop for the fault tests: sends Authorizer
# requests of several classes round-robin to a gatekeep-authz socket until STOPFILE exists,
# then prints one line per class and status: "CLASS STATUS COUNT".
#
# usage: fcgi_load.py SOCKET STOPFILE CLASS=USER:PASSWORD ...
#   (a CLASS without ":" sends no Authorization at all)
import base64
import collections
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fcgi_client import AUTHORIZER, connect, read_stdout, request  # noqa: E402


def one(sock_path, auth, addr=b"198.51.100.77"):
    pairs = [(b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", b"/r"), (b"HTTP_HOST", b"app.example.com"),
             (b"REMOTE_ADDR", addr)]
    if auth is not None:
        pairs.append((b"HTTP_AUTHORIZATION", b"Basic " + base64.b64encode(auth.encode())))
    try:
        s = connect(sock_path, 10)
    except OSError as e:
        return "error-" + type(e).__name__
    try:
        s.sendall(request(pairs, AUTHORIZER))
        out, ended = read_stdout(s, raise_errors=True)
        if not ended:
            return "closed"
        line = out.split(b"\r\n", 1)[0].decode("latin-1")
        return line.split()[1] if line.startswith("Status: ") else "nostatus"
    except OSError as e:
        return "error-" + type(e).__name__
    finally:
        s.close()


def main():
    sock_path, stop = sys.argv[1], sys.argv[2]
    classes = []
    for a in sys.argv[3:]:
        name, _, cred = a.partition("=")
        classes.append((name, cred if ":" in cred else None))
    counts = collections.Counter()
    i = 0
    while not os.path.exists(stop):
        # Each class from an address of its own: the failures of one class must not
        # put the next under gatekeep's per-address ban (max_failures).
        k = i % len(classes)
        name, cred = classes[k]
        counts[(name, one(sock_path, cred, b"198.51.100.%d" % (10 + k)))] += 1
        i += 1
        if i % 64 == 0:
            time.sleep(0)
    for (name, st), n in sorted(counts.items()):
        print(name, st, n)


if __name__ == "__main__":
    main()
