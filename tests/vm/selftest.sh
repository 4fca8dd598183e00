#!/usr/bin/env bash
# selftest.sh - proves tests/vm/run-in-vm.sh does what it promises. Boots four VMs (under a
# minute under TCG emulation) and prints one line per check, then "selftest: N failed".
#
#   tests/vm/selftest.sh            (as root; needs scripts/install-deps.sh --with-vm)
#
# What it proves:
#   - the command's exit status comes back (0 and 3), a timeout gives 124, a harness failure 125
#     with a one-line reason, and arguments and --env values reach the command byte for byte;
#   - --file and --dir put host files at the same absolute paths, also below /tmp;
#   - in the guest (selftest-guest.sh): cgroup2 is mounted with memory cpu cpuset pids io, the
#     command's cgroup can create a child and enable controllers in it (after moving itself to
#     a leaf), an OOM kill in a memory-limited child shows in memory.events oom_kill and, with
#     the killer's report, on the console; pivot_root works; the modules are loaded; /dev/pts,
#     /tmp, /run, /etc/passwd are there; stdout is not a tty;
#   - --log writes the log without CRs; the host's own files are never written (a --file at a
#     path where the guest has a busybox link once overwrote the host's busybox).
set -uo pipefail

readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly RUN=$HERE/run-in-vm.sh
failed=0 passed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1${2:+: $2}"; failed=$((failed + 1)); }
expect() {  # expect "what" EXPECTED ACTUAL
  if [[ $2 == "$3" ]]; then ok "$1"; else not_ok "$1" "expected '$2', got '$3'"; fi
}
has() {  # has "what" FILE PATTERN (grep -E)
  if grep -aqE -- "$3" "$2"; then ok "$1"; else not_ok "$1" "no line matching /$3/ in $2"; fi
}

tmp=$(mktemp -d /tmp/boxlab-vm-selftest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
host_sums=$(sha256sum /bin/busybox /bin/sh /usr/bin/busybox 2>/dev/null)
t0=$EPOCHREALTIME

# ---- 1. exit status 0, arguments, --file and --dir at the same paths (below /tmp, which the
#         guest then keeps instead of mounting a tmpfs over it)
mkdir -p "$tmp/dir/sub"
echo "file-$RANDOM" > "$tmp/one.txt"
echo "dir-$RANDOM" > "$tmp/dir/sub/two.txt"
ln -s sub/two.txt "$tmp/dir/link"
"$RUN" --log "$tmp/1.log" --file "$tmp/one.txt" --dir "$tmp/dir" --env "GREETING=hi 'there'" -- \
  sh -c 'printf "<%s>" "$@"; echo; cat "$0/one.txt" "$0/dir/sub/two.txt"; readlink "$0/dir/link"; echo "env:$GREETING"' \
  "$tmp" "a b" "it's" '$HOME' '' > "$tmp/1.out" 2> "$tmp/1.err"
expect "exit status 0 comes back" 0 $?
has "arguments arrive byte for byte" "$tmp/1.log" '^<a b><it'"'"'s><\$HOME><>$'
has "a --file is at the same path in the guest" "$tmp/1.log" "^$(cat "$tmp/one.txt")$"
has "a --dir is at the same path in the guest" "$tmp/1.log" "^$(cat "$tmp/dir/sub/two.txt")$"
has "symlinks inside a --dir stay symlinks" "$tmp/1.log" '^sub/two.txt$'
has "--env reaches the command" "$tmp/1.log" "^env:hi 'there'\$"
if grep -q $'\r' "$tmp/1.log"; then not_ok "--log has no CR"; else ok "--log has no CR"; fi
if cmp -s "$tmp/1.log" "$tmp/1.out"; then ok "stdout is the same log"; else not_ok "stdout is the same log"; fi
has "the harness reports the timings" "$tmp/1.err" '^run-in-vm: exit status 0 \(boot [0-9.]+s'

# ---- 2. exit status 3; a --file where the guest would put a busybox link (/bin/sh)
"$RUN" --quiet --file /bin/sh -- /bin/sh -c 'exit 3' 2> "$tmp/2.err"
expect "exit status 3 comes back" 3 $?
expect "the host's /bin/sh and busybox are untouched" "$host_sums" "$(sha256sum /bin/busybox /bin/sh /usr/bin/busybox 2>/dev/null)"

# ---- 3. the guest environment: cgroup v2, controllers, children, OOM, modules ...
"$RUN" --log "$tmp/3.log" --file "$HERE/selftest-guest.sh" -- "$HERE/selftest-guest.sh" > /dev/null 2> "$tmp/3.err"
status=$?
sed -n 's/^\(not \)\{0,1\}ok - /  guest: &/p' "$tmp/3.log"
expect "every check in the guest passed (selftest-guest.sh)" 0 "$status"
has "the OOM kill is on the console (no 'quiet')" "$tmp/3.log" 'Memory cgroup out of memory: Killed process [0-9]+ \(dd\)'
has "the OOM killer's report is on the console" "$tmp/3.log" 'dd invoked oom-killer'

# ---- 4. timeout: 124, and the VM is gone
start=$EPOCHREALTIME
"$RUN" --quiet --timeout 25 -- sleep 600 2> "$tmp/4.err"
expect "a timeout gives 124" 124 $?
has "a timeout says so" "$tmp/4.err" '^run-in-vm: timeout: '
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a }')
if ((secs < 60)); then ok "the timeout stops the VM (${secs}s)"; else not_ok "the timeout stops the VM" "took ${secs}s"; fi

# ---- 5. harness failures: 125 and one line saying why, before any boot
"$RUN" --file /nonexistent/file -- true 2> "$tmp/5.err"
expect "a missing --file gives 125" 125 $?
expect "... with a one-line reason" "run-in-vm: error: --file /nonexistent/file: no such file" "$(cat "$tmp/5.err")"
"$RUN" -- /not/in/the/guest 2> "$tmp/6.err"
expect "a command missing in the guest gives 125" 125 $?
has "... with a one-line reason" "$tmp/6.err" '^run-in-vm: error: the command /not/in/the/guest is not in the guest'

echo "selftest: $passed passed, $failed failed, $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')s"
exit $((failed > 0))
