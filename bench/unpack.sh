#!/usr/bin/env bash
# bench/unpack.sh BUILD_DIR: unpacking one gzip layer, boxlab against GNU tar, in one hyperfine
# run per layer: busybox's (the build's offline image, ~1 MB) and "big", ~110 MB made here from
# this machine's /usr/lib/python3* and /usr/share/perl (no network).
#   tar -xzf                 GNU tar as root: tar -xzf LAYER -C DIR --same-owner, DIR fresh
#   lab06 pull, blob stored  the layer's blob is already in the store and its unpacked
#                            directory is not: the pull GETs the manifest, finds every blob
#                            stored, and unpacks the layer (decompress, sha256 of the tar for
#                            the diff_id, extract confined by openat2, keep owners, rename)
#   lab06 pull, nothing to do  the same pull with the layer unpacked too: its fixed cost (start,
#                            one manifest GET, index.json rewritten), to subtract from the above
# The lab has no command that only unpacks; the pull with the blob stored is the closest, and
# the no-op pull measures what it adds. The registry (Debian's docker-registry on 127.0.0.1) is
# started by scripts/registry-fixture.sh. Performance is measured here, never asserted in tests.
# Usage: sudo bench/unpack.sh build [RUNS [BIG_RUNS]]     (results: bench/results/unpack.md)
#        sudo BENCH_TMP=/dev/shm bench/unpack.sh build  (the same on tmpfs: bench/results/unpack-tmpfs.md)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-30}      # busybox
big_runs=${3:-10}  # big (each run leaves ~150 MB aside until the end)
[[ $(id -u) == 0 ]] || { echo "bench: run as root (both tools keep the layer's owners)" >&2; exit 1; }
source bench/images-setup.sh

# One hyperfine run per layer. Both tools read the same file: the blob in lab06's store.
bench_layer() {
  local image=$1 runs=$2 out=$3 root=$work/root-$1 layer
  "$lab" --root "$root" pull "$host/$image:latest" >/dev/null   # stores the blob (and unpacks it)
  layer=$(layer_blob "$root/images")
  hyperfine --warmup 3 --runs "$runs" -N --export-markdown "$out" \
    -n "tar -xzf" --prepare "$(aside "$work/tar" mkdir)" \
    "tar -xzf $layer -C $work/tar --same-owner" \
    -n "lab06 pull, blob stored" --prepare "$(aside "$root/layers")" \
    "$lab --root $root pull $host/$image:latest" \
    -n "lab06 pull, nothing to do" --prepare true \
    "$lab --root $root pull $host/$image:latest"
}
bench_layer busybox "$runs" "$work/busybox.md"
bench_layer big "$big_runs" "$work/big.md"

# The results name the file system when BENCH_TMP moves the work there: unpack-tmpfs.md.
results=bench/results/unpack${BENCH_TMP:+-$(stat -f -c %T "$work")}.md
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
