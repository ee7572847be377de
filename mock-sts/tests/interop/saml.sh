#!/usr/bin/env bash
# SAML interop: independent XML-DSig verifiers accept what mock-sts signs.
#
# Installs xmlsec1 (apt-get) when it is missing and Python signxml in a venv; builds and starts
# `mock-sts --port 0` (the URL is its first stdout line; the server is stopped on exit); performs a healthy
# SAML sign-in and checks that `xmlsec1 --verify` and signxml accept the SAMLResponse with the certificate
# taken from the app's federation metadata (and reject a tampered copy); then reproduces AADSTS50003
# (missing-signing-key) and checks the fix (a new certificate made active) the same way; and a second server,
# with the app set to sign the response and the assertion ("both"), has both signatures accepted; and pysaml2
# as the service provider accepts the response with its clock a few minutes off (freezegun sets its clock).
# Last, against a third server started with --tls (its CA trusted through REQUESTS_CA_BUNDLE/SSL_CERT_FILE),
# pysaml2 and python3-saml act as service providers with a browser session (a requests.Session keeps the
# mock's ESTSAUTH cookie): each builds its own AuthnRequest (Redirect binding) and validates the response
# in full with its clock a few minutes behind and ahead; IsPassive without a session gets NoPassive
# (AADSTS50058), with one it signs in silently, and ForceAuthn signs in afresh; then each logs out through
# its own API (single logout, Redirect binding) and validates the mock's LogoutResponse, after which the
# session is gone (IsPassive gets NoPassive again). A fourth server requires signed AuthnRequests: pysaml2
# signs its Redirect (query) and POST (enveloped) requests with its own key and they are answered, while its
# unsigned requests and requests signed with another key end on the AADSTS76021 page.
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
server_pids=()
cleanup() {
    for pid in "${server_pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
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
# python3-saml's xmlsec refuses an lxml built on another libxml2: the lxml and xmlsec wheels pinned here
# carry the same one (2.14.6).
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check signxml \
    pysaml2==7.5.5 freezegun==1.5.5 python3-saml==1.16.0 lxml==6.1.3 xmlsec==1.3.17 ||
    fail_setup "cannot install signxml, pysaml2, python3-saml and freezegun"

echo "saml interop: building mock-sts"
(cd "$repo" && CARGO_TARGET_DIR="$target_dir" cargo build --quiet -p mock-sts --bin mock-sts) ||
    fail_setup "mock-sts does not build"

# Starts mock-sts with the given extra arguments; sets $started_url to the URL from its first stdout line
# (and, with --tls, $started_ca to the CA path from its second).
start_server() {
    local name="$1"
    shift
    local lines=1 scheme=http
    if [[ " $* " == *" --tls "* ]]; then lines=2 scheme=https; fi
    "$target_dir/debug/mock-sts" --port 0 --state-dir "$workdir/state-$name" "$@" \
        >"$workdir/$name.stdout" 2>"$workdir/$name.stderr" &
    local pid=$!
    server_pids+=("$pid")
    for _ in $(seq 1 300); do
        if [[ "$(wc -l <"$workdir/$name.stdout")" -ge $lines ]]; then break; fi
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$workdir/$name.stderr" >&2
            fail_setup "mock-sts ($name) exited early"
        fi
        sleep 0.1
    done
    local first_line
    first_line="$(sed -n 1p "$workdir/$name.stdout")"
    case "$first_line" in
        "mock-sts listening on $scheme://"*) ;;
        *) fail_setup "unexpected first line: '$first_line'" ;;
    esac
    started_url="${first_line#mock-sts listening on }"
    started_ca="$(sed -n 2p "$workdir/$name.stdout")"
    started_ca="${started_ca#mock-sts CA certificate: }"
}

start_server default
export MOCK_STS_URL="$started_url"
# The default configuration, with the SAML app signing the response and the assertion.
sed 's#^acs_url = "https://sp.contoso.example/saml/acs"$#&\nsigning = "both"#' \
    "$repo/mock-sts/src/default-config.toml" >"$workdir/both.toml"
grep -q '^signing = "both"$' "$workdir/both.toml" || fail_setup "cannot make the signing = both configuration"
start_server both --config "$workdir/both.toml"
export MOCK_STS_BOTH_URL="$started_url"
# The default configuration, with the SAML app requiring AuthnRequests signed by the SP's key made here.
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=pysaml2 SP" \
    -keyout "$workdir/sp-key.pem" -out "$workdir/sp-cert.pem" 2>/dev/null ||
    fail_setup "cannot make the SP's request-signing key"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=someone else" \
    -keyout "$workdir/other-key.pem" -out "$workdir/other-cert.pem" 2>/dev/null ||
    fail_setup "cannot make a second key"
sed "s#^acs_url = \"https://sp.contoso.example/saml/acs\"\$#&\nverification_certificates = [{ path = \"$workdir/sp-cert.pem\" }]\nrequire_signed_requests = true#" \
    "$repo/mock-sts/src/default-config.toml" >"$workdir/signed.toml"
grep -q '^require_signed_requests = true$' "$workdir/signed.toml" || fail_setup "cannot make the signed-requests configuration"
start_server signed --config "$workdir/signed.toml"
export MOCK_STS_SIGNED_URL="$started_url" SP_KEY_DIR="$workdir"
start_server tls --tls
export MOCK_STS_TLS_URL="$started_url"
[[ -f "$started_ca" ]] || fail_setup "mock-sts --tls printed no CA file ('$started_ca')"
# The machine may point these at the system bundle; for the service providers' HTTP the mock's CA must win.
export REQUESTS_CA_BUNDLE="$started_ca" SSL_CERT_FILE="$started_ca"
echo "saml interop: mock-sts at $MOCK_STS_URL, $MOCK_STS_BOTH_URL, $MOCK_STS_SIGNED_URL and $MOCK_STS_TLS_URL ($(xmlsec1 --version | head -n 1))"

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
