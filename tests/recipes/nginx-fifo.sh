#!/usr/bin/env bash
# Tries nginx -> FIFO -> logscrub for real: nginx on 127.0.0.1:8091 with
#   access_log DIR/access.fifo combined;
# and `logscrub -o DIR/access.log DIR/access.fifo` reading the FIFO. Checks latency, that personal
# data is gone, `nginx -s reload`, a logscrub restart (lines lost while no reader), back-pressure
# (a stopped reader blocks nginx workers), the "keep a spare fd open" mitigation, and shutdown.
# Needs root and Debian's nginx (installed with apt if missing). Not part of `cargo test`.
# Uses the installed binary ($LOGSCRUB, default /usr/local/bin/logscrub); builds nothing.
set -euo pipefail
LOGSCRUB=${LOGSCRUB:-/usr/local/bin/logscrub}
port=8091
command -v nginx >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx; }

dir=$(mktemp -d /tmp/logscrub-nginx-fifo.XXXXXX)
chmod 755 "$dir"   # nginx workers (user nobody) reopen logs on USR1: they must reach them
fifo=$dir/access.fifo
out=$dir/access.log
ls_pid=
holder_open=
cleanup() {
    set +e
    [[ -n $holder_open ]] && exec 3>&-
    if [[ -s $dir/nginx.pid ]]; then kill -QUIT "$(cat "$dir/nginx.pid")" 2>/dev/null; fi
    if [[ -n $ls_pid ]]; then kill -CONT "$ls_pid" 2>/dev/null; kill -TERM "$ls_pid" 2>/dev/null; fi
    sleep 0.5
    if [[ -s $dir/nginx.pid ]]; then kill -KILL "$(cat "$dir/nginx.pid")" 2>/dev/null; fi
    [[ -n $ls_pid ]] && kill -KILL "$ls_pid" 2>/dev/null
    [[ ${KEEP:-0} == 1 ]] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"
# wait (max 5 s) for background pid $1 to exit; returns its exit status, 99 if still running
wait_exit() {
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$1" 2>/dev/null && return 99
    wait "$1"
}

mkfifo -m 600 "$fifo"
cat > "$dir/nginx.conf" <<CONF
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
    access_log $fifo combined;
    server {
        listen 127.0.0.1:$port;
        location / { return 200 "ok\\n"; }
    }
}
CONF
ngx() { nginx -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" "$@"; }

# Pitfall 1: opening a FIFO for writing blocks until a reader exists, and nginx opens its logs
# even for a config test. With no logscrub on the FIFO, `nginx -t` (and so `nginx`) hangs.
set +e
timeout 3 nginx -q -t -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
rc=$?
set -e
[[ $rc == 124 ]] || fail "expected nginx -t to hang without a reader, got exit $rc"
ok "without a reader on the FIFO, 'nginx -t' blocks (killed by timeout after 3 s, exit 124)"

# logscrub first (it blocks in open() until nginx opens the write end), then nginx.
"$LOGSCRUB" -o "$out" "$fifo" 2>>"$dir/logscrub.err" &
ls_pid=$!
ngx
sleep 0.3
ok "nginx started, master pid $(cat "$dir/nginx.pid"), logscrub pid $ls_pid"

# Personal data: credentials (user field), query values, a referrer with a query.
code=$(req -u frank:hunter2 -e "https://mail.example.com/inbox?email=jane@example.org&sid=42" \
    "http://127.0.0.1:$port/login?email=jane@example.com&token=abc&page=2")
[[ $code == 200 ]] || fail "HTTP $code"
ms=$(wait_lines 1) || fail "no line arrived within 5 s"
ok "first line in $out after ${ms} ms"
code=$(req "http://frank:hunter2@127.0.0.1:$port/account?user=frank&password=hunter2")
wait_lines 2 >/dev/null || fail "second line missing"

# Latency: 20 sequential requests, time from curl's exit to the scrubbed line on disk.
latency

echo "sample scrubbed line: $(head -1 "$out")"
grep -q '"GET /login?email=REDACTED&token=REDACTED&page=2 HTTP/1.1"' "$out" || fail "query not redacted as expected"
grep -q '"https://mail.example.com/inbox"' "$out" || fail "referrer not stripped"
grep -q '^127\.0\.0\.0 - - ' "$out" || fail "IP not masked / user not dropped"
! grep -q 'frank\|hunter2\|jane\|abc\|sid=42' "$out" || fail "personal data left in $out"
"$LOGSCRUB" check "$out" || fail "logscrub check found personal data"
ok "personal data gone ($(lines) lines); logscrub check exit 0"

# nginx -s reload: the master opens the FIFO again (a reader exists, so no block), new workers
# get the new fd, old workers finish; logscrub never sees end-of-file.
before=$(lines)
ngx -s reload
sleep 1
kill -0 "$ls_pid" || fail "logscrub exited on nginx reload"
req "http://127.0.0.1:$port/after-reload?token=abc" >/dev/null
wait_lines $((before + 1)) >/dev/null || fail "no line after reload"
grep -q 'after-reload?token=REDACTED' "$out" || fail "after-reload line wrong"
ok "nginx -s reload: same logscrub (pid $ls_pid) kept reading, line after reload arrived"

owner_before=$(stat -c %U "$fifo")
ngx -s reopen
sleep 0.5
! grep -q emerg "$dir/error.log" || fail "nginx could not reopen: $(grep emerg "$dir/error.log")"
req "http://127.0.0.1:$port/after-reopen" >/dev/null
wait_lines $((before + 2)) >/dev/null || fail "no line after reopen"
ok "nginx -s reopen (USR1, what logrotate sends): lines keep arriving; the master chowned the FIFO from $owner_before to $(stat -c %U "$fifo") (its worker user)"

# logscrub restart with nothing else holding the FIFO: writes while no reader fail with EPIPE
# (nginx ignores SIGPIPE, logs an error and drops the line); the request itself still succeeds.
kill -TERM "$ls_pid"
set +e; wait_exit "$ls_pid"; rc=$?; set -e
ls_pid=
[[ $rc == 0 ]] || fail "logscrub exit $rc on SIGTERM"
ok "logscrub SIGTERM -> exit 0"
before=$(lines)
for i in 1 2 3; do
    code=$(req "http://127.0.0.1:$port/while-down?i=$i")
    [[ $code == 200 ]] || fail "request while logscrub down: HTTP $code"
done
epipe=$(grep -c 'Broken pipe' "$dir/error.log" || true)
(( epipe >= 1 )) || fail "expected an EPIPE error in nginx error.log"
# nginx reports a failing access-log write at most once a minute per file, so expect one line.
ok "3 requests with no reader: HTTP 200 each; nginx error.log has $epipe line(s): '$(grep -m1 -o 'write() to .*failed (32: Broken pipe).*' "$dir/error.log")'"
"$LOGSCRUB" -o "$out" "$fifo" 2>>"$dir/logscrub.err" &
ls_pid=$!
sleep 0.3
req "http://127.0.0.1:$port/after-restart?email=jane@example.com" >/dev/null
wait_lines $((before + 1)) >/dev/null || fail "no line after logscrub restart"
grep -q 'after-restart?email=REDACTED' "$out" || fail "after-restart line wrong"
lost=$(( 3 - $(grep -c 'while-down' "$out" || true) ))
ok "new logscrub (pid $ls_pid) on the same FIFO: nginx's open fd reaches it, lines flow again; $lost of 3 lines sent while down were lost"

# Pitfall 2: back-pressure. A reader that stops reading (here SIGSTOP) fills the pipe buffer
# (64 KiB) and then every nginx worker blocks in write(): requests hang.
kill -STOP "$ls_pid"
before=$(lines)
served=0; hung=0
for i in $(seq 1 2000); do
    code=$(req -m 1 "http://127.0.0.1:$port/pressure?i=$i&padding=$(printf 'x%.0s' {1..200})") || true
    if [[ $code == 200 ]]; then served=$((served + 1)); else hung=1; break; fi
done
[[ $hung == 1 ]] || fail "nginx never blocked with a stopped reader"
ok "logscrub stopped: $served requests served, then request $((served + 1)) hung (curl 1 s timeout)"
kill -CONT "$ls_pid"
sleep 1
code=$(req "http://127.0.0.1:$port/after-cont")
[[ $code == 200 ]] || fail "nginx did not recover after SIGCONT (HTTP $code)"
sleep 0.3
ok "after SIGCONT: nginx serves again; $(grep -c 'pressure' "$out") 'pressure' lines on disk ($served served + the one that hung, logged once its worker was unblocked)"

# Mitigation: keep the FIFO open read-write in a long-lived process (here this shell, fd 3; in
# production a systemd .socket with ListenFIFO= does this). nginx never sees EPIPE, and lines
# written while logscrub restarts wait in the pipe buffer instead of being lost.
exec 3<>"$fifo"
holder_open=1
kill -TERM "$ls_pid"; wait_exit "$ls_pid" || fail "logscrub did not exit on SIGTERM"; ls_pid=
before=$(lines)
for i in 1 2 3; do req "http://127.0.0.1:$port/buffered?i=$i" >/dev/null; done
epipe2=$(grep -c 'Broken pipe' "$dir/error.log" || true)
# 3>&-: logscrub must not inherit the spare fd, or it holds a write end itself and never sees EOF
"$LOGSCRUB" -o "$out" "$fifo" 2>>"$dir/logscrub.err" 3>&- &
ls_pid=$!
wait_lines $((before + 3)) >/dev/null || fail "buffered lines did not arrive"
[[ $(grep -c 'buffered' "$out") == 3 ]] || fail "buffered lines missing"
[[ $epipe2 == "$epipe" ]] || fail "EPIPE while fd 3 held the FIFO"
ok "with a spare read-write fd on the FIFO: 3 of 3 lines sent while logscrub was down arrived after restart, no new EPIPE"
exec 3>&-
holder_open=

# Shutdown: nginx stop closes the last writer, logscrub reads EOF, flushes and exits 0.
ngx -s quit
set +e; wait_exit "$ls_pid"; rc=$?; set -e
ls_pid=
[[ $rc == 0 ]] || fail "logscrub exit $rc after nginx quit"
ok "nginx -s quit -> logscrub got EOF and exited 0 (restart it before the next nginx start)"

! grep -q 'frank\|hunter2\|jane@\|token=abc' "$out" || fail "personal data in final file"
"$LOGSCRUB" check "$out" || fail "final logscrub check"
[[ ! -s $dir/logscrub.err ]] || { cat "$dir/logscrub.err"; fail "logscrub wrote to stderr"; }
echo "nginx-fifo recipe: ok ($(lines) scrubbed lines, logscrub check clean)"
