#!/usr/bin/env bash
# Differential test: keyprobe's XML signature verdict against xmlsec1's (the reference C
# implementation) on the signed SAML fixtures of testdata/saml/.
#
# For each fixture and trusted certificate, both verify the first signature in document order
# with only that certificate's public key (xmlsec1 is told to ignore KeyInfo certificates, as
# keyprobe does). The verdicts must agree: both verify, or both refuse.
#
# Usage: bash tests/xmlsec1-diff.sh     (installs xmlsec1 with apt-get when it is missing)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v xmlsec1 >/dev/null 2>&1; then
    echo "installing xmlsec1" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >/dev/null
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed to read keyprobe's JSON" >&2; exit 2; }

cargo build --quiet -p keyprobe --bin keyprobe
bin="${CARGO_TARGET_DIR:-target}/debug/keyprobe"
at="2026-06-01T12:00:00Z"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

d=testdata/saml
# fixture | trusted certificate | what both must say
cases=(
    "$d/response-signed.xml|$d/idp-signing.pem|ok"
    "$d/response-signed-both.xml|$d/idp-signing.pem|ok"
    "$d/response-signed-response.xml|$d/idp-signing.pem|ok"
    "$d/assertion-signed.xml|$d/idp-signing.pem|ok"
    "$d/response-expired.xml|$d/idp-signing.pem|ok"
    "$d/response-not-yet-valid.xml|$d/idp-signing.pem|ok"
    "$d/response-sha1.xml|$d/idp-signing.pem|ok"
    "$d/response-ecdsa.xml|$d/ecdsa-signing.pem|ok"
    "$d/response-ecdsa-p384.xml|$d/ecdsa-p384-signing.pem|ok"
    "$d/response-inclusive-c14n-sha512.xml|$d/idp-signing.pem|ok"
    "$d/response-inclusive-c14n-moved.xml|$d/idp-signing.pem|fail"
    "$d/response-expired-cert.xml|$d/expired-signing.pem|ok"
    "$d/federationmetadata.xml|$d/idp-signing.pem|ok"
    "$d/response-tampered.xml|$d/idp-signing.pem|fail"
    "$d/response-attacker.xml|$d/idp-signing.pem|fail"
    "$d/response-unknown-keyinfo.xml|$d/idp-signing.pem|fail"
    "$d/federationmetadata-tampered.xml|$d/idp-signing.pem|fail"
    "$d/response-ecdsa.xml|$d/idp-signing.pem|fail"
    "$d/response-signed.xml|$d/attacker.pem|fail"
)

passed=0
failed=0
for case in "${cases[@]}"; do
    IFS='|' read -r file cert expected <<<"$case"
    openssl x509 -in "$cert" -pubkey -noout >"$work/pub.pem"
    # keyprobe exits 1 when it has error findings; only the signature verdict matters here.
    "$bin" inspect --json --at "$at" --allow-legacy --cert "$cert" "$file" >"$work/ours.json" || true
    ours=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
sigs = (d.get("decoded") or {}).get("signatures") or []
print("ok" if sigs and str(sigs[0].get("verdict", "")).startswith("verified") else "fail")
' <"$work/ours.json" || echo "fail")
    if xmlsec1 --verify --pubkey-pem "$work/pub.pem" --enabled-key-data key-name \
        --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion \
        --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:Response \
        --id-attr:ID urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor \
        "$file" >"$work/xmlsec.log" 2>&1; then
        theirs=ok
    else
        theirs=fail
    fi
    if [[ "$ours" == "$theirs" && "$ours" == "$expected" ]]; then
        passed=$((passed + 1))
        echo "ok    $(basename "$file") with $(basename "$cert"): both $ours"
    else
        failed=$((failed + 1))
        echo "FAIL  $(basename "$file") with $(basename "$cert"): keyprobe $ours, xmlsec1 $theirs, expected $expected"
        sed 's/^/      xmlsec1: /' "$work/xmlsec.log" | tail -5
    fi
done
echo "xmlsec1-diff: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
