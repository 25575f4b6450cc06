#!/usr/bin/env bash
# Regenerates the user-agent fingerprint table of docs/detection.md: distinct user agents and
# the entropy of their distribution per file of ../shared/corpus/real/, before and after
# `--agent reduce`, from `--stats-json`.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build -q --release
table="| file | distinct before | distinct after | entropy before (bits) | entropy after (bits) |
|---|---|---|---|---|"
for f in ../shared/corpus/real/*; do
    json=$(./target/release/logscrub --agent reduce --stats-json "$f" 2>&1 >/dev/null | tail -1)
    row=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("| %s | %d | %d | %.2f | %.2f |" % (sys.argv[2], d["agents_in"], d["agents_out"], d["agent_bits_in"], d["agent_bits_out"]))' "$json" "$(basename "$f")")
    table="$table
$row"
done
. docs/gen/markers.sh
replace docs/detection.md agent-table "$table"
echo "updated docs/detection.md"
