# Helpers the recipe scripts share; sourced, not run. The script defines `out` (the scrubbed
# file it watches), `port` (nginx's) and its own `fail`, which may print more context.

ok() { echo "ok: $*"; }

# Lines in $out so far.
lines() { [[ -f $out ]] && wc -l < "$out" || echo 0; }

# Waits until $out has at least $1 lines (max 5 s); prints the wait in ms.
wait_lines() {
    local want=$1 t0 i
    t0=$(date +%s%N)
    for ((i = 0; i < 1000; i++)); do
        (( $(lines) >= want )) && { echo $(( ($(date +%s%N) - t0) / 1000000 )); return 0; }
        sleep 0.005
    done
    return 1
}

# An HTTP request; prints the status code.
req() { curl -s -o /dev/null -m 3 -w '%{http_code}' "$@"; }

# 20 sequential requests, each timed from curl's exit to its scrubbed line in $out.
latency() {
    local lat=() i n m sorted
    for i in $(seq 1 20); do
        n=$(lines)
        req "http://127.0.0.1:$port/latency?i=$i&email=jane@example.com" >/dev/null
        m=$(wait_lines $((n + 1))) || fail "latency line $i missing"
        lat+=("$m")
    done
    sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
    ok "latency over 20 requests (ms, incl. 5 ms polling): min $(head -1 <<<"$sorted") median $(sed -n 10p <<<"$sorted") max $(tail -1 <<<"$sorted")"
}
