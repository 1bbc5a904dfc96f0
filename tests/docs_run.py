#!/usr/bin/python3
# tests/docs_run.py: README.md and docs/howto-*.md as executable documentation (TAP output).
# Every code block of those files (fenced, or indented by 4 spaces) carries a marker, an HTML
# comment on a line before it (invisible when rendered):
#   <!-- docs-run: sh [expect=REGEX]... -->   commands: run in bash -e, in document order, on a
#                                            terminal (password prompts get the test password);
#                                            each REGEX must match the output, in order
#   <!-- docs-run: file PATH -->             a file to write to PATH
#   <!-- docs-run: app -->                   the app's own settings (the stand-in reads none)
#   <!-- docs-run: skip REASON -->           not run here (REASON says what runs it instead)
# A block without a marker is a failure. Each document is one deployment in its own root
# ($TMP/root-NAME). One nginx serves every how-to's site on one loopback port (server_name
# picks the site), with its workers as www-data when run as root, and one stand-in app answers
# on every upstream port with the Remote-User header it got. A browser-like client (cookies
# kept, redirects followed) then walks each app: its URL -> the login page -> signed in ->
# back on the app, which saw the right Remote-User.
#
# What the test changes, and nothing else (the docs stay what an admin types):
#   - absolute paths under /etc, /var/lib/gatekeep and /run/gatekeep live under the
#     document's root; /etc/nginx/ is the test nginx's directory ($TMP/nginx/);
#   - "listen 80" is 127.0.0.1:PORT; the apps' upstream ports 127.0.0.1:N are free ports;
#     the private address 10.11.1.11 is 127.0.0.11 (and its port 8090 a free one);
#     http(s)://NAME.example.com is http://NAME.example.com:PORT (no TLS in the test);
#   - PASSWORD in a command is the password typed at the prompts;
#   - the environment: PATH has the built programs, GATEKEEP_CONFIG is the root's
#     /etc/gatekeep/gatekeep.conf (the programs' default path), GATEKEEP_COOKIE_SECURE=false
#     (plain http), GATEKEEP_LOG_TARGET=stderr;
#   - the services' user: as root without a "gatekeep" user (the package creates it),
#     nobody:nogroup (GATEKEEP_RUN_USER/_GROUP, and "chown -R gatekeep:gatekeep"); not root,
#     the test's own user (also in --socket-owner);
#   - the test's nginx passes HTTP_HOST with the port (docs/login.md: Debian's fastcgi_params
#     drops it, which only matters on a non-standard port like the test's);
#   - what installing gatekeep creates is there: /etc/gatekeep, /var/lib/gatekeep and
#     /run/gatekeep (mode 0755, root's), /etc/gatekeep/gatekeep.conf = contrib/gatekeep.conf
#     (every line a comment); the built-in database and secret_file paths are the root's
#     (GATEKEEP_DATABASE, GATEKEEP_SECRET_FILE);
#   - shell functions: "cp contrib/FILE DEST" applies these rewrites to DEST;
#     "gatekeep-authz/-login --listen ..." start in the background and wait for their
#     socket; "nginx" is the test's nginx (-p/-c added; -s reload waits for the new
#     workers); "curl" resolves the example.com names to 127.0.0.1.
# DOCS_RUN_ONLY=WORD runs only the documents whose path contains WORD.
# Usage: docs_run.py SRCDIR BUILDDIR TMPDIR
import html
import http.cookiejar
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REWRITE_ONLY = sys.argv[1] == "--rewrite"     # --rewrite TMP ROOT FILE (the cp function)
if REWRITE_ONLY:
    SRC = BUILD = None
    TMP = sys.argv[2]
else:
    SRC, BUILD, TMP = sys.argv[1:4]
DOCS = ["README.md", "docs/howto-navidrome.md", "docs/howto-2fauth.md",
        "docs/howto-pytorrent.md", "docs/howto-organizr.md", "docs/howto-tisbackup.md"]
PW = "Docs-run-pw-7"          # what the test types at every password prompt
if os.environ.get("DOCS_RUN_ONLY"):     # e.g. DOCS_RUN_ONLY=navidrome: one document
    DOCS = [d for d in DOCS if os.environ["DOCS_RUN_ONLY"] in d]
AS_ROOT = os.geteuid() == 0
# the services' user: "gatekeep" (the package creates it), else nobody; not root, our own
if not AS_ROOT:
    RUN_AS = (os.popen("id -un").read().strip(), os.popen("id -gn").read().strip())
elif subprocess.call(["getent", "passwd", "gatekeep"], stdout=subprocess.DEVNULL) == 0:
    RUN_AS = ("gatekeep", "gatekeep")
else:
    RUN_AS = ("nobody", "nogroup")
# the browser walk per how-to: host, path, user, what the app must see
WALKS = {
    "docs/howto-navidrome.md": ("music.example.com", "/app/", "alice"),
    "docs/howto-2fauth.md": ("2fauth.example.com", "/", "alice"),
    "docs/howto-pytorrent.md": ("pytorrent.example.com", "/", "alice"),
    "docs/howto-organizr.md": ("home.example.com", "/portainer/", "alice"),
    "docs/howto-tisbackup.md": ("tisbackup.example.com", "/", "admin"),
    "README.md": ("app.example.com", "/", "alice", "s3cret"),
}

n = 0
failed = 0
procs = []


def ok(cond, desc, detail=None):
    global n, failed
    n += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, desc))
    if not cond:
        failed += 1
        if detail:
            for line in str(detail).splitlines()[-25:]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


def diag(msg):
    for line in str(msg).splitlines():
        print("# " + line)
    sys.stdout.flush()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def cleanup():
    pids = os.path.join(TMP, "daemons.pids")
    extra = []
    if os.path.exists(pids):
        extra = [int(x) for x in open(pids).read().split()]
    for pid in extra + [p.pid for p in procs]:
        try:
            os.killpg(pid, signal.SIGTERM)
        except OSError:
            pass
    time.sleep(0.3)
    for pid in extra + [p.pid for p in procs]:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


# --- the Markdown --------------------------------------------------------------------------
MARK = re.compile(r"^<!-- docs-run: (.*) -->$")


def blocks(path):
    """(marker or None, info string, text, line number) for every code block: fenced, or
    indented by 4 spaces after a blank line (not a list item's continuation)."""
    lines = open(path).read().split("\n")
    out, mark, i, prev = [], None, 0, ""
    while i < len(lines):
        m = MARK.match(lines[i].strip())
        if m:
            mark = m.group(1)
        elif lines[i].startswith("    ") and lines[i].strip() and i > 0 and not lines[i - 1].strip() \
                and not re.match(r"^\s*([-*+]|\d+\.) ", prev):
            j = i
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                j += 1
            out.append((mark, "", "\n".join(x[4:] for x in lines[i:j]).rstrip("\n") + "\n", i + 1))
            mark, i = None, j
            continue
        elif lines[i].startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append((mark, lines[i][3:].strip(), "\n".join(lines[i + 1:j]) + "\n", i + 1))
            mark, i = None, j
        elif lines[i].strip() and not lines[i].startswith("<!--"):
            mark = None        # a marker belongs to the block right after it
        if lines[i].strip():
            prev = lines[i]
        i += 1
    return out


# --- the rewrites ------------------------------------------------------------------------
PORT = free_port()                 # nginx, every site
PRIV_PORT = free_port()            # pyTorrent's private listener (10.11.1.11:8090)
APP_PORTS = {}                     # documented upstream port -> free port
HOSTS = set()


def save_ports():
    json.dump({"PORT": PORT, "PRIV_PORT": PRIV_PORT, "APP_PORTS": APP_PORTS},
              open(TMP + "/ports.json", "w"))


def rewrite(text, root):
    text = text.replace("10.11.1.11:8090", "127.0.0.11:%d" % PRIV_PORT)
    text = text.replace("10.11.1.11", "127.0.0.11")

    def app_port(m):
        doc = int(m.group(1))
        if doc not in APP_PORTS:
            APP_PORTS[doc] = free_port()
        return "127.0.0.1:%d" % APP_PORTS[doc]
    text = re.sub(r"127\.0\.0\.1:(\d+)\b", app_port, text)
    text = re.sub(r"^(\s*)listen 80;", r"\1listen 127.0.0.1:%d;" % PORT, text, flags=re.M)

    def https(m):
        HOSTS.add(m.group(1))
        return "http://%s:%d" % (m.group(1), PORT)
    text = re.sub(r"https?://([a-z0-9-]+\.example\.com)(?![\w.:-])", https, text)
    text = re.sub(r"(?<![\w.-])/etc/nginx/", TMP + "/nginx/", text)
    text = re.sub(r"(?<![\w.-])(/etc/|/var/lib/gatekeep|/run/gatekeep)", root + r"\1", text)
    text = re.sub(r"\bPASSWORD\b", PW, text)
    text = text.replace("chown -R gatekeep:gatekeep ", "chown -R %s:%s " % RUN_AS)
    if not AS_ROOT:
        text = re.sub(r"--socket-owner \S+", "--socket-owner %s:%s" % RUN_AS, text)
    return text


# --- running commands on a terminal --------------------------------------------------------
PRELUDE = r'''
DOCS_LOG=%(log)s
DOCS_ROOT=%(root)s
docs_daemon() {  # PROG ARGS...: a server in the background, up when its socket is
	local prog="$1" sock="" a prev="" i pid
	shift
	for a in "$@"; do
		[ "$prev" = --listen ] && sock="$a"
		case "$a" in --listen=*) sock="${a#--listen=}" ;; esac
		prev="$a"
	done
	setsid "$(type -P "$prog")" "$@" >>"$DOCS_LOG/$prog.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >>%(tmp)s/daemons.pids
	for i in $(seq 1 50); do
		case "$sock" in
		unix:*) [ -S "${sock#unix:}" ] && return 0 ;;
		tcp:*) (exec 3<>"/dev/tcp/${sock#tcp:}" ) 2>/dev/null && return 0 ;;
		esac
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "$prog did not come up; its log:" >&2
	tail -n 20 "$DOCS_LOG/$prog.log" >&2
	return 1
}
gatekeep-authz() { case " $* " in *" --listen"*) docs_daemon gatekeep-authz "$@" ;; *) command gatekeep-authz "$@" ;; esac; }
gatekeep-login() { case " $* " in *" --listen"*) docs_daemon gatekeep-login "$@" ;; *) command gatekeep-login "$@" ;; esac; }
nginx() {
	local old i
	old=$(pgrep -P "$(cat %(tmp)s/nginx/nginx.pid)" | sort)
	command nginx -p %(tmp)s/nginx -c %(tmp)s/nginx/nginx.conf "$@" || return
	case " $* " in *" -s reload "*) ;; *) return 0 ;; esac
	for i in $(seq 1 100); do   # the old workers gone, new ones up
		new=$(pgrep -P "$(cat %(tmp)s/nginx/nginx.pid)" | sort)
		[ -n "$new" ] && [ -z "$(comm -12 <(echo "$old") <(echo "$new"))" ] && return 0
		sleep 0.1
	done
	echo "nginx did not reload" >&2; return 1
}
cp() {  # a file copied from contrib/ gets the rewrites the blocks get
	command cp "$@" || return
	local dst="${@: -1}" src f
	for src in "${@:1:$#-1}"; do
		case "$src" in contrib/*)
			f="$dst"; [ -d "$dst" ] && f="$dst/${src##*/}"
			python3 %(me)s --rewrite %(tmp)s "$DOCS_ROOT" "$f" || return ;;
		esac
	done
}
curl() { command curl -sS --max-time 10 %(resolve)s "$@"; }
'''


def pty_read(master):
    """What the pty has, or None at its end (EOF, or EIO once no process holds the other side)."""
    try:
        data = os.read(master, 4096)
    except OSError:
        return None
    return data or None


def run_sh(script, env, timeout=60):
    """bash -e on a pseudo-terminal; answers password prompts. Returns (status, output)."""
    master, slave = os.openpty()

    def pre():
        import fcntl
        import termios
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    p = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", script], stdin=slave,
                         stdout=slave, stderr=slave, env=env, cwd=SRC,
                         start_new_session=True, preexec_fn=pre)
    os.close(slave)
    out, pending, end = b"", b"", time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([master], [], [], 0.2)
        if master in r:
            data = pty_read(master)
            if data is None:
                break
            out += data
            pending += data
            if re.search(rb"[Pp]assword: *$", pending):
                os.write(master, PW.encode() + b"\n")
                pending = b""
        elif p.poll() is not None:
            break
    try:
        rc = p.wait(max(1, end - time.time()))
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out += b"\n(timed out)"
        rc = p.wait()
    # what the last command wrote between the last select and its exit is still in the
    # pty: read it to the end (EIO once no process holds the other side)
    drain_end = time.time() + 5
    while time.time() < drain_end and select.select([master], [], [], 0.2)[0]:
        data = pty_read(master)
        if data is None:
            break
        out += data
    os.close(master)
    return rc, out.decode(errors="replace").replace("\r\n", "\n")


# --- the stand-in app ----------------------------------------------------------------------
class Echo(BaseHTTPRequestHandler):
    def answer(self):
        body = json.dumps({"standin": self.server.docport, "path": self.path,
                           "remote_user": self.headers.get("Remote-User"),
                           "remote_email": self.headers.get("Remote-Email")}).encode() + b"\n"
        self.send_response(200)
        self.send_header("Server", "docs-standin")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = do_HEAD = answer

    def log_message(self, *a):
        pass


def start_standins():
    for docport, port in APP_PORTS.items():
        srv = ThreadingHTTPServer(("127.0.0.1", port), Echo)
        srv.docport = docport
        threading.Thread(target=srv.serve_forever, daemon=True).start()


# --- nginx -------------------------------------------------------------------------------
def start_nginx():
    d = TMP + "/nginx"
    os.makedirs(d + "/sites-enabled", exist_ok=True)
    # Debian's fastcgi_params passes HTTP_HOST as $host, without the port (docs/login.md):
    # the how-tos' sites are on the standard port, the test's is not.
    params = open("/etc/nginx/fastcgi_params").read()
    params = re.sub(r"(fastcgi_param\s+HTTP_HOST\s+)\$host;", r"\1$host:$server_port;", params)
    open(d + "/fastcgi_params", "w").write(params)
    user = "user www-data www-data;" if AS_ROOT else ""
    open(d + "/nginx.conf", "w").write("""%s
worker_processes 1;
pid %s/nginx.pid;
error_log %s/error.log info;
events { worker_connections 64; }
http {
	access_log %s/access.log;
	client_body_temp_path %s/body; proxy_temp_path %s/proxy; fastcgi_temp_path %s/fastcgi;
	uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;
	server { listen 127.0.0.1:%d default_server; return 404 "no site\\n"; }
	include %s/sites-enabled/*;
}
""" % (user, d, d, d, d, d, d, d, d, PORT, d))
    p = subprocess.Popen(["nginx", "-p", d, "-c", d + "/nginx.conf", "-g", "daemon off;"],
                         start_new_session=True, stdout=open(TMP + "/log/nginx.out", "w"),
                         stderr=subprocess.STDOUT)
    procs.append(p)
    for _ in range(100):
        if os.path.exists(d + "/nginx.pid"):
            try:
                socket.create_connection(("127.0.0.1", PORT), 0.2).close()
                return True
            except OSError:
                pass
        time.sleep(0.1)
    return False


# --- the browser ---------------------------------------------------------------------------
_real_gai = socket.getaddrinfo


def _gai(host, *a, **k):
    if isinstance(host, str) and host.endswith(".example.com"):
        host = "127.0.0.1"
    return _real_gai(host, *a, **k)


socket.getaddrinfo = _gai


class FormParse:
    def __init__(self, text):
        self.action = None
        self.fields = {}
        m = re.search(r'<form method="post" action="([^"]*)"', text)
        if m:
            self.action = html.unescape(m.group(1))
        for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text):
            self.fields[m.group(1)] = html.unescape(m.group(2))


def walk(doc, host, path, user, password=PW):
    name = doc.split("howto-")[-1][:-3]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    hdrs = {"Accept": "text/html,application/xhtml+xml", "User-Agent": "docs-run"}
    url = "http://%s:%d%s" % (host, PORT, path)
    try:   # a client's own Remote-User changes nothing
        r = opener.open(urllib.request.Request(url, headers=dict(hdrs, **{"Remote-User": user})),
                        timeout=10)
        page, landed = r.read().decode(errors="replace"), r.geturl()
    except urllib.error.HTTPError as e:
        return ok(False, "%s: %s leads to the login page" % (name, url),
                  "HTTP %d %s\n%s" % (e.code, e.geturl(), e.read()[:300]))
    except Exception as e:
        return ok(False, "%s: %s leads to the login page" % (name, url), repr(e))
    form = FormParse(page)
    if not ok(urllib.parse.urlsplit(landed).path.startswith("/gatekeep/") and form.action
              and "csrf" in form.fields,
              "%s: a browser at %s (claiming Remote-User: %s) lands on the login page" % (name, url, user), landed + "\n" + page[:400]):
        return
    fields = dict(form.fields, user=user, password=password)
    post = urllib.request.Request(urllib.parse.urljoin(landed, form.action),
                                  data=urllib.parse.urlencode(fields).encode(),
                                  headers=dict(hdrs, Origin="http://%s:%d" % (host, PORT),
                                               Referer=landed))
    try:
        r = opener.open(post, timeout=10)
        body, final = r.read().decode(errors="replace"), r.geturl()
    except urllib.error.HTTPError as e:
        return ok(False, "%s: signing in as %s leads back to the app" % (name, user),
                  "HTTP %d %s\n%s" % (e.code, e.geturl(), e.read()[:400]))
    try:
        seen = json.loads(body)
    except ValueError:
        seen = {}
    ok(final == url and seen.get("path") == path,
       "%s: signed in as %s, the browser is back on %s" % (name, user, url), final + "\n" + body[:300])
    ok(seen.get("remote_user") == user,
       "%s: the app saw Remote-User: %s" % (name, user), body[:300])
    # the session cookie lets the browser in again, as that user whatever it claims
    r = opener.open(urllib.request.Request(url, headers=dict(hdrs, **{"Remote-User": "mallory"})),
                    timeout=10)
    ok(json.loads(r.read()).get("remote_user") == user,
       "%s: the session cookie lets %s in on the next request (a Remote-User: mallory "
       "header from the browser changes nothing)" % (name, user))


# --- main ----------------------------------------------------------------------------------
def main():
    os.makedirs(TMP + "/log", exist_ok=True)
    os.chmod(TMP, 0o755)
    if not os.environ.get("DOCS_RUN_ONLY"):
        howtos = sorted("docs/" + f for f in os.listdir(SRC + "/docs") if f.startswith("howto-"))
        ok(set(howtos) <= set(DOCS) and set(howtos) <= set(WALKS),
           "every docs/howto-*.md is run, with its browser walk", " ".join(howtos))
    docs = [(d, blocks(os.path.join(SRC, d))) for d in DOCS]
    unmarked = ["%s:%d" % (d, ln) for d, bl in docs for (m, _, _, ln) in bl if m is None]
    ok(not unmarked, "every code block of the README and the how-tos has a docs-run marker",
       "\n".join(unmarked))
    bad = ["%s:%d: %s" % (d, ln, m) for d, bl in docs for (m, _, _, ln) in bl
           if m is not None and m.split()[0] not in ("sh", "file", "app", "skip")]
    ok(not bad, "every marker is sh, file, app or skip", "\n".join(bad))
    # the rewrites first (they allocate the stand-in ports), then the servers
    plan = []
    for d, bl in docs:
        root = "%s/root-%s" % (TMP, d.split("/")[-1].replace("howto-", "")[:-3])
        plan.append((d, root, [(m, rewrite(t, root), ln) for (m, _, t, ln) in bl if m]))
    # contrib/nginx/gatekeep.conf (the README copies it) uses an upstream port too
    rewrite(open(os.path.join(SRC, "contrib/nginx/gatekeep.conf")).read(), TMP)
    save_ports()
    start_standins()
    if not ok(start_nginx(), "the test's nginx is up on 127.0.0.1:%d" % PORT,
              open(TMP + "/log/nginx.out").read() if os.path.exists(TMP + "/log/nginx.out") else ""):
        return
    path = "%s/fcgi:%s/admin:/usr/sbin:/usr/bin:/sbin:/bin" % (BUILD, BUILD)
    resolve = " ".join("--resolve %s:%d:127.0.0.1" % (h, PORT) for h in sorted(HOSTS | {
        w[0] for w in WALKS.values()}))
    for d, root, bl in plan:
        # what installing gatekeep creates (the package; make install and the units)
        for sub in ("/etc/gatekeep", "/var/lib/gatekeep", "/run/gatekeep"):
            os.makedirs(root + sub, exist_ok=True)
        shutil.copy(os.path.join(SRC, "contrib/gatekeep.conf"), root + "/etc/gatekeep/gatekeep.conf")
        for dirpath, _, _ in os.walk(root):
            os.chmod(dirpath, 0o755)
        env = {"PATH": path, "HOME": root, "LANG": "C.UTF-8", "TERM": "dumb",
               "GATEKEEP_CONFIG": root + "/etc/gatekeep/gatekeep.conf",
               "GATEKEEP_DATABASE": root + "/var/lib/gatekeep/users.db",
               "GATEKEEP_SECRET_FILE": root + "/var/lib/gatekeep/secret",
               "GATEKEEP_COOKIE_SECURE": "false", "GATEKEEP_LOG_TARGET": "stderr"}
        if AS_ROOT and RUN_AS[0] != "gatekeep":
            env.update(GATEKEEP_RUN_USER=RUN_AS[0], GATEKEEP_RUN_GROUP=RUN_AS[1])
        os.makedirs(root + "/log", exist_ok=True)
        prelude = PRELUDE % {"log": root + "/log", "tmp": TMP, "resolve": resolve, "root": root,
                              "me": os.path.abspath(__file__)}
        for mark, text, ln in bl:
            words = shlex.split(mark)
            where = "%s:%d" % (d, ln)
            if words[0] == "file":
                dst = rewrite(words[1], root)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                open(dst, "w").write(text)
                ok(True, "%s: wrote %s" % (where, words[1]))
            elif words[0] == "sh":
                expects = [w[7:] for w in words[1:] if w.startswith("expect=")]
                rc, out = run_sh(prelude + text, env)
                first = text.strip().split("\n")[0]
                if ok(rc == 0, "%s: runs (%s ...)" % (where, first[:60]), out):
                    pos = 0
                    for rx in expects:
                        m = re.compile(rx, re.M).search(out, pos)
                        if ok(m is not None, "%s: the output shows /%s/" % (where, rx), out):
                            pos = m.end()
            else:
                ok(True, "%s: not run here (%s)" % (where, mark), None)
        if d in WALKS:
            walk(d, *WALKS[d])
    for d, root, _ in plan:
        for f in sorted(os.listdir(root + "/log")) if os.path.isdir(root + "/log") else []:
            text = open(os.path.join(root, "log", f), errors="replace").read()
            ok("AddressSanitizer" not in text and "runtime error" not in text,
               "%s: %s has no sanitizer report" % (d, f), text)


if REWRITE_ONLY:
    saved = json.load(open(TMP + "/ports.json"))
    PORT, PRIV_PORT = saved["PORT"], saved["PRIV_PORT"]
    APP_PORTS = {int(k): v for k, v in saved["APP_PORTS"].items()}
    text = open(sys.argv[4]).read()
    open(sys.argv[4], "w").write(rewrite(text, sys.argv[3]))
    sys.exit(0)

try:
    main()
finally:
    cleanup()
    if failed:
        logs = [os.path.join(dp, f) for dp, _, fs in os.walk(TMP) if dp.endswith("/log")
                for f in fs if f.startswith("gatekeep")]
        for f in logs + [TMP + "/nginx/error.log"]:
            if os.path.exists(f):
                diag("tail of %s:" % f)
                diag("\n".join(open(f).read().splitlines()[-15:]))
    print("1..%d" % n)
sys.exit(1 if failed else 0)
