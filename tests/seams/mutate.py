"""tests/seams/mutate.py: the seam checker's request generator: seeded, mutated raw requests.

Every request is built from a logical target (a path the policy cares about), then mutated
in its path, host, header spellings, method and credentials. Each mutation adds a tag, so
a violation says which tricks produced it. The request id goes in the query (seamrid=N)
and in an X-Seam-Rid header, so the recorder's log line can be matched to it.
"""
import base64

from policy import SPOOF_MARK

USERS = {"alice": "alice-pw", "bob": "bob-pw", "erin": "erin-pw", "carol": "carol-pw",
         "rita": "rita-pw"}

PATHS = ["/private/", "/private/x", "/admin/", "/admin/panel", "/public/", "/public/x",
         "/staff/", "/staff/x", "/private/del/", "/private/del/x", "/", "/other",
         "/private/2fa/", "/private/2fa/x"]

# (tag, function(path) -> path): path tricks; several may be stacked
def _case(rng, p):
    return "".join(c.upper() if c.isalpha() and rng.random() < 0.5 else c for c in p)


def _enc1(rng, p):
    idx = [i for i, c in enumerate(p) if c.isalpha()]
    if not idx:
        return p
    i = rng.choice(idx)
    return p[:i] + "%%%02X" % ord(p[i]) + p[i + 1:]


def _prefix(pre):
    return lambda rng, p: pre + p.lstrip("/")


PATH_TRICKS = [
    ("case", _case),
    ("pct-letter", _enc1),
    ("pct-letter-lower", lambda rng, p: _enc1(rng, p).lower()),
    ("dotdot", _prefix("/public/../")),
    ("pct2e-dotdot", _prefix("/public/%2e%2e/")),
    ("pct2E-dotdot", _prefix("/public/%2E%2E/")),
    ("dotdot-semicolon", _prefix("/public/..;/")),
    ("semicolon-dotdot-admin", lambda rng, p: "/admin/..;" + p),
    ("dotdot-pct2f", _prefix("/public/..%2f")),
    ("pct2f-dotdot-pct2f", _prefix("/public%2f..%2f")),
    ("dot-segment", _prefix("/./")),
    ("double-slash", _prefix("//")),
    ("double-slash-public", _prefix("//public/..;/")),
    ("semicolon-param", lambda rng, p: p.replace("/", ";x=1/", 2).replace(";x=1/", "/", 1)),
    ("semicolon-seg", lambda rng, p: p.rstrip("/") + ";/"),
    ("semicolon-jsession", _prefix("/public;jsessionid=1/../")),
    ("pct2f-sep", lambda rng, p: p[0] + p[1:].replace("/", "%2f", 1)),
    ("pct2F-sep", lambda rng, p: p[0] + p[1:].replace("/", "%2F", 1)),
    ("backslash", _prefix("/public\\..\\")),
    ("pct5c", _prefix("/public/..%5c")),
    ("overlong-dot", _prefix("/public/%c0%ae%c0%ae/")),
    ("overlong-slash", _prefix("/public/..%c0%af")),
    ("overlong-e0", _prefix("/public/%e0%80%ae%e0%80%ae/")),
    ("nul-pct", lambda rng, p: p.rstrip("/") + "%00/"),
    ("nul-public", lambda rng, p: "/public/x%00/../.." + p),
    ("double-pct", _prefix("/public/%252e%252e/")),
    ("trailing-dot", lambda rng, p: p.rstrip("/") + "./"),
    ("trailing-space", lambda rng, p: p.rstrip("/") + "%20/"),
    ("trailing-pct2e", lambda rng, p: p.rstrip("/") + "%2e"),
    ("tab-pct", lambda rng, p: p.rstrip("/") + "%09"),
    ("fullwidth-a", lambda rng, p: p.replace("a", "%EF%BD%81", 1)),
    ("hash", lambda rng, p: p + "#frag"),
    ("public-dotdot-deep", _prefix("/public/x/../../")),
]

HOST_TRICKS = [  # (tag, value or None for the real one); {port} is the server's port
    ("host-real", "127.0.0.1:{port}"),
    ("host-name", "app.test"),
    ("host-admin", "admin.test"),
    ("host-admin-port", "admin.test:{port}"),
    ("host-admin-case", "ADMIN.Test"),
    ("host-admin-dot", "admin.test."),
    ("host-admin-dotport", "admin.test.:{port}"),
    ("host-admin-tab", "admin.test\t"),
    ("host-admin-lead-space", " admin.test"),
    ("host-admin-fullwidth", "\uff41dmin.test"),
    ("host-admin-idn", "xn--admin-.test"),
    ("host-admin-pct", "admin%2etest"),
    ("host-other", "other.test"),
    ("host-empty", ""),
    ("host-missing", None),
]

# Every one of these is sent on every run (Generator.host_cases), not sampled: the Host
# spellings a host rule must hold under (trailing dot, port, case, absolute form, junk
# after the port; Apache
# hands gatekeep-authz "admin.test." as sent while its vhost serves admin.test), and the
# bypass host's, which is never proof of a user here.
ADMIN_HOSTS = ["admin.test", "admin.test.", "ADMIN.TEST.", "Admin.Test", "admin.test:{port}",
               "admin.test.:{port}", "ADMIN.test.:{port}", "admin.test..", "admin.test:",
               "admin.test.:", "admin.test:80", "admin.test.:80"]
ADMIN_ABSOLUTE = ["admin.test", "admin.test.", "ADMIN.TEST.", "admin.test.:{port}"]
BYPASS_HOSTS = ["{bypass}", "{bypass}.", "{BYPASS}.", "{bypass}:{port}", "{bypass}.:{port}"]
BYPASS_ABSOLUTE = ["{bypass}", "{bypass}."]
PLAIN_HOSTS = ["app.test.", "APP.TEST"]   # controls: these are served
# The glob rule host=*.open.test require=bypass (tests/seams.sh): its own hosts are served
# without a user; a Host with junk after a port or an IPv6 literal is not a host the glob
# may match whole ('*' takes ':' and ']'): the server serves admin.test or [::1] for it.
OPEN_HOSTS = ["www.open.test", "www.open.test:{port}", "admin.test:1.open.test",
              "admin.test:1.www.open.test", "[::1]x.open.test", "[::1]:1.open.test",
              "admin.test:1.{bypass}"]

SPOOF = [  # header name (canonical spelling), values
    ("X-Forwarded-Uri", ["/public/x", "/x", "/private/", "/public/../admin/"]),
    ("X-Forwarded-Host", ["{bypass}", "127.0.0.1", "other.test", "admin.test"]),
    ("X-Forwarded-Method", ["GET", "HEAD"]),
    ("X-Forwarded-Proto", ["https"]),
    ("X-Forwarded-For", ["192.0.2.1", "127.0.0.1"]),
    ("X-Real-Ip", ["192.0.2.1"]),
    ("X-Original-Uri", ["/public/x"]),
    ("X-Original-Url", ["/public/x"]),
    ("X-Rewrite-Url", ["/public/x"]),
    ("X-Original-Method", ["GET"]),
    ("Remote-User", ["bob", "alice"]),
    ("Remote-Groups", ["admins"]),
    ("X-Remote-User", ["bob"]),
    ("X-Forwarded-User", ["bob"]),
    ("Forwarded", ["for=192.0.2.1;host={bypass};proto=https"]),
    # a second factor claimed by the client: only the signed session's "amr" counts
    ("X-Gatekeep-Amr", ["otp", "pwd otp", "pwd,hwk"]),
    ("Amr", ["otp", "[\"pwd\",\"otp\"]"]),
    ("X-Auth-Request-Amr", ["hwk"]),
    ("Remote-Amr", ["otp"]),
]

OVERRIDE = ["X-Http-Method-Override", "X-Http-Method", "X-Method-Override"]

METHODS = ["GET"] * 6 + ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD",
                         "delete", "get", "DeLeTe", "FOO"]


def spellings(rng, name):
    """One spelling of a header name: case, '-' vs '_'."""
    t = rng.choice(["canon", "lower", "upper", "underscore", "underscore-lower", "mixed"])
    if t == "canon":
        return t, name
    if t == "lower":
        return t, name.lower()
    if t == "upper":
        return t, name.upper()
    if t == "underscore":
        return t, name.replace("-", "_")
    if t == "underscore-lower":
        return t, name.replace("-", "_").lower()
    i = name.find("-")
    return t, (name[:i] + "_" + name[i + 1:]) if i >= 0 else name.swapcase()


def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode("utf-8")).decode("ascii")


class Request:
    def __init__(self, method, target, headers, body, tags):
        self.method, self.target, self.headers, self.body, self.tags = method, target, headers, body, tags

    def raw(self):
        out = (self.method + " " + self.target + " HTTP/1.1\r\n").encode("utf-8", "surrogateescape")
        for k, v in self.headers:
            out += k.encode("latin-1") + b": " + (v if isinstance(v, bytes) else v.encode("utf-8")) + b"\r\n"
        return out + b"\r\n" + self.body


class Generator:
    def __init__(self, rng, port, tokens, forged, bypass_host, honest=False, app_tokens=None,
                 tickets=None):
        self.rng, self.port, self.tokens, self.forged = rng, port, tokens, forged
        self.tickets = tickets or {}           # user -> zero-hop ticket for tokens[user]
        self.app_tokens = app_tokens or {}     # user -> app token (tests/seams.sh --app-tokens)
        self.honest = honest    # plain requests only: the oracle's own check (no violation ever)
        self.bypass_host = bypass_host or "intranet.test"

    def _fill(self, v):
        return v.replace("{port}", str(self.port)).replace("{bypass}", self.bypass_host).replace(
            "{BYPASS}", self.bypass_host.upper())

    def ticket_cases(self, rid):
        """With tickets (the zero-hop module's site), also enumerated from RID on: every
        ticket cookie spelling of alice's, and her valid pair with every path trick, every
        method override (header in two spellings, _method) and odd methods: each one
        the module must leave to gatekeep-authz when gatekeep-authz reads it otherwise."""
        if "alice" not in self.tickets or "bob" not in self.tokens:
            return []
        name, r = "gatekeep_session", self.rng
        t_u, t_bob = self.tokens["alice"], self.tokens["bob"]
        other = "Basic " + b64("bob:bob-pw")
        pair = [("Cookie", name + "=" + t_u + "; " + name + "_ticket=" + self.tickets["alice"])]
        cases = [("GET", "/private/x", [], tag, hdrs)
                 for tag, hdrs in self.ticket_kinds("alice", name, t_u, t_bob, other)]
        cases += [("GET", fn(r, "/private/x"), ["path:" + tag], "ticket-ok", pair)
                  for tag, fn in PATH_TRICKS]
        for nm in OVERRIDE:
            for spelled in (nm, nm.replace("-", "_").lower()):
                for v in ("DELETE", "DE LETE"):
                    cases.append(("GET", "/private/x", ["override:%s/%s" % (spelled, v)], "ticket-ok",
                                  pair + [(spelled, v)]))
        for q in ("_method=DELETE&", "_Method=%20&", "%5fmethod=PUT&"):
            cases.append(("POST", "/private/x?" + q, ["override:" + q], "ticket-ok", pair))
        for m in ("FOO", "delete", "GE\tT", "A" * 40):
            cases.append((m, "/private/x", ["method:" + m[:12]], "ticket-ok", pair))
        out = []
        for i, (method, path, tags, ctag, hdrs) in enumerate(cases):
            q = "seamrid=%d" % (rid + i)
            path, hsh, frag = path.partition("#")
            target = path + q if path.endswith("&") else path + ("&" if "?" in path else "?") + q
            target += hsh + frag
            headers = [("Host", "127.0.0.1:%d" % self.port)] + hdrs + [
                ("X-Seam-Rid", str(rid + i)), ("Connection", "close")]
            body = b""
            if method == "POST":
                body = b"x=1"
                headers += [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", "3")]
            out.append(Request(method, target, headers, body,
                               ["target:/private/x", "enum:ticket"] + tags + ["cred:%s(alice)" % ctag]))
        return out

    def host_cases(self, rid):
        """The enumerated Host cases (ADMIN_HOSTS...): GET /private/x as alice (a user,
        not an admin: her session cookie, with its ticket when there is one, else Basic)
        on every admin.test spelling, and without credentials on every bypass host
        spelling; request ids from RID on."""
        name = "gatekeep_session"
        if "alice" in self.tokens:
            c = name + "=" + self.tokens["alice"]
            if "alice" in self.tickets:
                c += "; " + name + "_ticket=" + self.tickets["alice"]
            alice = ("cookie-ok(alice)", [("Cookie", c)])
        else:
            alice = ("basic-ok(alice)", [("Authorization", "Basic " + b64("alice:alice-pw"))])
        nobody = ("none", [])
        real = "127.0.0.1:%d" % self.port
        cases = [(h, None, alice) for h in ADMIN_HOSTS + PLAIN_HOSTS]
        cases += [(real, h, alice) for h in ADMIN_ABSOLUTE]
        cases += [("app.test", None, alice, [("X-Forwarded-Host", "admin.test.")])]
        cases += [(h, None, nobody) for h in BYPASS_HOSTS + OPEN_HOSTS]
        cases += [("admin.test:1.open.test", None, alice)]
        cases += [(real, h, nobody) for h in BYPASS_ABSOLUTE]
        out = []
        for i, case in enumerate(cases):
            host, absolute, (ctag, cred) = case[:3]
            host = self._fill(host)
            target = "/private/x?seamrid=%d" % (rid + i)
            tags = ["target:/private/x", "enum:host", "cred:" + ctag]
            if absolute:
                target = "http://" + self._fill(absolute) + target
                tags.append("absolute-form:" + self._fill(absolute))
            else:
                tags.append("host:" + host)
            headers = [("Host", host)] + list(case[3] if len(case) > 3 else []) + cred + [
                ("X-Seam-Rid", str(rid + i)), ("Connection", "close")]
            out.append(Request("GET", target, headers, b"", tags))
        return out

    def identity_cases(self, rid):
        """The identity headers (Remote-User, -Groups, -Email, -Name) sent by the client, all
        four in one spelling per request (as-is, lower, upper, odd case, underscore,
        underscore lower case, twice, comma-merged), each value holding SPOOF_MARK: on a
        bypassed path, on a bypassed host and on a protected path as alice (Basic, which
        every front takes); request ids from RID on. The app must never get one of them."""
        names = ["Remote-User", "Remote-Groups", "Remote-Email", "Remote-Name"]
        kinds = [("canon", lambda n: n), ("lower", str.lower), ("upper", str.upper),
                 ("odd-case", lambda n: "".join(c.upper() if i % 2 else c.lower()
                                                for i, c in enumerate(n))),
                 ("underscore", lambda n: n.replace("-", "_")),
                 ("underscore-lower", lambda n: n.replace("-", "_").lower()),
                 ("twice", None), ("merged", None)]
        places = [("/public/x", "127.0.0.1:%d" % self.port, "none", []),
                  ("/private/x", "www.open.test", "none", []),
                  ("/private/x", "127.0.0.1:%d" % self.port, "basic-ok(alice)",
                   [("Authorization", "Basic " + b64("alice:alice-pw"))])]
        out = []
        for path, host, ctag, cred in places:
            for kind, fn in kinds:
                i = len(out)
                hdrs = []
                for n in names:
                    v = "%s-%s" % (SPOOF_MARK, n[7:].lower())
                    if kind == "twice":
                        hdrs += [(n, v + "1"), (n.lower(), v + "2")]
                    elif kind == "merged":
                        hdrs.append((n, "alice, " + v))
                    else:
                        hdrs.append((fn(n), v))
                headers = [("Host", host)] + hdrs + cred + [
                    ("X-Seam-Rid", str(rid + i)), ("Connection", "close")]
                out.append(Request("GET", "%s?seamrid=%d" % (path, rid + i), headers, b"",
                                   ["target:" + path, "enum:identity", "hdr-identity:" + kind,
                                    "host:" + host, "cred:" + ctag]))
        return out

    def ticket_kinds(self, u, name, t_u, t_bob, other):
        """The session cookie with its zero-hop ticket (the nginx module vouches for the
        pair without gatekeep-authz) in every spelling the module must leave to
        gatekeep-authz: swapped, twice, in two Cookie lines, quoted, renamed, tampered."""
        tk_u, tk_bob = self.tickets.get(u), self.tickets.get("bob")
        if not (t_u and t_bob and tk_bob):
            return []
        tn = name + "_ticket"
        tk_other = tk_u or tk_bob    # a ticket for a token it was not issued with
        kinds = [
            ("ticket-swapped", [("Cookie", name + "=" + t_u + "; " + tn + "=" + (
                tk_bob if u != "bob" else self.tickets.get("alice", tk_bob)))]),
            ("ticket-forged-session", [("Cookie", name + "=" + (self.forged or t_bob[:-6] + "AAAAAA") +
                                        "; " + tn + "=" + tk_bob)]),
            ("ticket-no-session", [("Cookie", tn + "=" + tk_bob)]),
            ("ticket-two-sessions", [("Cookie", name + "=" + t_u + "; " + name + "=" + t_bob + "; " +
                                      tn + "=" + tk_bob)]),
            ("ticket-two-tickets", [("Cookie", name + "=" + t_bob + "; " + tn + "=" + tk_other + "; " +
                                     tn + "=" + tk_bob)]),
            ("ticket-name-case", [("Cookie", name.upper() + "=" + t_bob + "; " + tn.upper() + "=" + tk_bob)]),
            ("ticket-quoted", [("Cookie", name + '="' + t_bob + '"; ' + tn + '="' + tk_bob + '"')]),
            ("ticket-comma", [("Cookie", name + "=" + t_bob + ", " + tn + "=" + tk_bob)]),
            ("ticket-name-space", [("Cookie", name + " =" + t_bob + "; " + tn + " = " + tk_bob)]),
            ("ticket-tab", [("Cookie", name + "=" + t_bob + ";\t" + tn + "=" + tk_bob)]),
            ("ticket-trailing-junk", [("Cookie", name + "=" + t_bob + "; " + tn + "=" + tk_bob + "x")]),
            ("ticket-mac-case", [("Cookie", name + "=" + t_bob + "; " + tn + "=" + tk_bob[:-1] +
                                  tk_bob[-1].swapcase())]),
            ("ticket-nul", [("Cookie", name + "=" + t_bob + "; " + tn + "=" + tk_bob[:9] + "\0" + tk_bob[9:])]),
        ]
        if tk_u:
            pair = name + "=" + t_u + "; " + tn + "=" + tk_u
            kinds += [
                ("ticket-ok", [("Cookie", pair)]),
                ("ticket-ok", [("Cookie", tn + "=" + tk_u + "; a=1; " + name + "=" + t_u)]),
                ("ticket-two-headers", [("Cookie", name + "=" + t_u), ("Cookie", tn + "=" + tk_u)]),
                ("ticket-two-headers-same", [("Cookie", pair), ("Cookie", pair)]),
                ("ticket-and-basic", [("Cookie", pair), ("Authorization", other)]),
                ("ticket-and-bad-basic", [("Cookie", pair), ("Authorization", "Basic " + b64("mallory:x"))]),
                ("ticket-header-lower", [("cookie", pair)]),
            ]
            a_bob = self.app_tokens.get("bob")
            if a_bob:
                kinds += [("ticket-and-bearer", [("Cookie", pair), ("Authorization", "Bearer " + a_bob)])]
        return kinds

    def credentials(self, tags):
        """A list of (name, value) headers carrying credentials (maybe malformed)."""
        r = self.rng
        u = r.choice(["alice", "alice", "bob", "erin", "rita", "rita", "carol"])
        pw = USERS[u]
        good = "Basic " + b64(u + ":" + pw)
        other = "Basic " + b64("bob:bob-pw")
        kinds = [
            ("none", []),
            ("basic-ok", [("Authorization", good)]),
            ("basic-ok", [("Authorization", good)]),
            ("basic-ok", [("Authorization", good)]),
            ("basic-badpw", [("Authorization", "Basic " + b64(u + ":Wr0ng-pw"))]),
            ("basic-unknown", [("Authorization", "Basic " + b64("mallory:x"))]),
            ("basic-nul-junk", [("Authorization", "Basic " + b64(u + ":" + pw + "\0junk"))]),
            ("basic-nul-user", [("Authorization", "Basic " + b64(u + "\0bob:" + pw))]),
            ("basic-trailing-b64", [("Authorization", good + "junk")]),
            ("basic-trailing-eq", [("Authorization", good + "=x")]),
            ("basic-trailing-space-junk", [("Authorization", good + " junk")]),
            ("basic-trailing-eqeq", [("Authorization", good + "==")]),
            ("basic-nopad", [("Authorization", good.rstrip("="))]),
            ("basic-inner-space", [("Authorization", good[:10] + " " + good[10:])]),
            ("basic-urlsafe", [("Authorization", good.replace("+", "-").replace("/", "_"))]),
            ("basic-lower-scheme", [("Authorization", "basic " + good[6:])]),
            ("basic-two-spaces", [("Authorization", "Basic  " + good[6:])]),
            ("basic-two-headers", [("Authorization", good), ("Authorization", other)]),
            ("basic-two-headers-same", [("Authorization", good), ("Authorization", good)]),
            ("basic-comma-merged", [("Authorization", good + ", " + other)]),
            ("basic-comma-merged-bad", [("Authorization", "Basic " + b64("mallory:x") + ", " + good)]),
            ("basic-overlong-pw", [("Authorization", "Basic " + b64(u + ":" + pw + "A" * 600))]),
            ("basic-overlong-nul", [("Authorization", "Basic " + b64(u + ":" + pw + "\0" + "A" * 520))]),
            ("basic-pw-513", [("Authorization", "Basic " + b64(u + ":" + pw + "\0" + "A" * (512 - len(pw))))]),
            ("basic-ctrl-user", [("Authorization", "Basic " + b64(u + "\t:" + pw))]),
            ("basic-space-user", [("Authorization", "Basic " + b64(" " + u + ":" + pw))]),
            ("basic-utf8-user", [("Authorization", "Basic " + b64(u.replace("a", "\u0430") + ":" + pw))]),
            ("basic-case-user", [("Authorization", "Basic " + b64(u.capitalize() + ":" + pw))]),
            ("basic-header-lower", [("authorization", good)]),
            ("basic-header-upper", [("AUTHORIZATION", good)]),
            ("proxy-authorization", [("Proxy-Authorization", other)]),
            ("bearer", [("Authorization", "Bearer " + (self.tokens.get("bob") or "x.y.z"))]),
        ]
        name = "gatekeep_session"
        t_u = self.tokens.get(u)
        t_bob = self.tokens.get("bob")
        if t_u and t_bob:
            kinds += [
                ("cookie-ok", [("Cookie", name + "=" + t_u)]),
                ("cookie-ok", [("Cookie", "a=1; " + name + "=" + t_u + "; b=2")]),
                ("cookie-forged", [("Cookie", name + "=" + (self.forged or t_bob[:-6] + "AAAAAA"))]),
                ("cookie-garbage", [("Cookie", name + "=" + "!!garbage..")]),
                ("cookie-two-in-one", [("Cookie", name + "=" + t_u + "; " + name + "=" + t_bob)]),
                ("cookie-two-headers", [("Cookie", name + "=" + t_u), ("Cookie", name + "=" + t_bob)]),
                ("cookie-comma", [("Cookie", name + "=" + t_u + ", " + name + "=" + t_bob)]),
                ("cookie-name-case", [("Cookie", name.upper() + "=" + t_bob)]),
                ("cookie-name-space", [("Cookie", name + " =" + t_bob)]),
                ("cookie-quoted", [("Cookie", name + '="' + t_bob + '"')]),
                ("cookie-trailing-junk", [("Cookie", name + "=" + t_bob + "junk")]),
                ("cookie-nul", [("Cookie", name + "=" + t_bob[:20] + "\0" + t_bob[20:])]),
                ("cookie-and-basic", [("Cookie", name + "=" + t_u), ("Authorization", other)]),
                ("cookie-header-lower", [("cookie", name + "=" + t_u)]),
            ]
        kinds += self.ticket_kinds(u, name, t_u, t_bob, other)
        a_u, a_bob = self.app_tokens.get(u), self.app_tokens.get("bob")
        if a_u and a_bob:
            # app tokens: "Authorization: Bearer" in every spelling, and as the Basic password
            swapped = "gk1." + b64("bob").rstrip("=").replace("+", "-").replace("/", "_") + \
                a_u[a_u.index(".", 4):]
            kinds += [
                ("bearer-ok", [("Authorization", "Bearer " + a_u)]),
                ("bearer-lower-scheme", [("Authorization", "bearer " + a_u)]),
                ("bearer-upper-scheme", [("Authorization", "BEARER " + a_u)]),
                ("bearer-two-spaces", [("Authorization", "Bearer  " + a_u)]),
                ("bearer-tab", [("Authorization", "Bearer\t" + a_u)]),
                ("bearer-no-space", [("Authorization", "Bearer" + a_u)]),
                ("bearer-two-headers", [("Authorization", "Bearer " + a_u),
                                        ("Authorization", "Bearer " + a_bob)]),
                ("bearer-two-headers-same", [("Authorization", "Bearer " + a_u),
                                             ("Authorization", "Bearer " + a_u)]),
                ("bearer-comma-merged", [("Authorization", "Bearer " + a_u + ", Bearer " + a_bob)]),
                ("bearer-comma-merged-basic", [("Authorization", "Bearer " + a_u + ", " + other)]),
                ("bearer-and-basic", [("Authorization", "Bearer " + a_u), ("Authorization", other)]),
                ("bearer-trailing-junk", [("Authorization", "Bearer " + a_u + "x")]),
                ("bearer-tampered", [("Authorization", "Bearer " + a_u[:-4] + "AAAA")]),
                ("bearer-user-swapped", [("Authorization", "Bearer " + swapped)]),
                ("bearer-header-lower", [("authorization", "Bearer " + a_u)]),
                ("token-as-basic", [("Authorization", "Basic " + b64(u + ":" + a_u))]),
                ("token-as-basic-other-user", [("Authorization", "Basic " + b64("bob:" + a_u))]),
            ]
            if t_bob:
                kinds += [("bearer-and-cookie", [("Authorization", "Bearer " + a_u),
                                                 ("Cookie", name + "=" + t_bob)])]
        x = r.random()
        good_kinds = [k for k in kinds if k[0] in ("basic-ok", "cookie-ok", "bearer-ok", "ticket-ok")]
        if self.honest:
            kinds = [k for k in kinds if k[0] in ("none", "basic-ok", "basic-badpw", "cookie-ok")]
        tag, hdrs = r.choice(good_kinds if x < 0.4 else kinds[:1] if x < 0.5 else kinds)
        tags.append("cred:" + tag + ("(" + u + ")" if tag != "none" else ""))
        # header name spelling of the credential header itself, now and then
        if hdrs and r.random() < 0.1:
            sp, nm = spellings(r, hdrs[0][0])
            if nm != hdrs[0][0]:
                tags.append("cred-header:" + sp)
                hdrs = [(nm, hdrs[0][1])] + hdrs[1:]
        return hdrs

    def request(self, rid):
        r = self.rng
        tags = []
        path = r.choice(PATHS)
        tags.append("target:" + path)
        for _ in range(0 if self.honest else r.choice([0, 1, 1, 1, 2])):
            tag, fn = r.choice(PATH_TRICKS)
            path = fn(r, path)
            tags.append("path:" + tag)
        # a NUL or raw control character in the request line, now and then
        if r.random() < 0.02 and not self.honest:
            path = path.replace("/", "/\x00", 1) if r.random() < 0.5 else path + "\t"
            tags.append("path:raw-ctl")
        q = "seamrid=%d" % rid
        if "#" in path:
            path, frag = path.split("#", 1)
            target = path + "?" + q + "#" + frag
        else:
            target = path + "?" + q
        method = r.choice(METHODS[:12] if self.honest else METHODS)
        if method != "GET":
            tags.append("method:" + method)
        headers = []
        htag, host = r.choice(HOST_TRICKS[:1] * 6 + HOST_TRICKS)
        if self.honest:
            htag, host = r.choice(HOST_TRICKS[:3])
        elif r.random() < 0.06:
            htag, host = "host-bypass", r.choice([self.bypass_host, self.bypass_host + ".",
                                                   self.bypass_host.upper(),
                                                   self.bypass_host + ":" + str(self.port)])
        if htag != "host-real":
            tags.append(htag)
        if host is not None:
            headers.append(("Host", self._fill(host)))
        if self.honest:
            pass
        elif r.random() < 0.05 and host is not None:
            headers.append(("Host", "admin.test"))
            tags.append("host-twice")
        if r.random() < 0.07 and not self.honest:
            ah = r.choice(["admin.test", "app.test", self.bypass_host, "127.0.0.1:%d" % self.port])
            target = "http://" + ah + target
            tags.append("absolute-form:" + ah)
        # spoofed forwarding / identity headers, in some spelling, maybe twice or merged
        for _ in range(0 if self.honest else r.choice([0, 0, 1, 1, 2, 3])):
            name, vals = r.choice(SPOOF[:4] * 3 + SPOOF)
            sp, nm = spellings(r, name)
            v = self._fill(r.choice(vals))
            how = r.random()
            tags.append("hdr:%s/%s" % (name, sp))
            if how < 0.15:
                headers.append((nm, v))
                headers.append((name, self._fill(r.choice(vals))))
                tags.append("hdr-twice:%s" % name)
            elif how < 0.25:
                headers.append((nm, "x, " + v))
                tags.append("hdr-merged:%s" % name)
            else:
                headers.append((nm, v))
        body = b""
        if r.random() < 0.12 and not self.honest:
            nm = r.choice(OVERRIDE)
            sp, nm = spellings(r, nm)
            v = r.choice(["DELETE", "PUT", "GET", "delete"])
            headers.append((nm, v))
            tags.append("override:%s" % v)
        if r.random() < 0.03 and not self.honest:
            target = target.replace("?", "?_method=DELETE&", 1)
            tags.append("override:_method")
        headers += self.credentials(tags)
        if r.random() < 0.3:
            headers.append(("Accept", "text/html"))
        headers.append(("X-Seam-Rid", str(rid)))
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
            body = b"x=1"
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            headers.append(("Content-Length", "3"))
        headers.append(("Connection", "close"))
        r.shuffle(headers)
        return Request(method, target, headers, body, tags)
