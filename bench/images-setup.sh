# bench/images-setup.sh: sourced by pull.sh and unpack.sh (not run on its own). Checks the tools,
# starts Debian's docker-registry on 127.0.0.1 (scripts/registry-fixture.sh) in a work directory
# removed on every exit, fills it with the build's busybox and with "big" (a layer made from this
# machine's files, no network), and defines layer_blob, layer_info and aside. Expects $build.
# shellcheck shell=bash
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
