#!/usr/bin/env bash
# bench/network.sh BUILD_DIR: lab08's networks, measured. Results: bench/results/network.md.
#   1. Host to container, through the published port against direct: busybox httpd in two lab08
#      containers on a user network the script creates, loaded with wrk (Debian's; installed if
#      missing) at two targets: http://127.0.0.1:PORT/ (webp, `-p PORT:80`: the host's loopback,
#      DNAT'd by boxlab's nftables rule, masqueraded onto the bridge) and http://CONTAINER_IP:80/
#      (webd's address on the bridge, routed by the host, no NAT). Why two: below.
#        connection rate: a 612-byte file, `wrk -t2 -c16 -H 'Connection: close'` (busybox
#          httpd closes every connection after one response anyway): requests/s = connections/s;
#        throughput: a 64 MiB file (dd in the container's /www), fetched over and over by one
#          connection and by four (`-t1 -c1`, `-t2 -c4`): MB/s (10^6 bytes).
#   2. 100 containers on one network: `run -d --network NET --name cI busybox sleep 600` 100
#      times (one command each), c1 pings c100 by name and c100 pings c1, then `rm -f` of all
#      100 in one command; again 100 `run -d`, removed by 100 `rm -f cI` in a loop. After each
#      round: no container, no bxl veth of any id, no nft rule naming any id, no address in the
#      network's IPAM; at the end `network rm` succeeds and the bridge is gone.
# Traffic goes only to 127.0.0.1 and to the container's address on the bridge the script made.
# Everything is removed on every exit: containers, networks, the state root, processes.
# Usage: sudo [BENCH_SECONDS=10] bench/network.sh build
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${BENCH_SECONDS:-10}
count=100
[[ $(id -u) == 0 ]] || { echo "bench: run as root (namespaces, links, nftables)" >&2; exit 1; }
lab=$PWD/$build/labs/lab08
layout=$PWD/$build/busybox/oci
[[ -x $lab && -d $layout ]] || { echo "bench: build first: cmake --build $build" >&2; exit 1; }
# wrk is Debian's (scripts/install-deps.sh --with-bench); curl, jq, ip and nft are run-time deps.
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
for tool in wrk curl jq ip nft; do command -v $tool >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }; done

work=$(mktemp -d /tmp/boxlab-netbench.XXXXXX)
root=$work/state
L() { "$work/lab08" --root "$root" "$@"; }
nets=()
cleanup() {
  if [[ -x $work/lab08 && -d $root ]]; then
    local ids
    mapfile -t ids < <(L ps -a -q 2>/dev/null)
    ((${#ids[@]} == 0)) || L rm -f "${ids[@]}" >/dev/null 2>&1 || true
    ((${#nets[@]} == 0)) || L network rm "${nets[@]}" >/dev/null 2>&1 || true
  fi
  # Whatever rm -f did not end: the containers' first processes as their records name them,
  # and the runtimes of the run (their command line names the work directory), by PID.
  local p
  for p in $(cat "$root"/run/containers/*/state.json 2>/dev/null | jq -r '.pid // empty' 2>/dev/null || true); do
    ((p > 1)) && kill -KILL "$p" 2>/dev/null || true
  done
  for p in $(pgrep -f "$work/lab08" || true); do kill -KILL "$p" 2>/dev/null || true; done
  awk -v w="$work" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail() { echo "bench: FAIL: $*" >&2; exit 1; }
now() { date +%s%N; }
# A copy, so that a rebuild during the run cannot mix two binaries.
cp "$lab" "$work/lab08"
built="lab08 built $(date -r "$lab" '+%Y-%m-%d %H:%M'), HEAD then $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- core labs || echo ' with uncommitted changes')"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
date_utc=$(date -u '+%Y-%m-%d %H:%M UTC')
L load -i "$layout" >/dev/null

network() {  # NAME: create it and remember it for the cleanup; sets net_id, bridge, subnet
  local out
  out=$(L network create "$1" 2>&1) || fail "network create $1: $out"
  nets+=("$1")
  out=$(L network inspect "$1")
  net_id=$(jq -r '.[0].Id' <<<"$out")
  bridge=$(jq -r '.[0].Options["com.docker.network.bridge.name"]' <<<"$out")
  subnet=$(jq -r '.[0].IPAM.Config[0].Subnet' <<<"$out")
}

# ---- 1. published port against direct ----------------------------------------------------
# Two httpd containers, one per target. The published path masquerades 127.0.0.1 to the
# gateway's address, the very source address the host uses for the direct path, with another
# TCP timestamp offset. Aimed at one container, the second path's SYNs meet the first run's
# TIME_WAIT sockets (busybox httpd closes first, so they sit in the container, 60 s) and
# conntrack entries (120 s) of the same 4-tuples, and are refused and retried: 3674 then 2214
# requests/s in that order, on this project's machine. For the same reason the bench waits until
# conntrack holds fewer than 1000 entries (an earlier run's) before it loads anything.
network benchweb
web_net_id=$net_id web_bridge=$bridge
# A host port no socket and no nft rule holds (lab08 refuses a taken one anyway).
port=
for p in $(shuf -i 20000-29999 -n 50); do
  ss -Htln "sport = :$p" | grep -q . && continue
  nft list table ip boxlab 2>/dev/null | grep -q "dport $p " && continue
  port=$p; break
done
[[ -n $port ]] || fail "no free host port found"
serve='mkdir -p /www && head -c 612 /dev/zero | tr "\0" x > /www/index.html &&
       dd if=/dev/zero of=/www/big bs=1M count=64 2>/dev/null && exec httpd -f -p 80 -h /www'
out=$(L run -d --network benchweb --name webp -p "$port:80" busybox sh -c "$serve" 2>&1) ||
  fail "run -d --network benchweb --name webp -p $port:80 busybox httpd: $out"
out=$(L run -d --network benchweb --name webd busybox sh -c "$serve" 2>&1) ||
  fail "run -d --network benchweb --name webd busybox httpd: $out"
ip_webd=$(L inspect -f '{{.NetworkSettings.IPAddress}}' webd)
# The direct target must be on the bridge the script made, and nowhere else.
[[ $(ip -o route get "$ip_webd" | grep -o 'dev [^ ]*') == "dev $web_bridge" ]] ||
  fail "$ip_webd is not routed to the bridge $web_bridge: $(ip -o route get "$ip_webd")"
published=http://127.0.0.1:$port
direct=http://$ip_webd:80
# httpd starts once dd has written 64 MiB: wait for both targets to serve both files.
for url in "$published" "$direct"; do
  size=
  for _ in $(seq 100); do
    size=$(curl --noproxy '*' -sf -o /dev/null -w '%{size_download}' "$url/big" 2>/dev/null) && break
    sleep 0.1
  done
  [[ ${size:-} == 67108864 ]] || fail "$url/big: got ${size:-nothing}, expected 67108864 bytes"
  small=$(curl --noproxy '*' -sf "$url/index.html" | wc -c || true)
  [[ $small == 612 ]] || fail "$url/index.html: got $small bytes, expected 612"
done
conntrack() { cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0; }
waited=0
while (($(conntrack) >= 1000 && waited < 130)); do sleep 5; waited=$((waited + 5)); done
((waited == 0)) || echo "bench: waited $waited s for conntrack to drop to $(conntrack) entries"

# wrk's summary, as one line: duration [µs], requests, bytes, socket errors, HTTP errors,
# mean and 99th percentile latency [µs].
cat > "$work/summary.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SUMMARY %d %d %d %d %d %.0f %.0f\n", summary.duration, summary.requests,
    summary.bytes, e.connect + e.read + e.write + e.timeout, e.status, latency.mean, latency:percentile(99)))
end
LUA
rows=()
measure() {  # KIND THREADS CONNECTIONS TARGET-NAME URL
  local kind=$1 threads=$2 conns=$3 name=$4 url=$5 out line before
  before=$(conntrack)
  out=$(wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout 10s -H 'Connection: close' -s "$work/summary.lua" "$url" 2>&1) ||
    fail "wrk $url: $out"
  line=$(grep '^SUMMARY ' <<<"$out") || fail "wrk $url printed no summary: $out"
  echo "bench: $kind, $name, -c$conns: $(grep -E 'Requests/sec|Transfer/sec' <<<"$out" | tr -s ' ' | tr '\n' ' ')(conntrack before: $before)"
  rows+=("$kind $threads $conns $name $before $line")
}
for target in published direct; do
  measure rate 2 16 "$target" "${!target}/index.html"
done
for conns in 1 4; do
  for target in published direct; do
    measure throughput $((conns == 1 ? 1 : 2)) "$conns" "$target" "${!target}/big"
  done
done
web_ids=$(L inspect -f '{{.Id}}' webp webd)
out=$(L rm -f webp webd 2>&1) || fail "rm -f webp webd: $out"
out=$(L network rm benchweb 2>&1) || fail "network rm benchweb: $out"
nets=()
[[ ! -e /sys/class/net/$web_bridge ]] || fail "bridge $web_bridge left after network rm benchweb"
! nft list table ip boxlab 2>/dev/null | grep -qF -e "$web_net_id" -f <(echo "$web_ids") ||
  fail "nft rules of webp, webd or benchweb left: $(nft list table ip boxlab | grep -F -e "$web_net_id" -f <(echo "$web_ids"))"

# ---- 2. 100 containers on one network -------------------------------------------------------
network bench100
many_net_id=$net_id many_bridge=$bridge
ipam=$root/networks/ipam/${subnet/\//-}.json
names=()
for ((i = 1; i <= count; i++)); do names+=("c$i"); done

start_all() {  # ROUND: run -d the 100 containers; sets ids, run_ns, first_ns, last_ns
  local i id t
  ids=() first_ns=0 last_ns=0
  local start
  start=$(now)
  for ((i = 1; i <= count; i++)); do
    t=$(now)
    id=$(L run -d --network bench100 --name "c$i" busybox sleep 600 2>&1) ||
      fail "round $1: run -d --network bench100 --name c$i exited $?: $id"
    ids+=("$id")
    ((i > 10)) || first_ns=$((first_ns + $(now) - t))
    ((i <= count - 10)) || last_ns=$((last_ns + $(now) - t))
  done
  run_ns=$(($(now) - start))
  [[ $(L ps -q | wc -l) == "$count" ]] || fail "round $1: $(L ps -q | wc -l) containers running, expected $count"
}
resolve() {  # A B: cA pings cB by name, answered from cB's address
  local ip out
  ip=$(L inspect -f '{{.NetworkSettings.IPAddress}}' "c$2")
  out=$(L exec "c$1" ping -c1 -W2 "c$2" 2>&1) || fail "exec c$1 ping -c1 -W2 c$2 exited $?: $(tr '\n' ' ' <<<"$out")"
  grep -q "^PING c$2 ($ip)" <<<"$out" && grep -q "1 packets received" <<<"$out" ||
    fail "exec c$1 ping -c1 -W2 c$2: not answered by $ip: $(tr '\n' ' ' <<<"$out")"
}
left_after() {  # ROUND: prove nothing of the round's containers is left
  local left veths rules held
  left=$(L ps -a -q | wc -l)
  veths=$(for id in "${ids[@]}"; do [[ ! -e /sys/class/net/bxl${id:0:11} ]] || echo "bxl${id:0:11}"; done)
  rules=$(nft list table ip boxlab 2>/dev/null | grep -F -f <(printf '%s\n' "${ids[@]}") || true)
  held=$([[ ! -f $ipam ]] || jq '.addresses | length' "$ipam")
  [[ $left == 0 && -z $veths && -z $rules && ${held:-0} == 0 ]] ||
    fail "round $1: left after rm -f: $left containers, veths [$(tr '\n' ' ' <<<"$veths")], rules [$(tr '\n' ' ' <<<"$rules")], ${held:-0} IPAM addresses"
}
ms() { awk -v ns="$1" -v d="${2:-1}" 'BEGIN { printf "%.0f", ns / 1e6 / d }'; }
s() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e9 }'; }

start_all 1
resolve 1 "$count"
resolve "$count" 1
hosts_c1=$(L exec c1 cat /etc/hosts | grep -cE '[[:space:]]c[0-9]+([[:space:]]|$)' || true)
run1=("$run_ns" "$first_ns" "$last_ns")
start=$(now)
out=$(L rm -f "${names[@]}" 2>&1) || fail "round 1: rm -f c1 … c$count exited $?: $(tail -3 <<<"$out")"
rm1=$(($(now) - start))
left_after 1

start_all 2
run2=("$run_ns" "$first_ns" "$last_ns")
start=$(now)
for name in "${names[@]}"; do
  out=$(L rm -f "$name" 2>&1) || fail "round 2: rm -f $name exited $?: $out"
done
rm2=$(($(now) - start))
left_after 2
start=$(now)
out=$(L network rm bench100 2>&1) || fail "network rm bench100: $out"
netrm=$(($(now) - start))
nets=()
[[ ! -e /sys/class/net/$many_bridge ]] || fail "bridge $many_bridge left after network rm bench100"
! nft list table ip boxlab 2>/dev/null | grep -qF "$many_net_id" || fail "nft rules of bench100 left after network rm"

# ---- results ------------------------------------------------------------------------------
table=$(printf '%s\n' "${rows[@]}" | awk -v port="$port" -v ip="$ip_webd" '
  function target(t) { return t == "published" ? "published: `127.0.0.1:" port "` (DNAT)" : "direct: `" ip ":80` (bridge)" }
  {
    kind = $1; conns = $3; t = $4; ct = $5; us = $7; req = $8; bytes = $9; errs = $10 + $11
    rps = req / (us / 1e6); mbs = bytes / us
    key = kind " " conns
    if (!(key in seen)) { order[++n] = key; seen[key] = 1 }
    val[key, t] = kind == "rate" ? rps : mbs
    line[key, t] = sprintf("| %s | %s | %s | %.1f | %.2f | %.2f | %d | %d | %d |", \
      kind == "rate" ? "612 B, Connection: close, " conns " conns" : "64 MiB, " conns " conn" (conns > 1 ? "s" : ""), \
      target(t), kind == "rate" ? sprintf("%.0f", rps) : sprintf("%.1f", rps), mbs, $12 / 1000, $13 / 1000, req, errs, ct)
  }
  END {
    print "| Load | Target | Requests/s | MB/s | Mean latency [ms] | p99 latency [ms] | Requests | Errors | Conntrack before |"
    print "|:---|:---|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) { print line[order[i], "published"]; print line[order[i], "direct"] }
    print ""
    for (i = 1; i <= n; i++) {
      split(order[i], k, " ")
      printf "Published over direct, %s with %d connection%s: %.2f.\n", k[1] == "rate" ? "requests/s" : "MB/s", k[2], (k[2] > 1 ? "s" : ""), \
        val[order[i], "published"] / val[order[i], "direct"]
    }
  }')
{
  echo "# lab 08: networks (bench/network.sh)"
  echo
  echo "$date_utc; machine: $(nproc) cores, Linux $(uname -r); load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg); $built; $( (wrk -v 2>&1 || true) | head -1 | cut -d' ' -f1-2)."
  echo
  echo "Host to busybox httpd in two lab08 containers on a user network (one per target, so that the two runs share no 4-tuple), \`wrk -d${seconds}s\` per line (-t2, or -t1 for one connection):"
  echo
  echo "$table"
  echo
  echo "$count containers (\`run -d --network NET --name cI busybox sleep 600\`, one command each) on one user network:"
  echo
  echo "| Step | Total [s] | Per container [ms] | First 10 [ms each] | Last 10 [ms each] |"
  echo "|:---|---:|---:|---:|---:|"
  echo "| round 1: $count \`run -d\` | $(s "${run1[0]}") | $(ms "${run1[0]}" $count) | $(ms "${run1[1]}" 10) | $(ms "${run1[2]}" 10) |"
  echo "| round 1: \`rm -f c1 … c$count\`, one command | $(s $rm1) | $(ms $rm1 $count) | | |"
  echo "| round 2: $count \`run -d\` | $(s "${run2[0]}") | $(ms "${run2[0]}" $count) | $(ms "${run2[1]}" 10) | $(ms "${run2[2]}" 10) |"
  echo "| round 2: \`rm -f cI\`, $count commands in a loop | $(s $rm2) | $(ms $rm2 $count) | | |"
  echo "| \`network rm\` (empty network) | $(s $netrm) | | | |"
  echo
  echo "Round 1: c1 pinged c$count by name and c$count pinged c1 (each answered from the address inspect gives); c1's /etc/hosts named $hosts_c1 containers."
  echo "After each round's rm -f: 0 containers, no bxl veth of any id, no nft rule naming any id, no address in the IPAM file; \`network rm\` succeeded and its bridge was gone."
} > "$work/network.md"
mkdir -p bench/results
cp "$work/network.md" bench/results/network.md
cat bench/results/network.md
