/**
 * @file subnet.hpp
 * @brief IPv4 addresses and CIDR subnets as values: parse, print, contain, overlap, count hosts.
 *
 * A subnet "172.18.0.0/16" is a network address and a prefix length: the first 16 bits name the
 * network, the other 16 number the hosts in it. Of its 65536 addresses the first (all host bits
 * 0, the network itself) and the last (all host bits 1, the broadcast address) are not given to
 * hosts, so host 1 is 172.18.0.1 (Docker's gateway, on the bridge) and host 65534 is
 * 172.18.255.254. Addresses are held as 32-bit numbers in host byte order, so "the n-th host" is
 * plain addition and "is it in the subnet" is a mask and a compare.
 */
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace boxlab::net {

/// An IPv4 address, held as a number in host byte order (172.18.0.1 is 0xAC120001).
struct Ipv4Address {
  uint32_t value = 0;  ///< the address, most significant byte first when printed

  /// Parse dotted-quad text ("172.18.0.5"); throws boxlab::Error `invalid IPv4 address "…"`.
  static Ipv4Address parse(std::string_view text);
  /// Dotted-quad text: "172.18.0.5".
  std::string to_string() const;
  /// Addresses compare as numbers: 10.0.0.2 < 10.0.0.10.
  auto operator<=>(const Ipv4Address&) const = default;
};

/**
 * @brief A CIDR block: a network address whose host bits are all zero, and a prefix length.
 *
 * Host numbering counts from the network address: host(1) is the first usable address, which
 * Docker gives the bridge as the gateway; host(host_count()) is the last before the broadcast
 * address. Prefixes /31 and /32 have no hosts in this sense (the RFC 3021 point-to-point use of
 * /31 is not needed by a bridge network), so host() and gateway() throw for them.
 */
class Subnet {
 public:
  /// The subnet @p network/@p prefix; throws if @p prefix is not 0..32 or host bits are set.
  Subnet(Ipv4Address network, int prefix);
  /// The subnet of length @p prefix that holds @p address (its host bits cleared):
  /// containing(172.18.0.5, 16) is 172.18.0.0/16.
  static Subnet containing(Ipv4Address address, int prefix);
  /// Parse "172.18.0.0/16"; throws boxlab::Error `invalid subnet "…": <why>`, also when host
  /// bits are set ("172.18.0.5/16" names the network it meant).
  static Subnet parse(std::string_view text);

  /// The network address (all host bits zero).
  Ipv4Address network() const noexcept { return network_; }
  /// The prefix length, 0..32.
  int prefix() const noexcept { return prefix_; }
  /// The netmask as a number: /16 is 0xFFFF0000.
  uint32_t mask() const noexcept;
  /// How many addresses the block spans, network and broadcast included (2^(32-prefix)).
  uint64_t size() const noexcept { return uint64_t{1} << (32 - prefix_); }
  /// How many of them can be given to hosts: size() - 2, or 0 for /31 and /32.
  uint64_t host_count() const noexcept { return prefix_ >= 31 ? 0 : size() - 2; }
  /// The @p n-th host address, counting from 1; throws unless 1 <= @p n <= host_count().
  Ipv4Address host(uint64_t n) const;
  /// The gateway Docker would choose: the first host, 172.18.0.1 for 172.18.0.0/16.
  Ipv4Address gateway() const { return host(1); }
  /// The broadcast address: all host bits one, 172.18.255.255 for 172.18.0.0/16.
  Ipv4Address broadcast() const noexcept { return {network_.value | ~mask()}; }

  /// True if @p address lies in this block (network and broadcast addresses included).
  bool contains(Ipv4Address address) const noexcept;
  /// True if the two blocks share an address. CIDR blocks either nest or are disjoint, so they
  /// overlap exactly when one contains the other's network address.
  bool overlaps(const Subnet& other) const noexcept;
  /// "172.18.0.0/16".
  std::string to_string() const;
  /// Same network and prefix.
  bool operator==(const Subnet&) const = default;

 private:
  Ipv4Address network_;
  int prefix_;
};

/// An address as an interface holds it: the address and its subnet's prefix ("172.18.0.2/16").
struct InterfaceAddress {
  Ipv4Address address;  ///< the interface's own address
  int prefix = 32;      ///< the prefix of the subnet it is on

  /// Parse "172.18.0.2/16" (host bits are expected here); throws `invalid interface address "…"`.
  static InterfaceAddress parse(std::string_view text);
  /// The subnet the address is on: 172.18.0.0/16 for 172.18.0.2/16.
  Subnet subnet() const { return Subnet::containing(address, prefix); }
  /// "172.18.0.2/16".
  std::string to_string() const;
  /// Same address and prefix.
  bool operator==(const InterfaceAddress&) const = default;
};

}  // namespace boxlab::net
