#!/usr/bin/env bash
# Tries the README's `tail -F | logscrub` recipe for real: nginx on 127.0.0.1:8093 writes a plain
# DIR/access.log, and
#   tail -n 0 -F DIR/access.log | logscrub -o DIR/clean.log
# runs beside it. Checks latency and scrubbing, then rotations: a manual mv with a delay before
# `nginx -s reopen` (the window), logrotate -f with create + postrotate (and logscrub's own output
# rotated with SIGHUP), logrotate copytruncate, and what `tail -F` without `-n 0` does on a restart.
# Needs root, nginx and logrotate (installed with apt if missing). Not part of `cargo test`.
# Uses the installed binary ($LOGSCRUB); builds nothing.
set -euo pipefail
LOGSCRUB=${LOGSCRUB:-/usr/local/bin/logscrub}
port=8093
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v logrotate >/dev/null || need+=(logrotate)
if ((${#need[@]})); then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"; fi

dir=$(mktemp -d /tmp/logscrub-tail.XXXXXX)
chmod 755 "$dir"   # nginx workers (user nobody) reopen logs on USR1: they must reach them
log=$dir/access.log
out=$dir/clean.log
ls_pid=
cleanup() {
    set +e
    if [[ -s $dir/nginx.pid ]]; then kill -QUIT "$(cat "$dir/nginx.pid")" 2>/dev/null; fi
    stop_pipeline
    sleep 0.3
    if [[ -s $dir/nginx.pid ]]; then kill -KILL "$(cat "$dir/nginx.pid")" 2>/dev/null; fi
    [[ ${KEEP:-0} == 1 ]] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"
count() { grep -c -- "$1" "$out" || true; }
# start `tail $* -F $log | logscrub -o $out` in the background
start_pipeline() {
    tail "$@" -F "$log" 2>>"$dir/tail.err" | "$LOGSCRUB" -o "$out" 2>>"$dir/logscrub.err" &
    ls_pid=$!
    sleep 0.3
}
# stop it the way a service manager would: TERM to tail; logscrub then reads EOF and exits
stop_pipeline() {
    local t i
    for t in $(pgrep -P $$ -x tail); do kill -TERM "$t" 2>/dev/null; done
    [[ -n $ls_pid ]] || return 0
    for ((i = 0; i < 100; i++)); do kill -0 "$ls_pid" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$ls_pid" 2>/dev/null && { kill -TERM "$ls_pid"; fail "logscrub did not exit after tail stopped"; }
    wait "$ls_pid" 2>/dev/null || true
    ls_pid=
}

cat > "$dir/nginx.conf" <<CONF
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
    access_log $log combined;
    server {
        listen 127.0.0.1:$port;
        location / { return 200 "ok\\n"; }
    }
}
CONF
ngx() { nginx -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" "$@"; }
ngx
start_pipeline -n 0
ok "nginx master $(cat "$dir/nginx.pid") on :$port, 'tail -n 0 -F access.log | logscrub -o clean.log' (logscrub pid $ls_pid)"

code=$(req -u frank:hunter2 -e "https://mail.example.com/inbox?email=jane@example.org&sid=42" \
    "http://127.0.0.1:$port/login?email=jane@example.com&token=abc&page=2")
[[ $code == 200 ]] || fail "HTTP $code"
ms=$(wait_lines 1) || fail "no line within 5 s"
ok "first line in clean.log after ${ms} ms"
latency
grep -q '"GET /login?email=REDACTED&token=REDACTED&page=2 HTTP/1.1"' "$out" || fail "query not redacted"
grep -q '"https://mail.example.com/inbox"' "$out" || fail "referrer not stripped"
! grep -q 'frank\|hunter2\|jane\|token=abc' "$out" || fail "personal data left"
"$LOGSCRUB" check "$out" || fail "logscrub check"
ok "personal data gone from clean.log ($(lines) lines)"

# 1. Rotation by hand with a window: mv, 3 requests (nginx still writes into the moved file),
#    then nginx -s reopen (creates a new access.log), 3 more requests.
mv "$log" "$log.1"
for i in 1 2 3; do req "http://127.0.0.1:$port/window?i=$i" >/dev/null; done
sleep 1
ngx -s reopen
sleep 0.5
! grep -q emerg "$dir/error.log" || fail "nginx could not reopen: $(grep emerg "$dir/error.log")"
for i in 1 2 3; do req "http://127.0.0.1:$port/after-mv?i=$i" >/dev/null; done
sleep 1
w=$(count '/window'); a=$(count '/after-mv')
echo "  tail said: $(grep -v '^$' "$dir/tail.err" | tr '\n' '|')"
[[ $a == 3 ]] || fail "only $a of 3 lines after mv + reopen arrived"
ok "mv + 1 s + nginx -s reopen: $w of 3 lines written into the moved file during the window arrived, 3 of 3 after reopen"
[[ $w == 3 ]] || echo "  NOTE: $((3 - w)) lines written between mv and reopen were lost"

# 2. logrotate as packaged: create + postrotate reopen for nginx's log; logscrub's own output is
#    rotated too, with SIGHUP to that logscrub (in production: kill -HUP "$(cat PIDFILE)" with
#    --pid-file PIDFILE).
cat > "$dir/logrotate.conf" <<CONF
$log {
    rotate 3
    missingok
    create 0640 root root
    postrotate
        kill -USR1 \$(cat $dir/nginx.pid)
    endscript
}
$out {
    rotate 3
    missingok
    postrotate
        kill -HUP $ls_pid
    endscript
}
CONF
before=$(lines)
logrotate -f -s "$dir/logrotate.state" "$dir/logrotate.conf"
sleep 0.5
ls "$dir" | grep -q 'clean.log.1' || fail "logrotate did not rotate clean.log"
for i in 1 2 3; do req "http://127.0.0.1:$port/after-logrotate?i=$i&sid=9" >/dev/null; done
wait_lines 3 >/dev/null || fail "lines after logrotate did not arrive in the new clean.log"
[[ $(count 'after-logrotate?i=.&sid=REDACTED') == 3 ]] || fail "after-logrotate lines"
ok "logrotate -f (create + USR1 to nginx, HUP to logscrub): 3 of 3 following lines in the new clean.log; clean.log.1 has $(wc -l < "$out.1") lines"

# 3. logrotate copytruncate: the file is copied, then truncated in place; tail notices the
#    truncation and reads again from the start.
cat > "$dir/logrotate-ct.conf" <<CONF
$log {
    rotate 3
    missingok
    copytruncate
}
CONF
before=$(lines)
logrotate -f -s "$dir/logrotate.state" "$dir/logrotate-ct.conf"
sleep 0.5
for i in 1 2 3; do req "http://127.0.0.1:$port/after-copytruncate?i=$i" >/dev/null; done
wait_lines $((before + 3)) >/dev/null || fail "lines after copytruncate missing"
[[ $(count 'after-copytruncate') == 3 ]] || fail "after-copytruncate lines"
dup=$(( $(lines) - before - 3 ))
ok "logrotate copytruncate: 3 of 3 following lines arrived, $dup duplicated"

# 4. Restarting the pipeline. With -n 0 lines written while it is down are lost; without it,
#    tail starts with the last 10 lines of the file and they are scrubbed a second time.
stop_pipeline
ok "TERM to tail: logscrub read EOF and exited"
for i in 1 2; do req "http://127.0.0.1:$port/while-down?i=$i" >/dev/null; done
start_pipeline -n 0
req "http://127.0.0.1:$port/restart-n0" >/dev/null
sleep 1
ok "restart with -n 0: $(count '/while-down') of 2 lines written while down arrived; next line arrived: $(count '/restart-n0')"
stop_pipeline
before=$(lines)
start_pipeline
sleep 0.5
replayed=$(( $(lines) - before ))
dups=$(grep -o '"GET [^ ]*' "$out" | sort | uniq -d | wc -l)
ok "restart without -n 0 (tail's default -n 10): tail replayed $replayed lines (all the new access.log holds), $dups of them were already in clean.log (duplicates)"
stop_pipeline

"$LOGSCRUB" check "$dir"/clean.log* || fail "final check"
! grep -q 'frank\|hunter2\|jane@\|token=abc' "$dir"/clean.log* || fail "personal data in clean.log*"
[[ ! -s $dir/logscrub.err ]] || { cat "$dir/logscrub.err"; fail "logscrub wrote to stderr"; }
echo "tail-f recipe: ok ($(cat "$dir"/clean.log* | wc -l) scrubbed lines in $(ls "$dir" | grep -c '^clean.log') files, logscrub check clean)"
