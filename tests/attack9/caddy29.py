#!/usr/bin/python3
"""tests/attack9/caddy29.py: turns Caddy 2.6's JSON for a forward_auth (caddy adapt) into
what Caddy 2.9.0 to 2.11.1 make of the same Caddyfile (forwardauth/caddyfile.go after
#6608, before #7545): each copy_headers header is set only when the auth answer's value is
not empty ("not vars {http.reverse_proxy.header.X} ''"), nothing else; a client's copy of
the header stays when the answer's is empty or missing. stdin JSON -> stdout JSON."""
import json
import sys


def fix(handler):
    out = []
    for resp in handler.get("handle_response", []):
        if resp.get("match", {}).get("status_code") != [2]:
            continue
        routes = [{"handle": [{"handler": "vars"}]}]
        for route in resp.get("routes", []):
            for h in route.get("handle", []):
                for name, vals in sorted(h.get("request", {}).get("set", {}).items()):
                    routes.append({
                        "match": [{"not": [{"vars": {vals[0]: [""]}}]}],
                        "handle": [{"handler": "headers", "request": {"set": {name: vals}}}]})
                    out.append(name)
        resp["routes"] = routes
    return out


def walk(o, found):
    if isinstance(o, dict):
        if o.get("handler") == "reverse_proxy" and "handle_response" in o:
            found += fix(o)
        for v in o.values():
            walk(v, found)
    elif isinstance(o, list):
        for v in o:
            walk(v, found)


conf = json.load(sys.stdin)
found = []
walk(conf, found)
if not found:
    sys.exit("caddy29.py: no forward_auth copy_headers found")
json.dump(conf, sys.stdout, indent=1)
