#!/usr/bin/env bash
# tests/soak/network-100.sh BUILD_DIR [N]: N (default 100) containers on one user network start,
# resolve each other by name and are removed with nothing left. In a private state root:
# `network create`, N times `lab08 run -d --network NET --name cI -p 127.0.0.1::80 busybox sleep
# 600` (the port, any free one, gives each container a DNAT rule whose removal is checked), then
# pings by name from c1 to cN, cN to c1, and to and from the middle one (each answered from the
# address inspect gives), every peer's line in c1's and cN's /etc/hosts, then one
# `rm -f c1 … cN`. Then it proves: no container, no bxl veth of any id, no port on the bridge,
# no nft rule naming any id, no address in use in the network's IPAM file, no mount under the
# state root, no process of the run; and `network rm` succeeds and takes the bridge, its
# address, its route and its rules. Prints the timings (measured, never asserted: bench/network.sh
# has the figures). Needs root, ip, nft and jq. Exit 77 (skipped) when lab08 is not built.
set -euo pipefail
build=$(realpath "${1:?usage: network-100.sh BUILD_DIR [N]}")
n=${2:-100}
lab=$build/labs/lab08
[[ -x $lab ]] || { echo "network-100: $lab is not built: skipped"; exit 77; }
fail() { echo "network-100: FAIL: $*" >&2; exit 1; }
((n >= 3)) || fail "N must be at least 3 (first, middle, last)"
for tool in ip nft jq; do command -v $tool >/dev/null || fail "$tool is missing (scripts/install-deps.sh)"; done
root=$(mktemp -d /tmp/boxlab-soak-net.XXXXXX)
net=soak$$
L() { "$lab" --root "$root" "$@"; }
cleanup() {
  local ids
  mapfile -t ids < <(L ps -a -q 2>/dev/null)
  ((${#ids[@]} == 0)) || L rm -f "${ids[@]}" >/dev/null 2>&1 || true
  L network rm "$net" >/dev/null 2>&1 || true
  awk -v r="$root" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l || true
  rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
now() { date +%s%N; }
ms_since() { echo $((($(now) - $1) / 1000000)); }

L load -i "$build/busybox/oci" >/dev/null
out=$(L network create "$net" 2>&1) || fail "network create $net: $out"
info=$(L network inspect "$net")
net_id=$(jq -r '.[0].Id' <<<"$info")
bridge=$(jq -r '.[0].Options["com.docker.network.bridge.name"]' <<<"$info")
subnet=$(jq -r '.[0].IPAM.Config[0].Subnet' <<<"$info")
gateway=$(jq -r '.[0].IPAM.Config[0].Gateway' <<<"$info")
ipam=$root/networks/ipam/${subnet/\//-}.json

# N containers, one `run -d` after another.
ids=() names=()
start=$(now)
for ((i = 1; i <= n; i++)); do
  t=$(now)
  id=$(L run -d --network "$net" --name "c$i" -p 127.0.0.1::80 busybox sleep 600 2>&1) ||
    fail "run -d --network $net --name c$i -p 127.0.0.1::80 busybox sleep 600 (container $i of $n) exited $?: $id"
  [[ $id =~ ^[0-9a-f]{64}$ ]] || fail "run -d --name c$i printed '$id', not an id"
  ids+=("$id") names+=("c$i")
  ((i > 10)) || first10=$((${first10:-0} + $(now) - t))
  ((i <= n - 10)) || last10=$((${last10:-0} + $(now) - t))
done
run_ms=$(ms_since "$start")
[[ -d /sys/class/net/$bridge ]] || fail "the network's bridge $bridge does not exist with $n containers on it"
running=$(L ps -q | wc -l)
((running == n)) || fail "$running containers running, expected $n"
ports=$(ls "/sys/class/net/$bridge/brif" | wc -l)
((ports == n)) || fail "bridge $bridge has $ports ports, expected $n"
[[ -f $ipam ]] || fail "no IPAM file $ipam with $n containers on $subnet"
held=$(jq '.addresses | length' "$ipam")
((held == n)) || fail "IPAM $ipam holds $held addresses, expected $n"
# What must go later is there now: each container's veth on the bridge, and its DNAT rule.
for id in "${ids[@]}"; do
  master=$(basename "$(readlink "/sys/class/net/bxl${id:0:11}/master" 2>/dev/null)" 2>/dev/null || true)
  [[ $master == "$bridge" ]] || fail "container ${id:0:12}: veth bxl${id:0:11} is not a port of $bridge (master: '${master}')"
done
rules=$(nft list table ip boxlab | grep -cF -f <(printf '%s\n' "${ids[@]}") || true)
((rules == n)) || fail "$rules nft rules name the containers, expected $n (one DNAT rule each)"

# The container's processes and runtimes, to prove they are gone after rm.
pids=()
for id in "${ids[@]}"; do
  mapfile -t -O "${#pids[@]}" pids < <(jq -r '.pid, .runtimePid' "$root/run/containers/$id/state.json")
done

# Names resolve, and the answer comes from the address inspect gives.
mid=$(((n + 1) / 2))
start=$(now)
for pair in "1 $n" "$n 1" "$mid 1" "1 $mid" "$mid $n"; do
  read -r a b <<<"$pair"
  ip_b=$(L inspect -f '{{.NetworkSettings.IPAddress}}' "c$b")
  out=$(L exec "c$a" ping -c1 -W2 "c$b" 2>&1) || fail "lab08 --root ROOT exec c$a ping -c1 -W2 c$b exited $?: $(tr '\n' ' ' <<<"$out")"
  grep -q "^PING c$b ($ip_b)" <<<"$out" || fail "c$a resolved c$b to another address than $ip_b: $(head -1 <<<"$out")"
  grep -q "1 packets received" <<<"$out" || fail "c$a: no answer from c$b ($ip_b): $(tr '\n' ' ' <<<"$out")"
done
for c in 1 "$n"; do
  named=$(L exec "c$c" cat /etc/hosts | grep -cE '[[:space:]]c[0-9]+([[:space:]]|$)' || true)
  ((named == n)) || fail "c$c's /etc/hosts names $named containers, expected $n"
done
resolve_ms=$(ms_since "$start")

# All of them removed by one command.
start=$(now)
out=$(L rm -f "${names[@]}" 2>&1) || fail "rm -f c1 … c$n exited $?: $(tail -3 <<<"$out" | tr '\n' ' ')"
rm_ms=$(ms_since "$start")

# Nothing of them is left.
left=$(L ps -a -q | wc -l)
((left == 0)) || fail "$left containers left after rm -f"
veths=$(for id in "${ids[@]}"; do [[ ! -e /sys/class/net/bxl${id:0:11} ]] || echo "bxl${id:0:11}"; done)
[[ -z $veths ]] || fail "veths left: $(tr '\n' ' ' <<<"$veths")"
ports=$(ls "/sys/class/net/$bridge/brif" | tr '\n' ' ')
[[ -z $ports ]] || fail "ports left on bridge $bridge: $ports"
if nft list table ip boxlab >/dev/null 2>&1; then
  rules=$(nft list table ip boxlab | grep -F -f <(printf '%s\n' "${ids[@]}") || true)
  [[ -z $rules ]] || fail "nft rules left naming containers: $(tr '\n' ' ' <<<"$rules")"
fi
held=$([[ ! -f $ipam ]] || jq -r '.addresses | to_entries[] | "\(.key)=\(.value[:12])"' "$ipam" | tr '\n' ' ')
[[ -z $held ]] || fail "addresses still in use in $ipam: $held"
mounts=$(awk -v r="$root" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo)
[[ -z $mounts ]] || fail "mounts left under the state root: $(tr '\n' ' ' <<<"$mounts")"
((${#pids[@]} == 2 * n)) || fail "read ${#pids[@]} PIDs from the records, expected $((2 * n))"
alive=$(for p in "${pids[@]}"; do
          [[ -r /proc/$p/cmdline ]] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qe "^sleep 600" -e "$root" && echo "$p"
        done || true)
[[ -z $alive ]] || fail "processes of the containers or their runtimes alive: $(tr '\n' ' ' <<<"$alive")"
procs=$(pgrep -f -- "--root $root" || true)
[[ -z $procs ]] || fail "lab08 processes of the run alive: $(tr '\n' ' ' <<<"$procs")"

# The network goes, with its bridge, address, route and rules.
start=$(now)
out=$(L network rm "$net" 2>&1) || fail "network rm $net exited $?: $out"
netrm_ms=$(ms_since "$start")
[[ ! -e /sys/class/net/$bridge ]] || fail "bridge $bridge left after network rm"
[[ -z $(ip -4 -o addr show to "$gateway/32") ]] || fail "address $gateway left on the host: $(ip -4 -o addr show to "$gateway/32")"
[[ -z $(ip route show exact "$subnet") ]] || fail "route to $subnet left: $(ip route show exact "$subnet")"
if nft list table ip boxlab >/dev/null 2>&1; then
  rules=$(nft list table ip boxlab | grep -F -e "$net_id" -e "\"$bridge\"" || true)
  [[ -z $rules ]] || fail "nft rules of network $net left: $(tr '\n' ' ' <<<"$rules")"
fi

k=$((n < 10 ? n : 10))
awk -v n="$n" -v k="$k" -v run="$run_ms" -v f="$first10" -v l="$last10" -v res="$resolve_ms" -v rm="$rm_ms" -v nr="$netrm_ms" 'BEGIN {
  printf "network-100: run -d x%d: %.1f s (%.0f ms each; first %d %.0f ms, last %d %.0f ms each)\n", n, run / 1000, run / n, k, f / 1e6 / k, k, l / 1e6 / k
  printf "network-100: 5 pings by name and 2 hosts files: %d ms; rm -f of %d in one command: %.1f s (%.0f ms each); network rm: %d ms\n", res, n, rm / 1000, rm / n, nr
}'
echo "network-100: ok: $n containers on $net ($subnet, bridge $bridge) started, resolved each other by name, and were removed with no container, veth, bridge port, nft rule, IPAM address, mount or process left; network rm took the bridge, its address and route"
