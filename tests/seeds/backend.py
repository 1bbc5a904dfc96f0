#!/usr/bin/python3
"""tests/seeds/backend.py: stand-ins for the seed apps, enforcing each app's documented auth contract.

Standard library only. Usage: backend.py APP PORT, configured by the app's OWN environment
variables (the ones its documentation names, read from contrib/apps/APP/APP.env by the
tests); variables starting with STANDIN_ are test-only knobs, not the app's.
Every answer is JSON: {"app": ..., "user": ..., ...}; a refusal is 401/403 with "error".

  navidrome  ND_REVERSEPROXYWHITELIST, ND_REVERSEPROXYUSERHEADER: Remote-User believed only
             from a whitelisted peer; unknown users auto-created, the first one admin;
             /share/ public; /rest/ Subsonic API with its own u/p or u/t/s auth.
  pytorrent  PYTORRENT_AUTH_PROVIDER=proxy, PYTORRENT_AUTH_PROXY_USER_HEADER (non-empty),
             _AUTO_CREATE, _AUTO_CREATE_ROLE, _AUTO_CREATE_PERMISSION, PYTORRENT_AUTH_BYPASS_HOSTS,
             PYTORRENT_API_ALLOWED_ORIGINS (else PYTORRENT_SOCKETIO_CORS_ALLOWED_ORIGINS):
             unsafe /api/ requests need a matching Origin/Referer; /socket.io/ WebSocket.
  2fauth     AUTHENTICATION_GUARD=reverse-proxy-guard, AUTH_PROXY_HEADER_FOR_USER (default
             REMOTE_USER, $_SERVER style: HTTP_X_Y is request header X-Y), AUTH_PROXY_HEADER_FOR_EMAIL:
             e-mail kept only if valid and unused, else the fake NAME@remote.
  organizr   a service behind Organizr-style server auth (sonarr, ...): serves whatever the
             proxy lets through and reports the X-Organizr-* headers it got.
  tisbackup  TISBackup GUI: [authentication] section of STANDIN_TISBACKUP_INI (type none or
             basic with bcrypt, ${VAR} from the environment as TISBackup does).

Every answer carries X-Standin-Identity: a JSON list of the identity request headers the
stand-in got ("Name: value", every spelling and copy), whatever the app reads: the tests
check that only gatekeep's values reach an app. X-Standin-Cookie and X-Standin-Authorization:
JSON lists of the Cookie and Authorization lines it got (gatekeep's own must not be there).

/ws and /socket.io/ (any app): an RFC 6455 handshake, then one text frame echoed back with
the user the app believes ("echo user=NAME data=..."); no user -> 401, never 101.
"""
import base64
import configparser
import ctypes
import ctypes.util
import hashlib
import ipaddress
import json
import os
import re
import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

APP = sys.argv[1]
PORT = int(sys.argv[2])
ENV = os.environ
LOCK = threading.Lock()
USERS = {}          # name -> dict (per-app fields)
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC11B65"
# identity headers, compared with '_' as '-' and in any case (as CGI/PHP/WSGI would fold them)
# (X-Organizr-*: what Organizr's services read, so in its stand-in only)
IDENTITY = ("remote-user", "remote-groups", "remote-email", "remote-name") + \
    (("x-organizr-user", "x-organizr-email", "x-organizr-group") if APP == "organizr" else ())
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def crypt_check(password, hashed):
    """bcrypt (and any crypt(3) hash) through the system's libxcrypt, as bcrypt.checkpw would."""
    lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    out = lib.crypt(password.encode(), hashed.encode())
    return out is not None and out.decode() == hashed


def networks(spec):
    nets = []
    for item in (spec or "").split(","):
        item = item.strip()
        if item and item != "@":
            nets.append(ipaddress.ip_network(item, strict=False))
    return nets


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin-" + APP

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.client_address[0], fmt % args))

    # --- helpers ---------------------------------------------------------------------
    def reply(self, code, obj, ctype="application/json"):
        body = (json.dumps(obj) if ctype == "application/json" else obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self):
        seen = ["%s: %s" % (k, v) for k, v in self.headers.items()
                if k.lower().replace("_", "-") in IDENTITY]
        self.send_header("X-Standin-Identity", json.dumps(seen))
        # every Cookie and Authorization line the stand-in got, as sent
        self.send_header("X-Standin-Cookie", json.dumps(self.headers.get_all("Cookie") or []))
        self.send_header("X-Standin-Authorization",
                         json.dumps(self.headers.get_all("Authorization") or []))
        super().end_headers()

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def peer_in(self, nets):
        try:
            ip = ipaddress.ip_address(self.client_address[0])
        except ValueError:
            return False
        return any(ip in n for n in nets)

    def websocket(self, user, extra=None):
        """RFC 6455 server handshake, then echo one client text frame with the user."""
        key = self.headers.get("Sec-WebSocket-Key", "")
        if (self.headers.get("Upgrade", "").lower() != "websocket" or
                "upgrade" not in self.headers.get("Connection", "").lower() or
                self.headers.get("Sec-WebSocket-Version") != "13" or
                len(base64.b64decode(key + "==")[:16]) != 16):
            return self.reply(400, {"app": APP, "error": "not a websocket handshake"})
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        r = self.rfile
        hdr = r.read(2)
        if len(hdr) < 2:
            return
        opcode, ln = hdr[0] & 0x0F, hdr[1] & 0x7F
        if not hdr[1] & 0x80:       # clients must mask (RFC 6455 5.1)
            self.close_connection = True
            return
        if ln == 126:
            ln = struct.unpack(">H", r.read(2))[0]
        elif ln == 127:
            ln = struct.unpack(">Q", r.read(8))[0]
        mask = r.read(4)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(r.read(ln)))
        if opcode == 1:
            msg = ("echo user=%s data=%s%s" % (user, data.decode(), extra or "")).encode()
            self.wfile.write(bytes([0x81, len(msg)]) + msg if len(msg) < 126 else
                             bytes([0x81, 126]) + struct.pack(">H", len(msg)) + msg)
        self.wfile.write(b"\x88\x00")   # close
        self.wfile.flush()
        self.close_connection = True

    def is_upgrade(self):
        return self.headers.get("Upgrade", "").lower() == "websocket"

    # --- dispatch ----------------------------------------------------------------------
    def do_GET(self):
        self.handle_app("GET")

    def do_HEAD(self):
        self.handle_app("HEAD")

    def do_POST(self):
        self.handle_app("POST")

    def do_DELETE(self):
        self.handle_app("DELETE")

    def handle_app(self, method):
        url = urlsplit(self.path)
        data = self.body() if method in ("POST", "DELETE") else b""
        getattr(self, "app_" + APP.replace("2fauth", "twofauth"))(method, url, data)

    # --- Navidrome ---------------------------------------------------------------------
    def app_navidrome(self, method, url, data):
        whitelist = networks(ENV.get("ND_REVERSEPROXYWHITELIST", ""))
        header = ENV.get("ND_REVERSEPROXYUSERHEADER", "Remote-User")
        if url.path.startswith("/share/"):
            return self.reply(200, {"app": APP, "share": url.path[7:], "user": None})
        proxied = None
        if whitelist and self.peer_in(whitelist):
            proxied = self.headers.get(header) or None
        if url.path.startswith("/rest/"):
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            user = proxied
            if user is None:
                u = USERS.get(q.get("u", ""), {})
                pw = u.get("password")
                p = q.get("p", "")
                if p.startswith("enc:"):
                    p = bytes.fromhex(p[4:]).decode()
                ok = pw is not None and (
                    (p and p == pw) or
                    (q.get("t") and q.get("s") and
                     hashlib.md5((pw + q["s"]).encode()).hexdigest() == q["t"]))
                if not ok:
                    return self.reply(200, '<subsonic-response xmlns="http://subsonic.org/restapi" '
                                      'status="failed" version="1.16.1"><error code="40" '
                                      'message="Wrong username or password"/></subsonic-response>',
                                      "text/xml")
                user = q["u"]
            return self.reply(200, '<subsonic-response xmlns="http://subsonic.org/restapi" '
                              'status="ok" version="1.16.1" user="%s"/>' % user, "text/xml")
        if proxied is None:
            if self.headers.get(header):
                sys.stderr.write("navidrome: ignored %s from non-whitelisted %s\n"
                                 % (header, self.client_address[0]))
            return self.reply(401, {"app": APP, "error": "login required"})
        with LOCK:
            if proxied not in USERS:
                # first user through the proxy is admin, like a fresh installation
                USERS[proxied] = {"admin": not any(u.get("admin") is not None for u in USERS.values()
                                                   if not u.get("preset")), "password": None}
            u = USERS[proxied]
        if url.path.startswith("/ws") or self.is_upgrade():
            return self.websocket(proxied)
        return self.reply(200, {"app": APP, "user": proxied, "admin": u["admin"],
                                "path": url.path, "method": method})

    # --- pyTorrent ---------------------------------------------------------------------
    def app_pytorrent(self, method, url, data):
        if ENV.get("PYTORRENT_AUTH_ENABLE", "false").lower() != "true":
            return self.reply(200, {"app": APP, "user": "admin", "auth": "disabled"})
        provider = ENV.get("PYTORRENT_AUTH_PROVIDER", "local")
        if provider not in ("proxy", "tinyauth"):
            return self.reply(500, {"app": APP, "error": "stand-in implements proxy/tinyauth only"})
        header = ENV.get("PYTORRENT_AUTH_PROXY_USER_HEADER", "Remote-User")
        bypass = [h.strip().lower() for h in ENV.get("PYTORRENT_AUTH_BYPASS_HOSTS", "").split(",")
                  if h.strip()]
        host = (self.headers.get("Host") or "").lower()
        if host in bypass:
            user, role, perm = "admin", "admin", "full"
        else:
            user = (self.headers.get(header) or "").strip()
            if not user:
                return self.reply(401, {"app": APP, "error": "no %s header" % header})
            with LOCK:
                if user not in USERS:
                    if ENV.get("PYTORRENT_AUTH_PROXY_AUTO_CREATE", "false").lower() != "true":
                        return self.reply(403, {"app": APP, "error": "unknown user"})
                    USERS[user] = {"passwordless": True}
                u = USERS[user]
                if u.get("passwordless"):   # synchronised with the config on each login
                    u["role"] = ENV.get("PYTORRENT_AUTH_PROXY_AUTO_CREATE_ROLE", "user")
                    p = ENV.get("PYTORRENT_AUTH_PROXY_AUTO_CREATE_PERMISSION", "none")
                    u["permission"] = "full" if p in ("rw", "full") else p
                role, perm = u["role"], u["permission"]
        origins = ENV.get("PYTORRENT_API_ALLOWED_ORIGINS") or \
            ENV.get("PYTORRENT_SOCKETIO_CORS_ALLOWED_ORIGINS", "")
        allowed = [o.strip().rstrip("/") for o in origins.split(",") if o.strip()]
        if url.path.startswith("/socket.io/"):
            origin = self.headers.get("Origin")
            if origin is not None and allowed and origin.rstrip("/") not in allowed:
                return self.reply(403, {"app": APP, "error": "socket.io origin"})
            if not self.is_upgrade():
                return self.reply(200, {"app": APP, "user": user, "transport": "polling"})
            return self.websocket(user, " role=%s" % role)
        if url.path.startswith("/api/") and method not in ("GET", "HEAD", "OPTIONS"):
            origin = self.headers.get("Origin")
            if origin is None and self.headers.get("Referer"):
                m = re.match(r"^([a-z]+://[^/]+)", self.headers["Referer"])
                origin = m.group(1) if m else ""
            if origin is None or origin.rstrip("/") not in allowed:
                return self.reply(403, {"app": APP, "error": "origin check failed"})
            if role != "admin" and perm != "full":
                return self.reply(403, {"app": APP, "error": "read-only"})
        return self.reply(200, {"app": APP, "user": user, "role": role, "permission": perm,
                                "path": url.path, "method": method})

    # --- 2FAuth ------------------------------------------------------------------------
    def server_var(self, name):
        """$_SERVER[name]: request headers appear as HTTP_*; others are server variables."""
        if name.upper().startswith("HTTP_"):
            return self.headers.get(name[5:].replace("_", "-"))
        return None     # e.g. REMOTE_USER: set by a FastCGI server, never by an HTTP request

    def app_twofauth(self, method, url, data):
        if ENV.get("AUTHENTICATION_GUARD") != "reverse-proxy-guard":
            return self.reply(500, {"app": APP, "error": "stand-in implements reverse-proxy-guard only"})
        user = self.server_var(ENV.get("AUTH_PROXY_HEADER_FOR_USER", "REMOTE_USER"))
        if user is None:
            return self.reply(401, {"app": APP, "error": "no proxy user"})
        ehdr = ENV.get("AUTH_PROXY_HEADER_FOR_EMAIL")
        email = self.server_var(ehdr) if ehdr else None
        with LOCK:
            USERS.setdefault(user, {})
            taken = email is not None and any(
                n != user and (u.get("email") or "").lower() == email.lower()
                for n, u in USERS.items())
            if email is None or not EMAIL_RE.match(email) or taken:
                email = user + "@remote"    # 2FAuth's fallback
            USERS[user]["email"] = email
        return self.reply(200, {"app": APP, "user": user, "email": email, "path": url.path})

    # --- Organizr-protected service ----------------------------------------------------
    def app_organizr(self, method, url, data):
        return self.reply(200, {"app": APP, "path": url.path,
                                "user": self.headers.get("X-Organizr-User"),
                                "group": self.headers.get("X-Organizr-Group"),
                                "email": self.headers.get("X-Organizr-Email")})

    # --- TISBackup GUI -----------------------------------------------------------------
    def app_tisbackup(self, method, url, data):
        ini = configparser.ConfigParser(interpolation=None)
        ini.read(ENV["STANDIN_TISBACKUP_INI"])
        auth = ini["authentication"] if ini.has_section("authentication") else {}

        def val(k, d=""):
            return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: ENV.get(m.group(1), ""),
                          auth.get(k, d))
        kind = val("type", "none")
        user = None
        if kind == "basic":
            h = self.headers.get("Authorization", "")
            ok = False
            if h.startswith("Basic "):
                u, _, p = base64.b64decode(h[6:]).decode().partition(":")
                ok = u == val("username") and crypt_check(p, val("password"))
                user = u
            if not ok:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="%s"' % val("realm", "TISBackup"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        elif kind != "none":
            return self.reply(500, {"app": APP, "error": "stand-in implements none/basic only"})
        seen = {"app": APP, "path": url.path, "method": method, "user": user,
                "proxy_user": self.headers.get("Remote-User"),
                "got_authorization": "Authorization" in self.headers}
        if url.path == "/api/backups":
            seen["backups"] = ["srv1-full", "srv2-diff"]
        return self.reply(200, seen)


def main():
    for spec in ENV.get("STANDIN_SUBSONIC_USERS", "").split(","):
        if ":" in spec:
            n, p = spec.split(":", 1)
            USERS[n] = {"password": p, "admin": None, "preset": True}
    if APP == "pytorrent":      # pyTorrent's built-in default admin (a local user)
        USERS["admin"] = {"role": "admin", "permission": "full", "passwordless": False}
    srv = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    srv.daemon_threads = True
    srv.serve_forever()


if __name__ == "__main__":
    main()
