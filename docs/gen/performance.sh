#!/usr/bin/env bash
# Regenerates the measured tables of docs/performance.md: the hot-path throughput per policy and
# format (criterion, `cargo bench --bench hot_path`) and the end-to-end comparison with cat, anonip
# and sed (`benches/compare.py`). Needs ../shared/corpus/real; takes several minutes; run it on an
# idle machine (figures from a loaded one are not comparable), then review the prose around the
# tables, which describes the run.
#
#   docs/gen/performance.sh              run both benchmarks, then write both tables
#   docs/gen/performance.sh --no-run     write the hot-path table from target/criterion as it is
set -euo pipefail
cd "$(dirname "$0")/../.."
doc=docs/performance.md
run=1
[ "${1:-}" = --no-run ] && run=0

if [ "$run" = 1 ]; then
    cargo bench --bench hot_path
    compare=$(python3 benches/compare.py)
fi

# Criterion's mean time per iteration and its throughput in bytes, as MiB/s.
hot=$(python3 - <<'PY'
import json, os
rows = [("hot_path/default", "`hot_path/default`"),
        ("hot_path/mask_only", "`hot_path/mask_only` (`--ip mask`, everything else `keep`)"),
        ("hot_path/hash_only", "`hot_path/hash_only`"),
        ("hot_path/prefix_only", "`hot_path/prefix_only`"),
        ("hot_path/keep_all", "`hot_path/keep_all` (parse-and-scan floor)")]
for policy in ("default", "keep_all"):
    for parser in ("builtin", "apache", "nginx"):
        # Criterion names the directory of `formats/default/apache` `formats/default_apache`.
        rows.append((f"formats/{policy}_{parser}", f"`formats/{policy}/{parser}`"))
for policy in ("default", "mask_only", "hash_only", "prefix_only", "keep_all"):
    rows.append((f"distinct_clients/{policy}", f"`distinct_clients/{policy}` (file b's clients)"))
print("| bench | throughput (mean) |")
print("|---|---|")
for bench, label in rows:
    base = os.path.join("target/criterion", bench, "new")
    try:
        mean = json.load(open(os.path.join(base, "estimates.json")))["mean"]["point_estimate"]
        size = json.load(open(os.path.join(base, "benchmark.json")))["throughput"]["Bytes"]
    except (OSError, KeyError):
        continue
    print(f"| {label} | {size / (mean / 1e9) / 2**20:.0f} MiB/s |")
PY
)

. docs/gen/markers.sh
replace "$doc" hot-path-table "$hot"
if [ "$run" = 1 ]; then
    replace "$doc" compare-table "$compare"
fi
echo "updated $doc; now review the prose around the tables"
