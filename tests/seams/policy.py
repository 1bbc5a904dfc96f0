"""tests/seams/policy.py: the seam checker's oracle: the test policy as a pure-Python model.

The policy under test (tests/seams/run.sh writes the same into gatekeep.conf):
  users     alice (users), bob (admins), erin (staff), rita (permission ro: GET, HEAD,
            OPTIONS only), carol (disabled); passwords NAME-pw
  rules     host admin.test (any port) -> group:admins; path /admin -> group:admins;
            host *.open.test (a glob) -> bypass, after those two;
            path /private/del with DELETE, PUT, PATCH or POST -> group:admins;
            path /staff -> group:staff (a rule, as the contrib files recommend);
            path /private/2fa -> 2fa:any (a second factor: no session the test mints has
            one, Basic cannot carry one, an app token may pass);
            anything else -> any authenticated user
  tokens    app tokens (tests/seams.sh --app-tokens): alice, bob, carol unscoped, erin's
            limited to path=/staff/,method=GET (GET includes HEAD)
  bypass    path /public needs no user; nothing else does (a bypass by Host is never
            proven: the client chooses the Host)
Identity headers: Remote-User/-Groups/-Email/-Name reach the app only from gatekeep; a
value holding SPOOF_MARK (sent by the client, mutate.identity_cases) in any of them, in any
spelling, is a violation whatever the path.
The identity is what the CLIENT proved, read strictly (exactly one well-formed credential
of a kind: RFC 7617 Basic with canonical base64 (a password, or the user's own app token),
"Bearer" 1*SP one app token the test minted, or one session cookie the test minted).
Nothing else proves a second factor: an "amr" the client sends in any header is its own.
What the app served is read every way an app's router could read it (readings below); the
request is allowed only if every reading is allowed.
"""
import base64
import fnmatch
import re
import unicodedata

PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw", "erin": "erin-pw", "rita": "rita-pw"}
GROUPS = {"alice": {"users"}, "bob": {"admins"}, "erin": {"staff"}, "rita": set()}
READ_ONLY = {"rita"}
RO_METHODS = {"GET", "HEAD", "OPTIONS"}
UNSAFE_DEL = {"DELETE", "PUT", "PATCH", "POST"}
COOKIE = "gatekeep_session"
OVERRIDE_HEADERS = {"x-http-method-override", "x-http-method", "x-method-override"}
IDENTITY_HEADERS = ("remote-user", "remote-groups", "remote-email", "remote-name")
SPOOF_MARK = "seamspoof"    # in every identity value the client sends (mutate.identity_cases)
B64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}")
PCT_RE = re.compile(rb"%([0-9A-Fa-f]{2})")


def under(segs, prefix):
    return tuple(segs[:len(prefix)]) == prefix


def pct_decode(b):
    return PCT_RE.sub(lambda m: bytes([int(m.group(1), 16)]), b)


def fold_overlong(b):
    """What a lenient UTF-8 decoder makes of overlong forms (%c0%ae is '.')."""
    out, i = bytearray(), 0
    while i < len(b):
        c = b[i]
        if c in (0xC0, 0xC1) and i + 1 < len(b):
            out.append(((c & 0x1F) << 6 | (b[i + 1] & 0x3F)) & 0x7F)
            i += 2
        elif c == 0xE0 and i + 2 < len(b) and b[i + 1] < 0xA0:
            out.append(((b[i + 1] & 0x3F) << 6 | (b[i + 2] & 0x3F)) & 0x7F)
            i += 3
        else:
            out.append(c)
            i += 1
    return bytes(out)


def strip_params(b):
    return b"/".join(s.split(b";", 1)[0] for s in b.split(b"/"))


def segments(b, resolve):
    """The path's segments: '//' and '.' vanish; '..' is resolved (clamped at the root) or,
    for a router that matches the raw string, kept as a literal segment."""
    out = []
    for s in b.split(b"/"):
        if s in (b"", b"."):
            continue
        if resolve and s == b"..":
            if out:
                out.pop()
            continue
        out.append(s)
    return tuple(out)


def path_readings(raw, paranoid, decoded=False):
    """{segments: tag} for every way a router may read the raw path (bytes); DECODED: the
    server decoded it already (CGI's PATH_INFO), so it is not decoded again."""
    found = {}
    decodes = (0,) if decoded else (1, 0, 2) if paranoid else (1, 0)
    for semi in ("keep", "strip-raw", "strip-decoded"):
        for dec in decodes:
            for bsl in (False, True):
                for ctl in (False, True):
                    for resolve in (True, False):
                        for fold in (False, True):
                            for win in ((False, True) if paranoid else (False,)):
                                b = raw
                                if semi == "strip-raw":
                                    b = strip_params(b)
                                for _ in range(dec):
                                    b = pct_decode(b)
                                if semi == "strip-decoded":
                                    b = strip_params(b)
                                if bsl:
                                    b = b.replace(b"\\", b"/")
                                if ctl:
                                    b = fold_overlong(b).split(b"\0", 1)[0]
                                segs = segments(b, resolve)
                                if fold:
                                    segs = tuple(s.lower() for s in segs)
                                if win:
                                    segs = tuple(s.rstrip(b". ") for s in segs)
                                tag = "+".join(t for t, on in (
                                    ("semicolon-" + semi, semi != "keep"),
                                    ("undecoded", dec == 0 and not decoded),
                                    ("double-decoded", dec == 2),
                                    ("backslash", bsl), ("overlong-nul", ctl),
                                    ("dotdot-literal", not resolve), ("case-folded", fold),
                                    ("trailing-dot-space", win)) if on) or "plain"
                                if segs not in found or tag.count("+") < found[segs].count("+"):
                                    found[segs] = tag
    return found


def host_readings(values, paranoid):
    out = {}
    for v in values:
        h = v.strip(" \t").lower()
        if h.startswith("["):
            h = h.split("]", 1)[0] + "]"
        elif h.count(":") == 1:
            h = h.split(":", 1)[0]
        # one trailing dot is the root (Apache, nginx and gatekeep drop it); more than one
        # is no host name (Apache and nginx answer 400, gatekeep-authz refuses it, Caddy
        # passes it on): an app may still read it as the name, so it is read as one too
        out.setdefault(h[:-1] if h.endswith(".") else h, "plain")
        out.setdefault(h.rstrip("."), "trailing-dots")
        if paranoid:
            try:
                n = unicodedata.normalize("NFKC", v.encode("latin-1").decode("utf-8")).lower()
                out.setdefault(n.split(":", 1)[0].rstrip("."), "nfkc")
            except UnicodeError:
                pass
    return out or {"": "none"}


def split_target(t):
    """(authority or None, path) of a request-target."""
    t = t.split("#", 1)[0]
    m = re.match(r"(?i)^[a-z][a-z0-9+.-]*://([^/?]*)(.*)$", t)
    if m:
        return m.group(1), (m.group(2) or "/")
    return None, t


class Model:
    def __init__(self, tokens, anon_user="", paranoid=False, app_tokens=None):
        self.tokens = tokens          # token -> user
        self.app_tokens = app_tokens or {}    # app token -> (user, scope: (path segs, methods))
        self.anon_user = anon_user
        self.paranoid = paranoid

    # --- what the client proved ------------------------------------------------------
    @staticmethod
    def basic_user(value):
        pair = Model.basic_pair(value)
        return pair[0] if pair and PASSWORDS.get(pair[0]) == pair[1] else None

    @staticmethod
    def basic_pair(value):
        scheme, sp, tok = value.partition(" ")
        tok = tok.lstrip(" ")   # RFC 7235: auth-scheme 1*SP token68
        if scheme.lower() != "basic" or not B64_RE.fullmatch(tok) or len(tok) % 4:
            return None
        try:
            raw = base64.b64decode(tok, validate=True)
        except ValueError:
            return None
        if base64.b64encode(raw).decode() != tok:
            return None
        try:
            pair = raw.decode("utf-8")
        except UnicodeError:
            return None
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in pair) or ":" not in pair:
            return None
        u, _, pw = pair.partition(":")
        return u, pw

    def proven(self, headers):
        """{user: [(how, scope)]}: who the client proved, and by what (basic, token, cookie)."""
        users = {}
        auths = [v for k, v in headers if k.lower() == "authorization"]
        if len(auths) == 1:
            pair = self.basic_pair(auths[0])
            if pair and PASSWORDS.get(pair[0]) == pair[1]:
                users.setdefault(pair[0], []).append(("basic", None))
            if pair and self.app_tokens.get(pair[1], ("",))[0] == pair[0]:
                users.setdefault(pair[0], []).append(("token", self.app_tokens[pair[1]][1]))
            # RFC 6750: "Bearer" (any case) 1*SP one token; the token names its user
            scheme, _, tok = auths[0].partition(" ")
            tok = tok.lstrip(" ")
            if scheme.lower() == "bearer" and tok in self.app_tokens:
                u, scope = self.app_tokens[tok]
                users.setdefault(u, []).append(("token", scope))
        # a session cookie proves its user by possession: whatever the cookie syntax
        # around it, a valid token the client holds is that user's
        for k, v in headers:
            if k.lower() == "cookie":
                for part in re.split(r"[;,]", v):
                    val = part.partition("=")[2].strip().strip('"')
                    if val in self.tokens:
                        users.setdefault(self.tokens[val], []).append(("cookie", None))
        return users

    # --- what the app saw --------------------------------------------------------------
    def app_headers(self, rec):
        """[(normalised name, value)]: '-' and '_' alike, as CGI and most frameworks see them."""
        if rec["kind"] == "http":
            return [(k.lower().replace("_", "-"), v) for k, v in rec["headers"]]
        return [(k[5:].lower().replace("_", "-"), v) for k, v in rec["env"].items()
                if k.startswith("HTTP_")]

    def app_users(self, rec):
        if rec["kind"] == "http":
            vals = [v for k, v in self.app_headers(rec) if k == "remote-user"]
        else:
            vals = [rec["env"].get("REMOTE_USER", "")]
        users = []
        for v in vals:
            for u in v.split(","):
                u = u.strip()
                if u and u != self.anon_user and u not in users:
                    users.append(u)
        return users

    def app_methods(self, rec):
        m = rec["method"]
        out = {m: "plain"}
        out.setdefault(m.upper(), "upper-cased")
        for k, v in self.app_headers(rec):
            if k in OVERRIDE_HEADERS and v.strip():
                out.setdefault(v.strip().upper(), "override-header")
        q = rec["target"].split("?", 1)[1] if "?" in rec["target"] else ""
        for p in q.split("&"):
            if p.lower().startswith("_method="):
                out.setdefault(p[8:].upper(), "override-_method")
        return out

    def app_hosts(self, rec):
        if rec["kind"] == "http":
            vals = [v for k, v in rec["headers"] if k.lower() == "host"]
        else:
            vals = [rec["env"][k] for k in ("HTTP_HOST", "SERVER_NAME") if k in rec["env"]]
        auth, _ = split_target(rec["target"])
        if auth is not None:
            vals.append(auth.rsplit("@", 1)[-1])
        return host_readings(vals, self.paranoid)

    def app_paths(self, rec):
        _, path = split_target(rec["target"])
        found = path_readings(path.split("?", 1)[0].encode("latin-1"), self.paranoid)
        if rec["kind"] == "cgi" and (rec["env"].get("SCRIPT_NAME") or rec["env"].get("PATH_INFO")):
            # the server's own decoded split
            sp = (rec["env"].get("SCRIPT_NAME", "") + rec["env"].get("PATH_INFO", "")).encode("latin-1")
            for segs, tag in path_readings(sp, self.paranoid, decoded=True).items():
                found.setdefault(segs, "script-name+" + tag)
        return found

    # --- the policy ----------------------------------------------------------------------
    @staticmethod
    def requirement(method, host, segs):
        if host == "admin.test":
            return "group:admins"
        if under(segs, (b"admin",)):
            return "group:admins"
        if fnmatch.fnmatchcase(host, "*.open.test"):
            return "bypass"
        if under(segs, (b"private", b"del")) and method in UNSAFE_DEL:
            return "group:admins"
        if under(segs, (b"staff",)):
            return "group:staff"
        if under(segs, (b"private", b"2fa")):
            return "2fa:any"
        return "any"

    @staticmethod
    def in_scope(scope, method, segs):
        """An app token's scope: every reading under its path, a method it lists."""
        if scope is None:
            return True
        path, methods = scope
        m = method.upper()
        if methods and m not in methods and not (m == "HEAD" and "GET" in methods):
            return False
        return path is None or under(segs, path)

    @classmethod
    def allowed(cls, user, method, host, segs, proofs=None):
        bypass = under(segs, (b"public",)) or cls.requirement(method, host, segs) == "bypass"
        if user is None:
            return bypass
        if user not in PASSWORDS:
            return False
        if user in READ_ONLY and method not in RO_METHODS:
            return False
        req = cls.requirement(method, host, segs)
        if not bypass:
            # some proof of the user must hold here: a token in its scope, and where a
            # second factor is needed only a token (no minted session has one)
            good = [how for how, scope in (proofs or [("basic", None)])
                    if how != "token" or cls.in_scope(scope, method, segs)]
            if req.startswith("2fa:"):
                good = [how for how in good if how == "token"]
                req = req[4:]
            if not good:
                return False
        if bypass or "admins" in GROUPS[user]:
            return True
        if req == "any":
            return True
        return req[6:] in GROUPS[user]

    def check(self, req, rec):
        """The violations (0 or 1) of one app log line for the request that caused it."""
        proven = self.proven(req.headers)
        seen = [(k, v) for k, v in self.app_headers(rec) if k in IDENTITY_HEADERS]
        if rec["kind"] == "cgi":
            seen.append(("REMOTE_USER", rec["env"].get("REMOTE_USER", "")))
        for k, v in seen:
            if SPOOF_MARK in v:
                return [{"class": "identity-header:" + k,
                         "why": "the app got the client's own %s: %r" % (k, v)}]
        users = self.app_users(rec)
        for u in users:
            if u not in proven:
                return [{"class": "identity",
                         "why": "the app saw user %r; the client proved %s" % (
                             u, sorted(proven) or "nobody")}]
        def simplest_first(d):
            return sorted(d.items(), key=lambda kv: (kv[1] != "plain", kv[1].count("+"), kv[1]))
        methods = simplest_first(self.app_methods(rec))
        hosts = simplest_first(self.app_hosts(rec))
        paths = simplest_first(self.app_paths(rec))
        for u in users or [None]:
            for m, mt in methods:
                for h, ht in hosts:
                    for segs, pt in paths:
                        if self.allowed(u, m, h, segs, proven.get(u)):
                            continue
                        reading = [t for t in (("method:" + mt) if mt != "plain" else "",
                                               ("host:" + ht) if ht not in ("plain", "none") else "",
                                               ("path:" + pt) if pt != "plain" else "") if t]
                        need = "a user" if u is None else self.requirement(m, h, segs)
                        if u is not None and not need.startswith("2fa:") and not any(
                                how != "token" or self.in_scope(sc, m, segs)
                                for how, sc in proven.get(u, [])):
                            need = "the app token's scope"
                        if u is not None and u in READ_ONLY and m not in RO_METHODS:
                            need = "a method a read-only user may use"
                        return [{"class": (u is None and "anonymous" or "authorization") + "@" +
                                 ("+".join(reading) or "plain"),
                                 "why": "user=%s method=%s host=%s path=/%s [%s] needs %s" % (
                                     u or "-", m, h, "/".join(s.decode("latin-1") for s in segs),
                                     ", ".join(reading) or "plain reading", need)}]
        return []


class NoRulesModel(Model):
    """The policy without rule lines (the nginx zero-hop site: gatekeep-authz hands out
    tickets only then): /public needs no user, anything else any authenticated user."""
    @staticmethod
    def requirement(method, host, segs):
        return "any"
