#!/usr/bin/env bash
# Proves a change byte-identical: records tests/snapshot/run.sh (every fixture's reports and the fixed set of
# mock-sts exchanges) on BASE and on HEAD, each commit with its own testdata and scripts, and prints
# `identical` (exit 0) or the diff (exit 1).
#   tests/snapshot/compare.sh BASE [HEAD]        (HEAD defaults to HEAD; any commit-ish works)
# Both commits are checked out in turn in one scratch worktree, so the second build is incremental:
#   COMPARE_WORKTREE  where (default: a temporary worktree building into its own target/, both removed at
#                     the end; a given one is kept and builds where CARGO_TARGET_DIR says, else its target/)
#   COMPARE_OUT       keep the two recordings here (BASE/ and HEAD/) instead of a temporary directory
#   COMPARE_SCRIPTS=this  record both commits with this checkout's tests/snapshot scripts (a newer
#                     normaliser or more exchanges) instead of each commit's own
# The mock signs with keys made by BASE's mock in a fresh state directory, used by both runs.
set -euo pipefail
base=${1:?usage: compare.sh BASE [HEAD]}
head=${2:-HEAD}
repo=$(cd "$(dirname "$0")/../.." && pwd)
base_id=$(git -C "$repo" rev-parse --verify "$base^{commit}")
head_id=$(git -C "$repo" rev-parse --verify "$head^{commit}")
for id in "$base_id" "$head_id"; do
  if ! git -C "$repo" cat-file -e "$id:tests/snapshot/run.sh" 2>/dev/null; then
    echo "compare.sh: $(git -C "$repo" rev-parse --short "$id") has no tests/snapshot/run.sh to record with" >&2
    exit 2
  fi
done
scratch=$(mktemp -d)
tree=${COMPARE_WORKTREE:-$scratch/tree}
out=${COMPARE_OUT:-$scratch/out}
cleanup() {
  if [ -z "${COMPARE_WORKTREE:-}" ] && [ -d "$tree" ]; then
    git -C "$repo" worktree remove --force "$tree"
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT
if [ ! -e "$tree/.git" ]; then
  git -C "$repo" worktree add --quiet --detach "$tree" "$base_id"
fi
# keyprobe.sh looks for the Entra samples beside the checkout; the scratch worktree has none beside it.
samples="${KEYPROBE_SAMPLES:-$(cd "$repo/.." && pwd)/shared/entra-samples}"
export KEYPROBE_SAMPLES=$samples SNAPSHOT_STATE=$scratch/state
# A temporary worktree never shares a target directory with another checkout (cargo names workspace
# members' artifacts by relative path, so the two would overwrite each other's binaries).
if [ -n "${COMPARE_WORKTREE:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$tree/target}"
else
  export CARGO_TARGET_DIR="$tree/target"
fi
rm -rf "$out/BASE" "$out/HEAD"
for side in BASE HEAD; do
  id=$base_id
  [ "$side" = HEAD ] && id=$head_id
  git -C "$tree" checkout --quiet --detach "$id"
  echo "recording $side $(git -C "$tree" log -1 --format='%h %s' | cut -c1-80)" >&2
  if [ "${COMPARE_SCRIPTS:-}" = this ]; then
    cp "$repo/tests/snapshot/run.sh" "$repo/tests/snapshot/keyprobe.sh" "$repo/tests/snapshot/mock_exchanges.py" \
      "$tree/tests/snapshot/"
  fi
  (cd "$tree" && tests/snapshot/run.sh "$out/$side" >&2)
  git -C "$tree" checkout --quiet -- tests/snapshot
done
if diff -r "$out/BASE" "$out/HEAD"; then
  echo identical
else
  exit 1
fi
