#!/usr/bin/env python3
"""End-to-end comparison of logscrub with a minimal masker and the tools people use today.

    python3 benches/compare.py [--size-a-mb 200] [--size-b-mb 100] [--reps 5]
                               [--no-anonip] [--no-alog] [--no-sed] [--keep-files]

Builds two combined logs in /dev/shm (this machine's page cache is reclaimed within seconds, so
files on disk would be timed partly as disk reads):

- file a, about --size-a-mb MB: the combined files of ../shared/corpus/real/ repeated;
- file b, about --size-b-mb MB: the same lines with every line's client replaced by an address
  of its own, derived from the line number (`distinct_client`: a different /24 for every line,
  in public unicast space), so that no per-address cache or memo ever hits.

Then times every command --reps times, interleaved (one run of each command per round, the
order rotated from round to round), and reports medians: MB/s, peak RSS (the largest process of
the command, from GNU time) and the speed relative to the minimal masker on the same file. The
commands:

- the minimal masker, benches/masker.rs (memchr lines, last octet of a leading IPv4 zeroed),
  reading the file and through pipes (`cat f | masker | cat`);
- `cat f | cat`, the pipe itself;
- logscrub with `--threads 1` and with all cores, reading the file and through pipes;
  `--ip mask` and `--ip prefix` with all cores on file b;
- alog from crates.io (`cargo install` into a temporary CARGO_HOME, kept under
  target/compare-alog), which replaces the first field only;
- anonip from PyPI with its defaults (target/compare-venv) and a `sed -E` one-liner that zeroes
  the last IPv4 octet, on file a.

It ends with the ratios issue 16 sets targets for, each as the ratio of medians and the range of
the ratios within the rounds, then the latency of one line trickled through a real pipe.
Files go to /dev/shm/logscrub-compare-<pid> and are removed at the end unless --keep-files.
"""

import argparse
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SOURCES = ["elastic-apache-combined.log", "logparser-hackers-combined.log", "lnav-shop-nginx-xff.log"]
# A fixed key for --ip prefix, so that no run generates one.
TIME = "/usr/bin/time"  # GNU time, for peak RSS
KEY = "6c6f677363727562206265636e63686d61726b206b65792c2033322062797465"

# First octets of public unicast IPv4 space, leaving out the /8s that hold private, loopback,
# shared, link-local, benchmarking and documentation ranges. Same as benches/hot_path.rs.
PUBLIC_FIRST_OCTETS = [o for o in range(1, 224) if o not in (10, 100, 127, 169, 172, 192, 198, 203)]


def distinct_client(n: int) -> bytes:
    """The client of line n (from 0) of file b: a bijection of n onto the /24s of
    PUBLIC_FIRST_OCTETS, so that every line up to 14 million has a /24 of its own. The same
    derivation as `distinct_client` in benches/hot_path.rs."""
    s = (n * 2_654_435_761 + 12_345) % (len(PUBLIC_FIRST_OCTETS) * 65536)
    return b"%d.%d.%d.%d" % (PUBLIC_FIRST_OCTETS[s >> 16], (s >> 8) & 255, s & 255, 1 + n % 254)


def source_lines() -> list[bytes]:
    lines = []
    for name in SOURCES:
        data = (CORPUS / name).read_bytes()
        if not data.endswith(b"\n"):
            data += b"\n"
        lines.extend(data.splitlines(keepends=True))
    return lines


def build_file_a(path: Path, size_mb: int) -> None:
    block = b"".join(source_lines())
    with open(path, "wb") as out:
        written = 0
        while written < size_mb * 1_000_000:
            out.write(block)
            written += len(block)


def build_file_b(path: Path, size_mb: int) -> None:
    lines = source_lines()
    with open(path, "wb") as out:
        written = n = 0
        while written < size_mb * 1_000_000:
            chunk = []
            for line in lines:
                space = line.find(b" ")
                chunk.append(line if space < 0 else distinct_client(n) + line[space:])
                n += 1
            data = b"".join(chunk)
            out.write(data)
            written += len(data)


def cargo_executable(args: list[str], name: str) -> Path:
    """Builds with cargo and returns the path of the executable named `name`."""
    result = subprocess.run(
        ["cargo", *args, "--message-format=json-render-diagnostics"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    for line in result.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == name and msg.get("executable"):
            return Path(msg["executable"])
    raise RuntimeError(f"cargo {' '.join(args)} built no executable {name}")


def ensure_anonip() -> tuple[Path | None, str]:
    venv = TARGET / "compare-venv"
    anonip = venv / "bin" / "anonip"
    if not anonip.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "anonip"], check=True)
        except (subprocess.CalledProcessError, OSError) as e:
            return None, f"pip install anonip failed: {e}"
    return anonip, "anonip (PyPI)"


def ensure_alog() -> tuple[Path | None, str]:
    """alog's command-line tool from crates.io, installed once into target/compare-alog."""
    root = TARGET / "compare-alog"
    alog = root / "bin" / "alog"
    if not alog.exists():
        with tempfile.TemporaryDirectory(prefix="compare-cargo-home-") as home:
            env = dict(os.environ, CARGO_HOME=home)
            env.pop("CARGO_TARGET_DIR", None)
            result = subprocess.run(
                ["cargo", "install", "--quiet", "--features", "alog-cli", "--root", str(root), "alog"],
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
        if result.returncode != 0 or not alog.exists():
            reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
            return None, f"cargo install alog failed: {reason}"
    version = subprocess.run([str(alog), "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    return alog, version or "alog"


def timed(command: str, env: dict[str, str], rss_file: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB, the largest process of the command) of a bash command.

    The RSS comes from GNU time, a small process: a child spawned by this script would carry
    the script's own resident set over its exec into wait4's figure."""
    start = time.perf_counter()
    argv = ["time", "-f", "%M", "-o", str(rss_file), "bash", "-c", "set -o pipefail; " + command]
    pid = os.posix_spawn(TIME, argv, env)
    _, status = os.waitpid(pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"exit status {code}: {command}")
    return seconds, int(rss_file.read_text().split()[-1])


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


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-a-mb", "--size-mb", dest="size_a_mb", type=int, default=200)
    parser.add_argument("--size-b-mb", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--no-anonip", action="store_true", help="skip anonip (about 1 min per round)")
    parser.add_argument("--no-alog", action="store_true", help="skip alog")
    parser.add_argument("--no-sed", action="store_true", help="skip the sed one-liner")
    parser.add_argument("--keep-files", action="store_true", help="leave the files in /dev/shm")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} is missing")
    if not Path(TIME).exists():
        sys.exit(f"needs GNU time at {TIME} (Debian: apt-get install time)")

    shm = Path("/dev/shm")
    work = Path(tempfile.mkdtemp(prefix="logscrub-compare-", dir=shm if shm.is_dir() else TARGET))
    if not shm.is_dir():
        print(f"note: no /dev/shm; files in {work} may be timed partly as disk reads", file=sys.stderr)
    try:
        run(args, work)
    finally:
        if not args.keep_files:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    # The masker first: building a benchmark also builds the binary, in the bench profile.
    masker_built = cargo_executable(["bench", "--no-run", "--bench", "masker"], "masker")
    logscrub_built = cargo_executable(["build", "--release", "--bin", "logscrub"], "logscrub")
    # Copies, so that a build by someone else during the run changes nothing.
    masker, logscrub = work / "masker", work / "logscrub"
    shutil.copy2(masker_built, masker)
    shutil.copy2(logscrub_built, logscrub)

    file_a, file_b = work / "a.log", work / "b.log"
    build_file_a(file_a, args.size_a_mb)
    build_file_b(file_b, args.size_b_mb)
    sizes = {"a": file_a.stat().st_size, "b": file_b.stat().st_size}
    lines = {"a": count_lines(file_a), "b": count_lines(file_b)}

    skipped = []
    alog = anonip = None
    if args.no_alog:
        skipped.append("alog: --no-alog")
    else:
        alog, alog_name = ensure_alog()
        if alog is None:
            skipped.append(f"alog: {alog_name}")
    if args.no_anonip:
        skipped.append("anonip: --no-anonip")
    else:
        anonip, anonip_name = ensure_anonip()
        if anonip is None:
            skipped.append(f"anonip: {anonip_name}")

    cores = os.cpu_count() or 1
    # (key, file, label, command)
    commands = []
    for f, path in (("a", file_a), ("b", file_b)):
        mask = " --ip mask" if f == "b" else ""
        commands += [
            ("masker", f, "minimal masker (benches/masker.rs)", f"{masker} < {path} > /dev/null"),
            ("masker_pipe", f, "minimal masker, through pipes", f"cat {path} | {masker} | cat > /dev/null"),
            ("cat", f, "`cat f \\| cat`", f"cat {path} | cat > /dev/null"),
            ("ls1", f, "logscrub `--threads 1`, default policy", f"{logscrub} --threads 1 < {path} > /dev/null"),
            ("lsN", f, f"logscrub{mask}, {cores} threads", f"{logscrub}{mask} < {path} > /dev/null"),
            (
                "lsN_pipe",
                f,
                f"logscrub, {cores} threads, through pipes",
                f"cat {path} | {logscrub} | cat > /dev/null",
            ),
        ]
        if f == "b":
            commands.append(
                ("prefix", f, f"logscrub `--ip prefix`, {cores} threads", f"{logscrub} --ip prefix < {path} > /dev/null")
            )
        if alog:
            commands.append(("alog", f, f"{alog_name} (first field only)", f"{alog} < {path} > /dev/null"))
    if not args.no_sed:
        sed = f"sed -E 's/^([0-9]+\\.[0-9]+\\.[0-9]+)\\.[0-9]+/\\1.0/' < {file_a} > /dev/null"
        commands.append(("sed", "a", "`sed -E` last octet", sed))
    if anonip:
        commands.append(("anonip", "a", f"{anonip_name}, defaults", f"{anonip} < {file_a} > /dev/null"))

    env = dict(os.environ, LOGSCRUB_KEY=KEY)
    samples: dict[tuple[str, str], list[tuple[float, int]]] = {(k, f): [] for k, f, _, _ in commands}
    for rep in range(args.reps):
        shift = rep % len(commands)
        for key, f, _, command in commands[shift:] + commands[:shift]:
            samples[(key, f)].append(timed(command, env, work / "rss"))
        print(f"  round {rep + 1}/{args.reps} done", file=sys.stderr)

    def seconds(key: str, f: str) -> float:
        return statistics.median(s for s, _ in samples[(key, f)])

    print(
        f"{cores} cores; medians of {args.reps} interleaved rounds; files in {work.parent}; "
        f"logscrub {subprocess.run([str(logscrub), '--version'], stdout=subprocess.PIPE, text=True).stdout.strip()}"
    )
    for f, path in (("a", file_a), ("b", file_b)):
        what = "real combined logs repeated" if f == "a" else "every client distinct"
        print(f"\nfile {f} ({what}): {sizes[f] / 1e6:.0f} MB, {lines[f]} lines\n")
        print("| command | MB/s (median) | MB/s (min–max) | peak RSS | speed vs masker |")
        print("|---|---:|---:|---:|---:|")
        reference = seconds("masker", f)
        for key, g, label, _ in commands:
            if g != f:
                continue
            runs = samples[(key, f)]
            rates = sorted(sizes[f] / 1e6 / s for s, _ in runs)
            rss = max(r for _, r in runs)
            print(
                f"| {label} | {sizes[f] / 1e6 / seconds(key, f):.0f} | {rates[0]:.0f}–{rates[-1]:.0f} "
                f"| {rss / 1024:.1f} MiB | {reference / seconds(key, f):.2f} |"
            )

    def ratio(fast: tuple[str, str], slow: tuple[str, str]) -> str:
        """Speed of `slow` relative to `fast`: of the medians, and its range over the rounds."""
        per_round = sorted(a[0] / b[0] for a, b in zip(samples[fast], samples[slow]))
        return f"{seconds(*fast) / seconds(*slow):.2f} (rounds {per_round[0]:.2f}–{per_round[-1]:.2f})"

    rss = max(r for (k, _), runs in samples.items() if k in ("ls1", "lsN", "lsN_pipe", "prefix") for _, r in runs)
    print("\nratios (issue 16 targets in brackets):\n")
    print(f"- `--threads 1` default policy / masker, file a: {ratio(('masker', 'a'), ('ls1', 'a'))} [≥ 0.33]")
    print(f"- `--threads 1` default policy / masker, file b: {ratio(('masker', 'b'), ('ls1', 'b'))} [≥ 0.25]")
    print(
        f"- {cores} threads through pipes / masker through pipes, file a: "
        f"{ratio(('masker_pipe', 'a'), ('lsN_pipe', 'a'))} [≥ 0.7]"
    )
    print(
        f"- {cores} threads through pipes / masker through pipes, file b: "
        f"{ratio(('masker_pipe', 'b'), ('lsN_pipe', 'b'))}"
    )
    print(f"- `--ip prefix` / `--ip mask`, {cores} threads, file b: {ratio(('lsN', 'b'), ('prefix', 'b'))} [≥ 0.6]")
    print(f"- logscrub peak RSS, largest of all its runs: {rss / 1024:.1f} MiB [< 64 MiB]")
    for reason in skipped:
        print(f"- skipped {reason}")
    print()
    for threads in (1, cores):
        print(
            f"latency, one line through a pipe, {threads} thread(s): "
            f"{latency_ms(logscrub, threads):.2f} ms (median of 20)"
        )


if __name__ == "__main__":
    main()
