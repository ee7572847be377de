#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after another, and prints the
# executions and crashes per target. Corpora (fuzz/corpus) are seeded from testdata/ and, when
# present, ../shared/vectors ($KEYPROBE_VECTORS); crashes land in fuzz/artifacts/TARGET/.
#
#   fuzz/run.sh SECONDS [TARGET...]
#
# cargo-fuzz needs nightly features; this uses the stable toolchain with RUSTC_BOOTSTRAP=1, and no
# sanitizer (the code under test is safe Rust; OpenSSL is not instrumented either way), with
# debug assertions on so that integer overflow is a crash too.
set -uo pipefail
cd "$(dirname "$0")"

SECONDS_EACH="${1:?usage: fuzz/run.sh SECONDS [TARGET...]}"
shift
ALL=(detect jose_compact jose_json jwk oidc_discovery x509 saml_decode saml_xml mock_request capture)
TARGETS=("$@")
[ $# -eq 0 ] && TARGETS=("${ALL[@]}")
VECTORS="${KEYPROBE_VECTORS:-$(cd ../.. && pwd)/shared/vectors}"

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz build -s none -a >build.log 2>&1; then
  tail -30 build.log >&2
  echo "fuzz build failed (see fuzz/build.log)" >&2
  exit 2
fi
BIN=target/x86_64-unknown-linux-gnu/release

printf '%-16s %12s %10s %8s  %s\n' target executions exec/s crashes "corpus / artifact"
failed=0
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  python3 seed.py "$t" "corpus/$t" "$VECTORS" >/dev/null
  log="artifacts/$t/last-run.log"
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: bounded memory is a promise too.
  "$BIN/$t" "corpus/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$log" 2>&1
  status=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  speed=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
  crashes=$(find "artifacts/$t" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) | wc -l)
  where="$(ls "corpus/$t" | wc -l) inputs"
  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    where="$(find "artifacts/$t" -type f ! -name '*.log' | head -1) (see $log)"
  fi
  printf '%-16s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "${speed:-?}" "$crashes" "$where"
done
exit "$failed"
