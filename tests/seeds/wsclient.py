#!/usr/bin/python3
"""tests/seeds/wsclient.py: a stdlib RFC 6455 client for the tests.

wsclient.py HOST:PORT PATH MESSAGE [-H 'Name: value']... [-u user:pass] [--source ADDR]
Sends the upgrade request (a -H 'Host: ...' replaces the default Host), prints "status=NNN", and on 101 checks Sec-WebSocket-Accept
("accept=ok|bad"), sends MESSAGE as one masked text frame and prints the text frame it gets
back ("frame=..."). Exit 0 when the exchange completed, 1 otherwise.
"""
import base64
import hashlib
import os
import socket
import struct
import sys

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC11B65"


def main():
    args = sys.argv[1:]
    hostport, path, message = args[0], args[1], args[2]
    headers, source, i = [], None, 3
    while i < len(args):
        if args[i] == "-H":
            headers.append(args[i + 1])
        elif args[i] == "-u":
            headers.append("Authorization: Basic " + base64.b64encode(args[i + 1].encode()).decode())
        elif args[i] == "--source":
            source = args[i + 1]
        i += 2
    host, port = hostport.rsplit(":", 1)
    key = base64.b64encode(os.urandom(16)).decode()
    s = socket.socket()
    if source:
        s.bind((source, 0))
    s.settimeout(5)
    s.connect((host, int(port)))
    host_hdr = [h for h in headers if h.lower().startswith("host:")] or ["Host: %s" % hostport]
    headers = [h for h in headers if not h.lower().startswith("host:")]
    req = ["GET %s HTTP/1.1" % path, host_hdr[0], "Upgrade: websocket",
           "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
    s.sendall(("\r\n".join(req + headers) + "\r\n\r\n").encode())
    f = s.makefile("rb")
    status = f.readline().decode().split()
    code = status[1] if len(status) > 1 else "000"
    print("status=" + code)
    hdrs = {}
    while True:
        line = f.readline().decode().rstrip("\r\n")
        if not line:
            break
        n, _, v = line.partition(":")
        hdrs[n.strip().lower()] = v.strip()
    if code != "101":
        return 1
    want = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    print("accept=" + ("ok" if hdrs.get("sec-websocket-accept") == want else "bad"))
    data = message.encode()
    mask = os.urandom(4)
    frame = bytes([0x81, 0x80 | len(data)]) + mask + bytes(b ^ mask[j % 4] for j, b in enumerate(data))
    s.sendall(frame)
    h = f.read(2)
    if len(h) < 2 or h[0] & 0x0F != 1:
        print("frame=-")
        return 1
    ln = h[1] & 0x7F
    if ln == 126:
        ln = struct.unpack(">H", f.read(2))[0]
    print("frame=" + f.read(ln).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
