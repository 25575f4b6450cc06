#!/usr/bin/env bash
# Runs logscrub@.socket + logscrub@.service under a real systemd, on a machine whose PID 1 is not
# systemd: boots this machine's own OS tree in a container,
#   systemd-nspawn -D / --volatile=yes --private-network -b
# (/ is a tmpfs with /usr mounted read-only from the host, so the host is not changed; /etc starts
# empty, so the host's enabled services mostly fail there, which is fine), and inside it
# installs the two units, runs nginx on 127.0.0.1:8094 as a transient unit logging into
# /run/logscrub/nginx.fifo, and checks: personal data gone, latency, the sandbox logscrub runs in,
# socket activation, a restart under traffic (no lost lines), reload (SIGHUP) with rotation,
# nginx's reopen (USR1), a restart of the socket unit, nginx stopping, and a stop of an idle
# logscrub. Needs root and systemd-container (installed with apt if missing). Not part of
# `cargo test`. Uses the installed binary /usr/local/bin/logscrub (visible in the container).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v systemd-nspawn >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q systemd-container; }
[[ -x /usr/local/bin/logscrub ]] || { echo "FAIL: /usr/local/bin/logscrub missing" >&2; exit 1; }
name=logscrub-$$
dir=$(mktemp -d /tmp/logscrub-nspawn.XXXXXX)
ns_pid=
init=
cleanup() {
    set +e
    if [[ -n $init ]] && kill -0 "$init" 2>/dev/null; then
        nsenter -t "$init" -m -u -i -n -p systemctl poweroff >/dev/null 2>&1
    fi
    if [[ -n $ns_pid ]]; then
        for ((i = 0; i < 100; i++)); do kill -0 "$ns_pid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$ns_pid" 2>/dev/null && kill -KILL "$ns_pid"
    fi
    # the container's init outlives a killed nspawn: end it (and with it the container)
    [[ -n $init ]] && kill -KILL "$init" 2>/dev/null
    rm -rf "/run/systemd/nspawn/propagate/$name"
    [[ ${KEEP:-0} == 1 ]] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

systemd-nspawn -q -D / --volatile=yes --private-network --register=no --keep-unit -M "$name" \
    --bind-ro="$here:/recipes" --console=read-only -b systemd.firstboot=off systemd.mask=systemd-networkd-wait-online.service \
    >"$dir/console.log" 2>&1 &
ns_pid=$!
for ((i = 0; i < 100; i++)); do
    init=$(pgrep -P "$ns_pid" -x systemd || true)
    [[ -n $init ]] && break
    sleep 0.2
done
[[ -n $init ]] || { cat "$dir/console.log"; fail "container did not start"; }
N=(nsenter -t "$init" -m -u -i -n -p)
state=
for ((i = 0; i < 90; i++)); do
    state=$("${N[@]}" systemctl is-system-running 2>/dev/null || true)
    [[ $state == running || $state == degraded ]] && break
    sleep 1
done
echo "ok: container $name booted (systemd $("${N[@]}" systemctl --version | head -1 | cut -d' ' -f2), host pid $init), state: $state"
[[ $state == running || $state == degraded ]] || fail "container state $state"

"${N[@]}" bash -s <<'INNER'
set -euo pipefail
port=8094
out=/var/log/logscrub/nginx.log
fail() { echo "FAIL: $*" >&2; journalctl -u 'logscrub@*' --no-pager | tail -20 >&2; exit 1; }
source /recipes/lib.sh
mainpid() { systemctl show -P MainPID logscrub@nginx.service; }

cp /recipes/logscrub@.service /recipes/logscrub@.socket /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now logscrub@nginx.socket logscrub@nginx.service 2>/dev/null
fifo=$(systemctl show -P Listen logscrub@nginx.socket)
pipesz=$(python3 -c 'import fcntl, os; print(fcntl.fcntl(os.open("/run/logscrub/nginx.fifo", os.O_RDWR | os.O_NONBLOCK), 1032))')  # F_GETPIPE_SZ
ok "units enabled and started: socket $(systemctl is-active logscrub@nginx.socket) ($fifo), service $(systemctl is-active logscrub@nginx.service); $(stat -c '%A %U:%G' /run/logscrub/nginx.fifo) /run/logscrub/nginx.fifo, pipe buffer $pipesz bytes"

mkdir -p /run/lsc
cat > /run/lsc/nginx.conf <<CONF
user www-data;
worker_processes 2;
pid /run/lsc/nginx.pid;
error_log /run/lsc/error.log;
events { worker_connections 64; }
http {
    client_body_temp_path /run/lsc/body; proxy_temp_path /run/lsc/proxy;
    fastcgi_temp_path /run/lsc/fastcgi; uwsgi_temp_path /run/lsc/uwsgi; scgi_temp_path /run/lsc/scgi;
    access_log /run/logscrub/nginx.fifo combined;
    server { listen 127.0.0.1:$port; location / { return 200 "ok\n"; } }
}
CONF
systemd-run --quiet --unit=nginx-test -p Type=forking -p PIDFile=/run/lsc/nginx.pid \
    -p After=logscrub@nginx.socket /usr/sbin/nginx -e /run/lsc/error.log -c /run/lsc/nginx.conf
ok "nginx running as transient unit nginx-test: $(systemctl is-active nginx-test)"

code=$(req -u frank:hunter2 -e "https://mail.example.com/inbox?email=jane@example.org&sid=42" \
    "http://127.0.0.1:$port/login?email=jane@example.com&token=abc&page=2")
[[ $code == 200 ]] || fail "HTTP $code"
ms=$(wait_lines 1) || fail "no line in $out"
ok "first line in $out after $ms ms: $(head -1 "$out")"
req "http://frank:hunter2@127.0.0.1:$port/account?user=frank&password=hunter2" >/dev/null
wait_lines 2 >/dev/null || fail "second line"
latency
grep -q '"GET /login?email=REDACTED&token=REDACTED&page=2 HTTP/1.1"' "$out" || fail "query"
grep -q '"https://mail.example.com/inbox"' "$out" || fail "referrer"
! grep -q 'frank\|hunter2\|jane\|token=abc\|sid=42' "$out" || fail "personal data left"
logscrub check "$out" >/dev/null || fail "logscrub check"
ok "personal data gone, logscrub check clean ($(lines) lines)"

pid=$(mainpid)
# (no awk in the container: /etc/alternatives is empty there)
field() { sed -n "s/^$1:[[:space:]]*\([^[:space:]]*\).*/\1/p" "/proc/$pid/status"; }
uid=$(field Uid)
ok "sandbox: logscrub pid $pid runs as uid $uid (DynamicUser), NoNewPrivs $(field NoNewPrivs), Seccomp $(field Seccomp), CapEff $(field CapEff); output $(stat -c '%A %u' "$out") in $(readlink -f /var/log/logscrub) (/var/log/private is $(stat -c '%A' /var/log/private))"
echo "  logscrub's fds: $(for f in /proc/$pid/fd/*; do printf '%s->%s ' "${f##*/}" "$(readlink "$f")"; done)"

# Socket activation: with the service stopped, the next write into the FIFO starts it again.
systemctl stop logscrub@nginx.service 2>/dev/null
[[ $(systemctl show -P Result logscrub@nginx.service) == success ]] || fail "stop after traffic: Result=$(systemctl show -P Result logscrub@nginx.service)"
before=$(lines)
req "http://127.0.0.1:$port/while-stopped" >/dev/null
wait_lines $((before + 1)) >/dev/null || fail "socket activation did not deliver the line"
ok "service stopped (Result=success); the next nginx line re-activated it (pid $(mainpid)) and arrived"

# Restart under traffic: nothing is lost, the pipe buffers what nginx writes meanwhile.
before=$(lines)
( for i in $(seq 1 100); do req "http://127.0.0.1:$port/load?i=$i" >/dev/null; sleep 0.01; done ) &
loader=$!
sleep 0.3
systemctl restart logscrub@nginx.service
wait "$loader"
wait_lines $((before + 100)) >/dev/null || true
got=$(grep -o '/load?i=[0-9]*' "$out" | sort -u | wc -l)
dup=$(( $(grep -c '/load?i=' "$out" || true) - got ))
[[ $got == 100 && $dup == 0 ]] || fail "restart under traffic: $got of 100 lines, $dup duplicates"
ok "systemctl restart during 100 requests: 100 of 100 lines arrived, none twice"

# Rotation: move the output, systemctl reload (SIGHUP): logscrub reopens -o.
pid=$(mainpid)
mv "$out" "$out.1"
systemctl reload logscrub@nginx.service || fail "systemctl reload"
req "http://127.0.0.1:$port/after-reload?sid=7" >/dev/null
wait_lines 1 >/dev/null || fail "no new output file after reload"
grep -q 'after-reload?sid=REDACTED' "$out" || fail "after-reload line"
[[ $(mainpid) == "$pid" ]] || fail "reload restarted the service"
ok "mv + systemctl reload: same pid $pid reopened $out ($(stat -c '%A %u' "$out")); nginx.log.1 has $(wc -l < "$out.1") lines"

# nginx reopen (what logrotate's postrotate does for nginx): the master chowns the FIFO.
before=$(lines)
kill -USR1 "$(cat /run/lsc/nginx.pid)"
sleep 0.5
req "http://127.0.0.1:$port/after-usr1" >/dev/null
wait_lines $((before + 1)) >/dev/null || fail "no line after nginx USR1"
ok "nginx USR1: lines keep arriving; FIFO now $(stat -c '%A %U:%G' /run/logscrub/nginx.fifo)"

# Restarting the socket unit (RemoveOnStop=yes): a new FIFO; nginx still writes into the old one
# (no reader left: EPIPE, lines lost) until it reopens its logs.
systemctl restart logscrub@nginx.socket
systemctl start logscrub@nginx.service
new_fifo=$(stat -c '%A %U' /run/logscrub/nginx.fifo)
before=$(lines)
req "http://127.0.0.1:$port/old-fifo" >/dev/null
sleep 0.5
lost=$(( 1 - $(grep -c '/old-fifo' "$out" || true) ))
kill -USR1 "$(cat /run/lsc/nginx.pid)"
sleep 0.5
req "http://127.0.0.1:$port/new-fifo" >/dev/null
wait_lines $((before + 1)) >/dev/null || fail "no line after socket restart + nginx USR1"
ok "socket unit restarted (new FIFO $new_fifo): $lost of 1 line written before nginx's reopen lost ($(grep -c 'Broken pipe' /run/lsc/error.log || true) EPIPE in nginx error.log); after USR1 lines arrive"

# The same restart without RemoveOnStop: the FIFO left behind is owned by www-data now, and
# systemd refuses to reuse it.
mkdir -p /etc/systemd/system/logscrub@nginx.socket.d
printf '[Socket]\nRemoveOnStop=no\n' > /etc/systemd/system/logscrub@nginx.socket.d/keep.conf
systemctl daemon-reload
kill -USR1 "$(cat /run/lsc/nginx.pid)"; sleep 0.5          # nginx chowns the new FIFO too
if systemctl restart logscrub@nginx.socket 2>/dev/null; then
    ok "RemoveOnStop=no: socket restart worked (FIFO $(stat -c '%U' /run/logscrub/nginx.fifo))"
else
    msg=$(journalctl -u logscrub@nginx.socket --no-pager | grep -m1 -i 'failed to listen\|File exists' || true)
    ok "RemoveOnStop=no: socket restart FAILED as expected once nginx has chowned the FIFO: ${msg#* systemd\[1\]: }"
fi
rm -r /etc/systemd/system/logscrub@nginx.socket.d
systemctl daemon-reload
systemctl reset-failed logscrub@nginx.socket logscrub@nginx.service 2>/dev/null || true
rm -f /run/logscrub/nginx.fifo
systemctl start logscrub@nginx.socket logscrub@nginx.service
kill -USR1 "$(cat /run/lsc/nginx.pid)"; sleep 0.5
before=$(lines)
req "http://127.0.0.1:$port/back" >/dev/null
wait_lines $((before + 1)) >/dev/null || fail "no line after recovering the socket"
ok "recovered: rm the stale FIFO, start the socket, nginx USR1"

# nginx stopping does not end logscrub: systemd's fd keeps a writer on the FIFO.
pid=$(mainpid)
systemctl stop nginx-test
sleep 1
[[ $(systemctl is-active logscrub@nginx.service) == active && $(mainpid) == "$pid" ]] || fail "logscrub ended with nginx"
ok "nginx stopped: logscrub (pid $pid) keeps running, waiting for the next nginx"

# Stopping a logscrub that has read nothing yet.
systemctl restart logscrub@nginx.service
sleep 0.5
systemctl stop logscrub@nginx.service 2>/dev/null
result=$(systemctl show -P Result logscrub@nginx.service)
status=$(systemctl show -P ExecMainStatus logscrub@nginx.service)
if [[ $result == success ]]; then
    ok "stop of an idle logscrub: Result=success"
else
    fail "stop of a logscrub that has read nothing yet: Result=$result, exit status $status"
fi
systemctl reset-failed logscrub@nginx.service 2>/dev/null || true

logscrub check /var/log/logscrub/nginx.log* || fail "final check"
! grep -q 'frank\|hunter2\|jane@\|token=abc' /var/log/logscrub/nginx.log* || fail "personal data in output"
echo "systemd (nspawn) recipe: ok ($(cat /var/log/logscrub/nginx.log* | wc -l) scrubbed lines)"
INNER
