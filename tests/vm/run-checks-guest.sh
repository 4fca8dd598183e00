#!/bin/sh
# run-checks-guest.sh BUILD_DIR LAB [ROOT_TESTS_FILTER...] - runs INSIDE the VM that
# tests/vm/run-checks.sh boots: the checker on LAB with every earlier lab's checks (--all), then
# the root tests with the given Catch2 filter. Both always run; the exit status is 0 when both
# passed, else the checker's status if it failed, else the root tests'.
build=$1 lab=$2
shift 2

echo "==== run-checks: $build/checker/checker $lab --all"
"$build/checker/checker" "$lab" --all
checker_status=$?

echo "==== run-checks: $build/tests/root_tests${*:+ $*}"
"$build/tests/root_tests" "$@"
tests_status=$?

echo "==== run-checks: checker $lab --all: exit $checker_status; root_tests${*:+ $*}: exit $tests_status"
[ "$checker_status" -ne 0 ] && exit "$checker_status"
exit "$tests_status"
