#!/usr/bin/env bash
# Runs logscrub on Spark as docs/scale-out.md describes: PySpark in local mode reads a directory
# of logs cut into many partitions and pipes each partition through its own logscrub process
# (`rdd.pipe`), then checks that the result equals a single-process run, byte for byte, for
#   - a combined log,
#   - an IIS log in its default columns whose `#Fields:` line only the first partition sees
#     (the others are read in IIS's default columns),
#   - a W3C log in other columns, given with --w3c-fields from its `#Fields:` line,
# under the default policy, keyed pseudonyms from a key file on shared storage, and per-day keys
# from a --key-dir. It also shows that LOGSCRUB_KEY does not reach logscrub under Spark, which
# starts piped commands with an empty environment.
#
# Needs pyspark (`pip install pyspark`) and a Java runtime (`apt-get install
# default-jre-headless`); without them it says so and exits 0 ("skipped"). .ci/run installs both.
# Uses target/debug/logscrub (built here), or the binary named by $LOGSCRUB.
set -euo pipefail
cd "$(dirname "$0")/../.."

python=${PYTHON:-python3}
if ! command -v java >/dev/null; then
    echo "spark recipe: skipped: no java (apt-get install default-jre-headless)"
    exit 0
fi
if ! "$python" -c 'import pyspark' 2>/dev/null; then
    echo "spark recipe: skipped: $python has no pyspark (pip install pyspark)"
    exit 0
fi

if [ -z "${LOGSCRUB:-}" ]; then
    cargo build --quiet
    LOGSCRUB=$PWD/target/debug/logscrub
fi
# Spark starts the command with an empty environment, so no PATH: an absolute path.
LOGSCRUB=$(realpath "$LOGSCRUB")
work=$(mktemp -d "${TMPDIR:-/tmp}/logscrub-spark.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs"
# The key file and the key directory stand for shared storage every executor mounts.
"$LOGSCRUB" keygen "$work/logscrub.key" 2>/dev/null
mkdir -m 700 "$work/keys"

# The logs: generated, so that the recipe needs nothing outside the repository.
"$python" - "$work/logs" <<'PY'
import random, sys
out = sys.argv[1]
rnd = random.Random(14)
agents = ["Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
          "curl/8.4.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"]
def ip():
    if rnd.random() < 0.2:
        return "2001:db8:%x:%x::%x" % (rnd.randrange(65536), rnd.randrange(65536), rnd.randrange(1, 65536))
    return "%d.%d.%d.%d" % (rnd.choice([198, 203, 192]), rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
def day(n):
    return 10 + n * 3 // 30000
with open(f"{out}/access.log", "w") as f:
    for n in range(30000):
        user = rnd.choice(["-", "frank", "jane@example.org"])
        query = rnd.choice(["", "?page=%d" % n, "?email=u%d@example.com&sid=%032x" % (n, rnd.getrandbits(128))])
        ref = rnd.choice(["-", "https://www.example.com/search?q=frank+smith&sid=%d" % n])
        f.write(f'{ip()} - {user} [{day(n)}/Oct/2023:13:55:{n % 60:02d} +0200] "GET /p/{n}{query} HTTP/1.1" 200 {n % 5000} "{ref}" "{rnd.choice(agents)}"\n')
iis = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"
with open(f"{out}/u_ex231010.log", "w") as f:
    f.write("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2023-10-10 00:00:00\n")
    f.write(f"#Fields: {iis}\n")
    for n in range(20000):
        query = rnd.choice(["-", "user=frank%40example.com&page=1", "id=%d" % n])
        user = rnd.choice(["-", "CONTOSO\\frank"])
        f.write(f"2023-10-{day(n)} 00:{n // 60 % 60:02d}:{n % 60:02d} 10.0.0.{n % 200 + 1} GET /default.aspx {query} 443 {user} {ip()} "
                f"Mozilla/5.0+(Windows+NT+10.0) https://www.example.com/?q=frank 200 0 0 {n % 300}\n")
other = "date time c-ip cs-username cs-method cs-uri-stem cs-uri-query sc-status cs(Cookie)"
with open(f"{out}/cloudish.log", "w") as f:
    f.write(f"#Version: 1.0\n#Fields: {other}\n")
    for n in range(20000):
        f.write(f"2023-10-{day(n)} 01:{n // 60 % 60:02d}:{n % 60:02d} {ip()} jane GET /img/{n}.png token=%032x 200 SESSION=%d\n"
                % (rnd.getrandbits(128), n))
PY

# The driver: one job per log and policy, each over many partitions; every partition is piped
# through its own logscrub, and the parts written in order are compared with a single run.
# Spark's own messages go to a file, shown if the driver fails.
status=0
LOGSCRUB_KEY=$(cat "$work/logscrub.key") "$python" - "$LOGSCRUB" "$work" 2>"$work/spark.err" <<'PY' || status=$?
import glob, os, shlex, subprocess, sys
from pyspark import SparkConf, SparkContext

binary, work = sys.argv[1], sys.argv[2]
conf = (SparkConf().setMaster("local[2]").setAppName("logscrub-recipe")
        .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false"))
sc = SparkContext(conf=conf)
sc.setLogLevel("ERROR")

def w3c_fields(path):
    """The columns of a W3C log's first #Fields: line, for --w3c-fields (or none)."""
    with open(path) as f:
        for line in f:
            if line.startswith("#Fields:"):
                return line[len("#Fields:"):].strip()
            if not line.startswith("#"):
                return None

policies = {
    "default": [],
    "key file": ["--ip", "hash", "--user", "hash", "--key-file", f"{work}/logscrub.key"],
    "key dir": ["--ip", "prefix", "--key-rotation", "daily", "--key-dir", f"{work}/keys"],
}
failed = False
for log in sorted(glob.glob(f"{work}/logs/*.log")):
    name = os.path.basename(log)
    extra = []
    if name == "cloudish.log":
        # Not IIS's default columns: partitions without the header need them given.
        extra = ["--w3c-fields", w3c_fields(log)]
    for policy, options in policies.items():
        argv = [binary, *options, *extra]
        rdd = sc.textFile(log, minPartitions=12)
        parts = rdd.getNumPartitions()
        out = f"{work}/out/{name}.{policy.replace(' ', '-')}"
        # checkCode: a logscrub that failed (a key error, exit 2) fails the job instead of
        # giving an empty or partial result.
        rdd.pipe(shlex.join(argv), checkCode=True).saveAsTextFile(out)
        got = b"".join(open(p, "rb").read() for p in sorted(glob.glob(f"{out}/part-*")))
        want = subprocess.run(argv + [log], check=True, capture_output=True).stdout
        ok = got == want
        failed |= not ok
        lines = got.count(b"\n")
        verdict = "equal to" if ok else "DIFFER from"
        print(f"{'ok' if ok else 'FAIL'}: {name}, {policy}: {parts} partitions, "
              f"{lines} lines {verdict} a single-process run")

# LOGSCRUB_KEY is set here, in the driver, but Spark starts piped commands with an empty
# environment: logscrub draws a random key, so the pseudonyms differ from a run with it.
log = f"{work}/logs/access.log"
argv = [binary, "--ip", "hash"]
got = sc.textFile(log, minPartitions=4).pipe(shlex.join(argv), checkCode=True).collect()
want = subprocess.run(argv + [log], check=True, capture_output=True).stdout.decode().splitlines()
if got != want:
    print("ok: LOGSCRUB_KEY does not reach logscrub under rdd.pipe (pseudonyms differ); use --key-file or --key-dir")
else:
    print("FAIL: LOGSCRUB_KEY reached logscrub under rdd.pipe")
    failed = True
sc.stop()
sys.exit(1 if failed else 0)
PY
if [ "$status" != 0 ]; then
    tail -n 40 "$work/spark.err" >&2
    echo "spark recipe: FAILED" >&2
    exit 1
fi
echo "spark recipe: ok"
