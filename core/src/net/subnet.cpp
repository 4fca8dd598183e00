// Subnets: the arithmetic behind every address a Docker network hands out.
//
// An IPv4 address is a 32-bit number; dotted quads are only how people write it. A CIDR
// subnet "N/P" keeps the top P bits fixed (the network part) and lets the other 32-P vary (the
// host part), so everything a network needs is integer arithmetic on that number:
//   mask        the top P bits set:                 /16 -> 255.255.0.0
//   contains A  A and the mask give the network:    (A & mask) == N
//   broadcast   the host bits all set:              N | ~mask
//   host n      the n-th address after N:           N + n, for 1 <= n <= 2^(32-P) - 2
// Two CIDR blocks never partly overlap: either one lies inside the other or they are disjoint
// (both are aligned runs of a power of two addresses). So overlaps() only has to ask whether
// one contains the other's network address. That is the test Docker runs before it takes a
// subnet for a new network (libnetwork's netutils.CheckRouteOverlaps / NetworkOverlaps).
//
// Text is parsed strictly: inet_pton(3) accepts exactly four decimal parts (no "10.1",
// no hex), and a subnet with host bits set is refused with the network it probably meant, as
// `docker network create --subnet 172.18.0.5/16` does.
//
// Interface: Ipv4Address::parse/to_string, Subnet (containing, parse, mask, size, host_count,
//   host, gateway, broadcast, contains, overlaps, to_string), InterfaceAddress::parse/to_string
#include "boxlab/net/subnet.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "boxlab/sys/error.hpp"

namespace boxlab::net {
namespace {

// The prefix after the '/': one or two decimal digits, at most 32.
int parse_prefix(std::string_view text, const std::string& what) {
  bool digits = !text.empty() && text.size() <= 2 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  int prefix = digits ? std::stoi(std::string(text)) : -1;
  if (prefix < 0 || prefix > 32) throw Error(what + ": the prefix length must be a number from 0 to 32");
  return prefix;
}

// Split "ADDRESS/PREFIX" at the slash.
std::pair<std::string_view, std::string_view> split_cidr(std::string_view text, const std::string& what) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) throw Error(what + ": expected ADDRESS/PREFIX, such as 172.18.0.0/16");
  return {text.substr(0, slash), text.substr(slash + 1)};
}

Ipv4Address parse_part(std::string_view text, const std::string& what) {
  try {
    return Ipv4Address::parse(text);
  } catch (Error& e) {
    throw e.add_context(what);
  }
}

uint32_t mask_of(int prefix) { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }

}  // namespace

Ipv4Address Ipv4Address::parse(std::string_view text) {
  in_addr addr{};
  std::string copy(text);  // inet_pton wants a NUL-terminated string
  if (inet_pton(AF_INET, copy.c_str(), &addr) != 1) throw Error("invalid IPv4 address \"" + copy + "\"");
  return {ntohl(addr.s_addr)};
}

std::string Ipv4Address::to_string() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 0xff) + "." +
         std::to_string((value >> 8) & 0xff) + "." + std::to_string(value & 0xff);
}

Subnet::Subnet(Ipv4Address network, int prefix) : network_(network), prefix_(prefix) {
  if (prefix < 0 || prefix > 32) throw Error("invalid subnet prefix /" + std::to_string(prefix));
  if (network.value & ~mask())
    throw Error("invalid subnet " + to_string() + ": host bits are set (the network is " +
                containing(network, prefix).to_string() + ")");
}

Subnet Subnet::containing(Ipv4Address address, int prefix) {
  if (prefix < 0 || prefix > 32) throw Error("invalid subnet prefix /" + std::to_string(prefix));
  return Subnet({address.value & mask_of(prefix)}, prefix);
}

Subnet Subnet::parse(std::string_view text) {
  std::string what = "invalid subnet \"" + std::string(text) + "\"";
  auto [address_text, prefix_text] = split_cidr(text, what);
  Ipv4Address address = parse_part(address_text, what);
  int prefix = parse_prefix(prefix_text, what);
  Subnet network = containing(address, prefix);
  if (network.network() != address)
    throw Error(what + ": host bits are set (did you mean " + network.to_string() + "?)");
  return network;
}

uint32_t Subnet::mask() const noexcept { return mask_of(prefix_); }

Ipv4Address Subnet::host(uint64_t n) const {
  if (n < 1 || n > host_count())
    throw Error("subnet " + to_string() + " has no host number " + std::to_string(n) + " (it has " +
                std::to_string(host_count()) + ")");
  return {network_.value + static_cast<uint32_t>(n)};
}

bool Subnet::contains(Ipv4Address address) const noexcept {
  return (address.value & mask()) == network_.value;
}

bool Subnet::overlaps(const Subnet& other) const noexcept {
  return contains(other.network_) || other.contains(network_);
}

std::string Subnet::to_string() const { return network_.to_string() + "/" + std::to_string(prefix_); }

InterfaceAddress InterfaceAddress::parse(std::string_view text) {
  std::string what = "invalid interface address \"" + std::string(text) + "\"";
  auto [address_text, prefix_text] = split_cidr(text, what);
  return {parse_part(address_text, what), parse_prefix(prefix_text, what)};
}

std::string InterfaceAddress::to_string() const { return address.to_string() + "/" + std::to_string(prefix); }

}  // namespace boxlab::net
