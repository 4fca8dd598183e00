#!/usr/bin/env bash
# README command 1: install the Debian packages, build everything, and run the newest lab on
# the busybox image made locally from Debian's busybox-static (no network needed after the
# packages are installed).
# Usage: sudo scripts/setup.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scripts/install-deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBOXLAB_SLIDES=OFF >/dev/null
cmake --build "$build"
newest=$(ls -d labs/lab[0-9][0-9] | sort | tail -1 | xargs basename)
echo
echo "== lab00 doctor"
"$build/labs/lab00" doctor || true
# From lab 06 on, the labs have an image store: the offline busybox image becomes busybox:latest
# in it (the same OCI layout skopeo reads), so every later lab runs it without a registry.
if "$build/labs/$newest" load --help >/dev/null 2>&1; then
  echo
  echo "== $newest load -i $build/busybox/oci    (busybox:latest into the image store)"
  "$build/labs/$newest" load -i "$build/busybox/oci"
  "$build/labs/$newest" images busybox
fi
echo
limits="--memory 64m --pids-limit 64"
# Labs 03-06 run a root filesystem directory; from lab 07 on, `run` takes an image, as docker.
if "$build/labs/$newest" run --help 2>&1 | grep -q -- '--rootfs'; then
  target=(--rootfs "$build/busybox/rootfs")
else
  target=(--rm busybox)
fi
echo "== $newest on busybox: $build/labs/$newest run --hostname box $limits ${target[*]} sh -c '...'"
# The container's own cgroup limit, read inside: /sys/fs/cgroup shows its cgroup (v2 or v1).
# shellcheck disable=SC2086
exec "$build/labs/$newest" run --hostname box $limits "${target[@]}" \
  /bin/sh -c 'limit=$(cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null)
    echo "Hello from $(busybox | head -1 | cut -d" " -f1-2) in container $(hostname), as PID $$, memory limit $limit"'
