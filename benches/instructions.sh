#!/usr/bin/env bash
# Instruction counts of logscrub's hot path, per policy: the deterministic benchmark, and a CI
# gate on it (see docs/performance.md, "Instruction-count gate").
#
#   benches/instructions.sh            measure and compare with the baseline (never fails on it)
#   benches/instructions.sh --check    the gate: exit 1 when a policy's count per byte grew by
#                                      more than 3 % over the baseline, unless the commit under
#                                      test (HEAD) changes the baseline file
#   benches/instructions.sh --update   measure and rewrite the baseline
#
# Options: --corpus DIR (default ../shared/corpus/real beside the checkout), --baseline FILE
# (default benches/instructions-baseline.tsv), --threshold PERCENT (default 3), --no-build
# (use target/release/logscrub as it is), --binary PATH (measure that build instead).
#
# The binary is the one `cargo bench --no-run` builds (the bench profile: the release profile's
# optimisation, thin LTO and one codegen unit, unwinding instead of aborting on panic), which
# CI has built already at that point, so that the gate costs no second optimised build.
# Each policy runs it under `valgrind --tool=callgrind` with `--threads 1`,
# every file of the corpus given as an argument, and once more on an empty input; the
# difference (the work the input caused, start-up excluded) divided by the corpus's bytes is
# the figure: instructions per input byte. Counts are exact and repeat to within 0.01 % from
# run to run, however loaded the machine; they change with the compiler and the CPU features
# valgrind reports, so a baseline belongs to one toolchain and one kind of machine.
# Exit status: 0 pass, 1 regression, 2 cannot measure.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
MODE=report
CORPUS="$ROOT/../shared/corpus/real"
BASELINE="$ROOT/benches/instructions-baseline.tsv"
THRESHOLD=3
BUILD=1
BINARY=target/release/logscrub
while [ $# -gt 0 ]; do
    case "$1" in
        --check) MODE=check ;;
        --update) MODE=update ;;
        --corpus) CORPUS="$2"; shift ;;
        --baseline) BASELINE="$2"; shift ;;
        --threshold) THRESHOLD="$2"; shift ;;
        --no-build) BUILD=0 ;;
        --binary) BINARY="$2"; BUILD=0; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "instructions.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# Policies: name, then logscrub's options.
POLICIES=(
    "default|"
    "hash|--ip hash"
    "prefix|--ip prefix"
    "keep_all|--ip keep --referrer keep --request keep --user keep"
)
# A fixed key, so that no run generates one (and --ip hash|prefix need one).
export LOGSCRUB_KEY=6c6f677363727562206265636e63686d61726b206b65792c2033322062797465

fail() { echo "instructions.sh: $*" >&2; exit 2; }
command -v valgrind >/dev/null || fail "valgrind is not installed (Debian: apt-get install valgrind)"
[ -d "$CORPUS" ] || fail "no corpus at $CORPUS"
mapfile -t FILES < <(find "$CORPUS" -maxdepth 1 -type f | LC_ALL=C sort)
[ "${#FILES[@]}" -gt 0 ] || fail "no files in $CORPUS"
BYTES=$(cat "${FILES[@]}" | wc -c)

if [ "$BUILD" = 1 ]; then
    cargo bench --no-run --quiet
fi
# A copy, so that a concurrent build cannot swap the binary between runs.
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cp "$BINARY" "$TMP/logscrub"

# Instructions (all threads) of one run of logscrub under callgrind.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$TMP/callgrind.out" --log-file="$TMP/log" \
        "$TMP/logscrub" --threads 1 "$@" >/dev/null \
        || fail "logscrub failed under valgrind: $(tail -n 5 "$TMP/log")"
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$TMP/log"
}

START=$SECONDS
declare -A MEASURED
for entry in "${POLICIES[@]}"; do
    name="${entry%%|*}"
    read -r -a options <<<"${entry#*|}"
    full=$(instructions "${options[@]}" "${FILES[@]}")
    empty=$(instructions "${options[@]}" /dev/null)
    MEASURED[$name]=$(awk -v f="$full" -v e="$empty" -v b="$BYTES" 'BEGIN { printf "%.2f", (f - e) / b }')
    printf '  %-9s %12d instructions, %10d at start-up: %s per byte\n' \
        "$name" "$full" "$empty" "${MEASURED[$name]}" >&2
done
echo "measured in $((SECONDS - START)) s: ${#FILES[@]} files, $BYTES bytes of $CORPUS" >&2

if [ "$MODE" = update ]; then
    {
        echo "# Instructions per input byte of logscrub's hot path: bench profile, --threads 1,"
        echo "# valgrind --tool=callgrind, start-up on an empty input subtracted."
        echo "# Written by benches/instructions.sh --update; gated by benches/instructions.sh --check."
        echo "# Corpus: ${#FILES[@]} files, $BYTES bytes; $(rustc --version | cut -d' ' -f1-2);" \
            "$(valgrind --version); $(uname -m)."
        printf 'policy\tinstructions_per_byte\n'
        for entry in "${POLICIES[@]}"; do
            name="${entry%%|*}"
            printf '%s\t%s\n' "$name" "${MEASURED[$name]}"
        done
    } >"$BASELINE"
    echo "wrote $BASELINE" >&2
    exit 0
fi

# Whether the commit under test changes the baseline file (or, on a developer's machine, the
# working tree does, ahead of the commit). Compared with the first parent; a root commit adds
# it; a shallow clone without the parent gets it fetched, and without one the gate holds.
baseline_changed() {
    local rel
    git rev-parse --git-dir >/dev/null 2>&1 || { echo "  (not a git checkout)" >&2; return 1; }
    rel="$(realpath --relative-to="$(git rev-parse --show-toplevel)" "$BASELINE")"
    if ! git diff --quiet HEAD -- "$rel" 2>/dev/null; then
        echo "  ($rel has uncommitted changes: taken as changed by the commit to come)" >&2
        return 0
    fi
    if ! git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
        if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
            git fetch -q --deepen=1 2>/dev/null || true
        fi
    fi
    if git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
        [ -n "$(git diff --name-only HEAD~1 HEAD -- "$rel")" ]
    elif [ "$(git rev-parse --is-shallow-repository)" = true ]; then
        echo "  (shallow clone without HEAD's parent: cannot tell whether HEAD changes $rel;" \
            "clone with --depth 2 or more to let a baseline update through)" >&2
        return 1
    else
        [ -n "$(git ls-tree --name-only HEAD -- "$rel")" ]   # the root commit adds it
    fi
}

if [ ! -f "$BASELINE" ] && [ "$MODE" = check ]; then
    fail "no baseline at $BASELINE (run --update)"
fi
grown=()
printf '\n%-9s %10s %10s %8s\n' policy baseline measured change
for entry in "${POLICIES[@]}"; do
    name="${entry%%|*}"
    base=$(awk -F'\t' -v p="$name" '$1 == p { print $2 }' "$BASELINE" 2>/dev/null || true)
    if [ -z "$base" ]; then
        printf '%-9s %10s %10s %8s\n' "$name" - "${MEASURED[$name]}" new
        continue
    fi
    read -r change over < <(awk -v m="${MEASURED[$name]}" -v b="$base" -v t="$THRESHOLD" \
        'BEGIN { c = (m / b - 1) * 100; printf "%+.2f%% %d\n", c, (c > t) }')
    flag=
    if [ "$over" = 1 ]; then
        flag="  > +$THRESHOLD %"
        grown+=("$name")
    fi
    printf '%-9s %10s %10s %8s%s\n' "$name" "$base" "${MEASURED[$name]}" "$change" "$flag"
done
echo

# In --check mode the last line is a summary in the form test logs close with.
total=${#POLICIES[@]}
if [ "${#grown[@]}" -eq 0 ]; then
    echo "instruction counts within +$THRESHOLD % of the baseline"
    [ "$MODE" = check ] && echo "instructions: $total passed, 0 failed"
    exit 0
fi
if [ "$MODE" != check ]; then
    echo "grew by more than $THRESHOLD %: ${grown[*]} (--check would fail unless the commit updates the baseline)"
    exit 0
fi
if baseline_changed; then
    echo "grew by more than $THRESHOLD %: ${grown[*]}; passed, as this commit updates the baseline:" \
        "$(git log -1 --format=%s 2>/dev/null || true)"
    echo "instructions: $total passed, 0 failed"
    exit 0
fi
echo "FAIL: instructions per byte grew by more than $THRESHOLD % for ${grown[*]}."
echo "If that is the price of a change, run benches/instructions.sh --update and commit the"
echo "baseline with the change, its message saying why."
echo "instructions: $((total - ${#grown[@]})) passed, ${#grown[@]} failed"
exit 1
