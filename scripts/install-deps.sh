#!/usr/bin/env bash
# Installs every Debian package boxlab needs to build, test and teach.
# One list, used by the README's set-up command and by .ci/run.
# Works on Debian 12 (bookworm) and Ubuntu 24.04 (noble): the package names are the same there.
# Usage: sudo scripts/install-deps.sh [--with-vm] [--with-bench]
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# Build tools and the libraries of core/ (mirrored in cmake/Dependencies.cmake).
BUILD_PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  catch2 libfmt-dev libcli11-dev nlohmann-json3-dev libseccomp-dev libarchive-dev
  libssl-dev libcurl4-openssl-dev libyaml-cpp-dev libcap-dev libnl-route-3-dev libnftables-dev
)
# What the labs, lessons, checker and docs use at run time.
RUN_PKGS=(
  busybox-static       # the offline busybox image (scripts/make-busybox-image.sh)
  util-linux procps iproute2 nftables kmod
  tmux                 # interactive tests: send-keys / capture-pane
  doxygen graphviz     # API docs, lesson diagrams
  nodejs               # slides (marp-cli, pinned by slides/package-lock.json)
  python3 jq
  docker-registry skopeo umoci curl   # the real registry in the tests (curl waits for it), OCI layout readers
)
VM_PKGS=(qemu-system-x86 linux-image-amd64 cpio zstd)   # tests/vm/: a fresh cgroup v2 VM
BENCH_PKGS=(hyperfine runc crun podman wrk)              # bench/: against the runtimes we admire; wrk for bench/network.sh

pkgs=("${BUILD_PKGS[@]}" "${RUN_PKGS[@]}")
# Debian ships npm apart from nodejs; NodeSource's nodejs bundles it and conflicts with it.
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
for option in "$@"; do
  case $option in
    --with-vm) pkgs+=("${VM_PKGS[@]}") ;;
    --with-bench) pkgs+=("${BENCH_PKGS[@]}") ;;
    *) echo "install-deps: unknown option $option (known: --with-vm --with-bench)" >&2; exit 1 ;;
  esac
done

if [[ $(id -u) != 0 ]]; then
  echo "install-deps: needs root to run apt-get; run: sudo $0 $*" >&2
  exit 1
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all ${#pkgs[@]} packages present"
