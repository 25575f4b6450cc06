#!/usr/bin/env bash
# Regenerates the sample outputs of README.md and docs/ from real runs, so that none goes stale:
#   README.md             before-after      a line before and after the default policy
#   docs/policies.md      stats-sample      `--stats` on fixtures/combined.log
#                         stats-json-sample `--stats-json` on the same
#   docs/pseudonyms.md    key-dir-stats     `--stats` with a key directory
#   docs/operations.md    interrupted       a run stopped by SIGTERM part-way through a file
#                         refused-link      `--in-place` on a symbolic link
# Each sample sits between <!-- BEGIN name --> and <!-- END name --> in its file.
#
#   docs/gen/samples.sh           rewrite the samples
#   docs/gen/samples.sh --check   exit 1 if a sample differs from a real run (timings aside);
#                                 tests/docs.rs runs this
# Uses target/debug/logscrub (built here), or the binary named by $LOGSCRUB.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=write
[ "${1:-}" = --check ] && mode=check
if [ -z "${LOGSCRUB:-}" ]; then
    cargo build --quiet
    LOGSCRUB=target/debug/logscrub
fi
bin=$(realpath "$LOGSCRUB")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# put FILE NAME BODY: writes BODY between the markers NAME of FILE, or (--check) compares it
# with what is there, timings masked.
put() {
    python3 - "$mode" "$1" "$2" "$3" <<'PY' || failed=1
import re, sys
mode, path, name, body = sys.argv[1:]
text = open(path).read()
begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
head, rest = text.split(begin, 1)
old, tail = rest.split(end, 1)
new = f"{head}{begin}\n{body}\n{end}{tail}"
if mode == "write":
    open(path, "w").write(new)
    sys.exit(0)
def mask(s):
    s = re.sub(r"[0-9.]+ s, [0-9.]+ MB/s", "T s, R MB/s", s)
    # Random period keys give pseudonyms of varying length.
    s = re.sub(r"in, [0-9]+ out;", "in, N out;", s)
    return re.sub(r'"(seconds|mb_per_s)":[0-9.]+', r'"\1":T', s)
if mask(new) != mask(text):
    print(f"{path}: sample {name} differs from a real run; run docs/gen/samples.sh", file=sys.stderr)
    sys.exit(1)
PY
}

# A line before and after (default policy).
before='198.51.100.23 - frank [10/Oct/2023:13:55:37 +0200] "GET /login?user=frank&password=hunter2&next=%2Fhome HTTP/1.1" 302 0 "https://www.example.com/search?q=frank+smith&sid=8f14e45f#results" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"'
after=$(printf '%s\n' "$before" | "$bin")
put README.md before-after "$(printf '```\n%s\n%s\n```' "$before" "$after")"

# --stats and --stats-json.
stats=$("$bin" --stats fixtures/combined.log 2>&1 >/dev/null)
put docs/policies.md stats-sample "$(printf '```\n$ logscrub --stats fixtures/combined.log > /dev/null\n%s\n```' "$stats")"
json=$("$bin" --stats-json fixtures/combined.log 2>&1 >/dev/null)
put docs/policies.md stats-json-sample "$(printf '```\n$ logscrub --stats-json fixtures/combined.log > /dev/null\n%s\n```' "$json")"

# A key directory that holds the key of one day and gets the next one's.
mkdir -m 700 "$tmp/keys"
"$bin" keygen "$tmp/keys/2024-05-17.key" 2>/dev/null
printf '%s\n' \
    '203.0.113.9 - - [17/May/2024:23:59:58 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8.4.0"' \
    '203.0.113.9 - - [18/May/2024:00:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8.4.0"' \
    > "$tmp/access.log"
keys=$(cd "$tmp" && "$bin" --ip hash --key-rotation daily --key-dir keys --stats access.log 2>&1 >/dev/null \
    | sed 's| from keys | from /var/lib/logscrub/keys |')
put docs/pseudonyms.md key-dir-stats "$(printf '```\n$ logscrub --ip hash --key-rotation daily --key-dir /var/lib/logscrub/keys --stats access.log > /dev/null\n%s\n```' "$keys")"

# SIGTERM part-way through a file (a FIFO, fed one line and held open, stands for a file that
# is still being read when the signal comes).
mkfifo "$tmp/access.log.1"
(cd "$tmp" && exec "$bin" access.log.1 >"$tmp/out" 2>"$tmp/err") &
pid=$!
exec 3>"$tmp/access.log.1" # returns once logscrub has opened it, its handlers installed
printf '%s\n' "$before" >&3
for _ in $(seq 200); do [ -s "$tmp/out" ] && break; sleep 0.01; done
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
exec 3>&-
put docs/operations.md interrupted "$(printf '```\n$ logscrub access.log.1 > access.log.1.clean && mv access.log.1.clean access.log.1\n%s\n$ echo $?\n%s\n```' "$(cat "$tmp/err")" "$status")"

# --in-place on a symbolic link.
cp fixtures/common.log "$tmp/access.log.2"
ln -s access.log.2 "$tmp/current.log"
refused=$(cd "$tmp" && "$bin" --in-place current.log 2>&1 || echo "exit status $?")
put docs/operations.md refused-link "$(printf '```\n$ logscrub --in-place current.log\n%s\n```' "$refused")"

if [ "$mode" = check ]; then
    [ "$failed" = 0 ] && echo "samples: all match real runs"
    exit "$failed"
fi
echo "updated the samples"
