#!/usr/bin/env bash
# run-in-vm.sh - run a command in a fresh, throwaway VM with cgroup v2, and report its exit status.
#
#   tests/vm/run-in-vm.sh [--file PATH]... [--dir PATH]... [--mem SIZE] [--timeout SECS]
#                         [--log FILE] [options] -- COMMAND [ARG]...
#
# Why: the host may use cgroup v1 (hybrid), so cgroup v2 can not be tested on it; a VM booting
# Debian's stock kernel gives a clean machine with cgroup v2, overlayfs, veth, bridges and
# nf_tables, and nothing a test leaves behind survives the run.
#
# How (each step is a function below):
#   1. build a root filesystem in a work dir: Debian's busybox-static, every --file and --dir at
#      the SAME absolute path as on the host (programs built with compile-time paths find their
#      data), every shared library they need (ldd), and the kernel modules for containers
#      (overlay, veth, bridge, br_netfilter, tun, nf_tables and every nft_*) with their
#      dependencies from modules.dep; pack it as an initramfs (newc cpio, zstd or gzip);
#   2. boot Debian's kernel (linux-image-amd64: /boot/vmlinuz-<ver>, or the vmlinux extracted
#      from it, which boots faster) under qemu-system-x86_64: KVM when /dev/kvm exists and a real
#      test boot with it works (the answer is cached), else TCG emulation;
#   3. the guest's init (init.sh, next to this script) mounts proc, sys, devtmpfs, devpts, tmpfs
#      on /tmp and /run, cgroup2 on /sys/fs/cgroup, enables the controllers, loads the modules,
#      brings up lo, runs the command in the cgroup /harness/cmd, prints the exit status after a
#      marker and powers off;
#   4. this script prints the guest's console log (CR stripped) and exits with the command's
#      status: 124 when the timeout fired, 125 when the harness itself failed (one-line reason on
#      stderr, prefixed "run-in-vm:").
#
# Options:
#   --file PATH        copy a file (symlinks followed) to the same path in the guest; repeatable
#   --dir PATH         copy a directory tree (symlinks inside kept) to the same path; repeatable
#   --mem SIZE         guest RAM, qemu syntax (default 2G)
#   --smp N            vCPUs (default: the host's CPU count, at most 4)
#   --timeout SECS     kill the VM after SECS seconds of running (default 600); exit 124
#   --log FILE         also write the console log (CR stripped) to FILE
#   --env NAME=VALUE   set an environment variable for the command; repeatable
#   --cwd DIR          the command's working directory in the guest (default /)
#   --cgroup PATH      the cgroup the command runs in, below /sys/fs/cgroup (default /harness/cmd;
#                      "/" runs it in the root cgroup; see README.md, "Where the command runs")
#   --module NAME      load one more kernel module (with its dependencies); repeatable
#   --quiet            do not print the console log (still written to --log); the harness's own
#                      summary lines go to stderr either way
#   --keep             keep the work dir (root filesystem, initramfs, raw log) and say where
# Environment:
#   BOXLAB_VM_ACCEL=auto|kvm|tcg   force the accelerator (default auto)
#   BOXLAB_VM_KERNEL=VERSION       the kernel (default: newest /boot/vmlinuz-* with /lib/modules)
#   BOXLAB_VM_BUSYBOX=PATH         a static busybox (default /bin/busybox from busybox-static)
#   BOXLAB_VM_CACHE=DIR            where the KVM verdict and the kernel's extracted vmlinux are
#                                  kept (default ~/.cache/boxlab-vm)
#   BOXLAB_VM_NO_VMLINUX=1         boot the compressed /boot/vmlinuz-* itself (slower under TCG)
#   TMPDIR                         where the work dir is made
#
# Needs: qemu-system-x86 linux-image-amd64 cpio busybox-static kmod (scripts/install-deps.sh
# --with-vm installs them), and root to read /boot/vmlinuz-* on some distributions.
set -Eeuo pipefail
# A command failing unexpectedly is a harness failure too: say which, exit 125.
on_error() { say "error: internal: \"$1\" failed (line $2)"; exit 125; }
trap 'on_error "$BASH_COMMAND" "$LINENO"' ERR

readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly ME=run-in-vm

# ------------------------------------------------------------------------------------ messages
# The console log goes to stdout; everything the harness itself says goes to stderr, prefixed,
# so a caller can tell them apart.
say() { printf '%s: %s\n' "$ME" "$*" >&2; }
# Harness failure: one line saying what went wrong, exit status 125 (as Docker and the labs do).
fail() { say "error: $*"; exit 125; }
usage() { sed -n '2,/^set -E/{/^set -E/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# ------------------------------------------------------------------------------------ options
files=() dirs=() envs=() extra_modules=()
mem=2G timeout=600 log_file="" cwd=/ cgroup=/harness/cmd quiet=0 keep=0
smp=$(nproc); ((smp > 4)) && smp=4
need_arg() { [[ $# -ge 2 ]] || fail "option $1 needs a value (see --help)"; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --file) need_arg "$@"; files+=("$2"); shift 2 ;;
    --dir) need_arg "$@"; dirs+=("$2"); shift 2 ;;
    --mem) need_arg "$@"; mem=$2; shift 2 ;;
    --smp) need_arg "$@"; smp=$2; shift 2 ;;
    --timeout) need_arg "$@"; timeout=$2; shift 2 ;;
    --log) need_arg "$@"; log_file=$2; shift 2 ;;
    --env) need_arg "$@"; envs+=("$2"); shift 2 ;;
    --cwd) need_arg "$@"; cwd=$2; shift 2 ;;
    --cgroup) need_arg "$@"; cgroup=$2; shift 2 ;;
    --module) need_arg "$@"; extra_modules+=("$2"); shift 2 ;;
    --quiet) quiet=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    *) fail "unknown option '$1' (the command comes after --; see --help)" ;;
  esac
done
[[ $# -gt 0 ]] || fail "no command given: run-in-vm.sh [options] -- COMMAND [ARG]..."
command_argv=("$@")
[[ $timeout =~ ^[0-9]+$ && $timeout -gt 0 ]] || fail "--timeout wants a number of seconds, not '$timeout'"
[[ $smp =~ ^[0-9]+$ && $smp -gt 0 ]] || fail "--smp wants a positive number, not '$smp'"
[[ $mem =~ ^[0-9]+[MGmg]?$ ]] || fail "--mem wants a size such as 2G or 1536M, not '$mem'"
[[ $cgroup == /* && $cgroup != *..* ]] || fail "--cgroup wants a path such as /harness/cmd, not '$cgroup'"
[[ $cwd == /* ]] || fail "--cwd wants an absolute path, not '$cwd'"
for e in "${envs[@]}"; do
  [[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || fail "--env wants NAME=VALUE, not '$e'"
done

# ------------------------------------------------------------------------------------ tools
for tool in qemu-system-x86_64 cpio ldd modprobe depmod objcopy; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "$tool not found; install the VM packages: sudo scripts/install-deps.sh --with-vm"
done
busybox=${BOXLAB_VM_BUSYBOX:-/bin/busybox}
[[ -x $busybox ]] || fail "no busybox at $busybox; install busybox-static (or set BOXLAB_VM_BUSYBOX)"
if ldd "$busybox" >/dev/null 2>&1; then
  fail "$busybox is dynamically linked; the guest's init needs a static one: install busybox-static"
fi

# The kernel: the newest /boot/vmlinuz-* that has its modules installed (linux-image-amd64).
pick_kernel() {
  local k v best=""
  if [[ -n ${BOXLAB_VM_KERNEL:-} ]]; then
    best=$BOXLAB_VM_KERNEL
  else
    for k in $(printf '%s\n' /boot/vmlinuz-* | sort -V); do
      v=${k#/boot/vmlinuz-}
      [[ -e /lib/modules/$v/modules.dep ]] && best=$v
    done
  fi
  [[ -n $best ]] || fail "no /boot/vmlinuz-* with /lib/modules/<version>: sudo scripts/install-deps.sh --with-vm"
  [[ -r /boot/vmlinuz-$best ]] || fail "cannot read /boot/vmlinuz-$best (run as root)"
  [[ -e /lib/modules/$best/modules.dep ]] || fail "no /lib/modules/$best/modules.dep for kernel $best"
  kver=$best
  kernel=/boot/vmlinuz-$best
}
pick_kernel

# ------------------------------------------------------------------------------------ work dir
work=$(mktemp -d "${TMPDIR:-/tmp}/boxlab-vm.XXXXXX")
root=$work/root
cleanup() {
  if ((keep)); then say "kept the work dir: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
# On a signal, exit through cleanup too. (To stop a run, signal its process group: qemu runs in
# the foreground and bash handles the signal only once qemu has ended.)
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$root"

# ------------------------------------------------------------------------------------ root fs
# Everything is written below $root, and nothing may be written through a symlink: a guest
# path such as $root/bin/sh -> /usr/bin/busybox is an absolute link that, followed on the host,
# is the host's own busybox (an early version of this script overwrote it that way). So:
#   - the user's files go in before any of the harness's links, and every copy unlinks its
#     destination first (cp --remove-destination) instead of writing through it;
#   - the directory a copy goes into must resolve to a place inside $root (inside_root);
#   - the harness's own links are made last, only where nothing exists yet.

# Fail unless the guest directory $1 (a guest path) resolves to a place inside $root.
inside_root() {
  local real; real=$(realpath -m -- "$root$1")
  [[ $real == "$root" || $real == "$root"/* ]] ||
    fail "refusing to write $1: in the guest tree it resolves to $real, outside $root (a symlink)"
}

# The top of the tree: the host's top-level symlinks (Debian's merged /usr: /bin -> usr/bin,
# /lib -> usr/lib ...), so the paths ldd prints (/lib/x86_64-linux-gnu/libc.so.6,
# /lib64/ld-linux-x86-64.so.2) resolve in the guest as on the host; the mount points; the
# harness's corner /.harness with its own busybox, applet links and init.
make_skeleton() {
  local d target
  for d in bin sbin lib lib32 lib64 libx32; do
    if [[ -L /$d ]]; then
      target=$(readlink "/$d")
      [[ $target != /* ]] || fail "/$d is an absolute symlink ($target); expected a merged-/usr link such as usr/bin"
      mkdir -p "$root/$target"
      ln -s "$target" "$root/$d"
    elif [[ -d /$d ]]; then
      mkdir -p "$root/$d"
    fi
  done
  mkdir -p "$root"/{usr/bin,usr/sbin,dev,proc,sys,tmp,run,mnt,root,etc,var/tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 700 "$root/root"
  # The kernel opens /dev/console for init before anything is mounted; without the node init
  # starts with no stdin/stdout (init.sh reopens it after mounting devtmpfs anyway).
  if [[ $(id -u) == 0 ]]; then
    mknod -m 600 "$root/dev/console" c 5 1
    mknod -m 666 "$root/dev/null" c 1 3
  fi
  # The applet links of /.harness/bin are made by init (busybox --install, no fork per link).
  mkdir -p "$root/.harness/bin" "$root/.harness/newroot"
  install -m 755 "$busybox" "$root/.harness/busybox"
  install -m 755 "$HERE/init.sh" "$root/init"
}

# Copy one host file to the same path in the guest, following symlinks (the guest gets the
# content, at the path the caller named). Parent directories are made as real directories.
copy_file() {
  local src=$1 dir; dir=$(dirname "$src")
  inside_root "$dir"
  mkdir -p "$root$dir"
  inside_root "$dir"
  cp -L --remove-destination --preserve=mode,ownership,timestamps -- "$src" "$root$src"
  strip_debug_info "$root$src"
}

# The guest never runs a debugger, and a debug build's lab is ~80 MiB of which ~75 are DWARF:
# ten of them made a 300 MiB initramfs that the kernel could not unpack into 2 GiB ("Initramfs
# unpacking failed: write error"). Only the copy in the guest tree is stripped.
strip_debug_info() {
  [[ $(head -c 4 "$1" | od -An -c | tr -d ' ') == '177ELF' ]] || return 0
  objcopy --strip-debug -- "$1" 2>/dev/null || say "warning: could not strip the debug info of $1"
}

# Copy a directory tree to the same path: the top is followed if it is a symlink, symlinks
# inside are kept as they are (a rootfs's /bin/sh -> /bin/busybox must stay a link).
copy_dir() {
  local src=$1
  inside_root "$src"
  mkdir -p "$root$src"
  inside_root "$src"
  cp -a --remove-destination -- "$src/." "$root$src/"
}

# Every shared library the ELF programs and libraries among the copied files need, at the path
# ldd resolves it to on the host. ldd runs on the host path, so $ORIGIN and RPATH resolve there.
declare -A libs_seen=()
copy_libraries_of() {
  local host_path=$1 line lib out
  out=$(ldd "$host_path" 2>/dev/null) || return 0          # static, or not a program
  while read -r line; do
    lib=""
    case $line in
      *"=> not found"*) say "warning: $host_path needs ${line%% *}, which the host does not have"; continue ;;
      *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
      /*) lib=${line%% (*} ;;                                 # the dynamic loader
      *) continue ;;
    esac
    [[ -n ${libs_seen[$lib]:-} ]] && continue
    libs_seen[$lib]=1
    [[ -e $root$lib ]] || copy_file "$lib"
  done <<< "$out"
}

# ELF files (programs and shared objects) below a host directory, as host paths.
elf_files_under() {
  find "$1/" -type f \( -perm /111 -o -name '*.so' -o -name '*.so.*' \) -print0 |
    while IFS= read -r -d '' f; do
      [[ $(head -c 4 "$f" | od -An -c | tr -d ' ') == '177ELF' ]] && printf '%s\n' "$f"
    done
}

# An absolute path as the caller wrote it (relative ones are taken from the current directory;
# symlinks in it are not resolved: the guest gets the very same spelling).
absolute() { realpath -s -- "$1"; }

add_user_paths() {
  local p abs f
  for p in "${files[@]}"; do
    [[ -e $p ]] || fail "--file $p: no such file"
    [[ -f $p ]] || fail "--file $p: not a regular file (use --dir for directories)"
    abs=$(absolute "$p")
    copy_file "$abs"
    copy_libraries_of "$abs"
  done
  for p in "${dirs[@]}"; do
    [[ -d $p ]] || fail "--dir $p: no such directory"
    abs=$(absolute "$p")
    copy_dir "$abs"
    while IFS= read -r f; do copy_libraries_of "$f"; done < <(elf_files_under "$abs")
  done
}

# Write stdin to the guest file /etc/$1 with mode $2, unless the user's files put one there.
etc_file() {
  if [[ -e $root/etc/$1 || -L $root/etc/$1 ]]; then cat > /dev/null; return; fi
  cat > "$root/etc/$1"
  chmod "$2" "$root/etc/$1"
}

# A usable system around the command, only where the user's files put nothing: busybox as
# /usr/bin/busybox, whose applet links init makes in /bin, /usr/bin ... where nothing is
# (busybox --install -s skips existing names), and the files programs look for in /etc.
add_system() {
  system_busybox=0
  if [[ ! -e $root/usr/bin/busybox && ! -L $root/usr/bin/busybox ]]; then
    install -m 755 "$busybox" "$root/usr/bin/busybox"
    system_busybox=1
  fi
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin' \
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' | etc_file passwd 644
  printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'tty:x:5:' 'nogroup:x:65534:' | etc_file group 644
  printf '%s\n' 'root:*:19000:0:99999:7:::' | etc_file shadow 640
  printf '%s\n' 'boxlab-vm' | etc_file hostname 644
  printf '%s\n' $'127.0.0.1\tlocalhost boxlab-vm' $'::1\t\tlocalhost ip6-localhost ip6-loopback' | etc_file hosts 644
  printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' 'hosts: files dns' | etc_file nsswitch.conf 644
  etc_file resolv.conf 644 < /dev/null
  [[ -e $root/etc/mtab || -L $root/etc/mtab ]] || ln -s ../proc/self/mounts "$root/etc/mtab"
}

# ------------------------------------------------------------------------------------ modules
# What a container runtime needs that Debian builds as modules. Optional ones (br_netfilter on
# kernels that build it in, tun ...) are skipped when the kernel does not have them.
readonly BOOT_MODULES=(overlay veth bridge br_netfilter tun nf_tables nf_conntrack nf_nat
                       nft_chain_nat nft_nat nft_masq nft_ct nft_reject_inet nft_fib_inet)
readonly REQUIRED_MODULES=(overlay veth bridge nf_tables)

# Copy module .ko files (decompressed: busybox's modprobe reads plain .ko) and regenerate
# modules.dep for the guest with depmod -b. The dependency closure comes from the host's
# modules.dep for that kernel (modprobe --show-depends reads it, and resolves aliases).
add_modules() {
  local mdir=/lib/modules/$kver m out ko rel
  local -a wanted=("${BOOT_MODULES[@]}" "${extra_modules[@]}") kos=()
  # Every nft_* expression module, so nft rules can autoload what they use (the guest's
  # /proc/sys/kernel/modprobe points at busybox's modprobe).
  while IFS= read -r ko; do kos+=("$ko"); done < <(find "$mdir/kernel/net/netfilter" -name 'nft_*.ko*' 2>/dev/null)
  loaded_modules=()
  inside_root "/lib/modules"
  for m in "${wanted[@]}"; do
    if ! out=$(modprobe -S "$kver" --show-depends "$m" 2>/dev/null); then
      local r; for r in "${REQUIRED_MODULES[@]}" "${extra_modules[@]}"; do
        [[ $r == "$m" ]] && fail "kernel $kver has no module '$m' (looked in $mdir/modules.dep)"
      done
      continue
    fi
    # "builtin m" lines: nothing to load. "insmod /path/x.ko" lines: the closure, in order.
    if grep -q '^insmod ' <<< "$out"; then loaded_modules+=("$m"); fi
    while read -r word ko _; do
      [[ $word == insmod ]] && kos+=("$ko")
    done <<< "$out"
  done
  for ko in $(printf '%s\n' "${kos[@]}" | sort -u); do
    rel=${ko#"$mdir"/}; rel=${rel#/usr/lib/modules/"$kver"/}
    case $ko in
      *.ko) install -D -m 644 "$ko" "$root/lib/modules/$kver/$rel" ;;
      *.ko.xz) mkdir -p "$(dirname "$root/lib/modules/$kver/$rel")"; xz -dc "$ko" > "$root/lib/modules/$kver/${rel%.xz}" ;;
      *.ko.zst) mkdir -p "$(dirname "$root/lib/modules/$kver/$rel")"; zstd -qdc "$ko" > "$root/lib/modules/$kver/${rel%.zst}" ;;
      *.ko.gz) mkdir -p "$(dirname "$root/lib/modules/$kver/$rel")"; gzip -dc "$ko" > "$root/lib/modules/$kver/${rel%.gz}" ;;
    esac
  done
  local f
  for f in modules.order modules.builtin modules.builtin.modinfo; do
    [[ -e $mdir/$f ]] && cp "$mdir/$f" "$root/lib/modules/$kver/"
  done
  # modules.order names compressed files; depmod only warns about the difference.
  sed -i 's/\.ko\.\(xz\|zst\|gz\)$/.ko/' "$root/lib/modules/$kver/modules.order" 2>/dev/null || true
  depmod -b "$root" "$kver" 2>/dev/null || fail "depmod -b failed for the guest's modules"
}

# ------------------------------------------------------------------------------------ the run
# What init reads: one shell-quoted file, sourced by busybox sh. Single quotes keep every
# argument byte for byte (a ' becomes '\'').
quote() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
write_run_config() {
  nonce=$(tr -dc 'a-z0-9' < /proc/sys/kernel/random/uuid | head -c 16)
  {
    printf '# written by run-in-vm.sh\n'
    printf 'NONCE=%s\n' "$(quote "$nonce")"
    printf 'CGROUP=%s\n' "$(quote "$cgroup")"
    printf 'CWD=%s\n' "$(quote "$cwd")"
    printf 'MODULES=%s\n' "$(quote "${loaded_modules[*]}")"
    printf 'SYSTEM_BUSYBOX=%s\n' "$system_busybox"
    printf 'set --'
    local a; for a in "${command_argv[@]}"; do printf ' %s' "$(quote "$a")"; done
    printf '\n'
  } > "$root/.harness/run.conf"
  # The --env variables, read by the command's shell only (a PATH of the user's must not
  # change init's).
  for a in "${envs[@]}"; do printf 'export %s=%s\n' "${a%%=*}" "$(quote "${a#*=}")"; done > "$root/.harness/env.conf"
}

pack_initramfs() {
  # newc is the only cpio format the kernel unpacks. zstd unpacks ~3x faster than gzip in the
  # guest (it matters under TCG); the Debian kernel has both (CONFIG_RD_ZSTD, CONFIG_RD_GZIP).
  local compress=(gzip -1)
  command -v zstd >/dev/null 2>&1 && compress=(zstd -q -3 -T0)
  initrd=$work/initramfs.cpio
  (cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | "${compress[@]}" > "$initrd"
}

# ------------------------------------------------------------------------------------ qemu
qemu_common=(qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot -nic none
             -serial stdio -monitor none)
# qboot (a minimal firmware) boots a -kernel faster than SeaBIOS and prints nothing.
[[ -e /usr/share/qemu/qboot.rom ]] && qemu_common+=(-bios /usr/share/qemu/qboot.rom)

readonly cache_dir=${BOXLAB_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/boxlab-vm}

# The kernel qemu loads. A bzImage decompresses itself (xz, for Debian) before the kernel's clock
# starts, and under TCG that takes 5 to 8 s. So the ELF vmlinux inside it is extracted once
# (cached) and booted directly through its PVH entry point (qemu reads the ELF note); when that
# is not possible (no PVH note, unknown compression) the bzImage is booted as it is.
pick_boot_image() {
  boot_image=$kernel
  [[ ${BOXLAB_VM_NO_VMLINUX:-0} == 1 ]] && return 0
  local key; key=$(stat -c '%s.%Y' "$kernel")
  local out=$cache_dir/vmlinux-$kver.$key
  if [[ ! -s $out ]]; then
    mkdir -p "$cache_dir" 2>/dev/null || return 0
    local magic tool off
    for magic in xz zstd gzip; do
      case $magic in
        xz) off=$(grep -abo -m1 $'\xfd7zXZ\x00' "$kernel" | head -n1 | cut -d: -f1 || true); tool=(xz -dc --single-stream) ;;
        zstd) off=$(grep -abo -m1 $'\x28\xb5\x2f\xfd' "$kernel" | head -n1 | cut -d: -f1 || true); tool=(zstd -qdc) ;;
        gzip) off=$(grep -abo -m1 $'\x1f\x8b\x08' "$kernel" | head -n1 | cut -d: -f1 || true); tool=(gzip -dc) ;;
      esac
      [[ -n $off ]] && command -v "${tool[0]}" >/dev/null 2>&1 || continue
      # The compressed kernel is followed by more of the bzImage: the decompressor stops after
      # the first stream (and tail gets SIGPIPE), so the status is not looked at; the result is.
      tail -c +$((off + 1)) "$kernel" | "${tool[@]}" > "$out.tmp.$$" 2>/dev/null || true
      # An ELF file with the PVH entry note (Xen note type 18, XEN_ELFNOTE_PHYS32_ENTRY).
      if [[ $(head -c 4 "$out.tmp.$$" | od -An -c | tr -d ' ') == '177ELF' ]] &&
         readelf -n "$out.tmp.$$" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'; then
        mv "$out.tmp.$$" "$out"; break
      fi
      rm -f "$out.tmp.$$"
    done
  fi
  [[ -s $out ]] && boot_image=$out
  return 0
}

# KVM is used only when a real boot with it works: on nested or odd hosts /dev/kvm can exist
# and open fine while qemu aborts on an MSR the host refuses (-cpu host) or the guest hangs at
# kernel entry with no output. The test boots the kernel with no root file system, which must
# end in "Kernel panic ... VFS: Unable to mount root fs" within seconds. The verdict is cached
# per host kernel, guest kernel and qemu version.
pick_accel() {
  case ${BOXLAB_VM_ACCEL:-auto} in
    tcg) accel=(-accel tcg -cpu max); accel_name=tcg; return ;;
    kvm) accel=(-accel kvm -cpu host); accel_name=kvm; return ;;
    auto) ;;
    *) fail "BOXLAB_VM_ACCEL must be auto, kvm or tcg, not '${BOXLAB_VM_ACCEL}'" ;;
  esac
  accel=(-accel tcg -cpu max); accel_name=tcg
  [[ -r /dev/kvm && -w /dev/kvm ]] || return 0
  local qver; qver=$(qemu-system-x86_64 --version | awk 'NR==1 { print $4 }')
  local cache; cache=$cache_dir/kvm.$(uname -r).$kver.qemu-$qver
  local verdict=""
  [[ -r $cache ]] && verdict=$(cat "$cache")
  if [[ -z $verdict ]]; then
    verdict=none
    local cpu
    for cpu in host default; do
      local -a cpu_arg=(); [[ $cpu == host ]] && cpu_arg=(-cpu host)
      if timeout -k 2 15 "${qemu_common[@]}" -accel kvm "${cpu_arg[@]}" -m 256 -kernel "$kernel" \
           -append "console=ttyS0 panic=-1" </dev/null 2>&1 | tr -d '\r' | grep -aq 'Kernel panic'; then
        verdict=$cpu; break
      fi
    done
    mkdir -p "$cache_dir" && printf '%s\n' "$verdict" > "$cache.tmp.$$" && mv "$cache.tmp.$$" "$cache" || true
    [[ $verdict == none ]] && say "KVM does not boot a guest on this host (tested once, cached in $cache); using TCG"
  fi
  case $verdict in
    host) accel=(-accel kvm -cpu host); accel_name=kvm ;;
    default) accel=(-accel kvm); accel_name=kvm ;;
  esac
}

# ------------------------------------------------------------------------------------ main
t_start=$(now)
make_skeleton
add_user_paths
add_system
add_modules
write_run_config
# A command named by path must be in the guest; a bare name is looked up in the guest's PATH
# (busybox applets, or what --file/--dir put in /usr/bin ...).
if [[ ${command_argv[0]} == */* ]]; then
  c=${command_argv[0]}; [[ $c == /* ]] || c=$cwd/$c
  [[ -e $root$c || -L $root$c ]] || fail "the command ${command_argv[0]} is not in the guest: add --file $c (or --dir)"
fi
pack_initramfs
t_built=$(since "$t_start")
say "initramfs: $(du -h "$initrd" | cut -f1) packed ($(du -sh "$root" | cut -f1) unpacked, ${#libs_seen[@]} libraries, $(find "$root/lib/modules" -name '*.ko' | wc -l) modules) in ${t_built}s"
pick_accel
pick_boot_image
say "booting $boot_image with $accel_name, ${mem} RAM, $smp vCPUs, timeout ${timeout}s"

# No `quiet`: the OOM killer's report (KERN_WARNING and KERN_INFO lines) must reach the console.
# panic=-1 reboots at once on a panic (a crashed init) and -no-reboot turns that into qemu
# exiting, instead of a hang until the timeout.
append="console=ttyS0 panic=-1 oops=panic rdinit=/init edd=off"
raw_log=$work/console.log
t_boot=$(now)
set +e; trap - ERR            # qemu's status is looked at below, not by errexit
# The console is streamed as it comes (CR stripped: the guest's tty turns \n into \r\n) and
# kept in raw_log for the verdict below.
if ((quiet)); then
  timeout -k 5 "$timeout" "${qemu_common[@]}" "${accel[@]}" -m "$mem" -smp "$smp" \
    -kernel "$boot_image" -initrd "$initrd" -append "$append" </dev/null 2>&1 | tr -d '\r' > "$raw_log"
else
  timeout -k 5 "$timeout" "${qemu_common[@]}" "${accel[@]}" -m "$mem" -smp "$smp" \
    -kernel "$boot_image" -initrd "$initrd" -append "$append" </dev/null 2>&1 | tr -d '\r' | tee "$raw_log"
fi
qemu_status=${PIPESTATUS[0]}
set -e; trap 'on_error "$BASH_COMMAND" "$LINENO"' ERR
t_run=$(since "$t_boot")
[[ -n $log_file ]] && cp "$raw_log" "$log_file"

# ------------------------------------------------------------------------------------ verdict
# init prints "BOXLAB-VM-<WHAT> <nonce> ..." lines; the nonce (new for every run) keeps the
# command's own output from faking them.
marker() { { grep -a "BOXLAB-VM-$1 $nonce " "$raw_log" || true; } | tail -n 1 | sed "s/.*BOXLAB-VM-$1 $nonce //"; }
status=$(marker EXIT)
ready=$(marker READY)       # "<uptime>": guest seconds from kernel start to the command's start
done_at=$(marker DONE)      # "<uptime>": when the command ended
if [[ -n $ready && -n $done_at ]]; then
  timing="boot ${ready}s, command $(awk -v a="$ready" -v b="$done_at" 'BEGIN { printf "%.1f", b - a }')s"
elif [[ -n $ready ]]; then
  timing="boot ${ready}s, the command did not end"
else
  timing="the guest did not reach the command"
fi
timing+=", whole run ${t_run}s (+${t_built}s to build the initramfs), $accel_name"
if [[ $status =~ ^[0-9]+$ ]]; then
  say "exit status $status ($timing)"
  exit "$status"
fi
if [[ $qemu_status == 124 || $qemu_status == 137 ]]; then
  say "timeout: the VM was still running after ${timeout}s and was killed ($timing)"
  exit 124
fi
error=$(marker ERROR)
[[ -n $error ]] && fail "in the guest: $error"
panic=$(grep -a -m1 'Kernel panic' "$raw_log" || true)
[[ -n $panic ]] && fail "the guest kernel panicked: ${panic#*\] }"
grep -aq 'Linux version' "$raw_log" || fail "qemu exited with status $qemu_status before the kernel printed anything: $(head -c 300 "$raw_log" | tr '\n' ' ')"
fail "the VM stopped (qemu status $qemu_status) without printing the command's exit status"
