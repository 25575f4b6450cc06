# Sourced by the generators in docs/gen/.
# replace FILE NAME BODY: writes BODY between <!-- BEGIN NAME --> and <!-- END NAME --> in FILE.
replace() {
    python3 - "$1" "$2" "$3" <<'PY'
import sys
path, name, body = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(f"{head}{begin}\n{body}\n{end}{tail}")
PY
}
