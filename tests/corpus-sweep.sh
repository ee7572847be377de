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
# KeyInfo certificates each, and at half scale 30,000 attributes on one element, 30,000 SAML
# Attributes, 20,000 repeated IDs), made from the fixtures, against the trusted metadata: same
# bounds. Half scale because documents of 60,000 elements still take seconds in a debug build.
shapes="$(mktemp -d)"
python3 tests/cost-shapes.py "$shapes" 0.5 >/dev/null
for file in "$shapes"/*.xml; do
  timeout 20 prlimit --as=1073741824 -- "$bin" inspect --json --at 2026-06-01T12:00:00Z "$file" --metadata testdata/saml/federationmetadata.xml >/dev/null 2>/tmp/keyprobe-sweep.err
  code=$?
  if [ "$code" -eq 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    failures+=("exit $code (an error report expected): $file: $(head -c 200 /tmp/keyprobe-sweep.err)")
  fi
done
rm -rf "$shapes"

for f in "${failures[@]}"; do echo "FAIL $f"; done
echo "sweep: $pass passed, $fail failed"
# Captures shaped to test the bounds, generated (they need no vectors).
KEYPROBE_BIN="$bin" bash tests/capture-sweep.sh || fail=$((fail + 1))
[ "$fail" -eq 0 ]
