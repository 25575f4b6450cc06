#!/usr/bin/env bash
# Output fingerprints for refactoring and speed work: the SHA-256 of logscrub's output on every
# corpus file (../shared/corpus/{formats,real}) and every fixture, under several policies. A
# change that must not change output (a restructuring, a faster hot path) is checked by taking a
# manifest before and comparing after.
#
#   benches/identical.sh > before.tsv          write the manifest (policy, file, sha256, exit status)
#   benches/identical.sh --check before.tsv    exit 1 and list every (policy, file) that differs
#
# Options: --binary PATH (default: build and use target/release/logscrub).
# Each file is scrubbed on its own with `--format auto`, once with `--threads 1` and once with
# `--threads 2` (both must agree: the line "threads" flags a difference).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BINARY=""
EXPECTED=""
while [ $# -gt 0 ]; do
    case "$1" in
        --check) EXPECTED="$2"; shift ;;
        --binary) BINARY="$2"; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "identical.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$BINARY" ]; then
    cargo build --release --quiet
    BINARY=target/release/logscrub
fi
CORPUS="$ROOT/../shared/corpus"
[ -d "$CORPUS" ] || { echo "identical.sh: no corpus at $CORPUS" >&2; exit 2; }

# Policies: name, then logscrub's options. A fixed key, so that no run generates one.
export LOGSCRUB_KEY=6c6f677363727562206265636e63686d61726b206b65792c2033322062797465
POLICIES=(
    "default|"
    "hash|--ip hash"
    "prefix|--ip prefix --ipv4-mask 16"
    "keep_all|--ip keep --referrer keep --request keep --user keep"
    "strict|--referrer drop --request strip --user hash --agent reduce --skip-private"
)

mapfile -t FILES < <(
    { find "$CORPUS/formats" "$CORPUS/real" -type f; find fixtures -type f -name '*.log'; } \
        | LC_ALL=C sort
)
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

manifest() {
    local entry name opts file status sum1 sum2
    for entry in "${POLICIES[@]}"; do
        name="${entry%%|*}"
        opts="${entry#*|}"
        for file in "${FILES[@]}"; do
            status=0
            # shellcheck disable=SC2086 # the options are words
            "$BINARY" --threads 1 $opts "$file" > "$TMP/out1" 2>/dev/null || status=$?
            sum1=$(sha256sum < "$TMP/out1" | cut -c1-64)
            # shellcheck disable=SC2086
            "$BINARY" --threads 2 $opts "$file" > "$TMP/out2" 2>/dev/null || true
            sum2=$(sha256sum < "$TMP/out2" | cut -c1-64)
            [ "$sum1" = "$sum2" ] || echo "threads	$name	${file#"$ROOT/"}"
            printf '%s\t%s\t%s\t%s\n' "$name" "${file#"$ROOT/"}" "$sum1" "$status"
        done
    done
}

if [ -z "$EXPECTED" ]; then
    manifest
    exit 0
fi
manifest > "$TMP/now.tsv"
if diff <(LC_ALL=C sort "$EXPECTED") <(LC_ALL=C sort "$TMP/now.tsv") > "$TMP/diff"; then
    echo "identical.sh: $(wc -l < "$TMP/now.tsv") outputs identical"
else
    echo "identical.sh: outputs differ (< expected, > now):" >&2
    cat "$TMP/diff" >&2
    exit 1
fi
