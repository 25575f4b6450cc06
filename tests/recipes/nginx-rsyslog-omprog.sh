#!/usr/bin/env bash
# Tries nginx -> syslog (UDP) -> rsyslog omprog -> logscrub for real: nginx on 127.0.0.1:8092 with
#   access_log syslog:server=127.0.0.1:5514,tag=nginx,severity=info combined;
# an rsyslogd of its own (-n -f DIR/rsyslog.conf, no systemd) listening on 127.0.0.1:5514/udp and
# feeding the bare message, leading space cut (template "%msg:2:$%\n"), to
#   omprog binary="/usr/local/bin/logscrub -o DIR/access.log"
# Checks what rsyslog hands over, latency, that personal data is gone, nginx reload, a HUP to
# rsyslog forwarded to logscrub (rotation), omprog restarting a killed logscrub, a 9.7 KB line
# (rsyslog's maxMessageSize), and shutdown. Needs root, nginx and rsyslog (installed with apt if missing).
# Not part of `cargo test`. Uses the installed binary ($LOGSCRUB); builds nothing.
set -euo pipefail
LOGSCRUB=${LOGSCRUB:-/usr/local/bin/logscrub}
port=8092
syslog_port=5514
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v rsyslogd >/dev/null || need+=(rsyslog)
if ((${#need[@]})); then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"; fi

dir=$(mktemp -d /tmp/logscrub-rsyslog.XXXXXX)
chmod 755 "$dir"   # nginx workers (user nobody) reopen logs on USR1: they must reach them
out=$dir/access.log
rs_pid=
cleanup() {
    set +e
    if [[ -s $dir/nginx.pid ]]; then kill -QUIT "$(cat "$dir/nginx.pid")" 2>/dev/null; fi
    if [[ -n $rs_pid ]]; then kill -TERM "$rs_pid" 2>/dev/null; fi
    sleep 1
    if [[ -s $dir/nginx.pid ]]; then kill -KILL "$(cat "$dir/nginx.pid")" 2>/dev/null; fi
    if [[ -n $rs_pid ]]; then kill -KILL "$rs_pid" 2>/dev/null; fi
    for p in $(pgrep -f "^$LOGSCRUB -o $dir/" 2>/dev/null); do kill -TERM "$p"; done
    [[ ${KEEP:-0} == 1 ]] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f $dir/rsyslogd.err ]] && tail -5 "$dir/rsyslogd.err" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"
# the logscrub that omprog started (child of our rsyslogd)
child() { pgrep -P "$rs_pid" -x logscrub || true; }

mkdir "$dir/work"
cat > "$dir/rsyslog.conf" <<CONF
# maxMessageSize must come before the inputs; the default (8k) silently cuts long lines.
global(workDirectory="$dir/work" maxMessageSize="64k")
module(load="imudp")
module(load="omprog")
input(type="imudp" address="127.0.0.1" port="$syslog_port" ruleset="nginx-access")

# The combined line alone: %msg% of an RFC 3164 message starts with the space after "nginx:".
template(name="logscrub-line" type="string" string="%msg:2:\$%\n")
# For this test only (it holds personal data): what rsyslog hands over, between <>.
template(name="debug-raw" type="string" string="<%msg%> programname=%programname% hostname=%hostname%\n")

ruleset(name="nginx-access") {
    if \$programname == "nginx" then {
        action(type="omprog" name="logscrub"
               binary="$LOGSCRUB -o $out"
               template="logscrub-line"
               hup.signal="HUP"
               output="$dir/logscrub.stderr")
        action(type="omfile" file="$dir/debug-raw.log" template="debug-raw")
    }
    stop
}
CONF
rsyslogd -N1 -f "$dir/rsyslog.conf" > "$dir/validate.txt" 2>&1 || { cat "$dir/validate.txt"; fail "rsyslogd -N1"; }
ok "rsyslogd -N1 -f rsyslog.conf: $(grep -o 'End of config validation run.*' "$dir/validate.txt")"
rsyslogd -n -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid" 2>"$dir/rsyslogd.err" &
rs_pid=$!
sleep 0.5
kill -0 "$rs_pid" || fail "rsyslogd did not start"

cat > "$dir/nginx.conf" <<CONF
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
    access_log syslog:server=127.0.0.1:$syslog_port,tag=nginx,severity=info combined;
    server {
        listen 127.0.0.1:$port;
        location / { return 200 "ok\\n"; }
    }
}
CONF
ngx() { nginx -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" "$@"; }
ngx -t
ngx
ok "rsyslogd pid $rs_pid on udp 127.0.0.1:$syslog_port, nginx master pid $(cat "$dir/nginx.pid") on :$port"
sleep 0.3
early=$(child)
echo "  logscrub child of rsyslogd before the first message: ${early:-none}"

code=$(req -u frank:hunter2 -e "https://mail.example.com/inbox?email=jane@example.org&sid=42" \
    "http://127.0.0.1:$port/login?email=jane@example.com&token=abc&page=2")
[[ $code == 200 ]] || fail "HTTP $code"
ms=$(wait_lines 1) || fail "no line arrived within 5 s"
ok "first line in $out after ${ms} ms (logscrub pid $(child))"

# What rsyslog delivers: the message part keeps the separator space, hence %msg:2:$%.
raw=$(head -1 "$dir/debug-raw.log")
[[ ${raw:0:2} == "< " ]] || fail "expected %msg% to begin with a space: ${raw:0:40}"
ok "rsyslog's %msg% begins with a space: '${raw:0:16}...'; $(grep -o 'programname=.*' <<<"$raw")"
[[ $(head -c 1 "$out") != " " ]] || fail "leading space reached logscrub"
ok "scrubbed file starts with the IP, no leading space: $(head -1 "$out")"

code=$(req "http://frank:hunter2@127.0.0.1:$port/account?user=frank&password=hunter2")
wait_lines 2 >/dev/null || fail "second line missing"
latency

grep -q '"GET /login?email=REDACTED&token=REDACTED&page=2 HTTP/1.1"' "$out" || fail "query not redacted"
grep -q '"https://mail.example.com/inbox"' "$out" || fail "referrer not stripped"
grep -q '^127\.0\.0\.0 - - \[' "$out" || fail "IP not masked / user not dropped"
! grep -q 'frank\|hunter2\|jane\|abc\|sid=42' "$out" || fail "personal data left"
"$LOGSCRUB" check "$out" || fail "logscrub check"
ok "personal data gone ($(lines) lines); logscrub check exit 0"

# nginx reload: syslog is a socket per cycle, nothing to keep open; lines go on.
before=$(lines)
ngx -s reload
sleep 1
req "http://127.0.0.1:$port/after-reload?token=abc" >/dev/null
wait_lines $((before + 1)) >/dev/null || fail "no line after nginx reload"
ok "nginx -s reload: lines keep arriving"

# Rotation: move the file, HUP rsyslogd; hup.signal="HUP" forwards it, logscrub reopens -o.
pid1=$(child)
mv "$out" "$out.1"
kill -HUP "$rs_pid"
sleep 0.5
req "http://127.0.0.1:$port/after-rotate?sid=1" >/dev/null
wait_lines 1 >/dev/null || fail "no new $out after HUP"
grep -q 'after-rotate?sid=REDACTED' "$out" || fail "after-rotate line"
[[ $(child) == "$pid1" ]] || fail "logscrub was restarted by the HUP"
ok "mv + kill -HUP rsyslogd: same logscrub (pid $pid1) reopened $out; $(wc -l < "$out.1") lines in access.log.1"

# omprog restarts the program when it dies; the message that met the dead pipe is retried.
kill -TERM "$pid1"
sleep 0.5
before=$(lines)
req "http://127.0.0.1:$port/after-kill-1" >/dev/null
req "http://127.0.0.1:$port/after-kill-2" >/dev/null
if wait_lines $((before + 2)) >/dev/null; then
    pid2=$(child)
    ok "logscrub killed (SIGTERM): omprog started a new one (pid $pid2) and both following lines arrived"
else
    fail "after killing logscrub only $(( $(lines) - before )) of 2 lines arrived ($(grep -c omprog "$dir/rsyslogd.err" || true) omprog messages)"
fi

# Long lines: rsyslog cuts every message at maxMessageSize, 8 KB by default, silently (a long
# User-Agent is enough). The config above raises it to 64k; check a 9.7 KB line arrives whole.
before=$(lines)
long_url=$(printf 'a%.0s' {1..2500})
long_ua=$(printf 'b%.0s' {1..7000})
req -A "$long_ua" -e "https://r.example/?email=jane@example.org" \
    "http://127.0.0.1:$port/long?email=jane@example.com&pad=$long_url" >/dev/null
wait_lines $((before + 1)) >/dev/null || fail "long line missing"
len=$(tail -1 "$out" | wc -c)
(( len > 9500 )) || fail "long line cut to $len bytes"
tail -1 "$out" | grep -q "\"$long_ua\"\$" || fail "long line does not end with the whole User-Agent"
! tail -1 "$out" | grep -q 'jane' || fail "e-mail in long line"
ok "a ${len}-byte line (2.5 KB URL, 7 KB User-Agent) arrived whole with maxMessageSize=64k, scrubbed"

# Shutdown: SIGTERM to rsyslogd closes logscrub's stdin; logscrub flushes and exits.
lspid=$(child)
kill -TERM "$rs_pid"
for ((i = 0; i < 100; i++)); do kill -0 "$lspid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$lspid" 2>/dev/null && fail "logscrub still running after rsyslogd stopped"
rs_pid=
ok "rsyslogd SIGTERM: logscrub got EOF and exited"

"$LOGSCRUB" check "$out" "$out.1" || fail "final check"
! grep -q 'frank\|hunter2\|jane@\|token=abc' "$out" "$out.1" || fail "personal data in final files"
if [[ -s $dir/logscrub.stderr ]]; then echo "  logscrub stderr (omprog output=): $(head -3 "$dir/logscrub.stderr")"; fi
echo "  rsyslogd's own messages about omprog: $(grep -c 'omprog' "$dir/rsyslogd.err" || true)"
echo "nginx-rsyslog-omprog recipe: ok ($(( $(lines) + $(wc -l < "$out.1") )) scrubbed lines, logscrub check clean)"
