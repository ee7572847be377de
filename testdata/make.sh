#!/usr/bin/env bash
# Regenerates every fixture in testdata/ (keys, certificates, key sets, tokens, metadata, errors).
# Keys are fresh on each run; tests assert findings, which do not depend on the key bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --example make_fixtures -- testdata
cargo run --quiet --example make_capture_fixtures -- testdata
