#!/usr/bin/python3
"""tests/oidc/drive.py: plays the browser through one provider sign-in and prints what happened as JSON.

  drive.py BASE PREFIX ACCOUNT [--nonce X] [--state X] [--drop-flow-cookie]
           [--before-callback SHELLCMD] [--replay] [--rd RD]

BASE is the nginx origin (http://127.0.0.1:PORT), PREFIX the login program's path
(/gatekeep). ACCOUNT is the provider account (oidc-provider's dev login form) or, for
the GitHub stand-in, the login_as user. The tampering options change what the
browser carries: the nonce sent to the provider, the state returned to us, the
flow cookie; --replay sends the same callback twice.
"""
import argparse
import base64
import html
import http.cookiejar
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("prefix")
    ap.add_argument("account")
    ap.add_argument("--nonce")
    ap.add_argument("--state")
    ap.add_argument("--drop-flow-cookie", action="store_true")
    ap.add_argument("--before-callback")
    ap.add_argument("--replay", action="store_true")
    ap.add_argument("--rd", default="/protected/")
    a = ap.parse_args()

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    out = {"steps": []}

    def req(url, data=None):
        r = urllib.request.Request(url, data=data.encode() if data is not None else None)
        r.add_header("Accept", "text/html")
        try:
            resp = opener.open(r, timeout=20)
        except urllib.error.HTTPError as e:
            resp = e
        body = resp.read().decode("utf-8", "replace")
        loc = resp.headers.get("Location")
        cookies = resp.headers.get_all("Set-Cookie") or []
        out["steps"].append({"url": url.split("?")[0], "status": resp.status if hasattr(resp, "status") else resp.code})
        return (resp.status if hasattr(resp, "status") else resp.code), loc, body, cookies

    # 1. The login page offers the provider button, carrying rd.
    st, loc, body, _ = req(a.base + a.prefix + "/login?rd=" + urllib.parse.quote(a.rd, safe=""))
    m = re.search(r'<a class="button" id="gk-oidc" href="([^"]+)">([^<]*)</a>', body)
    out["login_status"] = st
    out["button"] = html.unescape(m.group(2)) if m else None
    start = a.base + html.unescape(m.group(1)) if m else a.base + a.prefix + "/oidc"
    out["start_href"] = html.unescape(m.group(1)) if m else None

    # 2. Start: a 303 to the provider plus the flow cookie.
    st, loc, body, cookies = req(start)
    out["start_status"], out["start_cookies"] = st, [c.split("=")[0] for c in cookies]
    out["start_cookie_attrs"] = cookies[0].split(";", 1)[1] if cookies else ""
    if st != 303 or not loc:
        out["error"] = "start did not redirect"
        print(json.dumps(out))
        return
    auth = urllib.parse.urlsplit(loc)
    q = dict(urllib.parse.parse_qsl(auth.query))
    out["auth_params"] = sorted(q.keys())
    out["auth_query"] = {k: q[k] for k in ("response_type", "scope", "code_challenge_method", "client_id",
                                           "redirect_uri") if k in q}
    if a.nonce is not None:
        q["nonce"] = a.nonce
    if "login_as" not in q:
        q["login_as"] = a.account       # the GitHub stand-in's way to pick a user
    url = urllib.parse.urlunsplit((auth.scheme, auth.netloc, auth.path, urllib.parse.urlencode(q), ""))
    origin = "%s://%s" % (auth.scheme, auth.netloc)

    # 3. The provider: follow redirects, fill its dev login form, accept consent.
    callback = None
    data = None
    for _ in range(20):
        st, loc, body, _ = req(url, data)
        data = None
        if loc:
            nxt = urllib.parse.urljoin(url, loc)
            if nxt.startswith(a.base + a.prefix):
                callback = nxt
                break
            url = nxt
            continue
        fm = re.search(r'<form[^>]*action="([^"]+)"[^>]*method="post"', body)
        if st == 200 and fm:
            url = urllib.parse.urljoin(origin + "/", html.unescape(fm.group(1)))
            if 'name="login"' in body:
                data = urllib.parse.urlencode({"prompt": "login", "login": a.account, "password": "x"})
            else:
                data = urllib.parse.urlencode({"prompt": "consent"})
            continue
        out["error"] = "provider flow stuck at %s (%d)" % (url.split("?")[0], st)
        out["provider_body"] = body[:300]
        print(json.dumps(out))
        return
    if callback is None:
        out["error"] = "never came back"
        print(json.dumps(out))
        return

    # 4. Back to us, maybe tampered with.
    cb = urllib.parse.urlsplit(callback)
    cq = dict(urllib.parse.parse_qsl(cb.query))
    out["callback_params"] = sorted(cq.keys())
    if a.state is not None:
        cq["state"] = a.state
    callback = urllib.parse.urlunsplit((cb.scheme, cb.netloc, cb.path, urllib.parse.urlencode(cq), ""))
    if a.drop_flow_cookie:
        for c in list(jar):
            if c.name.endswith("_oidc"):
                jar.clear(c.domain, c.path, c.name)
    if a.before_callback:
        subprocess.run(a.before_callback, shell=True, check=False)
    st, loc, body, cookies = req(callback)
    out["callback_status"], out["callback_location"] = st, loc
    out["callback_cookies"] = [c.split(";")[0].split("=")[0] + ("=" if c.split(";")[0].split("=", 1)[1] else "=<empty>")
                               for c in cookies]
    text = re.sub(r"<(style|head)\b.*?</\1>", " ", body, flags=re.S)
    out["callback_body"] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:300] if st != 303 else ""
    out["session"] = any(c.name == "gatekeep_session" and c.value for c in jar)
    for c in jar:   # the session's "amr" claim (none: password level)
        if c.name == "gatekeep_session" and c.value.count(".") == 2:
            p = c.value.split(".")[1]
            out["amr"] = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))).get("amr", [])
    if a.replay:
        st2, _, _, cookies2 = req(callback)
        out["replay_status"] = st2
        out["replay_cookies"] = [c.split("=")[0] for c in cookies2 if c.split(";")[0].split("=", 1)[1]]

    # 5. The protected page with whatever cookie we now hold.
    if loc:
        st, _, body, _ = req(urllib.parse.urljoin(a.base + "/", loc))
        out["protected_status"] = st
        m = re.search(r'<h1 id="greeting">([^<]*)</h1>', body)
        out["greeting"] = m.group(1) if m else None
        m = re.search(r"user=([^ ]*) on", body)
        out["remote_user"] = m.group(1) if m else None
    st, _, body, _ = req(a.base + a.prefix + "/whoami")
    out["whoami_status"] = st
    out["whoami"] = json.loads(body) if st == 200 else None
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
