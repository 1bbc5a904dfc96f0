#!/usr/bin/python3
# tests/fault/kill9.py: kill -9 gatekeep-passwd at random points of its write, TRIALS times,
# and check after each kill that the database is the old or the new one (never anything
# else), then that every committed change survived. Passwords are checked through the
# running gatekeep-authz (SOCKET), the reader the contract is about. Prints "key value"
# result lines and "error ..." lines for every violation.
#
# usage: kill9.py GATEKEEP_PASSWD DB SOCKET TRIALS SEED
# Even trials add user tN (password pN); odd trials change user "flip" to password pN.
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fcgi_load import one  # noqa: E402

passwd, db, sock, trials, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
rnd = random.Random(seed)
HASH = ["-2", "-C", "1000"]           # sha256-crypt, cheap: the test is about the file, not the hash
ddir, dbname = os.path.split(os.path.abspath(db))
# LeakSanitizer cannot run under ptrace: traced runs of a sanitizer build skip leak checks
TRACED_ENV = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")


def run(*args):
    return subprocess.run([passwd, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


_checks = [0]


def verifies(user, pw):
    # A /64 of its own per check: the expected failures (users a killed writer never
    # committed) must not add up to a per-address ban (max_failures) on later checks.
    _checks[0] += 1
    st = one(sock, "%s:%s" % (user, pw), b"2001:db8:%x::1" % _checks[0])
    if st not in ("200", "401"):
        print("error: the authorizer answered %s for %s" % (st, user))
    return st == "200"


def exists(user):
    return run("--show=" + user, db) == 0


# The syscalls a write makes from taking the lock to its exit, as (name, n): "the n-th
# call of name". Half of the trials kill the writer exactly there (strace's signal
# injection happens on syscall entry, so the call itself never runs), whatever the load.
TRACED = "openat,write,pwrite64,fsync,fdatasync,rename,renameat2,close,ftruncate,fchmod,fchown,flock,unlink,unlinkat,msync,munmap"


def profile():
    out = os.path.join(ddir, "..", "kill9.trace")
    subprocess.run(["strace", "-f", "-qq", "-o", out, "-e", "trace=" + TRACED, passwd, "-b", *HASH, db,
                    "warm-trace", "warm"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   env=TRACED_ENV)
    seen, points, locked = {}, [], False
    for line in open(out):
        parts = line.split(None, 1)
        if len(parts) < 2 or "(" not in parts[1]:
            continue
        name = parts[1].split("(", 1)[0]
        seen[name] = seen.get(name, 0) + 1
        if name == "flock":
            locked = True
        if locked:
            points.append((name, seen[name]))
    return points


def timed_window():
    """One write watched from outside: from its temp file's appearance to its exit."""
    p = subprocess.Popen([passwd, "-b", *HASH, db, "warm%d" % rnd.randrange(10**9), "warm"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t_tmp = None
    while p.poll() is None:
        if t_tmp is None and tmp_exists():
            t_tmp = time.monotonic()
        time.sleep(0.0003)
    return time.monotonic() - t_tmp if t_tmp is not None else None


def tmp_exists():
    return any(n.startswith(dbname + ".") and not n.endswith(".lock") for n in os.listdir(ddir))


points = profile()
if not any(n == "rename" for n, _ in points):
    print("error: the traced write shows no rename: %r" % points)
    sys.exit(1)
spans = [w for w in (timed_window() for _ in range(3)) if w is not None]
span = max(spans) if spans else 0.05
print("kill_points %d" % len(points))
print("span_ms %.1f" % (span * 1000))

flip_pw = "flip-0"
committed = {}          # user -> password
errors = 0
killed = finished = commits = 0
hit = set()
# The aimed kills take the points in a shuffled round, not at random: every point of the
# write is hit once before any is hit twice (random picks left a quarter of them unhit
# in 50 aimed trials).
order = list(range(len(points)))
rnd.shuffle(order)
aimed = 0
for i in range(trials):
    add = i % 2 == 0
    user, pw = ("t%d" % i, "p%d" % i) if add else ("flip", "p%d" % i)
    cmd = [passwd, "-b", *HASH, db, user, pw]
    if (i // 2) % 2 == 0:
        name, n = points[order[aimed % len(order)]]
        aimed += 1
        hit.add((name, n))
        cmd = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=" + name,
               "-e", "inject=%s:signal=KILL:when=%d" % (name, n)] + cmd
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=TRACED_ENV)
        rc = p.wait()
        if rc == -signal.SIGKILL or rc == 137:
            killed += 1
            rc = -signal.SIGKILL
        else:
            finished += 1
    else:
        # a real kill -9 from outside, at a random instant after the temp file appeared
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while p.poll() is None and not tmp_exists():
            time.sleep(0.0003)
        time.sleep(rnd.uniform(0, span))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            killed += 1
        else:
            finished += 1
        rc = p.wait()
    if rc not in (0, -signal.SIGKILL):
        print("error: trial %d: writer exited %d without being killed" % (i, rc))
        errors += 1
    if run("--check", db) != 0:
        print("error: trial %d: --check fails after the kill" % i)
        errors += 1
    if add:
        if verifies(user, pw):
            committed[user] = pw
            commits += 1
        elif exists(user):
            print("error: trial %d: %s exists but its password does not verify" % (i, user))
            errors += 1
        elif rc == 0:
            print("error: trial %d: writer exited 0 but %s is missing" % (i, user))
            errors += 1
    else:
        if verifies("flip", pw):
            flip_pw = pw
            commits += 1
        elif not verifies("flip", flip_pw):
            print("error: trial %d: flip verifies with neither the old nor the new password" % i)
            errors += 1
        elif rc == 0:
            print("error: trial %d: writer exited 0 but flip has the old password" % i)
            errors += 1

print("kill_points_hit %d" % len(hit))
# nothing committed earlier was lost by a later kill (through the authorizer, and once
# directly with gatekeep-passwd -v for a sample)
lost = 0
for user, pw in sorted(committed.items()):
    if not verifies(user, pw):
        print("error: committed user %s lost or changed" % user)
        lost += 1
for user, pw in sorted(committed.items())[:5]:
    if run("-v", "-b", db, user, pw) != 0:
        print("error: gatekeep-passwd -v fails for committed user %s" % user)
        lost += 1
if not verifies("flip", flip_pw):
    print("error: flip's last committed password does not verify")
    lost += 1
print("trials %d" % trials)
print("killed %d" % killed)
print("finished %d" % finished)
print("commits %d" % commits)
print("aborted %d" % (trials - commits))
print("committed_users %d" % len(committed))
print("lost %d" % lost)
print("errors %d" % (errors + lost))
