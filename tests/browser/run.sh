#!/usr/bin/env bash
# Real-browser tests: installs Debian's Chromium and playwright-core (no browser download), builds
# keyprobe, and runs the page tests. Screenshots land in $SCREENSHOTS, never in the repository.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
[ -d node_modules/playwright-core ] || npm install --no-audit --no-fund --silent
(cd ../.. && cargo build --quiet -p keyprobe --bin keyprobe && cargo build --quiet -p mock-sts --bin mock-sts)
bin_dir="$(cd ../.. && realpath "${CARGO_TARGET_DIR:-target}")/debug"
export KEYPROBE_BIN="${KEYPROBE_BIN:-$bin_dir/keyprobe}"
export MOCK_STS_BIN="${MOCK_STS_BIN:-$bin_dir/mock-sts}"
export SCREENSHOTS="${SCREENSHOTS:-${TMPDIR:-/tmp}/keyprobe-screenshots}"
status=0
node serve.test.mjs || status=1
node dashboard.test.mjs || status=1
node capture.test.mjs || status=1
node reproduce.test.mjs || status=1
exit $status
