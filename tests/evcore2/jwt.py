#!/usr/bin/python3
"""tests/evcore2/jwt.py: test helper, independent of lib/: mint zero-hop tickets
(lib/ticket.h format) and hostile session tokens with Python's hmac/base64/json.

  jwt.py ticket SECRETFILE TOKEN SUB EXP [GROUPS]   a ticket for TOKEN
  jwt.py token SECRETFILE HEADER_JSON PAYLOAD_JSON   a token signed over any header
  jwt.py none PAYLOAD_JSON                           an alg=none token (empty signature)
  jwt.py rawticket SECRETFILE TOKEN PAYLOAD          a ticket over any payload bytes
"""
import base64
import hashlib
import hmac
import json
import sys


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def key(path):
    k = open(path, "rb").read()
    return k[:-1] if k.endswith(b"\n") else k


def mac(k, msg):
    return hmac.new(k, msg.encode(), hashlib.sha256).digest()


def main(a):
    if a[0] == "ticket":
        k, token, sub, exp = key(a[1]), a[2], a[3], int(a[4])
        p = {"sub": sub}
        if len(a) > 5 and a[5]:
            p["grp"] = a[5]
        p["exp"] = exp
        pb = b64(json.dumps(p, separators=(",", ":")).encode())
        kt = hmac.new(k, b"gatekeep zero-hop ticket v1", hashlib.sha256).digest()
        print(pb + "." + b64(mac(kt, token + "." + pb)))
    elif a[0] == "rawticket":
        k, token = key(a[1]), a[2]
        pb = b64(a[3].encode("utf-8", "surrogateescape"))
        kt = hmac.new(k, b"gatekeep zero-hop ticket v1", hashlib.sha256).digest()
        print(pb + "." + b64(mac(kt, token + "." + pb)))
    elif a[0] == "token":
        k = key(a[1])
        s = b64(a[2].encode()) + "." + b64(a[3].encode())
        print(s + "." + b64(mac(k, s)))
    elif a[0] == "none":
        print(b64(b'{"alg":"none","typ":"JWT"}') + "." + b64(a[1].encode()) + ".")
    else:
        sys.exit(2)


main(sys.argv[1:])
