#!/usr/bin/env bash
# SAML interop: independent XML-DSig verifiers accept what mock-sts signs.
#
# Installs xmlsec1 (apt-get) when it is missing and Python signxml in a venv; builds and starts
# `mock-sts --port 0` (the URL is its first stdout line; the server is stopped on exit); performs a healthy
# SAML sign-in and checks that `xmlsec1 --verify` and signxml accept the SAMLResponse with the certificate
# taken from the app's federation metadata (and reject a tampered copy); then reproduces AADSTS50003
# (missing-signing-key) and checks the fix (a new certificate made active) the same way.
# Ends with "N passed, N failed"; exits non-zero on any failure.
#
# Environment: CARGO_TARGET_DIR (default: <repo>/target); MOCK_STS_SAML_VENV (default:
# $CARGO_TARGET_DIR/interop-saml-venv); PYTHON (default: python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
venv="${MOCK_STS_SAML_VENV:-$target_dir/interop-saml-venv}"
python="${PYTHON:-python3}"

fail_setup() {
    echo "saml interop: $1" >&2
    echo "0 passed, 1 failed"
    exit 1
}

workdir="$(mktemp -d "${TMPDIR:-/tmp}/mock-sts-saml.XXXXXX")"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

if ! command -v xmlsec1 >/dev/null; then
    echo "saml interop: installing xmlsec1"
    sudo_cmd=""
    if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null; then sudo_cmd="sudo"; fi
    ($sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq xmlsec1 >/dev/null) ||
        fail_setup "cannot install xmlsec1"
fi

echo "saml interop: Python venv at $venv"
if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv" || fail_setup "cannot make a venv with $python"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check signxml lxml ||
    fail_setup "cannot install signxml"

echo "saml interop: building mock-sts"
(cd "$repo" && CARGO_TARGET_DIR="$target_dir" cargo build --quiet -p mock-sts --bin mock-sts) ||
    fail_setup "mock-sts does not build"

"$target_dir/debug/mock-sts" --port 0 --state-dir "$workdir/state" >"$workdir/stdout" 2>"$workdir/stderr" &
server_pid=$!
for _ in $(seq 1 300); do
    if [[ "$(wc -l <"$workdir/stdout")" -ge 1 ]]; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        cat "$workdir/stderr" >&2
        fail_setup "mock-sts exited early"
    fi
    sleep 0.1
done
first_line="$(sed -n 1p "$workdir/stdout")"
case "$first_line" in
    "mock-sts listening on http://"*) ;;
    *) fail_setup "unexpected first line: '$first_line'" ;;
esac
export MOCK_STS_URL="${first_line#mock-sts listening on }"
echo "saml interop: mock-sts at $MOCK_STS_URL ($(xmlsec1 --version | head -n 1))"

set +e
output="$("$venv/bin/python" "$here/saml_interop.py" 2>&1)"
status=$?
set -e
printf '%s\n' "$output"
summary="$(printf '%s\n' "$output" | grep -E '^saml: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)"
if [[ -z "$summary" ]]; then
    echo "saml interop: the checks ended without a summary (exit $status)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
counts="${summary#saml: }"
passed="${counts%% passed*}"
failed="${counts#*passed, }"
failed="${failed%% failed}"
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
