#!/usr/bin/env bash
# bench/start.sh BUILD_DIR: start-to-exit of one container running `true` on the build's busybox,
# boxlab's newest lab against runc, crun and podman and the bare `unshare … chroot` floor, in one
# hyperfine run. Performance is measured here, never asserted in tests. Installs hyperfine, runc,
# crun and podman from Debian if they are missing (scripts/install-deps.sh --with-bench).
#   lab 04-06:  labNN run --rootfs ROOTFS true         (the rootfs the build unpacks)
#   lab 07 on:  labNN run --rm busybox true            (busybox:latest, `load -i` once into the
#               bench's own BOXLAB_ROOT), and labNN run --rootfs as a reference line
#   runc, crun: `runc spec`'s bundle of the same rootfs, `run` (create, start, wait, delete)
#   podman:     podman run --rm busybox true, with its own storage, state and network config
#               under the work directory (the machine's podman state is never touched)
# Nothing touches the network. Everything is removed on every exit: podman's storage, the
# bundles, the state, the cgroups podman made (libpod_parent, if it was not there before).
# Usage: sudo [BOXLAB_BENCH_LAB=lab07] bench/start.sh build [RUNS]     (results: bench/results/start.md)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-200}
[[ $(id -u) == 0 ]] || { echo "bench: run as root (namespaces, cgroups)" >&2; exit 1; }

# The whole bench runs in a private mount namespace: every mount it makes (podman's storage,
# the mask below) disappears with it, whatever happens, and none propagates to the machine.
if [[ ${BOXLAB_BENCH_NS:-} != 1 ]]; then
  exec env BOXLAB_BENCH_NS=1 unshare --mount --propagation private "$BASH" "$0" "$@"
fi

scripts/install-deps.sh --with-bench >/dev/null
newest=${BOXLAB_BENCH_LAB:-$(ls -d labs/lab[0-9][0-9] | sort | tail -1 | xargs basename)}
number=$((10#${newest#lab}))
lab=$PWD/$build/labs/$newest
rootfs=$PWD/$build/busybox/rootfs
layout=$PWD/$build/busybox/oci
[[ -x $lab && -d $rootfs && -d $layout ]] || { echo "bench: build first: cmake --build $build" >&2; exit 1; }

work=$(mktemp -d /tmp/boxlab-bench.XXXXXX)
podman=(podman --root "$work/podman/root" --runroot "$work/podman/runroot" --tmpdir "$work/podman/tmp"
        --network-config-dir "$work/podman/net" --cgroup-manager cgroupfs --events-backend none)
had_libpod_parent=$([[ -d /sys/fs/cgroup/unified/libpod_parent || -d /sys/fs/cgroup/memory/libpod_parent ||
                      -d /sys/fs/cgroup/libpod_parent ]] && echo 1 || echo 0)
made_dirs=() cache_bound=
cleanup() {
  if [[ -d $work/podman/root ]]; then "${podman[@]}" system reset -f >/dev/null 2>&1 || true; fi
  # Whatever is still mounted under the work directory, innermost first.
  awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l || true
  [[ -z $cache_bound ]] || umount "$cache_bound" || true
  rm -rf "$work"
  ((${#made_dirs[@]} == 0)) || rmdir "${made_dirs[@]}" || true
  # podman's cgroupfs manager makes libpod_parent/conmon in every hierarchy and leaves them.
  if [[ $had_libpod_parent == 0 ]]; then
    find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -depth -type d -path '*/libpod_parent*' -exec rmdir {} + 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A copy, so that a rebuild during the run cannot mix two binaries in one table.
cp "$lab" "$work/$newest"
built="$newest built $(date -r "$lab" '+%Y-%m-%d %H:%M'), HEAD then $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- core labs || echo ' with uncommitted changes')"
lab=$work/$newest
export BOXLAB_ROOT=$work/state

# One OCI bundle for runc and crun: `runc spec`'s default config, without a terminal, running true.
mkdir -p "$work/bundle"
cp -a "$rootfs" "$work/bundle/rootfs"
(cd "$work/bundle" && runc spec && jq '.process.terminal=false | .process.args=["true"]' config.json >c && mv c config.json)

commands=(-n "unshare+chroot (floor)" "unshare --fork --pid --mount --uts --ipc --net --mount-proc chroot $rootfs /bin/true")
if ((number >= 7)); then
  "$lab" load -i "$layout" >/dev/null
  # From lab 08 on a container gets the bridge network by default; runc's and crun's bundles
  # have a network namespace with only lo, which is what --network none gives.
  net=""; ((number < 8)) || net=" --network none"
  commands+=(-n "$newest run --rm$net busybox" "$lab run --rm$net busybox true"
             -n "$newest run --rootfs" "$lab run --rootfs $rootfs true")
else
  commands+=(-n "$newest run" "$lab run --rootfs $rootfs true")
fi

# crun 1.8 refuses a cgroup v1 hybrid host whose v2 hierarchy has any controller ("cgroups in
# hybrid mode not supported, drop all controllers from cgroupv2"), before it looks at
# --cgroup-manager or the config: on this project's CI machine the v2 tree holds hugetlb, which no
# v1 hierarchy mounts. Then the bench hides that one file from crun, in its own mount namespace
# only (an empty file bound over it): crun then runs as on any hybrid host, with its cgroup in the
# v1 hierarchies, as runc and boxlab do here. If crun still refuses, it is left out, with its message.
crun_probe() {
  local out rc=0
  out=$(crun --root "$work/crun" run --bundle "$work/bundle" "bench-probe-$BASHPID" 2>&1 >/dev/null) || rc=$?
  ((rc == 0)) || echo "${out:-crun exited $rc}" | tail -1
}
crun_note=
crun_error=$(crun_probe)
controllers=/sys/fs/cgroup/unified/cgroup.controllers
if [[ $crun_error == *"hybrid mode not supported"* && -n $(cat $controllers 2>/dev/null) ]]; then
  crun_note="crun said \"$crun_error\" (the v2 tree's controllers: $(cat $controllers)); its view of $controllers is emptied in the bench's mount namespace"
  mount --bind /dev/null "$controllers"
  crun_error=$(crun_probe)
fi
if [[ -z $crun_error ]]; then
  commands+=(-n "crun run" "crun --root $work/crun run --bundle $work/bundle bench-crun")
else
  crun_note="${crun_note:+$crun_note; }crun left out: \"$crun_error\""
fi
[[ -z $crun_note ]] || echo "bench: $crun_note"
commands+=(-n "runc run" "runc --root $work/runc run --bundle $work/bundle bench-runc")

# podman also writes outside its --root and --runroot: the OCI runtime's state (/run/crun,
# /run/runc), its network run directory (/run/containers), its lock (/dev/shm/libpod_lock),
# temporary copies (/var/tmp) and a blob cache (/var/lib/containers/cache). In the bench's mount
# namespace each is replaced by an empty directory of the work directory (the same file system)
# or, for /dev/shm, an empty tmpfs, so none of it reaches the machine. Directories made for a
# mount point, if any, are removed at the end.
cache=/var/lib/containers/cache
for d in "${cache%/*}" "$cache"; do
  [[ -d $d ]] || { mkdir -m 700 "$d"; made_dirs=("$d" "${made_dirs[@]}"); }
done
for d in /run /var/tmp "$cache"; do
  mkdir -p "$work/hidden$d"
  chmod --reference="$d" "$work/hidden$d"
  mount --bind "$work/hidden$d" "$d"
done
cache_bound=$cache
mount -t tmpfs -o mode=1777 bench-shm /dev/shm

# podman: its own storage (overlay, else vfs), state, tmpdir and network config under $work;
# busybox loaded from an oci-archive of the build's layout, offline; no network, no events.
# Its runtime is crun when crun runs here (podman's default), else runc. The container's rlimits
# are lowered to what podman itself keeps (it lowers its own RLIMIT_NPROC to 32768), since root
# here lacks CAP_SYS_RESOURCE and podman's defaults (nofile 1048576) are refused by the runtime.
tar -C "$layout" -cf "$work/busybox-oci.tar" .
driver=
for d in overlay vfs; do
  if "${podman[@]}" --storage-driver "$d" load -q -i "$work/busybox-oci.tar" >"$work/podman-load" 2>&1; then
    driver=$d
    break
  fi
  echo "bench: podman with storage driver $d: $(tail -1 "$work/podman-load")"
  "${podman[@]}" system reset -f >/dev/null 2>&1 || true
done
if [[ -n $driver ]]; then
  podman+=(--storage-driver "$driver")
  "${podman[@]}" tag "$(awk '{print $NF}' "$work/podman-load" | tail -1)" localhost/busybox:latest
  runtime=$([[ -z $crun_error ]] && echo crun || echo runc)
  nproc=$(ulimit -Hu); [[ $nproc == unlimited || $nproc -gt 32768 ]] && nproc=32768
  podman_run="${podman[*]} --runtime $runtime run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=$nproc:$nproc localhost/busybox:latest true"
  if out=$($podman_run 2>&1); then
    commands+=(-n "podman run --rm ($runtime, $driver)" "$podman_run")
  else
    echo "bench: podman left out: $out"
  fi
fi

cgroups() { find /sys/fs/cgroup -type d \( -name 'boxlab*' -o -path '*/boxlab/*' \) 2>/dev/null | wc -l; }
cgroups_before=$(cgroups)
mkdir -p bench/results
hyperfine --warmup 10 --runs "$runs" -N --export-markdown "$work/start.md" "${commands[@]}"
{
  cat "$work/start.md"
  echo
  echo "$runs runs each, load average before: $(cut -d' ' -f1-3 /proc/loadavg); $built.${crun_note:+ $crun_note.}"
} > bench/results/start.md
cat bench/results/start.md

# Nothing of the runs may be left: mounts under the work directory (but podman's own storage
# mount), boxlab cgroups, processes started from the work directory, containers.
mounts=$(awk -v w="$work" 'index($5, w) == 1 && $5 != w "/podman/root/overlay"' /proc/self/mountinfo | wc -l)
procs=$(pgrep -f "$work/" | grep -vx "$$" | wc -l || true)
containers=$(if ((number >= 7)); then "$lab" ps -a -q | wc -l; else echo 0; fi)
echo "bench: left after the runs: $mounts mounts, $(($(cgroups) - cgroups_before)) boxlab cgroups, $procs processes, $containers containers"
