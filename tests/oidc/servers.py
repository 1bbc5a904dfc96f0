#!/usr/bin/python3
"""tests/oidc/servers.py: loopback helpers for tests/login_oidc.sh.

  servers.py proxy PORT UPSTREAM_TOKEN_URL MODEFILE
      A token-endpoint proxy that forwards to the real provider and then damages
      the ID token as MODEFILE says (pass, flip-sig, flip-payload, alg-none, hs256,
      foreign-key, no-id-token, garbage, huge, status-500).
  servers.py fakeop PORT CLIENT_ID CLIENT_SECRET MODEFILE
      A minimal OpenID provider of our own (discovery, JWKS, authorize, token) whose
      ID token claims MODEFILE bends: wrong-iss, wrong-aud, multi-aud (no azp),
      multi-aud-azp (fine), wrong-azp, expired, iat-future, iat-old, no-nonce, es256
      (fine), no-kid (fine), unknown-kid, dup-claim, nbf-future, no-sub, other-sub, string-verified.
  servers.py github PORT CLIENT_ID CLIENT_SECRET
      A stand-in for GitHub's OAuth2 (authorize, access_token) and REST API
      (/user, /user/emails) implementing PKCE S256. The user signing in is
      chosen with login_as=NAME on the authorize URL.
"""
import base64
import hashlib
import json
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def damage(tok, mode, secret):
    import jwt  # python3-jwt (PyJWT), with cryptography for RS256
    h, p, s = tok.split(".")
    header = json.loads(b64u_dec(h))
    claims = json.loads(b64u_dec(p))
    if mode == "flip-sig":
        raw = bytearray(b64u_dec(s))
        raw[len(raw) // 2] ^= 0x01
        return ".".join([h, p, b64u(bytes(raw))])
    if mode == "flip-payload":
        claims["email"] = "admin@example.com"
        return ".".join([h, b64u(json.dumps(claims).encode()), s])
    if mode == "alg-none":
        nh = b64u(json.dumps({"alg": "none", "kid": header.get("kid")}).encode())
        return nh + "." + p + "."
    if mode == "hs256":
        return jwt.encode(claims, secret, algorithm="HS256", headers={"kid": header.get("kid")})
    if mode == "foreign-key":
        from cryptography.hazmat.primitives.asymmetric import rsa
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": header.get("kid")})
    return tok


class Proxy(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        mode = open(self.server.modefile).read().strip()
        if mode == "status-500":
            return self.answer(500, b'{"error":"server_error"}')
        if mode == "garbage":
            return self.answer(200, b"<html>not json</html>")
        if mode == "huge":
            return self.answer(200, b'{"x":"' + b"A" * (300 * 1024) + b'"}')
        req = urllib.request.Request(self.server.upstream, data=body, method="POST")
        for k in ("Authorization", "Content-Type", "Accept"):
            if self.headers.get(k):
                req.add_header(k, self.headers.get(k))
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        if status == 200 and mode != "pass":
            j = json.loads(data)
            if mode == "no-id-token":
                j.pop("id_token", None)
            elif "id_token" in j:
                j["id_token"] = damage(j["id_token"], mode, "test-client-secret")
            data = json.dumps(j).encode()
        self.answer(status, data)

    def answer(self, status, data):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


GH_USERS = {
    "octocat": {"id": 583231, "name": "The Octocat",
                "emails": [{"email": "octo@example.com", "primary": True, "verified": True},
                           {"email": "octo@evil.test", "primary": False, "verified": True}]},
    "unverified": {"id": 2, "name": "Unverified",
                   "emails": [{"email": "unv@example.com", "primary": True, "verified": False}]},
    "outsider": {"id": 3, "name": None,
                 "emails": [{"email": "out@evil.test", "primary": True, "verified": True},
                            {"email": "out@example.com", "primary": False, "verified": False}]},
}


class GitHub(BaseHTTPRequestHandler):
    codes = {}
    tokens = {}

    def log_message(self, *a):
        pass

    def json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        if u.path == "/login/oauth/authorize":
            if (q.get("client_id") != self.server.client_id or q.get("code_challenge_method") != "S256"
                    or not q.get("code_challenge") or not q.get("state") or "nonce" in q):
                return self.json(400, {"error": "bad authorize request", "q": q})
            code = secrets.token_hex(8)
            GitHub.codes[code] = (q["code_challenge"], q.get("login_as", "octocat"), q["redirect_uri"])
            loc = q["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": q["state"]})
            self.send_response(302)
            self.send_header("Location", loc)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        auth = self.headers.get("Authorization", "")
        user = GitHub.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        if user is None:
            return self.json(401, {"message": "Requires authentication"})
        if not self.headers.get("User-Agent"):
            return self.json(403, {"message": "User-Agent required"})
        info = GH_USERS[user]
        if u.path == "/user":
            return self.json(200, {"login": user, "id": info["id"], "name": info["name"], "email": None})
        if u.path == "/user/emails":
            return self.json(200, info["emails"])
        self.json(404, {"message": "Not Found"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        f = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        if self.path != "/login/oauth/access_token":
            return self.json(404, {"message": "Not Found"})
        if f.get("client_id") != self.server.client_id or f.get("client_secret") != self.server.secret:
            return self.json(200, {"error": "incorrect_client_credentials"})
        entry = GitHub.codes.pop(f.get("code", ""), None)
        if entry is None:
            return self.json(200, {"error": "bad_verification_code"})
        challenge, user, redirect = entry
        want = b64u(hashlib.sha256(f.get("code_verifier", "").encode()).digest())
        if want != challenge or f.get("redirect_uri") != redirect:
            return self.json(200, {"error": "bad_verification_code"})
        tok = "gho_" + secrets.token_hex(16)
        GitHub.tokens[tok] = user
        self.json(200, {"access_token": tok, "token_type": "bearer", "scope": "read:user,user:email"})


class FakeOP(BaseHTTPRequestHandler):
    codes = {}
    keys = None

    def log_message(self, *a):
        pass

    def json(self, status, obj, raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @classmethod
    def make_keys(cls):
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        from jwt.algorithms import ECAlgorithm, RSAAlgorithm
        rk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ek = ec.generate_private_key(ec.SECP256R1())
        pub = []
        for k, alg, kid, conv in ((rk, "RS256", "fake-rsa", RSAAlgorithm), (ek, "ES256", "fake-ec", ECAlgorithm)):
            j = json.loads(conv.to_jwk(k.public_key()))
            if alg == "ES256":
                # PyJWT 2.6 writes EC coordinates without their leading zero bytes (a 31-byte x
                # or y one key in 128); RFC 7518 6.2.1.2 wants the full 32, as real providers send.
                for c in ("x", "y"):
                    raw = base64.urlsafe_b64decode(j[c] + "=" * (-len(j[c]) % 4)).rjust(32, b"\0")
                    j[c] = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
            j.update({"kid": kid, "alg": alg, "use": "sig"})
            pub.append(j)
        cls.keys = {"rsa": rk, "ec": ek, "jwks": {"keys": pub}}

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        iss = "http://127.0.0.1:%d" % self.server.server_port
        if u.path == "/.well-known/openid-configuration":
            return self.json(200, {"issuer": iss, "authorization_endpoint": iss + "/authorize",
                                   "token_endpoint": iss + "/token", "jwks_uri": iss + "/jwks",
                                   "token_endpoint_auth_methods_supported": ["client_secret_post"]})
        if u.path == "/jwks":
            return self.json(200, FakeOP.keys["jwks"])
        if u.path == "/authorize":
            code = secrets.token_hex(8)
            FakeOP.codes[code] = (q.get("nonce"), q.get("code_challenge"), q.get("login_as", "alice"))
            loc = q["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": q["state"]})
            self.send_response(302)
            self.send_header("Location", loc)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.json(404, {})

    def do_POST(self):
        import time
        import jwt
        n = int(self.headers.get("Content-Length") or 0)
        f = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        # Only client_secret_post is offered: a Basic header means we were not listened to.
        if (self.headers.get("Authorization") or f.get("client_id") != self.server.client_id
                or f.get("client_secret") != self.server.secret):
            return self.json(401, {"error": "invalid_client"})
        entry = FakeOP.codes.pop(f.get("code", ""), None)
        if entry is None:
            return self.json(400, {"error": "invalid_grant"})
        nonce, challenge, user = entry
        if b64u(hashlib.sha256(f.get("code_verifier", "").encode()).digest()) != challenge:
            return self.json(400, {"error": "invalid_grant"})
        mode = open(self.server.modefile).read().strip()
        now = int(time.time())
        iss = "http://127.0.0.1:%d" % self.server.server_port
        c = {"iss": iss, "aud": self.server.client_id, "sub": "fake-" + user, "iat": now, "exp": now + 300,
             "nonce": nonce, "email": user + "@example.com", "email_verified": True, "name": "Fake " + user}
        key, alg, hdr = FakeOP.keys["rsa"], "RS256", {"kid": "fake-rsa"}
        if mode == "wrong-iss":
            c["iss"] = iss + "/other"
        elif mode == "wrong-aud":
            c["aud"] = "someone-else"
        elif mode == "multi-aud":
            c["aud"] = [self.server.client_id, "someone-else"]
        elif mode == "multi-aud-azp":
            c["aud"] = [self.server.client_id, "someone-else"]
            c["azp"] = self.server.client_id
        elif mode == "wrong-azp":
            c["azp"] = "someone-else"
        elif mode == "expired":
            c["iat"], c["exp"] = now - 400, now - 200
        elif mode == "iat-future":
            c["iat"] = now + 400
            c["exp"] = now + 900
        elif mode == "iat-old":
            c["iat"], c["exp"] = now - 3600, now + 3600
        elif mode == "nbf-future":
            c["nbf"] = now + 400
        elif mode == "no-nonce":
            del c["nonce"]
        elif mode == "no-sub":
            del c["sub"]
        elif mode == "other-sub":
            c["sub"] = "other-" + user
        elif mode == "string-verified":
            c["email_verified"] = "true"
        elif mode == "amr-mfa":
            c["amr"] = ["pwd", "mfa"]
        elif mode == "amr-hwk":
            c["amr"] = ["hwk"]
        elif mode == "amr-pwd-hwk":
            c["amr"] = ["pwd", "hwk"]
        elif mode == "amr-pwd":
            c["amr"] = ["pwd"]
        elif mode == "amr-string":
            c["amr"] = "mfa"
        elif mode == "es256":
            key, alg, hdr = FakeOP.keys["ec"], "ES256", {"kid": "fake-ec"}
        elif mode == "no-kid":
            hdr = {}
        elif mode == "unknown-kid":
            hdr = {"kid": "rotated-away"}
        tok = jwt.encode(c, key, algorithm=alg, headers=hdr)
        if mode == "dup-claim":
            # Same signature over a payload whose e-mail appears twice: parsers could disagree.
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import padding
            h = tok.split(".")[0]
            p = b64u((json.dumps(c)[:-1] + ', "email": "admin@example.com"}').encode())
            sig = key.sign((h + "." + p).encode(), padding.PKCS1v15(), hashes.SHA256())
            tok = h + "." + p + "." + b64u(sig)
        self.json(200, {"access_token": secrets.token_hex(16), "token_type": "Bearer", "id_token": tok})


def main():
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "fakeop":
        FakeOP.make_keys()
        srv = ThreadingHTTPServer(("127.0.0.1", port), FakeOP)
        srv.client_id, srv.secret, srv.modefile = sys.argv[3], sys.argv[4], sys.argv[5]
        srv.serve_forever()
        return
    if kind == "proxy":
        srv = ThreadingHTTPServer(("127.0.0.1", port), Proxy)
        srv.upstream, srv.modefile = sys.argv[3], sys.argv[4]
    else:
        srv = ThreadingHTTPServer(("127.0.0.1", port), GitHub)
        srv.client_id, srv.secret = sys.argv[3], sys.argv[4]
    srv.serve_forever()


if __name__ == "__main__":
    main()
