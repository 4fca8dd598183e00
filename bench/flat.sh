#!/usr/bin/env bash
# bench/flat.sh BUILD_DIR [N]: does a run cost the same at run 1000 as at run 1? N (default 1000)
# sequential `lab07 run --rm busybox true` in the bench's own BOXLAB_ROOT, each one timed (bash's
# EPOCHREALTIME around it, so the figures include a fork and exec of the shell's), printed as
# mean, median, min and max per block of 100 runs, and the last block's mean and median over the
# first's. Performance is measured here, never asserted (tests/soak/run-rm.sh checks the same
# loop for leaks). Results: bench/results/flat.md.
# Usage: sudo bench/flat.sh build [N]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-1000}
block=100
[[ $(id -u) == 0 ]] || { echo "bench: run as root (namespaces, cgroups)" >&2; exit 1; }
((n >= 2 * block && n % block == 0)) || { echo "bench: N must be a multiple of $block, at least $((2 * block))" >&2; exit 1; }
lab=$PWD/$build/labs/lab07
layout=$PWD/$build/busybox/oci
[[ -x $lab && -d $layout ]] || { echo "bench: build first: cmake --build $build" >&2; exit 1; }

work=$(mktemp -d /tmp/boxlab-flat.XXXXXX)
cleanup() {
  awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A copy, so that a rebuild during the run cannot mix two binaries.
cp "$lab" "$work/lab07"
built="lab07 built $(date -r "$lab" '+%Y-%m-%d %H:%M'), HEAD then $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- core labs || echo ' with uncommitted changes')"
lab=$work/lab07
export BOXLAB_ROOT=$work/state
"$lab" load -i "$layout" >/dev/null
entries() { find "$BOXLAB_ROOT" | wc -l; }
entries_before=$(entries)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# One time per run, in microseconds, in $work/times.
start=$EPOCHREALTIME
for ((i = 1; i <= n; i++)); do
  t0=$EPOCHREALTIME
  "$lab" run --rm busybox true || { echo "bench: run $i exited $?" >&2; exit 1; }
  t1=$EPOCHREALTIME
  echo $(( ${t1/./} - ${t0/./} )) >> "$work/times"
  ((i % block)) || echo "bench: $i runs"
done
total_s=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

# Mean, median, min and max of every block of 100 runs; first and last compared.
table=$(awk -v block=$block '
  { t[NR] = $1 / 1000 }
  END {
    print "| Runs | Mean [ms] | Median [ms] | Min [ms] | Max [ms] |"
    print "|:---|---:|---:|---:|---:|"
    for (b = 0; b * block < NR; b++) {
      n = 0; sum = 0; min = 1e9; max = 0
      for (i = b * block + 1; i <= (b + 1) * block && i <= NR; i++) {
        v[++n] = t[i]; sum += t[i]; if (t[i] < min) min = t[i]; if (t[i] > max) max = t[i]
      }
      # insertion sort for the median (100 values)
      for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
      med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      mean[b] = sum / n; median[b] = med
      printf "| %d-%d | %.1f | %.1f | %.1f | %.1f |\n", b * block + 1, b * block + n, sum / n, med, min, max
    }
    last = b - 1
    printf "\nLast block over first: mean %.2f, median %.2f.\n", mean[last] / mean[0], median[last] / median[0]
  }' "$work/times")
containers=$("$lab" ps -a -q | wc -l)
{
  echo "\`lab07 run --rm busybox true\`, $n runs one after another; $built."
  echo "Load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg); $total_s s in all."
  echo
  echo "$table"
  echo
  echo "Entries under BOXLAB_ROOT: $entries_before after the load, $(entries) after the runs; containers left: $containers."
} > "$work/flat.md"
mkdir -p bench/results
cp "$work/flat.md" bench/results/flat.md
cat bench/results/flat.md
