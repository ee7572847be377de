#!/usr/bin/env bash
# Build the mock-sts image (Containerfile beside this script) with podman: a static release binary of
# mock-sts (glibc and OpenSSL linked in, so it runs FROM scratch), copied into an otherwise empty image.
#
# Usage: bash mock-sts/container/build.sh [TAG]   (default mock-sts:latest; CONTAINER_ENGINE=docker works too)
# Needs: podman (or docker), the static C libraries of glibc and OpenSSL (Debian: libc6-dev, libssl-dev).
# Prints the path of the binary it put in the image on its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
tag="${1:-mock-sts:latest}"
engine="${CONTAINER_ENGINE:-podman}"
target="$(rustc -vV | sed -n 's/^host: //p')"

# crt-static links glibc in (with --target it applies to the binary, not to build scripts); OPENSSL_STATIC
# links libssl.a and libcrypto.a. mock-sts resolves no host names, so static glibc's NSS limits do not bite.
binary="$(cd "$repo" && RUSTFLAGS="-C target-feature=+crt-static" OPENSSL_STATIC=1 \
    CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo build --release --locked --target "$target" -p mock-sts --bin mock-sts --message-format=json \
    | grep -o '"executable":"[^"]*mock-sts"' | sed 's/^"executable":"//; s/"$//')"
if [[ ! -x "$binary" ]]; then
    echo "build.sh: cargo built no mock-sts binary" >&2
    exit 1
fi
# ldd says "statically linked" of a static-pie binary, "not a dynamic executable" of a plain static one.
if ! ldd "$binary" 2>&1 | grep -qE "statically linked|not a dynamic executable"; then
    echo "build.sh: $binary is dynamically linked; it would not run FROM scratch:" >&2
    ldd "$binary" >&2
    exit 1
fi

context="$(mktemp -d "${TMPDIR:-/tmp}/mock-sts-image.XXXXXX")"
trap 'rm -rf "$context"' EXIT
cp "$binary" "$context/mock-sts"
mkdir "$context/state"
"$engine" build --quiet -f "$here/Containerfile" -t "$tag" "$context" >&2
echo "$binary"
