#!/usr/bin/python3
"""tests/seams/selftest.py: the seam checker's oracle on known cases, without any server.

An oracle that allowed everything would make tests/seams.sh pass forever: each seam of
issue 9 (and a few plain requests that must stay clean) is checked here as a recorded
request. Prints one line per case and exits 1 if any verdict is not the expected one.
"""
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutate   # noqa: E402
import policy   # noqa: E402

TOKENS = {"tok-alice": "alice", "tok-bob": "bob"}
# app tokens: token -> (user, scope); erin's is path=/staff/,method=GET
APP = {"gk1.alice-app": ("alice", None), "gk1.bob-app": ("bob", None),
       "gk1.erin-app": ("erin", ((b"staff",), {"GET"}))}


def basic(pair):
    return ("Authorization", "Basic " + base64.b64encode(pair.encode()).decode())


def http(method, target, headers, user=None):
    h = [["Host", "127.0.0.1:8080"]] + [list(x) for x in headers]
    if user is not None:
        h.append(["Remote-User", user])
    return {"kind": "http", "rid": 1, "method": method, "target": target, "headers": h}


def cgi(method, target, user="", **env):
    e = {"HTTP_HOST": "127.0.0.1", "REQUEST_URI": target, "REMOTE_USER": user}
    e.update(env)
    return {"kind": "cgi", "rid": 1, "method": method, "target": target, "env": e}


A, B, R = basic("alice:alice-pw"), basic("bob:bob-pw"), basic("rita:rita-pw")
# (label, client headers, what the app recorded, expected class or None)
CASES = [
    ("plain: alice GET /private/x", [A], http("GET", "/private/x", [], "alice"), None),
    ("plain: bob GET /admin/", [B], http("GET", "/admin/", [], "bob"), None),
    ("plain: anonymous /public/x", [], http("GET", "/public/x", []), None),
    ("plain: anonymous /public/x as Apache's DefaultUser", [], cgi("GET", "/public/x", "anonymous"), None),
    ("plain: rita GET /private/", [R], cgi("GET", "/private/", "rita"), None),
    ("plain: bob DELETE /private/del/x", [B], http("DELETE", "/private/del/x", [], "bob"), None),
    ("plain: alice by session cookie", [("Cookie", "a=1; gatekeep_session=tok-alice")],
     http("GET", "/private/", [], "alice"), None),
    ("plain: Basic with two spaces (RFC 7235 1*SP)", [("Authorization", "Basic  " + A[1][6:])],
     http("GET", "/private/", [], "alice"), None),
    ("item 1: Caddy X_Forwarded_Uri, anonymous /private/secret", [("X_Forwarded_Uri", "/public/x")],
     http("GET", "/private/secret", [("X_Forwarded_Uri", "/public/x")]), "anonymous@plain"),
    ("item 2: bypass host served as bob", [("Host", "intranet.test")],
     http("GET", "/private/", [], "bob"), "identity"),
    ("item 3: /ADMIN/panel as alice", [A], http("GET", "/ADMIN/panel", [], "alice"),
     "authorization@path:case-folded"),
    ("item 3: /admin/..;/x as alice", [A], http("GET", "/admin/..;/x", [], "alice"), "authorization@plain"),
    ("item 3: /staff;x=1/x as alice", [A], http("GET", "/staff;x=1/x", [], "alice"),
     "authorization@path:semicolon-strip-raw"),
    ("item 4: Basic alice:pw NUL junk, Apache says alice", [basic("alice:alice-pw\0junk")],
     cgi("GET", "/private/", "alice"), "identity"),
    ("item 4: junk after the base64", [("Authorization", A[1] + "junk")], cgi("GET", "/private/", "alice"),
     "identity"),
    ("item 4: two Authorization headers", [A, B], cgi("GET", "/private/", "bob"), "identity"),
    ("read-only rita's DELETE", [R], cgi("DELETE", "/private/", "rita"), "authorization@plain"),
    ("read-only rita's GET with X-HTTP-Method-Override: DELETE", [R],
     http("GET", "/private/", [("X-HTTP-Method-Override", "DELETE")], "rita"),
     "authorization@method:override-header"),
    ("alice's DeLeTe on the method rule", [A], http("DeLeTe", "/private/del/x", [], "alice"),
     "authorization@method:upper-cased"),
    ("alice on host admin.test", [A], http("GET", "/private/", [("Host", "ADMIN.test.:80")], "alice"),
     "authorization@plain"),
    ("anonymous /public/%c0%ae%c0%ae/admin/", [], cgi("GET", "/public/%c0%ae%c0%ae/admin/"),
     "anonymous@path:overlong-nul"),
    ("plain: anonymous /./public//x", [], http("GET", "/./public//x", []), None),
    ("anonymous /admin/../public/x (a raw router sees /admin)", [],
     http("GET", "/admin/../public/x", []), "anonymous@path:dotdot-literal"),
    ("anonymous /p%75blic/x (a raw router does not see /public)", [],
     http("GET", "/p%75blic/x", []), "anonymous@path:undecoded"),
    ("client Remote-User: bob with alice's Basic", [A, ("Remote-User", "bob")],
     http("GET", "/private/", [], "bob"), "identity"),
    ("client Remote-Email on a bypassed path", [("Remote-Email", "seamspoof@x")],
     http("GET", "/public/x", [("Remote-Email", "seamspoof@x")]), "identity-header:remote-email"),
    ("client Remote_Groups as HTTP_REMOTE_GROUPS", [A, ("Remote_Groups", "seamspoof")],
     cgi("GET", "/private/", "alice", HTTP_REMOTE_GROUPS="admins, seamspoof"),
     "identity-header:remote-groups"),
    ("plain: gatekeep's own Remote-Name", [A], http("GET", "/private/", [("Remote-Name", "Alice A")], "alice"),
     None),
    ("plain: alice by Bearer app token", [("Authorization", "Bearer gk1.alice-app")],
     http("GET", "/private/", [], "alice"), None),
    ("plain: bearer (any case) 1*SP", [("Authorization", "bearer  gk1.alice-app")],
     http("GET", "/private/", [], "alice"), None),
    ("plain: alice's app token as her Basic password", [basic("alice:gk1.alice-app")],
     http("GET", "/private/", [], "alice"), None),
    ("alice's app token as bob's Basic password", [basic("bob:gk1.alice-app")],
     http("GET", "/private/", [], "bob"), "identity"),
    ("Bearer comma-merged: the first token served", [("Authorization", "Bearer gk1.alice-app, Bearer gk1.bob-app")],
     http("GET", "/private/", [], "alice"), "identity"),
    ("two Bearer headers", [("Authorization", "Bearer gk1.bob-app"), ("Authorization", "Bearer gk1.alice-app")],
     http("GET", "/private/", [], "alice"), "identity"),
    ("plain: erin's scoped token, GET /staff/x", [("Authorization", "Bearer gk1.erin-app")],
     http("GET", "/staff/x", [], "erin"), None),
    ("plain: erin's scoped token, HEAD /staff/x (GET includes HEAD)", [("Authorization", "Bearer gk1.erin-app")],
     http("HEAD", "/staff/x", [], "erin"), None),
    ("erin's scoped token outside its path", [("Authorization", "Bearer gk1.erin-app")],
     http("GET", "/private/x", [], "erin"), "authorization@plain"),
    ("erin's scoped token, PUT", [("Authorization", "Bearer gk1.erin-app")],
     http("PUT", "/staff/x", [], "erin"), "authorization@plain"),
    ("erin's password where her token is scoped", [basic("erin:erin-pw")],
     http("PUT", "/staff/x", [], "erin"), None),
    ("2fa path: alice's session with a client amr header", [("Cookie", "gatekeep_session=tok-alice"),
                                                              ("X-Gatekeep-Amr", "pwd otp")],
     http("GET", "/private/2fa/x", [("X-Gatekeep-Amr", "pwd otp")], "alice"), "authorization@plain"),
    ("2fa path: bob's password (admins too)", [B], http("GET", "/private/2fa/", [], "bob"),
     "authorization@plain"),
    ("plain: 2fa path, alice's app token", [("Authorization", "Bearer gk1.alice-app")],
     http("GET", "/private/2fa/x", [], "alice"), None),
]


def main():
    model = policy.Model(tokens=TOKENS, anon_user="anonymous", app_tokens=APP)
    bad = 0
    for label, headers, rec, want in CASES:
        req = mutate.Request(rec["method"], rec["target"], list(headers), b"", [])
        got = model.check(req, rec)
        cls = got[0]["class"] if got else None
        ok = cls == want
        bad += not ok
        print("%s %s: %s" % ("ok  " if ok else "FAIL", label, cls or "no violation") +
              ("" if ok else " (want %s)" % want))
    print("selftest: %d cases, %d wrong" % (len(CASES), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
