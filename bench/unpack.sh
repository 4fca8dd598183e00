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
for tool in hyperfine:"sudo scripts/install-deps.sh --with-bench" skopeo:"sudo apt-get install skopeo" \
            docker-registry:"sudo apt-get install docker-registry" curl:"sudo apt-get install curl" \
            jq:"sudo apt-get install jq"; do
  command -v "${tool%%:*}" >/dev/null || { echo "bench: ${tool%%:*} is missing; install it: ${tool#*:}" >&2; exit 1; }
done
lab=$PWD/$build/labs/lab06
layout=$PWD/$build/busybox/oci
[[ -x $lab && -d $layout ]] || { echo "bench: build first: cmake --build $build" >&2; exit 1; }

work=$(mktemp -d "${BENCH_TMP:-/tmp}/boxlab-bench.XXXXXX")   # BENCH_TMP=/dev/shm: no disk
cleanup() {
  scripts/registry-fixture.sh stop "$work/registry" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A copy, so that a rebuild during the run cannot mix two binaries in one table.
cp "$lab" "$work/lab06"
built="built $(date -r "$lab" '+%Y-%m-%d %H:%M'), HEAD then $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- core labs || echo ' with uncommitted changes')"
lab=$work/lab06

scripts/registry-fixture.sh start "$work/registry"
host=127.0.0.1:$(cat "$work/registry/port")
skopeo copy --quiet --insecure-policy --dest-tls-verify=false "oci:$layout:latest" "docker://$host/busybox:latest"

# The first layer blob of the first image in an OCI layout.
layer_blob() {
  local manifest
  manifest=$(jq -r '.manifests[0].digest' "$1/index.json")
  echo "$1/blobs/$(jq -r '.layers[0].digest' "$1/blobs/${manifest/://}" | tr : /)"
}

# "N bytes gzip, N bytes of tar, N entries" of a gzip layer.
layer_info() {
  echo "$(stat -c %s "$1") bytes gzip, $(gzip -dc "$1" | wc -c) bytes of tar, $(tar -tzf "$1" | wc -l) entries"
}

# The big image: one gzip layer of real files, imported into a scratch store and pushed.
# BIG_DIRS (paths under /) overrides the choice; the figures of the layer are printed.
read -r -a big_dirs <<<"${BIG_DIRS:-$(cd / && echo usr/lib/python3 usr/lib/python3.[0-9]* usr/share/perl)}"
tar -C / --numeric-owner -czf "$work/big.tar.gz" "${big_dirs[@]}"
big_info="/{${big_dirs[*]}} of this machine: $(layer_info "$work/big.tar.gz")"
echo "bench: big layer: $big_info"
"$lab" --root "$work/scratch" import "$work/big.tar.gz" big:latest >/dev/null
skopeo copy --quiet --insecure-policy --dest-tls-verify=false "oci:$work/scratch/images:big:latest" "docker://$host/big:latest"

# Every prepare moves what the last run wrote aside (a rename) and nothing is deleted before the
# end: on an ext4 without a journal (this project's CI machine) each inode allocated within
# seconds of a mass deletion scans the recently deleted ones (ext4's recently_deleted()), which
# made every create 300-400 us and swamped what is measured here.
aside() { echo "bash -c 'if [[ -e $1 ]]; then mv $1 \$(mktemp -d $work/trash/XXXXXX); fi${2:+; mkdir $1}'"; }
mkdir -p "$work/trash"

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
