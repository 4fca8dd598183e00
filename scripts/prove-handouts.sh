#!/usr/bin/env bash
# The CI proof of the handout contract (COURSE.md, "The checker contract"): for every lab that
# has checks, each of its checks passes on the reference lab and fails on the lab's handout. A
# check that passes on a handout cannot fail, so it grades nothing: that is a defect of the check
# (or a region left out of the handout), and this script exits non-zero to say so.
#
# Usage: scripts/prove-handouts.sh BUILD_DIR     (as root; BUILD_DIR is a full build of boxlab)
#
# For each lab NN listed by `checker list`:
#   1. the reference: `checker labNN --json` on BUILD_DIR/labs/labNN; every check must pass;
#   2. the handout: `checker handout NN` into BUILD_DIR/handouts/labNN, configured and built (the
#      labNN target only) in BUILD_DIR/handouts/build, shared by the handouts (see build_handout);
#   3. the reference checker on the handout's labNN, with --no-deps so that every check runs
#      rather than being skipped: every check must fail (passed == false, not true, not null).
# The build directory is kept between runs and ccache serves unchanged files, so a rerun costs
# little more than the checks. Logs and reports: BUILD_DIR/handouts/labNN-*.{log,json}.
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
}

[[ $# -eq 1 ]] || usage
build=$(realpath "$1")
checker="$build/checker/checker"
handouts="$build/handouts"
jobs=$(nproc)

die() {
  echo "prove-handouts: $*" >&2
  exit 2
}

[[ -x $checker ]] || die "no checker at $checker: build BUILD_DIR first"
command -v jq >/dev/null || die "jq is missing (scripts/install-deps.sh installs it)"

# The labs that have checks: the lines of `checker list` that are a lab id alone.
labs_with_checks() {
  "$checker" list | grep -E '^lab[0-9]{2}$'
}

# Run the reference checker: run_checker LAB JSON [ARG...]. Exit 1 only means a check failed;
# anything else (2: the checker itself failed) stops the proof.
run_checker() {
  local lab=$1 json=$2
  shift 2
  local status=0
  rm -f "$json"
  NO_COLOR=1 "$checker" "$lab" --json "$json" "$@" >"${json%.json}.log" 2>&1 || status=$?
  if [[ $status -gt 1 || ! -s $json ]]; then
    tail -n 20 "${json%.json}.log" >&2
    die "$lab: the checker failed (exit $status); see ${json%.json}.log"
  fi
}

# The checks of JSON whose "passed" is not WANTED (true or false), comma-separated.
checks_not() {
  local wanted=$1 json=$2
  jq -r --argjson wanted "$wanted" \
    '[.results[] | select(.passed != $wanted) | "\(.name) (passed: \(.passed))"] | join(", ")' "$json"
}

# Write the handout of LAB to handouts/LAB, build its lab binary, print the binary's path.
# Every handout is built through one path, handouts/src (a symlink to the lab's tree), in one
# build directory, handouts/build: ccache then serves every file that is the same as in an
# earlier handout (most of core), where a build directory per handout would compile all of core
# again for each lab. The tree is written just before its build, so its files are newer than
# every object and ninja cannot keep an object compiled from another lab's tree.
build_handout() {
  local lab=$1 number=$((10#${1#lab}))
  local log="$handouts/$lab-build.log"
  rm -rf "${handouts:?}/$lab"
  "$checker" handout "$number" --out "$handouts/$lab" >"$log" 2>&1 || die "$lab: cannot write the handout; see $log"
  ln -sfn "$lab" "$handouts/src"
  {
    cmake -S "$handouts/src" -B "$handouts/build" -G Ninja "-DBOXLAB_LABS=${lab#lab}" -DBOXLAB_TESTS=OFF \
      -DBOXLAB_CHECKER=OFF -DBOXLAB_DOCS=OFF -DBOXLAB_SLIDES=OFF &&
      cmake --build "$handouts/build" --target "$lab" -j "$jobs"
  } >>"$log" 2>&1 || {
    tail -n 30 "$log" >&2
    die "$lab: the handout does not build; see $log"
  }
  echo "$handouts/build/labs/$lab"
}

# Prove LAB; print its line; return 1 when a check is wrong either way. (Called as `prove_lab ||`,
# where errexit is off: every step that can fail says so itself.)
prove_lab() {
  local lab=$1
  local reference="$handouts/$lab-reference.json" handout="$handouts/$lab-handout.json"
  [[ -x $build/labs/$lab ]] || die "no reference $lab in $build/labs: build BUILD_DIR first"
  run_checker "$lab" "$reference"
  local bin
  bin=$(build_handout "$lab") || exit 2
  run_checker "$lab" "$handout" --bin "$bin" --no-deps

  local count failing_on_reference passing_on_handout
  count=$(jq '.results | length' "$handout")
  failing_on_reference=$(checks_not true "$reference")
  passing_on_handout=$(checks_not false "$handout")
  if [[ $count -gt 0 && -z $failing_on_reference && -z $passing_on_handout ]]; then
    echo "$lab: $count checks pass on the reference and fail on the handout"
    return 0
  fi
  echo "$lab: FAILED"
  [[ $count -gt 0 ]] || echo "  no checks ran on the handout"
  [[ -z $failing_on_reference ]] || echo "  do not pass on the reference: $failing_on_reference"
  [[ -z $passing_on_handout ]] || echo "  do not fail on the handout: $passing_on_handout"
  return 1
}

main() {
  mkdir -p "$handouts"
  local labs ok=0
  labs=$(labs_with_checks) || die "checker list shows no lab with checks"
  for lab in $labs; do
    prove_lab "$lab" || ok=1
  done
  echo "prove-handouts: $(wc -w <<<"$labs") labs in ${SECONDS}s"
  return $ok
}

main
