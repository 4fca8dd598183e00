#!/usr/bin/env bash
# run-checks.sh BUILD_DIR LAB [ROOT_TESTS_FILTER...] - for CI: in one fresh cgroup v2 VM, run
#   BUILD_DIR/checker/checker LAB --all        (LAB: lab04, 04 or 4)
#   BUILD_DIR/tests/root_tests [FILTER...]     (Catch2 arguments, e.g. "[cgroup]" or "~[slow]")
# and exit 0 when both passed (else the checker's status, else the root tests'; 124 on timeout,
# 125 when the harness failed). The console log goes to stdout.
#
# The guest gets what those programs need, at the paths compiled into them (CMAKE_BINARY_DIR):
# the lab binaries BUILD_DIR/labs/labNN, the checker and its probe, the busybox image
# BUILD_DIR/busybox, the root tests. Not BUILD_DIR/labs/CMakeFiles (object files: 100+ MiB that
# only slow the boot).
#
# Environment: BOXLAB_VM_TIMEOUT (seconds, default 1800), BOXLAB_VM_MEM (default 2G),
# BOXLAB_VM_CGROUP (default /harness/cmd; "/" runs the checks in the root cgroup, see README.md),
# BOXLAB_VM_LOG (also write the log there), and run-in-vm.sh's own BOXLAB_VM_* variables.
set -euo pipefail

readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fail() { echo "run-checks: error: $*" >&2; exit 125; }

[[ $# -ge 2 ]] || fail "usage: run-checks.sh BUILD_DIR LAB [ROOT_TESTS_FILTER...]"
build_arg=$1 lab=$2
shift 2
[[ -f $build_arg/CMakeCache.txt ]] || fail "$build_arg is not a CMake build directory (no CMakeCache.txt)"
# The directory the programs were built for, exactly as CMake spelled it: their compiled-in paths.
build=$(sed -n 's/^CMAKE_CACHEFILE_DIR:INTERNAL=//p' "$build_arg/CMakeCache.txt")
[[ -n $build && -d $build ]] || fail "cannot tell the build directory from $build_arg/CMakeCache.txt"

[[ $lab =~ ^(lab)?0*([0-9]{1,2})$ ]] || fail "LAB must be like lab04, 04 or 4, not '$lab'"
lab=$(printf 'lab%02d' "$((10#${BASH_REMATCH[2]}))")

args=()
for f in checker/checker checker/probe tests/root_tests; do
  [[ -x $build/$f ]] || fail "$build/$f is missing: build it first (cmake --build $build_arg)"
  args+=(--file "$build/$f")
done
[[ -x $build/labs/$lab ]] || fail "$build/labs/$lab is missing: build it first (cmake --build $build_arg)"
for f in "$build"/labs/lab[0-9][0-9]; do args+=(--file "$f"); done
# run --init (lab 07 on) looks for boxlab-init beside the lab.
[[ -x $build/labs/boxlab-init ]] && args+=(--file "$build/labs/boxlab-init")
[[ -d $build/busybox/rootfs ]] || fail "$build/busybox/rootfs is missing: build it first (cmake --build $build_arg)"
args+=(--dir "$build/busybox" --file "$HERE/run-checks-guest.sh")
# The image checks (lab 06 on) start a registry and read the store with skopeo, lab 07 packs an
# image with GNU tar (busybox tar has no --numeric-owner), lab 08 reads its rules with nft: the guest gets
# the host's binaries (their libraries follow by ldd). Missing ones make those checks fail with
# an install hint, as on a student's machine.
for tool in docker-registry skopeo tar nft; do
  if path=$(command -v "$tool"); then args+=(--file "$path"); fi
done
args+=(--timeout "${BOXLAB_VM_TIMEOUT:-1800}" --mem "${BOXLAB_VM_MEM:-2G}" --cgroup "${BOXLAB_VM_CGROUP:-/harness/cmd}")
[[ -n ${BOXLAB_VM_LOG:-} ]] && args+=(--log "$BOXLAB_VM_LOG")

exec "$HERE/run-in-vm.sh" "${args[@]}" -- "$HERE/run-checks-guest.sh" "$build" "$lab" "$@"
