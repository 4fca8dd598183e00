#!/bin/sh
# selftest-guest.sh - runs INSIDE the VM (tests/vm/selftest.sh passes it with --file): checks the
# environment run-in-vm.sh promises. Prints "ok - what" or "not ok - what: detail" per check and
# exits with the number of failed checks. Uses only busybox.

failed=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; failed=$((failed + 1)); }
check() {  # check "what" command...: ok when the command succeeds
  what=$1; shift
  if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "$(echo "$out" | tr '\n' ' ')"; fi
}
has_words() {  # has_words "text" word...: every word is in text
  text=" $1 "; shift
  for w in "$@"; do case $text in *" $w "*) ;; *) echo "missing $w in:$text"; return 1 ;; esac; done
}

CG=/sys/fs/cgroup
own=$CG$(sed -n 's/^0:://p' /proc/self/cgroup)

# ---- cgroup v2 and the controllers
check "cgroup2 is mounted on /sys/fs/cgroup" grep -q "^cgroup2 $CG cgroup2 " /proc/mounts
check "/proc/self/cgroup has only the v2 line" test "$(cat /proc/self/cgroup)" = "0::/harness/cmd"
check "the root enables memory cpu cpuset pids io" has_words "$(cat $CG/cgroup.subtree_control)" memory cpu cpuset pids io
check "the command's cgroup has memory cpu cpuset pids io" has_words "$(cat "$own/cgroup.controllers")" memory cpu cpuset pids io

# ---- the no-internal-processes rule, and how a runtime lives with it
# While this shell is in $own, $own cannot pass controllers to children (EBUSY).
if echo +memory > "$own/cgroup.subtree_control" 2>/dev/null; then
  not_ok "enabling controllers while the cgroup holds processes fails (EBUSY)" "it worked"
else
  ok "enabling controllers while the cgroup holds processes fails (EBUSY)"
fi
# The way out, as a runtime must do it: move itself into a leaf, then enable, then make children.
mkdir "$own/supervisor" && echo $$ > "$own/supervisor/cgroup.procs"
check "after moving to a leaf, the cgroup enables memory cpu cpuset pids io for its children" \
  sh -c "echo '+memory +cpu +cpuset +pids +io' > $own/cgroup.subtree_control"
mkdir "$own/box"
check "a child cgroup gets memory cpu cpuset pids io" has_words "$(cat "$own/box/cgroup.controllers")" memory cpu cpuset pids io
check "the child can enable them for its own children" \
  sh -c "echo '+memory +cpu +pids +io' > $own/box/cgroup.subtree_control"
mkdir "$own/box/ctr"
check "a grandchild accepts limits (memory.max, pids.max, cpu.max)" \
  sh -c "echo 64M > $own/box/ctr/memory.max && echo 32 > $own/box/ctr/pids.max && echo '50000 100000' > $own/box/ctr/cpu.max"

# ---- OOM kill in a memory-limited child: dd's 64 MiB buffer in a 16 MiB cgroup
mkdir "$own/box/oom"
echo 16M > "$own/box/oom/memory.max"
echo 0 > "$own/box/oom/memory.swap.max" 2>/dev/null
sh -c "echo \$\$ > $own/box/oom/cgroup.procs && exec dd if=/dev/zero of=/dev/null bs=64M count=1" 2>/dev/null
status=$?
oom_kills=$(awk '$1 == "oom_kill" { print $2 }' "$own/box/oom/memory.events")
echo "dd in 16M: exit status $status; memory.events: $(tr '\n' ' ' < "$own/box/oom/memory.events")"
check "the OOM killer killed dd (exit status 137)" test "$status" = 137
check "memory.events counts the OOM kill (oom_kill >= 1)" test "${oom_kills:-0}" -ge 1

# ---- pivot_root works (the root is not the initramfs itself)
check "pivot_root works in a new mount namespace" unshare -m sh -c \
  'mkdir -p /tmp/pr && mount -t tmpfs pr /tmp/pr && mkdir /tmp/pr/old && cd /tmp/pr && pivot_root . old'

# ---- kernel modules for containers
for m in overlay veth bridge br_netfilter nf_tables; do
  check "module $m is loaded" test -d /sys/module/$m
done
check "overlayfs mounts" sh -c 'd=/tmp/ov; mkdir -p $d/l $d/u $d/w $d/m && echo x > $d/l/f &&
  mount -t overlay ov -o lowerdir=$d/l,upperdir=$d/u,workdir=$d/w $d/m && cat $d/m/f && umount $d/m'
check "a veth pair can be made" sh -c 'ip link add vt0 type veth peer name vt1 && ip link del vt0'
check "a bridge can be made" sh -c 'ip link add br-t type bridge && ip link del br-t'

# ---- the rest of the environment
check "lo is up" sh -c 'ip link show lo | grep -q UP'
check "/dev/pts is devpts" test "$(stat -f -c %T /dev/pts)" = devpts
check "/tmp is writable" sh -c 'echo x > /tmp/.w && rm /tmp/.w'
check "/run is a tmpfs" test "$(stat -f -c %T /run)" = tmpfs
check "/dev/fd and /dev/null work" sh -c 'test -e /dev/fd/1 && echo x > /dev/null'
check "/etc/passwd knows root and nobody" sh -c 'grep -q ^root: /etc/passwd && grep -q ^nobody: /etc/passwd'
check "stdout is not a terminal" sh -c '! test -t 1'
check "stdin is /dev/null" sh -c 'test "$(readlink /proc/$$/fd/0)" = /dev/null'

echo "selftest-guest: $failed failed"
exit "$failed"
