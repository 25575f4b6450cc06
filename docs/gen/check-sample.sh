#!/usr/bin/env bash
# Regenerates the sample reports of docs/check.md: `logscrub check` on fixtures/combined.log
# (text and --json), and on its scrubbed output. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
doc=docs/check.md
cargo build --quiet
bin=target/debug/logscrub

text=$("$bin" check fixtures/combined.log || true)
json=$("$bin" check --json fixtures/combined.log | python3 -c '
import json, sys
doc = json.load(sys.stdin)
c = lambda v: json.dumps(v, separators=(", ", ": "))
print("{\"clean\": %s, \"inputs\": [" % c(doc["clean"]))
for i in doc["inputs"]:
    print("  {\"name\": %s, \"lines\": %d, \"clean\": %s, \"findings\": {" % (c(i["name"]), i["lines"], c(i["clean"])))
    items = list(i["findings"].items())
    for n, (k, v) in enumerate(items):
        print("    %s: %s%s" % (c(k), c(v), "," if n + 1 < len(items) else ""))
    print("  }}")
print("]}")
' || true)
clean=$("$bin" fixtures/combined.log | "$bin" check; echo "exit status $?")

. docs/gen/markers.sh
replace "$doc" check-text "$(printf '```\n$ logscrub check fixtures/combined.log\n%s\n$ logscrub fixtures/combined.log | logscrub check\n%s\n```' "$text" "$clean")"
replace "$doc" check-json "$(printf '```json\n%s\n```' "$json")"
echo "updated $doc"
