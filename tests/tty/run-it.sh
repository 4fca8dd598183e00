#!/usr/bin/env bash
# tests/tty/run-it.sh BUILD_DIR: `lab07 run -it busybox sh` driven the way a person drives it.
# tmux (a private server, -L) runs the command in a 100x30 pane; send-keys types, capture-pane
# reads. It checks: a prompt appears; `stty size` sees the pane's size; Ctrl-C interrupts a
# `sleep` in the container and the shell survives; a resize reaches the container (SIGWINCH);
# `exit 5` comes back as the lab's exit status; the terminal is cooked again afterwards.
# Needs root and tmux (scripts/install-deps.sh). Exit 77 (skipped) when lab07 is not built.
set -euo pipefail
build=$(realpath "${1:?usage: run-it.sh BUILD_DIR}")
lab=$build/labs/lab07
[[ -x $lab ]] || { echo "run-it: $lab is not built: skipped"; exit 77; }
command -v tmux >/dev/null || { echo "run-it: tmux is missing: sudo apt-get install tmux" >&2; exit 1; }

root=$(mktemp -d /tmp/boxlab-tty.XXXXXX)
server=boxlab-tty-$$
tmux_() { tmux -L "$server" "$@"; }
cleanup() {
  tmux_ kill-server 2>/dev/null || true
  local ids
  mapfile -t ids < <("$lab" --root "$root" ps -a -q 2>/dev/null)
  [[ ${#ids[@]} -eq 0 ]] || "$lab" --root "$root" rm -f "${ids[@]}" >/dev/null 2>&1 || true
  rm -rf "$root"
}
trap cleanup EXIT

"$lab" --root "$root" load -i "$build/busybox/oci" >/dev/null
tmux_ new-session -d -s t -x 100 -y 30 \
  "$lab --root $root run --rm -it busybox sh; echo EXIT=\$?; stty -a | grep -q ' icanon' && echo COOKED; sleep 60"

screen() { tmux_ capture-pane -p -t t; }
# (capture-pane drops trailing blanks: the prompt "/ # " reads "/ #".)
# Wait until the pane shows @p pattern @p count times (default once).
wait_for() {
  local pattern=$1 count=${2:-1}
  for _ in $(seq 100); do
    [[ $(screen | grep -c -- "$pattern") -ge $count ]] && return 0
    sleep 0.1
  done
  echo "run-it: FAIL: waited for '$pattern' (x$count); the pane shows:" >&2
  screen >&2
  exit 1
}
type_line() { tmux_ send-keys -t t "$1" Enter; }

wait_for '^/ #'
type_line 'stty size'
wait_for '^30 100$'
type_line 'sleep 100'
wait_for 'sleep 100'
tmux_ send-keys -t t C-c
wait_for '^/ #' 3          # the prompt again: ^C ended sleep, not the shell
tmux_ resize-window -t t -x 80 -y 20
type_line 'stty size'
wait_for '^20 80$'
type_line 'exit 5'
wait_for '^EXIT=5$'
wait_for '^COOKED$'
echo "run-it: ok: prompt, size 30x100, ^C, resize to 20x80, exit status 5, terminal restored"
