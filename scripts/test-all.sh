#!/usr/bin/env bash
# README command 2 (and what .ci/run calls): every test of the project, as root.
#   1. build with -Werror; ctest: unit, root, checker and lesson tests (each console block of
#      lessons/*/README.md is run and its output compared)
#   2. the unit and root tests again under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. the checker on the reference labs: checker labNN --all for the newest lab
#   4. the handout proof: each lab's checks pass on the reference and fail on its handout
#   5. the newest lab's checks and the cgroup root tests again in a fresh cgroup v2 VM (tests/vm/)
#   6. Doxygen over core's headers (warnings are errors) and the slides to HTML
#   7. nothing of ours left behind: mounts, processes, cgroups, veths, nft table
# Usage: sudo scripts/test-all.sh      Knobs: BUILD=build ASAN_BUILD=build-asan JOBS=2 SKIP_SLIDES=1 SKIP_VM=1
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
JOBS=${JOBS:-$(nproc)}
if [[ $(id -u) != 0 ]]; then
  echo "test-all: the root tests create namespaces and mounts; run it as root: sudo $0" >&2
  exit 1
fi
failed=()
step() { echo; echo "== $*"; }
run() { local name=$1; shift; "$@" || failed+=("$name"); }

mounts_before=$(grep -c . /proc/self/mountinfo)
# Links and nft rules of ours that were there before (the machine's default bridge boxlab0, made
# by command 1's lab08 run, stays like docker0): only what the tests add counts as a leak.
our_links() { ls /sys/class/net | grep -E '^(bxl|boxlab)' | sort | tr '\n' ' '; }
our_rules() { nft list table ip boxlab 2>/dev/null | grep -c ' comment ' || true; }
links_before=$(our_links)
rules_before=$(our_rules)

step "build ($BUILD, -Werror)"
cmake -S . -B "$BUILD" -G Ninja -DBOXLAB_WERROR=ON -DBOXLAB_SLIDES=ON >/dev/null || exit 1
cmake --build "$BUILD" -j "$JOBS" || exit 1

step "ctest: unit, root, checker and lesson tests"
run ctest ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS"

step "sanitizers ($ASAN_BUILD): unit and root tests under ASan + UBSan"
cmake -S . -B "$ASAN_BUILD" -G Ninja -DBOXLAB_WERROR=ON -DBOXLAB_SANITIZE=ON -DBOXLAB_CHECKER=OFF \
      -DBOXLAB_DOCS=OFF -DBOXLAB_SLIDES=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null || exit 1
cmake --build "$ASAN_BUILD" -j "$JOBS" --target unit_tests root_tests lab03 || exit 1
run asan env ASAN_OPTIONS=detect_leaks=1 ctest --test-dir "$ASAN_BUILD" --output-on-failure -R '_tests$'

newest=$(ls -d labs/lab[0-9][0-9] | sort | tail -1 | xargs basename)
step "checker $newest --all on the reference"
run checker "$BUILD/checker/checker" "$newest" --all --junit "$BUILD/checker-$newest.xml"

step "handouts: every check passes on the reference and fails on its handout"
run handouts scripts/prove-handouts.sh "$BUILD"

if [[ -z ${SKIP_VM:-} ]]; then
  step "vm: checker $newest --all and the [cgroup] root tests on cgroup v2 (Debian's kernel under qemu)"
  # The VM needs qemu and Debian's kernel package; install them if README command 1 did not.
  if ! command -v qemu-system-x86_64 >/dev/null || ! ls /boot/vmlinuz-* >/dev/null 2>&1; then
    scripts/install-deps.sh --with-vm >/dev/null || failed+=(vm-install)
  fi
  run vm tests/vm/run-checks.sh "$BUILD" "$newest" "[cgroup]"
fi

step "docs: Doxygen, warnings as errors"
run docs cmake --build "$BUILD" --target docs
if [[ -z ${SKIP_SLIDES:-} ]]; then
  step "slides: Marp to HTML"
  run slides cmake --build "$BUILD" --target slides
fi

step "nothing of ours left behind"
mounts_after=$(grep -c . /proc/self/mountinfo)
leaks=""
[[ $mounts_after != "$mounts_before" ]] && leaks+=" mounts:$mounts_before->$mounts_after"
pgrep -f 'build[^ ]*/labs/lab[0-9]' >/dev/null && leaks+=" processes:$(pgrep -f 'build[^ ]*/labs/lab[0-9]' | tr '\n' ,)"
find /sys/fs/cgroup -maxdepth 4 -name 'boxlab*' 2>/dev/null | grep -q . && leaks+=" cgroups"
links_after=$(our_links)
[[ $links_after != "$links_before" ]] && leaks+=" links:[$links_before]->[$links_after]"
rules_after=$(our_rules)
[[ $rules_after != "$rules_before" ]] && leaks+=" nft-rules:$rules_before->$rules_after"
if [[ -n $leaks ]]; then echo "left behind:$leaks"; failed+=(leaks); else echo "nothing left behind"; fi

echo
total=9
[[ -n ${SKIP_SLIDES:-} ]] && total=$((total - 1))
[[ -n ${SKIP_VM:-} ]] && total=$((total - 1))
((${#failed[@]})) && echo "failed steps: ${failed[*]}"
echo "test-all: $((total - ${#failed[@]})) passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
