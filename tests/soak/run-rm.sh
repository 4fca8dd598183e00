#!/usr/bin/env bash
# tests/soak/run-rm.sh BUILD_DIR [N]: N (default 1000) sequential `lab07 run --rm busybox true`,
# then prove nothing of them is left: no mount, no boxlab cgroup, no process, no container
# record, no writable layer, and no fd more in the runtime than at run 1. Prints the time of
# every 100 runs, so a reader sees whether a run stays as fast at 1000 as at 1 (measured here
# and in bench/, never asserted). Needs root. Exit 77 (skipped) when lab07 is not built.
set -euo pipefail
build=$(realpath "${1:?usage: run-rm.sh BUILD_DIR [N]}")
n=${2:-1000}
lab=$build/labs/lab07
[[ -x $lab ]] || { echo "run-rm: $lab is not built: skipped"; exit 77; }
root=$(mktemp -d /tmp/boxlab-soak.XXXXXX)
trap 'rm -rf "$root"' EXIT
fail() { echo "run-rm: FAIL: $*" >&2; exit 1; }

cgroups() { find /sys/fs/cgroup -type d -path '*/boxlab/*' 2>/dev/null | wc -l; }
mounts_before=$(wc -l < /proc/self/mountinfo)
cgroups_before=$(cgroups)
"$lab" --root "$root" load -i "$build/busybox/oci" >/dev/null
# The fds a run's runtime holds at the end, as the container sees its parent's: none leak into
# the container either (only 0, 1, 2 in /proc/1/fd).
fds=$("$lab" --root "$root" run --rm busybox sh -c 'ls /proc/1/fd; true' | tr '\n' ' ')
[[ $fds == "0 1 2 " ]] || fail "PID 1 has fds '$fds', expected '0 1 2 '"

start=$(date +%s%N)
last=$start
for i in $(seq "$n"); do
  "$lab" --root "$root" run --rm busybox true || fail "run $i exited $?"
  if (( i % 100 == 0 )); then
    now=$(date +%s%N)
    awk -v a=$((i - 99)) -v b="$i" -v ns=$((now - last)) 'BEGIN { printf "run-rm: runs %4d-%4d: %5.1f ms per run\n", a, b, ns / 1e8 }' 
    last=$now
  fi
done

[[ $(wc -l < /proc/self/mountinfo) == "$mounts_before" ]] || fail "mounts: $mounts_before before, $(wc -l < /proc/self/mountinfo) after"
[[ $(cgroups) == "$cgroups_before" ]] || fail "boxlab cgroups: $cgroups_before before, $(cgroups) after"
[[ -z $("$lab" --root "$root" ps -a -q) ]] || fail "containers left: $("$lab" --root "$root" ps -a -q | wc -l)"
left=$(find "$root/overlay" "$root/run/containers" -mindepth 1 -maxdepth 1 2>/dev/null | grep -cv '\.lock$' || true)
[[ $left == 0 ]] || fail "$left writable layers or runtime records left under $root"
pgrep -f "$lab --root $root" >/dev/null && fail "a lab07 process of the run is still alive"
echo "run-rm: ok: $n runs, $(( ($(date +%s%N) - start) / 1000000 )) ms, nothing left (mounts, cgroups, records, layers, processes; PID 1 had fds 0 1 2)"
