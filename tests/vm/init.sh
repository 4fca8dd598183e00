#!/.harness/busybox sh
# init.sh - PID 1 of the VM that tests/vm/run-in-vm.sh boots; copied to /init of the initramfs.
#
# Stage 1 (the kernel runs /init on the initramfs): make the root a mount that pivot_root(2)
#   accepts, then run stage 2 in it.
# Stage 2: mount the API file systems and cgroup2, enable the controllers, load the modules,
#   bring up lo, run the command from /.harness/run.conf in its cgroup, print its exit status
#   after a marker, power off.
#
# Markers on the console, each "BOXLAB-VM-<WHAT> <nonce> <value>" on a line of its own:
#   READY <uptime>   the command starts       DONE <uptime>   it ended
#   EXIT <status>    its exit status          ERROR <reason>  the harness failed (exit 125)
# Only the harness's own busybox (/.harness/bin) is used here: the user's files may replace
# anything in /bin.
export PATH=/.harness/bin
umask 022
stage=${1:-stage1}
. /.harness/run.conf          # NONCE CGROUP CWD MODULES SYSTEM_BUSYBOX, "$@" = the command

if [ "$stage" != stage2 ]; then
  # pivot_root(2) fails with EINVAL when the current root is the initramfs ("rootfs"), the one
  # mount that has no parent, and every container runtime pivots. The classic fix is to copy
  # everything into a tmpfs and switch_root; cheaper is to bind-mount the root on a directory,
  # move that mount over / and chroot into it: the same files, now a mount with a parent.
  # (No applet links yet: stage 2 makes them, so busybox is called by name here.)
  /.harness/busybox mount --bind / /.harness/newroot &&
    cd /.harness/newroot &&
    /.harness/busybox mount --move . / &&
    exec /.harness/busybox chroot . /init stage2
  echo "BOXLAB-VM-ERROR $NONCE cannot make the root a bind mount (pivot_root would fail)" > /dev/console
  exec /.harness/busybox poweroff -f
fi

uptime() { read -r up _ < /proc/uptime; echo "$up"; }
say() { echo "harness[$(uptime)]: $*"; }
die() {
  echo "BOXLAB-VM-ERROR $NONCE $*"
  poweroff -f
  sleep 10
}

# ---- the API file systems
/.harness/busybox mount -t proc -o nosuid,nodev,noexec proc /proc
# The applet links, made here in one process (busybox --install reads /proc/self/exe): for
# init in /.harness/bin, and for the command in /bin, /usr/bin ... where nothing is yet.
/.harness/busybox --install -s /.harness/bin
[ "$SYSTEM_BUSYBOX" = 1 ] && /usr/bin/busybox --install -s
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o nosuid,mode=755 devtmpfs /dev
exec </dev/null >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts /dev/pts || die "cannot mount devpts"
mount -t tmpfs -o nosuid,nodev,mode=1777 shm /dev/shm
mount -t mqueue -o nosuid,nodev,noexec mqueue /dev/mqueue
# devtmpfs has no /dev/fd and friends; systemd and udev make these links on a normal system.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
ln -sf /proc/kcore /dev/core
# /run always; /tmp only when the user's files put nothing there (a tmpfs would hide them; the
# root is a writable tmpfs anyway).
mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs /run
if [ -z "$(ls -A /tmp)" ]; then mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp; fi
hostname "$(cat /etc/hostname)"

# ---- cgroup v2
# nsdelegate and memory_recursiveprot: the options systemd mounts it with, so the runtime meets
# the same rules as on a real cgroup v2 host.
mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup ||
  die "cannot mount cgroup2 on /sys/fs/cgroup"
CG=/sys/fs/cgroup
CONTROLLERS="cpuset cpu io memory pids"
# Controllers reach a cgroup only through its parent's cgroup.subtree_control, and a non-root
# cgroup that passes controllers down cannot hold processes (the "no internal processes" rule;
# the root is exempt: init stays there). So every cgroup from the root down to the command's
# parent enables them, and the command runs in a leaf: with the default /harness/cmd, cmd sees
# all five in cgroup.controllers and may give them to children of its own, once nothing runs in
# cmd itself (see README.md, "Where the command runs").
enable_controllers() {  # enable CONTROLLERS in $1's cgroup.subtree_control
  for c in $CONTROLLERS; do
    echo "+$c" > "$1/cgroup.subtree_control" || die "cannot enable +$c in $1/cgroup.subtree_control"
  done
}
if [ "$CGROUP" = / ]; then
  CMD_CG=$CG
else
  dir=$CG
  enable_controllers "$dir"
  rest=${CGROUP#/}
  while :; do
    dir=$dir/${rest%%/*}
    mkdir -p "$dir" || die "cannot create the cgroup $dir"
    case $rest in */*) rest=${rest#*/}; enable_controllers "$dir" ;; *) break ;; esac
  done
  CMD_CG=$dir
fi
say "cgroup2 on $CG, controllers: $(cat $CG/cgroup.controllers); the command runs in ${CGROUP} with: $(cat "$CMD_CG/cgroup.controllers")"

# ---- kernel modules
# The kernel runs this (busybox's) modprobe to autoload modules on demand (nft expressions,
# netlink families), like kmod's on a normal system.
echo /.harness/bin/modprobe > /proc/sys/kernel/modprobe
for m in $MODULES; do
  modprobe "$m" || die "cannot load the kernel module $m"
done
say "modules loaded: $MODULES"

# ---- network: lo only (no NIC; containers make their own veths and bridges)
ip link set lo up || die "cannot bring up lo"

# ---- the command
export HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb LANG=C.UTF-8
[ -d "$CWD" ] || die "--cwd $CWD does not exist in the guest"
say "running: $*"
echo "BOXLAB-VM-READY $NONCE $(uptime)"
# Its output goes through a FIFO to the console, so its stdout is not a tty (as in CI; on the
# console programs would colour their output and see CRLF line ends). Writing 0 to
# cgroup.procs moves the writer, i.e. the subshell that then becomes the command.
mkfifo /run/.harness-out
/.harness/bin/cat /run/.harness-out > /dev/console &
cat_pid=$!
(
  . /.harness/env.conf &&     # the --env variables
    cd "$CWD" && echo 0 > "$CMD_CG/cgroup.procs" && : > /run/.harness-started && exec "$@"
) </dev/null >/run/.harness-out 2>&1
status=$?
done_at=$(uptime)
[ -e /run/.harness-started ] || die "cannot start the command in $CGROUP (cd $CWD, cgroup.procs)"

# Whatever the command left running would hold the FIFO open (and leaks are worth seeing):
# kill everything still in its cgroup tree, let the output drain, then say so.
left=0
[ "$CMD_CG" != "$CG" ] && left=$(find "$CMD_CG" -name cgroup.procs -exec cat {} + 2>/dev/null | wc -l)
[ "$left" -gt 0 ] && echo 1 > "$CMD_CG/cgroup.kill"
( sleep 5; kill $cat_pid 2>/dev/null ) &
wait $cat_pid 2>/dev/null
echo
[ "$left" -gt 0 ] && say "warning: $left process(es) still ran in $CGROUP after the command; killed them"
echo "BOXLAB-VM-DONE $NONCE $done_at"
echo "BOXLAB-VM-EXIT $NONCE $status"
poweroff -f
