#!/usr/bin/env bash
# Vector itself is not installed here (see vector.toml). This expands vector.toml's environment
# variables the way Vector does ($$ -> $, $NAME / ${NAME} -> value; a port of Vector's
# src/config/vars.rs regex), parses it (python3 tomllib), takes the exec source's `command`, points it at a scratch access log
# instead of /var/log/nginx/access.log, runs it the way Vector's streaming exec source does
# (stdout read line by line, stderr kept apart), and checks what it prints: latency, scrubbing,
# a logrotate-style rotation, and that SIGTERM to the shell (what Vector sends on shutdown) stops
# tail and logscrub too.
# Needs python3 (3.11+). Not part of `cargo test`. Uses the installed binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/logscrub-vector.XXXXXX)
trap 'set +e; pkill -TERM -f "^tail -n 0 -F $dir/" ; rm -rf "$dir"' EXIT
python3 - "$here/vector.toml" "$dir" <<'PY'
import os, re, signal, subprocess, sys, time, tomllib
conf, d = sys.argv[1], sys.argv[2]
# Vector's interpolation: $$ -> $, $NAME and ${NAME[:-default]} -> environment (unknown: empty)
var = re.compile(r"\$\$|\$([\w.]+)|\$\{([\w.]+)(?:(:?-|:?\?)([^}]*))?\}")
def expand(m):
    name = m.group(1) or m.group(2)
    if name is None:
        return "$"
    val = os.environ.get(name)
    if m.group(3) in (":-",) and not val:
        return m.group(4)
    if m.group(3) == "-" and val is None:
        return m.group(4)
    return val or ""
text = var.sub(expand, open(conf).read())
cfg = tomllib.loads(text)
src = cfg["sources"]["nginx_access_scrubbed"]
assert src["type"] == "exec" and src["mode"] == "streaming", src
assert cfg["sinks"]["scrubbed_file"]["inputs"] == ["nginx_access_scrubbed"]
print(f"ok: vector.toml parses; exec source, mode {src['mode']}, respawn_on_exit "
      f"{src['streaming']['respawn_on_exit']}, include_stderr {src['include_stderr']}")
log = d + "/access.log"
cmd = [a.replace("/var/log/nginx/access.log", log) for a in src["command"]]
print(f"  running: {cmd}")
open(log, "w").close()
# as Vector's exec source: stdin /dev/null, stdout piped, stderr apart (include_stderr = false)
p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=open(d + "/stderr", "wb"))
time.sleep(0.5)
os.set_blocking(p.stdout.fileno(), True)

def line(path, n):
    return (f'198.51.100.{n} - frank [23/Nov/2026:10:00:{n % 60:02d} +0000] "GET /p?email=jane@example.com'
            f'&token=abc&i={n} HTTP/1.1" 200 3 "https://mail.example.com/inbox?sid=42" "curl/7.88.1"\n')

lat, got = [], []
for n in range(1, 21):
    with open(log, "a") as f:
        f.write(line(log, n))
    t0 = time.time()
    got.append(p.stdout.readline().decode())
    lat.append((time.time() - t0) * 1000)
lat.sort()
print(f"ok: 20 lines appended one by one, each read back from the command's stdout; latency ms "
      f"min {lat[0]:.1f} median {lat[10]:.1f} max {lat[-1]:.1f}")
print(f"  first event: {got[0].strip()}")
bad = [g for g in got if any(s in g for s in ("frank", "jane", "token=abc", "sid=42", "198.51.100.1 "))]
assert not bad, bad
assert all("i=" in g and "REDACTED" in g for g in got)
os.rename(log, log + ".1")
with open(log + ".1", "a") as f:
    f.write(line(log, 21))          # into the moved file after the rename: tail -F drops it
time.sleep(0.5)
with open(log, "w") as f:
    f.write(line(log, 22))
got.append(p.stdout.readline().decode())
print(f"ok: after mv + new file: next event is i={got[-1].split('&i=')[1].split(' ')[0]} "
      f"(i=21, written into the moved file after the mv, was {'dropped' if 'i=21 ' not in got[-1] else 'kept'})")
open(d + "/events.log", "w").writelines(got)
r = subprocess.run(["/usr/local/bin/logscrub", "check", d + "/events.log"], capture_output=True, text=True)
assert r.returncode == 0, r.stdout
print(f"ok: logscrub check on the {len(got)} events: {r.stdout.strip().split(': ', 1)[1]}")
# Vector stops the source by signalling the process it started: here that is /bin/sh
p.send_signal(signal.SIGTERM)
p.wait(5)
time.sleep(0.5)
left = subprocess.run(["pgrep", "-af", f"tail -n 0 -F {log}"], capture_output=True, text=True).stdout.strip()
assert not left, f"tail left running after SIGTERM to the sh: {left}"
print(f"ok: SIGTERM to the sh (as Vector does on shutdown): sh exit {p.returncode}, tail and logscrub gone")
print("  stderr of the command: " + open(d + "/stderr").read().strip().replace("\n", " | "))
PY
echo "vector exec command: ok (Vector itself not run)"
