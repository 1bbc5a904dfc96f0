#!/bin/bash
# admin_prompt.sh: the /dev/tty password prompt, driven through a pseudo-terminal:
# no echo, retype mismatch (exit 3), ^C (exit 4) and the terminal restored afterwards.
. "$top_srcdir/tests/lib.sh"

P=$GK_PASSWD
[ -x "$P" ] || bail "$P not built"
cd "$TMP" || bail "no TMP"
for v in $(env | sed -n 's/^\(GATEKEEP_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
"$P" --init users.db 2>/dev/null || bail "--init failed"

# pty_run ACTIONS -- ARGS...: runs gatekeep-passwd on a new pseudo-terminal as its
# controlling terminal. ACTIONS is a list of "text" to type after each prompt, or
# "^C" to send SIGINT. Prints: exit status, whether ECHO is on afterwards, and what
# the terminal showed (with \r removed).
pty_run() {
	/usr/bin/python3 - "$P" "$@" <<'PY'
import os, sys, subprocess, termios, time, signal, select, fcntl
prog = sys.argv[1]
i = sys.argv.index("--")
actions, args = sys.argv[2:i], sys.argv[i + 1:]
master, slave = os.openpty()
def setctty():
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
p = subprocess.Popen([prog] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, preexec_fn=setctty, pass_fds=(slave,))
shown = b""
def read_until(pat, timeout=10):
    global shown
    end = time.time() + timeout
    while pat not in shown and time.time() < end:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                shown += os.read(master, 4096)
            except OSError:
                break
for a in actions:
    read_until(b"password: ")
    shown += b"|"   # marks where this prompt's input went
    if a == "^C":
        time.sleep(0.2)
        os.killpg(p.pid, signal.SIGINT)
        break
    time.sleep(0.1)  # let the program switch echo off first
    os.write(master, a.encode() + b"\n")
out, _ = p.communicate(timeout=30)
time.sleep(0.1)
try:
    while select.select([master], [], [], 0.1)[0]:
        shown += os.read(master, 4096)
except OSError:
    pass
echo = "echo-on" if termios.tcgetattr(slave)[3] & termios.ECHO else "echo-off"
print(p.returncode, echo)
print(shown.decode(errors="replace").replace("\r", ""))
print(out.decode(errors="replace"))
PY
}

res=$(pty_run 'secret one' 'secret one' -- users.db alice)
like "$(head -1 <<<"$res")" '^0 echo-on$' "matching passwords typed twice: exit 0, echo restored"
like "$res" 'New password: ' "asks for the new password"
like "$res" 'Re-type new password: ' "asks to retype it"
unlike "$res" 'secret one' "the typed password is never echoed"
"$P" -v -b users.db alice 'secret one' 2>/dev/null
is "$?" 0 "the prompted password was stored"

res=$(pty_run 'first try' 'second try' -- users.db bob)
like "$(head -1 <<<"$res")" '^3 echo-on$' "mismatched retype: exit 3, echo restored"
like "$res" 'password verification error' "mismatch message"
"$P" -v -b users.db bob 'first try' 2>/dev/null
is "$?" 6 "nothing was stored after a mismatch"

res=$(pty_run 'secret one' -- -v users.db alice)
like "$(head -1 <<<"$res")" '^0 echo-on$' "-v prompts once and verifies: exit 0"
like "$res" 'Enter password: ' "-v asks 'Enter password'"
res=$(pty_run 'wrong' -- -v users.db alice)
like "$(head -1 <<<"$res")" '^3 ' "-v with a wrong typed password: exit 3"

res=$(pty_run '^C' -- users.db carol)
like "$(head -1 <<<"$res")" '^4 echo-on$' "^C at the prompt: exit 4 and echo restored"
like "$res" 'interrupted' "^C is reported"
"$P" -v -b users.db carol x 2>/dev/null
is "$?" 6 "nothing was stored after ^C"

res=$(pty_run -- nowhere.db dave)
like "$(head -1 <<<"$res")" '^1 ' "a missing database fails (exit 1) ..."
unlike "$res" 'password: ' "... before asking for a password"
res=$(pty_run -- -v nowhere.db dave)
like "$(head -1 <<<"$res")" '^1 ' "-v on a missing database fails before asking too"
unlike "$res" 'password: ' "... no prompt shown"

res=$(pty_run 'typed' 'typed' -- -n -B carol)
like "$(head -1 <<<"$res")" '^0 ' "-n prompts on the terminal too"
like "$res" 'carol:\$2b\$' "-n prints the user:hash line after prompting"

done_testing
