// NAT for bridge networks: how containers with private addresses reach out, and how a host
// port leads in to one of them (`docker run -p`).
//
// A container on a bridge has an address of a private subnet (172.18.0.2) that only the host
// knows how to reach. Two rewrites of packet addresses make it useful:
//  - MASQUERADE (source NAT) on the way out: a packet from 172.18.0.2 leaving by eth0 gets
//    eth0's address as its source, so the answer comes back to the host, which hands it on.
//  - DNAT (destination NAT) on the way in: a packet for host port 8080 gets 172.18.0.2:80 as
//    its destination, and the host routes it into the bridge.
// Netfilter's connection tracking does the rest: a NAT rule is consulted for the FIRST packet
// of a connection only; the mapping is remembered, every later packet of the connection gets
// the same rewrite, and the answers get the reverse one without any rule. (So deleting a rule
// stops new connections only.)
//
// Where each rule hooks in (nft(8), "Address families", the ip family's hooks):
//  - prerouting, before the routing decision, for packets that arrive: from other machines
//    and from containers. DNAT has to happen here so that routing sees the new destination.
//  - output, for packets the host itself sends: they never pass prerouting, so a published
//    port reached from the host (curl localhost:8080) needs the same DNAT here.
//  - postrouting, after routing, when the outgoing interface and so the masquerade address
//    are known.
// Both DNAT hooks jump to one chain, `published`, and only for `fib daddr type local`: packets
// addressed to one of the host's own addresses (Docker's `-m addrtype --dst-type LOCAL`).
// Without it a container's connection to port 8080 of some server on the internet would be
// caught by "tcp dport 8080 dnat" too.
//
// Reaching a published port as 127.0.0.1:8080 from the host takes two more things, the ones
// Docker (with --userland-proxy=false) and podman's netavark also set up:
//  - the DNAT'd packet keeps its source 127.0.0.1 and now leaves by the bridge. The kernel
//    treats loopback addresses on any other interface as martians and refuses to route them,
//    unless net.ipv4.conf.<bridge>.route_localnet is 1 (Documentation/networking/
//    ip-sysctl.rst: "Do not consider loopback addresses as martian source or destination
//    while routing"). We write it for the bridge when the network is added.
//  - even routed, a packet from 127.0.0.1 would get its answer sent to the container's own
//    loopback. So the source is masqueraded to the bridge's address, for 127.0.0.0/8 going
//    out of the bridge, and the container answers the host.
// route_localnet opens a door the other way too: a container could send packets to
// 127.0.0.1 of the host and reach services that listen on the host's loopback only
// (CVE-2020-8558, found in kube-proxy). The `guard` chain drops packets that ARRIVE from the
// bridge for 127.0.0.0/8 at priority raw, before conntrack, where answers to our own
// masqueraded connections still have the bridge's address as destination.
//
// Hairpin: a container reaching a published port through a host address (its gateway) is
// DNAT'd back into the bridge it came from. The target would answer the client directly,
// bypassing the host, and the client would drop an answer from an address it never called.
// Masquerading DNAT'd traffic from the subnet into its own bridge sends the answer through
// the host instead.
//
// The forward chain accepts what comes from or goes to our bridges. Note that an accept is
// final only within its own base chain: every table's base chain on the hook still sees the
// packet, and a drop anywhere wins (nft(8), "Chains"). A host with Docker's iptables rules
// (FORWARD policy DROP) still drops forwarded container traffic whatever we accept here.
//
// Forwarding itself: a host only routes packets between its interfaces (bridge <-> eth0) when
// net.ipv4.ip_forward is 1. It is written when a network is added and never reset: other
// users may rely on it, and changing it resets every interface's settings to the defaults of
// a host or a router (ip-sysctl.rst, ip_forward), which is why it is written only when not
// already 1.
//
// Ownership: every rule carries a comment naming its owner, a network name or a container id.
// `nft -j list table` returns each rule with its comment and handle, and `delete rule ...
// handle N` removes exactly that rule; so one owner's rules go without touching anyone else's,
// and a sweep removes the rules of owners that no longer exist. Every change is one nft
// transaction (libnftables sends a command buffer as one netlink batch): all or nothing.
//
// The family is `ip` (IPv4 only), not `inet`: boxlab's networks are IPv4, and Docker's own
// nftables backend also keeps separate ip and ip6 tables.
//
// Interface: PortForward::describe, NatTable (ensure, add_network, publish, rules, forwards,
//            remove_rules_of, sweep, delete_if_unused, delete_table, listing), PublishedPorts
#include "boxlab/net/nat.hpp"

#include <arpa/inet.h>
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <utility>

#include <nlohmann/json.hpp>

#include "boxlab/net/host_port.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::net {
namespace {

using nlohmann::json;

// The chains whose rules have owners; prerouting and output hold only the two jumps.
const std::set<std::string> kOwnedChains{"published", "postrouting", "forward", "guard"};

bool all_of_chars(const std::string& text, std::string_view allowed_punctuation) {
  return std::all_of(text.begin(), text.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           allowed_punctuation.find(c) != std::string_view::npos;
  });
}

// Names end up inside nft commands: allow only what cannot change the command's meaning.
void check_table_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || !all_of_chars(name, "_") || (name[0] >= '0' && name[0] <= '9'))
    throw Error("nft table name \"" + name + "\" is not letters, digits and '_' (at most 64)");
}

void check_owner(const std::string& owner) {
  // nft keeps at most 128 bytes of comment (NFT_USERDATA_MAXLEN is 256 for all user data).
  if (owner.empty() || owner.size() > 128 || !all_of_chars(owner, "_.-:@/"))
    throw Error("NAT rule owner \"" + owner + "\" must be 1-128 letters, digits or _.-:@/");
}

void check_interface(const std::string& name) {
  // IFNAMSIZ is 16 with the NUL (netdevice(7)); no '/' (it is a path under /proc/sys).
  if (name.empty() || name.size() > 15 || name == "." || name == ".." || !all_of_chars(name, "_.-@"))
    throw Error("interface name \"" + name + "\" is not a valid interface name");
}

void check_ipv4(const std::string& ip, const std::string& what) {
  in_addr addr{};
  if (inet_pton(AF_INET, ip.c_str(), &addr) != 1)
    throw Error(what + " \"" + ip + "\" is not an IPv4 address");
}

// "172.18.0.0/16" checked, with any host bits cleared ("172.18.5.1/16" -> "172.18.0.0/16").
std::string network_of(const std::string& subnet) {
  size_t slash = subnet.find('/');
  std::string ip = subnet.substr(0, slash);
  std::string bits = slash == std::string::npos ? "" : subnet.substr(slash + 1);
  in_addr addr{};
  if (inet_pton(AF_INET, ip.c_str(), &addr) != 1 || bits.empty() || bits.size() > 2 ||
      !all_of_chars(bits, "") || std::stoi(bits) > 32)
    throw Error("subnet \"" + subnet + "\" is not an IPv4 subnet like 172.18.0.0/16");
  int prefix = std::stoi(bits);
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix);
  addr.s_addr = htonl(ntohl(addr.s_addr) & mask);
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &addr, text, sizeof text);
  return std::string(text) + "/" + bits;
}

std::string nft_string(const std::string& text) { return "\"" + text + "\""; }

void write_sysctl(const std::string& path, const std::string& value) {
  with_context("set " + path + " to " + value, [&] { sys::write_file(path, value); });
}

// True if @p a and @p b cannot both be published: same protocol and port, and one of them on
// every address or both on the same one.
bool overlap(const PortForward& a, const PortForward& b) {
  return a.protocol == b.protocol && a.host_port == b.host_port &&
         (a.host_ip == kAnyHostIp || b.host_ip == kAnyHostIp || a.host_ip == b.host_ip);
}

bool taken(const std::vector<PortForward>& published, const PortForward& wanted) {
  return std::any_of(published.begin(), published.end(), [&](const PortForward& p) { return overlap(p, wanted); });
}

// Is the port free for us: in no rule of the table and bindable on the host?
bool free_port(const std::vector<PortForward>& published, const PortForward& wanted) {
  if (taken(published, wanted)) return false;
  try {
    check_host_port_free(wanted.host_ip, wanted.host_port, wanted.protocol);
    return true;
  } catch (const Error& e) {
    if (e.errno_value() == EADDRINUSE) return false;
    throw;
  }
}

// Picks the host port of @p mapping; throws port_already_allocated when there is none.
PortForward choose_host_port(const std::vector<PortForward>& published, const PortMapping& mapping,
                             const std::string& container_ip) {
  PortForward wanted{mapping.host_ip, mapping.host_port, mapping.protocol, container_ip, mapping.container_port, {}};
  if (mapping.host_port == 0) {
    // The kernel's pick is free of sockets; it may still be a port of one of our rules.
    for (int attempt = 0; attempt < 64; ++attempt) {
      wanted.host_port = pick_free_host_port(mapping.host_ip, mapping.protocol);
      if (!taken(published, wanted)) return wanted;
    }
    throw Error("Bind for " + mapping.host_ip + ":0 failed: no free ephemeral port found");
  }
  if (mapping.host_port_last > mapping.host_port) {
    for (unsigned port = mapping.host_port; port <= mapping.host_port_last; ++port) {
      wanted.host_port = static_cast<uint16_t>(port);
      if (free_port(published, wanted)) return wanted;
    }
    std::string range = std::to_string(mapping.host_port) + "-" + std::to_string(mapping.host_port_last);
    throw Error::reported(EADDRINUSE,
                          "Bind for " + mapping.host_ip + ":" + range + " failed: every port of the range is already allocated",
                          kExitRuntimeError);
  }
  if (taken(published, wanted)) throw port_already_allocated(mapping.host_ip, mapping.host_port);
  check_host_port_free(mapping.host_ip, mapping.host_port, mapping.protocol);
  return wanted;
}

// Reads a published port back from a DNAT rule's expressions, as nft -j shows them:
//   {"match": {"left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "127.0.0.1"}}
//   {"match": {"left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}}
//   {"dnat": {"addr": "172.18.0.2", "port": 80}}
bool forward_of_rule(const json& rule, PortForward& out) {
  bool has_port = false, has_target = false;
  for (const auto& expr : rule.value("expr", json::array())) {
    if (expr.contains("match")) {
      const json& match = expr.at("match");
      json payload = match.value("left", json::object()).value("payload", json::object());
      json right = match.value("right", json());
      std::string protocol = payload.value("protocol", ""), field = payload.value("field", "");
      if (protocol == "ip" && field == "daddr" && right.is_string()) {
        out.host_ip = right.get<std::string>();
      } else if ((protocol == "tcp" || protocol == "udp") && field == "dport" && right.is_number_unsigned()) {
        out.protocol = protocol == "udp" ? Protocol::udp : Protocol::tcp;
        out.host_port = right.get<uint16_t>();
        has_port = true;
      }
    } else if (expr.contains("dnat")) {
      const json& dnat = expr.at("dnat");
      out.container_ip = dnat.value("addr", "");
      out.container_port = dnat.value("port", uint16_t(0));
      has_target = true;
    }
  }
  return has_port && has_target;
}

}  // namespace

std::string PortForward::describe() const {
  return host_ip + ":" + std::to_string(host_port) + "->" + std::to_string(container_port) + "/" +
         std::string(to_string(protocol));
}

NatTable::NatTable(std::string name) : name_(std::move(name)) { check_table_name(name_); }

std::string NatTable::run(const std::string& step, const std::string& commands, bool json_output) {
  try {
    return json_output ? nft_.run_json(commands) : nft_.run(commands);
  } catch (const Error& e) {
    // Nftables::run says "nft '<commands>': <nft's error>", and nft's error goes on to quote
    // the failing command with ^^^ under it. One line is enough: its first.
    std::string message = e.what();
    size_t start = std::string("nft '").size() + commands.size() + std::string("': ").size();
    message = start < message.size() ? message.substr(start) : message;
    message = message.substr(0, message.find('\n'));
    if (message.rfind("Error: ", 0) == 0) message.erase(0, 7);
    throw Error("nft table " + name_ + ": " + step + ": " + message);
  }
}

bool NatTable::exists() {
  json tables = json::parse(run("list tables", "list tables ip", true));
  for (const auto& item : tables.value("nftables", json::array()))
    if (item.contains("table") && item.at("table").value("name", "") == name_) return true;
  return false;
}

void NatTable::ensure() {
  const std::string t = "ip " + name_;
  // "add" leaves an existing table or chain as it is, and the two jump rules are flushed
  // and written again in the same transaction: running this twice, even at the same time
  // from two processes, still leaves one jump rule per chain.
  run("create the table",
      "add table " + t + "\n"
      "add chain " + t + " published\n"
      "add chain " + t + " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
      // -100 is NF_IP_PRI_NAT_DST: nft(8) names it "dstnat" for prerouting only.
      "add chain " + t + " output { type nat hook output priority -100; policy accept; }\n"
      "add chain " + t + " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
      "add chain " + t + " forward { type filter hook forward priority filter; policy accept; }\n"
      "add chain " + t + " guard { type filter hook prerouting priority raw; policy accept; }\n"
      "flush chain " + t + " prerouting\n"
      "flush chain " + t + " output\n"
      "add rule " + t + " prerouting fib daddr type local jump published comment " + nft_string(name_) + "\n"
      "add rule " + t + " output fib daddr type local jump published comment " + nft_string(name_) + "\n");
}

void NatTable::add_network(const NatNetwork& network) {
  check_owner(network.name);
  check_interface(network.bridge);
  std::string subnet = network_of(network.subnet);
  with_context("add network " + network.name, [&] {
    // Write ip_forward only when needed: any write resets every interface's settings.
    if (sys::read_file("/proc/sys/net/ipv4/ip_forward").substr(0, 1) != "1")
      write_sysctl("/proc/sys/net/ipv4/ip_forward", "1");
    write_sysctl("/proc/sys/net/ipv4/conf/" + network.bridge + "/route_localnet", "1");
    ensure();

    // Replace, not append: adding a network twice (a restarted daemon) leaves one set of rules.
    std::vector<NatRule> old;
    for (const auto& rule : rules())
      if (rule.owner == network.name) old.push_back(rule);
    std::string commands;
    for (const auto& rule : old)
      commands += "delete rule ip " + name_ + " " + rule.chain + " handle " + std::to_string(rule.handle) + "\n";
    const std::string add = "add rule ip " + name_ + " ";
    const std::string bridge = nft_string(network.bridge), comment = " comment " + nft_string(network.name) + "\n";
    commands += add + "postrouting ip saddr " + subnet + " oifname != " + bridge + " masquerade" + comment;
    commands += add + "postrouting ip saddr " + subnet + " oifname " + bridge + " ct status dnat masquerade" + comment;
    commands += add + "postrouting ip saddr 127.0.0.0/8 oifname " + bridge + " masquerade" + comment;
    commands += add + "forward iifname " + bridge + " accept" + comment;
    commands += add + "forward oifname " + bridge + " accept" + comment;
    commands += add + "guard iifname " + bridge + " ip daddr 127.0.0.0/8 drop" + comment;
    run("add the rules of network " + network.name, commands);
  });
}

PublishedPorts NatTable::publish(const std::string& owner, const std::string& container_ip,
                                 const std::vector<PortMapping>& mappings) {
  check_owner(owner);
  check_ipv4(container_ip, "container address");
  // Choose every host port before adding anything: a refused port leaves the table as it was.
  std::vector<PortForward> published = exists() ? forwards() : std::vector<PortForward>{};
  std::vector<PortForward> chosen;
  for (const auto& mapping : mappings) {
    check_ipv4(mapping.host_ip, "host address");
    if (mapping.container_port == 0) throw Error("publish " + mapping.describe() + ": no container port");
    PortForward forward = choose_host_port(published, mapping, container_ip);
    forward.owner = owner;
    published.push_back(forward);  // two mappings of one request must not collide either
    chosen.push_back(forward);
  }
  if (chosen.empty()) return {};

  ensure();
  std::string commands;
  for (const auto& f : chosen) {
    commands += "add rule ip " + name_ + " published ";
    if (f.host_ip != kAnyHostIp) commands += "ip daddr " + f.host_ip + " ";
    commands += std::string(to_string(f.protocol)) + " dport " + std::to_string(f.host_port) + " dnat to " +
                f.container_ip + ":" + std::to_string(f.container_port) + " comment " + nft_string(owner) + "\n";
  }
  run("publish the ports of " + owner, commands);
  return PublishedPorts(name_, owner, std::move(chosen));
}

std::string NatTable::list_json() {
  if (!exists()) return {};
  return run("list the table", "list table ip " + name_, true);
}

std::vector<NatRule> NatTable::rules() {
  std::vector<NatRule> out;
  std::string text = list_json();
  if (text.empty()) return out;
  for (const auto& item : json::parse(text).value("nftables", json::array())) {
    if (!item.contains("rule")) continue;
    const json& rule = item.at("rule");
    std::string chain = rule.value("chain", "");
    if (!kOwnedChains.count(chain)) continue;
    out.push_back({chain, rule.value("handle", uint64_t(0)), rule.value("comment", "")});
  }
  return out;
}

std::vector<PortForward> NatTable::forwards() {
  std::vector<PortForward> out;
  std::string text = list_json();
  if (text.empty()) return out;
  for (const auto& item : json::parse(text).value("nftables", json::array())) {
    if (!item.contains("rule") || item.at("rule").value("chain", "") != "published") continue;
    PortForward forward;
    forward.owner = item.at("rule").value("comment", "");
    if (forward_of_rule(item.at("rule"), forward)) out.push_back(forward);
  }
  return out;
}

void NatTable::delete_rules(const std::vector<NatRule>& rules) {
  if (rules.empty()) return;
  std::string commands;
  for (const auto& rule : rules)
    commands += "delete rule ip " + name_ + " " + rule.chain + " handle " + std::to_string(rule.handle) + "\n";
  run("delete " + std::to_string(rules.size()) + " rules", commands);
}

size_t NatTable::remove_rules_of(const std::string& owner) {
  std::vector<NatRule> doomed;
  for (const auto& rule : rules())
    if (rule.owner == owner) doomed.push_back(rule);
  with_context("remove the NAT rules of " + owner, [&] { delete_rules(doomed); });
  return doomed.size();
}

size_t NatTable::sweep(const std::set<std::string>& keep) {
  std::vector<NatRule> doomed;
  for (const auto& rule : rules())
    if (!keep.count(rule.owner)) doomed.push_back(rule);
  with_context("sweep the NAT rules of owners that are gone", [&] { delete_rules(doomed); });
  return doomed.size();
}

sys::UniqueFd NatTable::lock() {
  const std::string dir = "/run/lock";
  sys::mkdir_all(dir, 0755);
  sys::UniqueFd fd = sys::open(dir + "/boxlab-nft-" + name_ + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  sys::lock_exclusive(fd.get());
  return fd;
}

bool NatTable::delete_if_unused() {
  if (!exists() || !rules().empty()) return false;
  run("delete the table", "delete table ip " + name_);
  return true;
}

void NatTable::delete_table() {
  if (exists()) run("delete the table", "delete table ip " + name_);
}

std::string NatTable::listing() { return exists() ? run("list the table", "list table ip " + name_) : std::string(); }

PublishedPorts::PublishedPorts(std::string table, std::string owner, std::vector<PortForward> forwards)
    : table_(std::move(table)), owner_(std::move(owner)), forwards_(std::move(forwards)), armed_(true) {}

PublishedPorts::PublishedPorts(PublishedPorts&& other) noexcept
    : table_(std::move(other.table_)),
      owner_(std::move(other.owner_)),
      forwards_(std::move(other.forwards_)),
      armed_(std::exchange(other.armed_, false)) {}

PublishedPorts& PublishedPorts::operator=(PublishedPorts&& other) noexcept {
  if (this != &other) {
    remove_quietly();
    table_ = std::move(other.table_);
    owner_ = std::move(other.owner_);
    forwards_ = std::move(other.forwards_);
    armed_ = std::exchange(other.armed_, false);
  }
  return *this;
}

PublishedPorts::~PublishedPorts() { remove_quietly(); }

void PublishedPorts::remove() {
  if (!armed_) return;
  NatTable(table_).remove_rules_of(owner_);
  armed_ = false;
}

void PublishedPorts::remove_quietly() noexcept {
  try {
    remove();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "warning: %s\n", e.what());
  }
  armed_ = false;
}

}  // namespace boxlab::net
