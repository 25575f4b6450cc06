#!/usr/bin/env bash
# Regenerates the measured tables of docs/detection.md: recall and precision per class on
# fixtures/pii/ (tests/pii.rs) and fields changed that hold nothing personal on
# ../shared/corpus/real/ (tests/damage.rs). Run from anywhere; needs ../shared for the second.
set -euo pipefail
cd "$(dirname "$0")/../.."
doc=docs/detection.md

pii=$(cargo test --test pii -- --nocapture --test-threads=1 2>&1 | sed -n '/^class /,/^total /p')
damage=$(cargo test --test damage -- --nocapture --test-threads=1 2>&1 | grep '^|')

replace() { # replace the lines between <!-- BEGIN $1 --> and <!-- END $1 --> with $2
    python3 - "$doc" "$1" "$2" <<'PY'
import sys
path, name, body = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(f"{head}{begin}\n{body}\n{end}{tail}")
PY
}
replace pii-table "$(printf '```\n%s\n```' "$pii")"
replace damage-table "$damage"
echo "updated $doc"
