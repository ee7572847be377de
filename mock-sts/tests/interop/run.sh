#!/usr/bin/env bash
# Interop suite: MSAL Python and PyJWT against a real mock-sts over HTTPS, the way mock-sts/README.md says.
#
# Creates a Python venv (msal, PyJWT[crypto], requests, cryptography) and, when node is there, installs jose and
# @azure/msal-node (package.json);
# builds mock-sts (and keyprobe, to cross-check its diagnosis), starts `mock-sts --tls --port 0` with a client
# certificate registered, runs test_msal.py, test_jose.mjs and test_msal_node.mjs, and ends with the total
# "N passed, N failed".
# Exits non-zero on any failure.
#
# Environment: CARGO_TARGET_DIR (default: <repo>/target); MOCK_STS_VENV (default: $CARGO_TARGET_DIR/interop-venv);
# MOCK_STS_NODE_DIR (default: $CARGO_TARGET_DIR/interop-node); PYTHON (default: python3);
# MOCK_STS_SKIP_KEYPROBE=1 to leave keyprobe out.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
venv="${MOCK_STS_VENV:-$target_dir/interop-venv}"
python="${PYTHON:-python3}"

workdir="$(mktemp -d "${TMPDIR:-/tmp}/mock-sts-interop.XXXXXX")"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

echo "interop: Python venv at $venv"
if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
# Pinned: a new MSAL changes what it sends (1.39 pads thumbprints and asks login.microsoftonline.com
# for authority aliases), and CI must fail on our change, not on theirs. Raise these on purpose.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    msal==1.39.0 "PyJWT[crypto]==2.15.1" requests==2.34.2 cryptography==50.0.2

echo "interop: building mock-sts"
(cd "$repo" && CARGO_TARGET_DIR="$target_dir" cargo build --quiet -p mock-sts --bin mock-sts)
keyprobe=""
if [[ "${MOCK_STS_SKIP_KEYPROBE:-0}" != 1 ]]; then
    echo "interop: building keyprobe"
    if (cd "$repo" && CARGO_TARGET_DIR="$target_dir" cargo build --quiet -p keyprobe --bin keyprobe); then
        keyprobe="$target_dir/debug/keyprobe"
    else
        echo "interop: WARNING: keyprobe does not build; its cross-check is left out of this run" >&2
    fi
fi

"$venv/bin/python" "$here/make_client_cert.py" "$repo/mock-sts/src/default-config.toml" "$workdir"

"$target_dir/debug/mock-sts" --tls --port 0 --state-dir "$workdir/state" --config "$workdir/mock-sts.toml" \
    >"$workdir/stdout" 2>"$workdir/stderr" &
server_pid=$!

# Wait for the readiness line (and the CA line after it).
for _ in $(seq 1 300); do
    if [[ "$(wc -l <"$workdir/stdout")" -ge 2 ]]; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "interop: mock-sts exited early:" >&2
        cat "$workdir/stderr" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
    sleep 0.1
done
first_line="$(sed -n 1p "$workdir/stdout")"
ca_line="$(sed -n 2p "$workdir/stdout")"
case "$first_line" in
    "mock-sts listening on https://"*) ;;
    *) echo "interop: unexpected first line: '$first_line'" >&2; echo "0 passed, 1 failed"; exit 1 ;;
esac
url="${first_line#mock-sts listening on }"
ca="${ca_line#mock-sts CA certificate: }"
echo "interop: mock-sts at $url, CA $ca"

# The machine may point these at the system bundle; the mock's CA must win for requests (MSAL), urllib (PyJWT)
# and Node (jose).
export MOCK_STS_URL="$url" MOCK_STS_WORKDIR="$workdir" KEYPROBE="$keyprobe"
export REQUESTS_CA_BUNDLE="$ca" SSL_CERT_FILE="$ca" CURL_CA_BUNDLE="$ca" NODE_EXTRA_CA_CERTS="$ca"

total_passed=0
total_failed=0
# Runs one client suite, shows its output, and adds its "NAME: N passed, N failed" line to the totals.
run_suite() {
    local output status
    set +e
    output="$("$@" 2>&1)"
    status=$?
    set -e
    printf '%s\n' "$output"
    local summary
    summary="$(printf '%s\n' "$output" | grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)"
    if [[ -z "$summary" ]]; then
        echo "interop: '$*' ended without a summary (exit $status)" >&2
        total_failed=$((total_failed + 1))
        return
    fi
    local counts="${summary#*: }"
    total_passed=$((total_passed + ${counts%% passed*}))
    local failed="${counts#*passed, }"
    total_failed=$((total_failed + ${failed%% failed}))
    if [[ $status -ne 0 && "${failed%% failed}" == 0 ]]; then
        total_failed=$((total_failed + 1))
    fi
}

run_suite "$venv/bin/python" "$here/test_msal.py"

if command -v node >/dev/null && command -v npm >/dev/null; then
    node_dir="${MOCK_STS_NODE_DIR:-$target_dir/interop-node}"
    mkdir -p "$node_dir"
    cp "$here/package.json" "$node_dir/package.json"
    if (cd "$node_dir" && npm install --silent --no-audit --no-fund >/dev/null 2>&1); then
        # The suite runs from a copy beside its node_modules, so `import "jose"` resolves there.
        cp -r "$here/snippets" "$here/test_jose.mjs" "$here/test_msal_node.mjs" "$node_dir/"
        run_suite node "$node_dir/test_jose.mjs"
        run_suite node "$node_dir/test_msal_node.mjs"
    else
        echo "interop: npm install (jose, @azure/msal-node) failed" >&2
        total_failed=$((total_failed + 1))
    fi
else
    echo "interop: WARNING: node/npm not found; the jose checks are left out of this run" >&2
fi

echo "${total_passed} passed, ${total_failed} failed"
[[ $total_failed -eq 0 ]]
