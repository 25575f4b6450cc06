B=/work/main/fuzz/target/x86_64-unknown-linux-gnu/release/check_scrub
for f in /work/main/fuzz/regressions/check_scrub/*; do
  n=$(basename $f)
  $B -minimize_crash=1 -runs=4000 -exact_artifact_path=/tmp/min/$n $f >/tmp/min/$n.log 2>&1
done
echo done > /tmp/min/ALL
