#!/usr/bin/env bash
# bench/pull.sh BUILD_DIR: pulling an image from a registry on 127.0.0.1, lab06 against skopeo,
# in one hyperfine run per image: busybox (the build's offline image, ~1 MB) and "big", one
# layer of ~110 MB made here from this machine's /usr/lib/python3* and /usr/share/perl (no
# network). The registry is Debian's docker-registry, started by scripts/registry-fixture.sh.
#   skopeo copy             registry -> an OCI layout: download and verify, nothing unpacked
#   lab06 pull              registry -> the store, verified, and the layer unpacked by diff_id
#   lab06 pull, layer kept  the same download with the layer already unpacked (its diff_id
#                           directory is kept), so only the download part of a pull is timed
# Performance is measured here, never asserted in tests.
# Usage: sudo bench/pull.sh build [RUNS [BIG_RUNS]]     (results: bench/results/pull.md)
#        sudo BENCH_TMP=/dev/shm bench/pull.sh build  (the same on tmpfs: bench/results/pull-tmpfs.md)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-30}      # busybox
big_runs=${3:-10}  # big (each run leaves ~300 MB aside until the end)
[[ $(id -u) == 0 ]] || { echo "bench: run as root (the unpack keeps the layer's owners)" >&2; exit 1; }
source bench/images-setup.sh

# One hyperfine run per image.
bench_image() {
  local image=$1 runs=$2 out=$3 kept=$work/kept-$1
  "$lab" --root "$kept" pull "$host/$image:latest" >/dev/null   # unpacks the layer "layer kept" keeps
  hyperfine --warmup 3 --runs "$runs" -N --export-markdown "$out" \
    -n "skopeo copy" --prepare "$(aside "$work/skopeo")" \
    "skopeo copy --quiet --insecure-policy --src-tls-verify=false docker://$host/$image:latest oci:$work/skopeo:latest" \
    -n "lab06 pull" --prepare "$(aside "$work/root")" \
    "$lab --root $work/root pull $host/$image:latest" \
    -n "lab06 pull, layer kept" --prepare "$(aside "$kept/images")" \
    "$lab --root $kept pull $host/$image:latest"
}
bench_image busybox "$runs" "$work/busybox.md"
bench_image big "$big_runs" "$work/big.md"

# The results name the file system when BENCH_TMP moves the work there: pull-tmpfs.md.
results=bench/results/pull${BENCH_TMP:+-$(stat -f -c %T "$work")}.md
mkdir -p bench/results
{
  echo "Work directory on $(stat -f -c %T "$work") ($(df --output=source "$work" | tail -1)); lab06 $built."
  echo
  echo "busybox, one layer ($(layer_info "$(layer_blob "$layout")")):"
  echo
  cat "$work/busybox.md"
  echo
  echo "big, one layer ($big_info):"
  echo
  cat "$work/big.md"
} > "$results"
cat "$results"
