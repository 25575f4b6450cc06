#!/usr/bin/env bash
# Regenerates the measured tables of docs/detection.md: recall and precision per class on
# fixtures/pii/ (tests/pii.rs) and fields changed that hold nothing personal on
# ../shared/corpus/real/ (tests/damage.rs). Run from anywhere; needs ../shared for the second.
set -euo pipefail
cd "$(dirname "$0")/../.."
doc=docs/detection.md

pii=$(cargo test --test pii -- --nocapture --test-threads=1 2>&1 | sed -n '/^class /,/^total /p')
damage=$(cargo test --test damage -- --nocapture --test-threads=1 2>&1 | grep '^|')

. docs/gen/markers.sh
replace "$doc" pii-table "$(printf '```\n%s\n```' "$pii")"
replace "$doc" damage-table "$damage"
echo "updated $doc"
