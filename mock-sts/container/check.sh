#!/usr/bin/env bash
# CI: build the mock-sts image with podman and check what is inside it. This machine can build images but not
# run containers, so the binary is exported from the image and run on the host: it must be static, start
# with the image's own entrypoint arguments (bound to 0.0.0.0, a port of this run's), serve, keep its control
# API to the names of the server, and the image must run it as an unprivileged user.
#
# Installs podman (apt-get) when it is missing and this is root. When podman cannot be had, prints
# "skipped: REASON" and exits 0: a skip, never reported as a pass.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tag="localhost/mock-sts:ci-check-$$"

if ! command -v podman >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "image: installing podman"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman) >/dev/null 2>&1 || true
    fi
fi
if ! command -v podman >/dev/null; then
    echo "image: skipped: podman is not installed and could not be installed (not root, or no apt-get)"
    exit 0
fi
if ! podman info >/dev/null 2>&1; then
    echo "image: skipped: podman cannot start here: $(podman info 2>&1 | tail -n 1)"
    exit 0
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/mock-sts-image-check.XXXXXX")"
container=""
cleanup() {
    if [[ -f "$workdir/ready.env" ]]; then
        kill -TERM "$(sed -n 's/^MOCK_STS_PID=//p' "$workdir/ready.env")" 2>/dev/null || true
    fi
    [[ -z "$container" ]] || podman rm -f "$container" >/dev/null 2>&1 || true
    podman rmi -f "$tag" >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

started=$SECONDS
echo "image: building the static binary and the image ($tag)"
# This checks that the image builds and its binary serves, not how fast it runs: optimisation level 1
# without the release profile's whole-program LTO builds in about half the time of build.sh's default
# and keeps .ci/run within its time budget.
CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-1}" \
    CARGO_PROFILE_RELEASE_LTO="${CARGO_PROFILE_RELEASE_LTO:-false}" \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS="${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-16}" \
    bash "$here/build.sh" "$tag" >/dev/null
echo "image: built in $((SECONDS - started)) s; $(podman image inspect "$tag" --format '{{.Size}}') bytes"

user="$(podman image inspect "$tag" --format '{{.Config.User}}')"
entrypoint="$(podman image inspect "$tag" --format '{{join .Config.Entrypoint " "}}')"
echo "image: user $user, entrypoint $entrypoint"
[[ "$user" == 65532:65532 ]] || { echo "image: FAILED: runs as '$user', not 65532:65532" >&2; exit 1; }

container="$(podman create "$tag")"
podman export "$container" > "$workdir/rootfs.tar"
listing="$(tar -tvf "$workdir/rootfs.tar")"
grep -Eq '^d[rwx-]{9} 65532/65532 .* var/lib/mock-sts/?$' <<<"$listing" \
    || { echo "image: FAILED: no state directory owned by 65532:" >&2; echo "$listing" >&2; exit 1; }
tar -xf "$workdir/rootfs.tar" -C "$workdir" usr/local/bin/mock-sts
binary="$workdir/usr/local/bin/mock-sts"
if ! ldd "$binary" 2>&1 | grep -qE "statically linked|not a dynamic executable"; then
    echo "image: FAILED: the binary is not static: $(ldd "$binary" 2>&1)" >&2
    exit 1
fi

# The entrypoint's arguments, with a free port and a state directory of this run instead of 8080 and /var/lib.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
read -r -a args <<<"$entrypoint"
args=("${args[@]:1}")
for i in "${!args[@]}"; do
    case "${args[$i]}" in
        8080) args[$i]="$port" ;;
        /var/lib/mock-sts) args[$i]="$workdir/state" ;;
    esac
done
echo "image: running the exported binary on the host: mock-sts ${args[*]} --detach"
MOCK_STS_PUBLIC_URL="http://mock-sts:$port" "$binary" "${args[@]}" --ready-file "$workdir/ready.env" --detach
status() { curl -s -o /dev/null -w '%{http_code}' -H "Host: $1" "http://127.0.0.1:$port/_mock/config"; }
health="$(curl -fsS -H "Host: mock-sts:$port" "http://127.0.0.1:$port/_mock/health")"
echo "image: health: $health"
[[ "$health" == *"\"base_url\":\"http://mock-sts:$port\""* ]]
[[ "$(status "mock-sts:$port")" == 200 && "$(status "127.0.0.1:$port")" == 200 ]]
[[ "$(status "attacker.example:$port")" == 421 ]] \
    || { echo "image: FAILED: the control API answered a foreign Host" >&2; exit 1; }
echo "image: the control API answers the public URL and the address, and refuses a foreign Host (421)"
echo "image: passed"
