# token_pyjwt.py: an independent JWT implementation (Debian python3-jwt) for tests/token_pyjwt.sh.
#   decode KEYFILE ISS TOKEN            -> prints the payload as JSON, exit 1 if PyJWT refuses it
#   encode KEYFILE ISS SUB [options]    -> prints a token PyJWT made
# The key is the secret file's text without its trailing newline, exactly what
# an administrator would paste into another JWT-aware server.
import argparse
import json
import sys
import time

import jwt


def read_key(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text[:-1] if text.endswith("\n") else text


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("decode")
    d.add_argument("keyfile")
    d.add_argument("iss")
    d.add_argument("token")
    e = sub.add_parser("encode")
    e.add_argument("keyfile")
    e.add_argument("iss")
    e.add_argument("sub")
    e.add_argument("--alg", default="HS256")
    e.add_argument("--key", help="use this key string instead of the file")
    e.add_argument("--iat-offset", type=int, default=0)
    e.add_argument("--ttl", type=int, default=3600)
    e.add_argument("--gen", type=int, default=0)
    e.add_argument("--grp")
    e.add_argument("--extra", default="{}", help="JSON object merged into the payload")
    e.add_argument("--header", default="{}", help="JSON object of extra header fields")
    a = ap.parse_args()

    if a.cmd == "decode":
        try:
            claims = jwt.decode(a.token, read_key(a.keyfile), algorithms=["HS256"],
                                issuer=a.iss,
                                options={"require": ["exp", "iat", "iss", "sub"]})
        except jwt.PyJWTError as exc:
            print("pyjwt refused: %s: %s" % (type(exc).__name__, exc), file=sys.stderr)
            return 1
        print(json.dumps(claims, sort_keys=True))
        return 0

    now = int(time.time()) + a.iat_offset
    payload = {"iss": a.iss, "sub": a.sub, "iat": now, "exp": now + a.ttl, "gen": a.gen}
    if a.grp is not None:
        payload["grp"] = a.grp
    payload.update(json.loads(a.extra))
    if a.alg == "none":
        key = None
    else:
        key = a.key if a.key is not None else read_key(a.keyfile)
    print(jwt.encode(payload, key, algorithm=a.alg, headers=json.loads(a.header) or None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
