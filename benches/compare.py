#!/usr/bin/env python3
"""End-to-end comparison of logscrub with the tools people use today.

    python3 benches/compare.py [--size-mb 500] [--reps 3]

Builds a combined log of about --size-mb megabytes by repeating the combined files of
../shared/corpus/real/, then times, in one run, each command --reps times and reports medians:

- `cat | cat`, the pipe ceiling;
- logscrub, default policy, one thread and all cores, file argument and stdin pipe;
- anonip from PyPI with its defaults (installed into target/compare-venv);
- a `sed -E` one-liner that zeroes the last IPv4 octet;

as MB/s, lines/s, peak RSS (GNU time) and each command's speed relative to logscrub on all
cores reading the file. Then the latency of one line trickled through a real pipe.
Everything it creates goes under target/.
"""

import argparse
import os
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SOURCES = ["elastic-apache-combined.log", "logparser-hackers-combined.log", "lnav-shop-nginx-xff.log"]
TIME = "/usr/bin/time"


def build_input(size_mb: int) -> Path:
    path = TARGET / f"compare-{size_mb}mb.log"
    if path.exists():
        return path
    block = b"".join((CORPUS / name).read_bytes() for name in SOURCES)
    with open(path, "wb") as out:
        written = 0
        while written < size_mb * 1_000_000:
            out.write(block)
            written += len(block)
    return path


def ensure_anonip() -> Path:
    venv = TARGET / "compare-venv"
    anonip = venv / "bin" / "anonip"
    if not anonip.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "anonip"], check=True)
    return anonip


def timed(command: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB, the largest process of the pipeline) of a shell command."""
    result = subprocess.run(
        [TIME, "-f", "%e %M", "sh", "-c", command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    seconds, rss = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(rss)


def latency_ms(binary: Path, threads: int, rounds: int = 20) -> float:
    """Median time from writing one line into logscrub's stdin pipe to reading it on stdout."""
    proc = subprocess.Popen(
        [str(binary), "--threads", str(threads)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    samples = []
    line = b'203.0.113.9 - - [10/Oct/2023:13:55:36 +0200] "GET /?sid=1 HTTP/1.1" 200 5 "-" "-"\n'
    for _ in range(rounds):
        start = time.perf_counter()
        proc.stdin.write(line)
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 5)
        if not ready:
            raise RuntimeError("no output within 5 s")
        os.read(proc.stdout.fileno(), 65536)
        samples.append((time.perf_counter() - start) * 1000)
        time.sleep(0.05)
    proc.stdin.close()
    proc.wait()
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} is missing")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = TARGET / "release" / "logscrub"
    big = build_input(args.size_mb)
    anonip = ensure_anonip()
    size = big.stat().st_size
    with open(big, "rb") as f:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    cores = os.cpu_count() or 1
    commands = [
        ("`cat \\| cat` (pipe ceiling)", f"cat {big} | cat > /dev/null"),
        ("logscrub, 1 thread, file", f"{binary} --threads 1 {big} > /dev/null"),
        (f"logscrub, {cores} threads, file", f"{binary} {big} > /dev/null"),
        ("logscrub, 1 thread, pipe", f"cat {big} | {binary} --threads 1 | cat > /dev/null"),
        (f"logscrub, {cores} threads, pipe", f"cat {big} | {binary} | cat > /dev/null"),
        ("anonip (defaults)", f"{anonip} < {big} > /dev/null"),
        ("sed -E last octet", f"sed -E 's/^([0-9]+\\.[0-9]+\\.[0-9]+)\\.[0-9]+/\\1.0/' {big} > /dev/null"),
    ]
    subprocess.run(["cat", str(big)], stdout=subprocess.DEVNULL, check=True)  # warm the cache
    results = []
    for name, command in commands:
        runs = [timed(command) for _ in range(args.reps)]
        seconds = statistics.median(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        results.append((name, seconds, rss))
        print(f"  {name}: {seconds:.2f} s", file=sys.stderr)
    reference = results[2][1]
    print(f"input: {size / 1e6:.0f} MB, {lines} lines; {cores} cores; medians of {args.reps} runs\n")
    print("| command | MB/s | lines/s | peak RSS | time vs logscrub (all cores, file) |")
    print("|---|---:|---:|---:|---:|")
    for name, seconds, rss in results:
        print(
            f"| {name} | {size / 1e6 / seconds:.0f} | {lines / seconds / 1e6:.2f} M "
            f"| {rss / 1024:.1f} MiB | {seconds / reference:.2f}× |"
        )
    print()
    for threads in (1, cores):
        print(f"latency, one line through a pipe, {threads} thread(s): {latency_ms(binary, threads):.2f} ms (median of 20)")


if __name__ == "__main__":
    main()
