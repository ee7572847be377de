#!/usr/bin/env bash
# Records keyprobe's reports on every fixture and a fixed set of mock-sts exchanges into OUTDIR, with what
# varies between runs normalised. A refactor is byte-identical when two checkouts record the same:
#   (cd ../base && tests/snapshot/run.sh /tmp/before); tests/snapshot/run.sh /tmp/after; diff -r /tmp/before /tmp/after
# The mock's keys come from a state directory kept at $SNAPSHOT_STATE (default /tmp/keyprobe-snapshot-state),
# made on first use, so that both runs sign with the same keys.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: run.sh OUTDIR}
mkdir -p "$out"
target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet -p keyprobe --bin keyprobe
cargo build --quiet -p mock-sts --bin mock-sts
KEYPROBE="$target/debug/keyprobe" bash tests/snapshot/keyprobe.sh "$out/keyprobe"
python3 tests/snapshot/mock_exchanges.py "$target/debug/mock-sts" "${SNAPSHOT_STATE:-/tmp/keyprobe-snapshot-state}" "$out/mock-exchanges.txt"
