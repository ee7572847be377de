#!/usr/bin/env bash
# Corpus sweep: every file under the public vectors goes through `keyprobe inspect` with a time and
# memory bound. A file passes when keyprobe answers with a report (exit 0 or 1): no panic (101),
# no exit 2 for a readable file, no timeout (124), no memory kill. Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
vectors="${KEYPROBE_VECTORS:-../shared/vectors}"
bin="${KEYPROBE_BIN:-${CARGO_TARGET_DIR:-target}/debug/keyprobe}"
[ -x "$bin" ] || cargo build --quiet --bin keyprobe
[ -d "$vectors" ] || { echo "corpus sweep: no vectors at $vectors"; echo "sweep: 0 passed, 0 failed, 1 skipped"; exit 0; }

pass=0; fail=0
failures=()
while IFS= read -r -d '' file; do
  # 20 s and 1 GiB of address space per input; the clock pinned so results are repeatable.
  timeout 20 prlimit --as=1073741824 -- "$bin" inspect --json --allow-legacy --at 2026-06-01T12:00:00Z "$file" >/dev/null 2>/tmp/keyprobe-sweep.err
  code=$?
  if [ "$code" -eq 0 ] || [ "$code" -eq 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    failures+=("exit $code: $file: $(head -c 200 /tmp/keyprobe-sweep.err)")
  fi
done < <(find "$vectors" -type f ! -name '*.md' ! -name 'LICENSE*' -print0 | sort -z)

# Shapes whose cost once grew faster than their size (issue 13, item 7: 16 signatures with four
# KeyInfo certificates each, 60,000 attributes on one element, 60,000 SAML Attributes, 20,000
# repeated IDs), made from the fixtures, against the trusted metadata, at full scale and at a
# quarter of it. Each must give an error report within 20 s of CPU and 1 GiB, and the full scale
# may cost at most eight times the quarter's CPU time: linear (four times), with room for noise.
# CPU time rather than wall-clock, so that a busy machine does not fail the bound.
shapes="$(mktemp -d)"
python3 tests/cost-shapes.py "$shapes/full" >/dev/null
python3 tests/cost-shapes.py "$shapes/quarter" 0.25 >/dev/null
cpu_ms() { # runs the command; prints "CPU_MILLISECONDS EXIT"
  local code
  /usr/bin/time -f '%U %S' -o "$shapes/time" timeout 300 prlimit --as=1073741824 --cpu=20 -- "$@" >/dev/null 2>/tmp/keyprobe-sweep.err
  code=$?
  # time(1) writes "Command exited with non-zero status N" first: the figures are the last line.
  tail -n 1 "$shapes/time" | awk -v code="$code" '{ printf "%d %d\n", ($1 + $2) * 1000, code }'
}
for file in "$shapes"/full/*.xml; do
  name=$(basename "$file")
  declare -A shape_ms=()
  for scale in quarter full; do
    read -r ms code < <(cpu_ms "$bin" inspect --json --at 2026-06-01T12:00:00Z "$shapes/$scale/$name" --metadata testdata/saml/federationmetadata.xml)
    shape_ms[$scale]=$ms
    if [ "$code" -eq 1 ]; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      failures+=("exit $code (an error report expected): $scale/$name: $(head -c 200 /tmp/keyprobe-sweep.err)")
    fi
  done
  quarter=${shape_ms[quarter]} full=${shape_ms[full]}
  echo "  $name: $quarter ms of CPU at a quarter, $full ms at full scale"
  if [ "$full" -gt $(( quarter * 8 + 500 )) ]; then
    fail=$((fail + 1))
    failures+=("$name took $full ms at full scale, $quarter ms at a quarter: not linear")
  else
    pass=$((pass + 1))
  fi
done
rm -rf "$shapes"

for f in "${failures[@]}"; do echo "FAIL $f"; done
echo "sweep: $pass passed, $fail failed"
# Captures shaped to test the bounds, generated (they need no vectors).
KEYPROBE_BIN="$bin" bash tests/capture-sweep.sh || fail=$((fail + 1))
[ "$fail" -eq 0 ]
