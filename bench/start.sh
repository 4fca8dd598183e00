#!/usr/bin/env bash
# bench/start.sh BUILD_DIR: start-to-exit of one container running `true` on the busybox rootfs,
# boxlab's newest lab against runc and crun (the same rootfs as an OCI bundle) and the bare
# `unshare … chroot` floor, in one hyperfine run. Performance is measured here, never asserted
# in tests. Installs hyperfine, runc and crun from Debian if they are missing.
# Usage: sudo bench/start.sh build [RUNS]     (results: bench/results/start.md)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-200}
[[ $(id -u) == 0 ]] || { echo "bench: run as root (namespaces, cgroups)" >&2; exit 1; }
scripts/install-deps.sh --with-bench >/dev/null
newest=$(ls -d labs/lab[0-9][0-9] | sort | tail -1 | xargs basename)
lab=$PWD/$build/labs/$newest
rootfs=$PWD/$build/busybox/rootfs
[[ -x $lab && -d $rootfs ]] || { echo "bench: build first: cmake --build $build" >&2; exit 1; }

work=$(mktemp -d /tmp/boxlab-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# One OCI bundle for runc and crun: `runc spec`'s default config, without a terminal, running true.
mkdir -p "$work/bundle"
cp -a "$rootfs" "$work/bundle/rootfs"
(cd "$work/bundle" && runc spec && jq '.process.terminal=false | .process.args=["true"]' config.json >c && mv c config.json)
export BOXLAB_ROOT=$work/state

# crun refuses cgroup v1 hybrid hosts ("cgroups in hybrid mode not supported", even with
# --cgroup-manager=disabled): it is left out there, and the results say so.
commands=(-n "unshare+chroot (floor)" "unshare --fork --pid --mount --uts --ipc --net --mount-proc chroot $rootfs /bin/true"
          -n "$newest run" "$lab run --rootfs $rootfs true")
if crun --root "$work/crun" run --bundle "$work/bundle" bench-probe >/dev/null 2>&1; then
  commands+=(-n "crun run" "crun --root $work/crun run --bundle $work/bundle bench-crun")
else
  echo "bench: crun cannot run here ($(crun --root "$work/crun" run --bundle "$work/bundle" bench-probe 2>&1 | tail -1)); left out"
fi
commands+=(-n "runc run" "runc --root $work/runc run --bundle $work/bundle bench-runc")

mkdir -p bench/results
hyperfine --warmup 10 --runs "$runs" -N --export-markdown bench/results/start.md "${commands[@]}"
cat bench/results/start.md
