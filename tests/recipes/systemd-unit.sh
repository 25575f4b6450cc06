#!/usr/bin/env bash
# Checks the example units logscrub@.socket + logscrub@.service without a running systemd:
#  1. systemd-analyze verify on the templates and an instance (any message counts as a failure:
#     verify exits 0 even when it ignores a misspelt value);
#  2. systemd-analyze security --offline=true (exposure score);
#  3. the fd hand-over the units rely on, reproduced by hand: systemd opens a ListenFIFO= O_RDWR |
#     O_NONBLOCK and, for StandardInput=socket, clears O_NONBLOCK before exec. logscrub runs as an
#     unprivileged uid with no_new_privs (setpriv), as the DynamicUser= would, and must not be
#     able to open the FIFO itself. Also shown: what logscrub does with a still non-blocking
#     stdin, and with SIGTERM before it has read anything.
# systemd-nspawn.sh runs the same units under a real systemd.
# Needs root and python3. Not part of `cargo test`. Uses the installed binary ($LOGSCRUB).
set -euo pipefail
LOGSCRUB=${LOGSCRUB:-/usr/local/bin/logscrub}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/logscrub-systemd.XXXXXX)
chmod 755 "$dir"
cleanup() { set +e; for p in $(pgrep -f "^$LOGSCRUB -o $dir/" 2>/dev/null); do kill -TERM "$p"; done; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# 1. verify
cp "$here/logscrub@.service" "$here/logscrub@.socket" "$dir/"
ln -s logscrub@.service "$dir/logscrub@nginx.service"
ln -s logscrub@.socket "$dir/logscrub@nginx.socket"
man_opt=()
if ! man -w logscrub >/dev/null 2>&1; then
    man_opt=(--man=no)
    echo "  (no logscrub man page installed: verifying with --man=no; 'logscrub man > /usr/local/share/man/man1/logscrub.1' installs it)"
fi
for u in logscrub@.socket logscrub@.service logscrub@nginx.socket logscrub@nginx.service; do
    msgs=$(systemd-analyze verify "${man_opt[@]}" "$dir/$u" 2>&1) || fail "verify $u: $msgs"
    [[ -z $msgs ]] || fail "verify $u: $msgs"
done
ok "systemd-analyze $(systemd-analyze --version | head -1 | cut -d' ' -f2) verify: 4 units, no messages"

# 2. security
sec=$(systemd-analyze security --offline=true "$dir/logscrub@nginx.service" 2>&1 | grep 'Overall exposure level')
echo "  ${sec}"
grep -q 'SAFE' <<<"$sec" || fail "exposure not SAFE"
ok "systemd-analyze security --offline=true: $(sed -E 's/.*: ([0-9.]+ [A-Z]+).*/\1/' <<<"$sec")"

# 3. the fd hand-over
uid=$((61000 + RANDOM % 1000))      # stands in for the DynamicUser=
install -d -o "$uid" -g "$uid" -m 0750 "$dir/logs"
python3 - "$LOGSCRUB" "$dir" "$uid" <<'PY'
import fcntl, os, subprocess, sys, time
logscrub, d, uid = sys.argv[1], sys.argv[2], int(sys.argv[3])
fifo = d + "/nginx.fifo"
os.mkfifo(fifo, 0o600)                                    # SocketMode=0600, owner root
held = os.open(fifo, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)   # what systemd holds
line = (b'203.0.113.7 - frank [23/Nov/2026:10:00:00 +0000] "GET /login?email=jane@example.com'
        b'&token=abc HTTP/1.1" 200 3 "https://mail.example.com/inbox?sid=42" "curl/7.88.1"\n')
drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs"]

def run(stdin_fd, out):
    return subprocess.Popen(drop + [logscrub, "-o", out], stdin=stdin_fd, stderr=subprocess.PIPE)

def wait_for(path, n, secs=5):
    end = time.time() + secs
    while time.time() < end:
        if os.path.exists(path) and open(path, "rb").read().count(b"\n") >= n:
            return True
        time.sleep(0.01)
    return False

# a) a supervisor that passes the non-blocking fd as is (systemd does not: it clears O_NONBLOCK)
stdin = os.dup(held)
p = run(stdin, d + "/logs/nonblock.log"); os.close(stdin)
try:
    rc = p.wait(3)
except subprocess.TimeoutExpired:
    p.kill(); rc = None
err = p.stderr.read().decode().strip()
if rc is not None:
    sys.exit(f"FAIL: with a non-blocking stdin and nothing to read, logscrub exited {rc}: {err}")
print("ok: with a non-blocking stdin and nothing to read, logscrub waits")

# b) what systemd does for StandardInput=socket: same open file, O_NONBLOCK cleared
flags = fcntl.fcntl(held, fcntl.F_GETFL)
fcntl.fcntl(held, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)

# SIGTERM before logscrub has read anything (systemctl stop of an idle service)
stdin = os.dup(held)
p = run(stdin, d + "/logs/idle.log"); os.close(stdin)
time.sleep(0.5)
p.terminate(); rc = p.wait(5)
err = p.stderr.read().decode().strip()
if rc == 0:
    print("ok: SIGTERM before any input: exit 0")
else:
    sys.exit(f"FAIL: SIGTERM before any input: exit {rc}: {err}")

out = d + "/logs/nginx.log"
stdin = os.dup(held)
p = run(stdin, out); os.close(stdin)
w = os.open(fifo, os.O_WRONLY)                            # nginx master (root) opens it
os.write(w, line)
assert wait_for(out, 1), "no line"
os.close(w)                                               # nginx stops: no EOF, systemd holds a writer
time.sleep(0.5)
assert p.poll() is None, "logscrub exited when the writer closed"
print("ok: blocking FIFO stdin: line scrubbed; nginx closing its end is no EOF, logscrub keeps running")
st = os.stat(out)
print(f"ok: output owned by uid {st.st_uid}, mode {oct(st.st_mode & 0o777)}: {open(out).read().strip()}")

# the unprivileged user cannot open the FIFO by path (it does not need to)
r = subprocess.run(drop + ["sh", "-c", f"exec 0<>{fifo}"], capture_output=True, text=True)
assert r.returncode != 0, "unprivileged open of the FIFO succeeded"
print(f"ok: uid {uid} cannot open the FIFO itself ({r.stderr.strip().split(': ')[-1]}); it only reads the fd it is given")

# restart: lines written while logscrub is down wait in the pipe
p.terminate(); rc = p.wait(5)
assert rc == 0, rc
w = os.open(fifo, os.O_WRONLY)
os.write(w, line.replace(b"/login", b"/while-restarting"))
stdin = os.dup(held)
p = run(stdin, out); os.close(stdin)
assert wait_for(out, 2), "buffered line lost"
p.terminate(); rc = p.wait(5)
print(f"ok: SIGTERM -> exit {rc}; a line written while logscrub was stopped arrived after the restart")
PY
"$LOGSCRUB" check "$dir/logs/nginx.log" || fail "logscrub check"
! grep -q 'frank\|jane\|token=abc\|sid=42' "$dir/logs/nginx.log" || fail "personal data"
echo "systemd-unit checks: ok"
