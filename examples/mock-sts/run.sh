#!/usr/bin/env bash
# mock-sts as a CI service, the way a user's CI job uses it (examples/mock-sts/github-actions.yml does the
# same): build it, start it with the one line mock-sts/README.md documents, check that a second start on the
# same port fails fast naming the port, then run the example pytest suite (MSAL Python, PyJWT) and the
# example node:test suite (jose) against it; both also start a fresh mock per test with their helpers.
#
# Environment: CARGO_TARGET_DIR (default: <repo>/target); MOCK_STS_EXAMPLES_VENV (default:
# $CARGO_TARGET_DIR/examples-venv); MOCK_STS_EXAMPLES_NODE (default: $CARGO_TARGET_DIR/examples-node);
# PYTHON (default: python3). Exits non-zero on any failure, and when a suite skipped a test.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
venv="${MOCK_STS_EXAMPLES_VENV:-$target_dir/examples-venv}"
node_dir="${MOCK_STS_EXAMPLES_NODE:-$target_dir/examples-node}"

echo "examples: building mock-sts"
(cd "$repo" && CARGO_TARGET_DIR="$target_dir" cargo build --quiet -p mock-sts --bin mock-sts)
export PATH="$target_dir/debug:$PATH" MOCK_STS_BIN="$target_dir/debug/mock-sts"

workdir="$(mktemp -d "${TMPDIR:-/tmp}/mock-sts-examples.XXXXXX")"
cleanup() {
    if [[ -n "${MOCK_STS_PID:-}" ]]; then kill -TERM "$MOCK_STS_PID" 2>/dev/null || true; fi
    rm -rf "$workdir"
}
trap cleanup EXIT INT TERM
cd "$workdir"

# The clients first, so that the CA variables below do not reach pip and npm.
echo "examples: Python venv at $venv"
[[ -x "$venv/bin/python" ]] || "${PYTHON:-python3}" -m venv "$venv"
# Pinned as mock-sts/tests/interop/run.sh pins them: CI fails on our change, not on a new client release.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    msal==1.39.0 "PyJWT[crypto]==2.15.1" requests==2.34.2 cryptography==50.0.2 pytest==8.4.2
mkdir -p "$node_dir"
cp "$here/node/package.json" "$node_dir/"
(cd "$node_dir" && npm install --silent --no-audit --no-fund)
cp "$here"/node/*.mjs "$node_dir/"

# The documented line (mock-sts/README.md, "Use it in CI"), with a state directory of this run's own.
export XDG_STATE_HOME="$workdir/state"
mock-sts --tls --detach > mock-sts.env
set -a; . ./mock-sts.env; set +a
echo "examples: mock-sts at $MOCK_STS_URL (pid $MOCK_STS_PID)"

echo "examples: a second start on port ${MOCK_STS_URL##*:} fails fast, naming the port"
started=$SECONDS
if mock-sts --tls --port "${MOCK_STS_URL##*:}" --detach > second.env 2> second.err; then
    echo "examples: FAILED: a second server started on a taken port" >&2
    exit 1
fi
cat second.err
grep -q "port ${MOCK_STS_URL##*:} is taken" second.err
[[ ! -s second.env && $((SECONDS - started)) -lt 10 ]]

export REQUESTS_CA_BUNDLE="$MOCK_STS_CA" SSL_CERT_FILE="$MOCK_STS_CA" NODE_EXTRA_CA_CERTS="$MOCK_STS_CA"

echo "examples: pytest (MSAL Python, PyJWT)"
"$venv/bin/python" -m pytest -p no:cacheprovider -q -rs "$here/python" | tee pytest.out
if grep -q "skipped" pytest.out; then echo "examples: FAILED: pytest skipped a test" >&2; exit 1; fi

echo "examples: node --test (jose)"
(cd "$node_dir" && node --test example.test.mjs ci-server.test.mjs) | tee node.out
grep -q "^# skipped 0$" node.out || { echo "examples: FAILED: node skipped a test" >&2; exit 1; }
grep -q "^# fail 0$" node.out
