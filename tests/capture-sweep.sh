#!/usr/bin/env bash
# Capture shapes made to test the bounds (tests/capture-shapes.py: many entries, huge bodies, deep nesting,
# millions of values or members in one entry, thousands of tokens, a long member name), each inspected
# and redacted under the corpus sweep's bounds (20 s of CPU, 1 GiB): a report (exit 0 or 1) from inspect, a
# copy or a refusal (exit 0 or 2) from redact, never a crash, timeout or memory kill. The many-entries shapes
# at four times the length must cost at most eight times the CPU time: linear, with room for noise. CPU
# time rather than wall-clock, so that a busy machine does not fail the bound.
# Run by tests/corpus-sweep.sh; prints "capture sweep: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${KEYPROBE_BIN:-${CARGO_TARGET_DIR:-target}/debug/keyprobe}"
[ -x "$bin" ] || cargo build --quiet --bin keyprobe
shapes=$(mktemp -d)
trap 'rm -rf "$shapes"' EXIT
python3 tests/capture-shapes.py "$shapes" && python3 tests/capture-shapes.py "$shapes" --scale 4 || exit 1

pass=0; fail=0
failures=()
declare -A took
run() { # prints "CPU_MILLISECONDS EXIT"
  local code
  /usr/bin/time -f '%U %S' -o "$shapes/time" timeout 300 prlimit --as=1073741824 --cpu=20 -- "$@" >/dev/null 2>>"$shapes/err"
  code=$?
  # time(1) writes "Command exited with non-zero status N" first: the figures are the last line.
  tail -n 1 "$shapes/time" | awk -v code="$code" '{ printf "%d %d\n", ($1 + $2) * 1000, code }'
}
for file in "$shapes"/*.har "$shapes"/*.json; do
  name=$(basename "$file")
  read -r ms code < <(run "$bin" inspect --json --at 2026-06-01T12:00:00Z "$file")
  read -r _ rcode < <(run "$bin" redact "$file" -o /dev/null)
  took[$name]=$ms
  echo "  $name: inspect exit $code in $ms ms of CPU, redact exit $rcode"
  if { [ "$code" -eq 0 ] || [ "$code" -eq 1 ]; } && { [ "$rcode" -eq 0 ] || [ "$rcode" -eq 2 ]; }; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    failures+=("inspect exit $code, redact exit $rcode: $name")
  fi
done
for shape in many-entries-x%s.har many-requests-x%s.saml-tracer.json; do
  # shellcheck disable=SC2059
  small=$(printf "$shape" 1) big=$(printf "$shape" 4)
  t1=${took[$small]:-0} t4=${took[$big]:-0}
  if [ "$t4" -gt $(( t1 * 8 + 500 )) ]; then
    fail=$((fail + 1))
    failures+=("$big took $t4 ms, $small $t1 ms: not linear")
  else
    pass=$((pass + 1))
    echo "  linear: $small $t1 ms, $big $t4 ms"
  fi
done
for f in "${failures[@]}"; do echo "FAIL $f"; done
echo "capture sweep: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
