#!/usr/bin/env bash
# Records what keyprobe prints for every fixture, under a fixed clock, as files in OUTDIR: run it on two
# commits and `diff -r` the two directories to prove a refactor byte-identical (issue 17).
#   tests/snapshot/keyprobe.sh OUTDIR            (builds the debug binary of this checkout first)
#   KEYPROBE=path/to/keyprobe tests/snapshot/keyprobe.sh OUTDIR   (tests/snapshot/run.sh records the mock too)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: keyprobe.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -z "${KEYPROBE:-}" ]; then
  cargo build --quiet --bin keyprobe
  KEYPROBE="${CARGO_TARGET_DIR:-target}/debug/keyprobe"
fi
samples="${KEYPROBE_SAMPLES:-$(cd .. && pwd)/shared/entra-samples}"
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
at=2026-06-01T12:00:00Z

# One recorded run: stdout, stderr and exit status, in a file named after the case.
record() {
  local name=$1
  shift
  local file="$out/$name.txt"
  set +e
  NO_COLOR=1 COLUMNS=100 "$KEYPROBE" "$@" >"$file.out" 2>"$file.err" </dev/null
  local status=$?
  set -e
  { echo "\$ keyprobe $*"; echo "== exit $status"; echo "== stdout"; cat "$file.out"; echo "== stderr"; cat "$file.err"; } >"$file"
  rm -f "$file.out" "$file.err"
  # The cache directory is fresh on every run: name it the same in every recording.
  sed -i "s|$cache|CACHE|g" "$file"
}

inputs=$(find testdata -type f ! -name '*.md' ! -name '*.sh' | sort)
if [ -d "$samples" ]; then
  inputs="$inputs
$(find "$samples" -type f ! -name '*.md' | sort)"
fi

# Key sources each input is inspected against.
trusts=(
  "none|"
  "jwks|--jwks testdata/keys/jwks.json"
  "hmac|--key testdata/keys/hs256.jwk.json"
  "oidc|--metadata testdata/metadata/openid-configuration.json --jwks testdata/keys/jwks.json --issuer https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
  "samlmeta|--metadata testdata/saml/federationmetadata.xml"
  "samlcert|--cert testdata/saml/idp-signing.pem --audience https://sp.example.com/metadata"
)

n=0
while IFS= read -r input; do
  [ -n "$input" ] || continue
  case_name=$(echo "$input" | sed 's|^\.\./||; s|.*shared/||; s|[/ ]|_|g')
  for t in "${trusts[@]}"; do
    label=${t%%|*}
    # shellcheck disable=SC2206
    flags=(${t#*|})
    record "inspect-$case_name-$label-json" inspect "$input" "${flags[@]}" --at "$at" --offline --cache-dir "$cache" --json
    record "inspect-$case_name-$label-human" inspect "$input" "${flags[@]}" --at "$at" --offline --cache-dir "$cache"
    n=$((n + 2))
  done
done <<<"$inputs"

# Every key set as the trusted source of one token.
for set in testdata/keys/*.json; do
  record "jwks-$(basename "$set")" inspect testdata/tokens/rs256-valid.jwt --jwks "$set" --at "$at" --offline --cache-dir "$cache" --json
done

# Batch mode, JSON Lines and human.
record batch-json inspect --lines testdata/tokens/batch.txt --jwks testdata/keys/jwks.json --at "$at" --offline --cache-dir "$cache" --json
record batch-human inspect --lines testdata/tokens/batch.txt --jwks testdata/keys/jwks.json --at "$at" --offline --cache-dir "$cache"

# explain pages, for every code known at the time this script was written.
codes="malformed unrecognised alg-none signature-invalid key-not-found no-signing-keys signature-not-checked
signature-verified key-url-not-fetched private-key-published alg-key-mismatch key-use-mismatch thumbprint-mismatch
untrusted-embedded-key cert-expired cert-not-yet-valid cert-expiring-soon weak-key token-expired token-not-yet-valid
token-no-expiry issuer-mismatch audience-mismatch duplicate-kid saml-unsigned saml-signature-wrapping xml-dtd-forbidden
saml-status-error sts-error metadata-inconsistent metadata-expired"
for c in $codes 50003 500031 50146 501461 50000 50008 50013 700027 700024 7000215 7000222 7000218 700016 50011 \
  75011 75005 750054 7500514 76021 75008 500011 50027 900384 90002 9002313 70011 50076 50055 AADSTS50003; do
  record "explain-$c" explain "$c"
done
for c in 10500 10501 10503 10511 10517 10214 10205 10223 10222 10249 10630 10634 10504 20803 21817; do
  record "explain-IDX$c" explain "IDX$c"
done
record explain-unknown explain no-such-code
echo "recorded $(ls "$out" | wc -l) cases in $out"
