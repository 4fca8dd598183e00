/**
 * @file address.hpp
 * @brief IPv4 addresses on links: `ip addr add` and `ip -4 addr show dev`.
 *
 * Giving a link the address 172.18.0.1/16 does two things in the kernel: the host now answers
 * to 172.18.0.1, and a "connected" route 172.18.0.0/16 via that link appears in the main table,
 * which is how the host knows where the rest of the subnet lives.
 */
#pragma once

#include <string>
#include <vector>

#include "boxlab/net/netlink.hpp"
#include "boxlab/net/subnet.hpp"

namespace boxlab::net {

/// Add @p address to link @p link, with the subnet's broadcast address:
/// `ip addr add ADDRESS/PREFIX brd + dev LINK`.
void add_address(NetlinkSocket& nl, const std::string& link, const InterfaceAddress& address);

/// The IPv4 addresses on link @p link, in the kernel's order.
std::vector<InterfaceAddress> addresses_ipv4(NetlinkSocket& nl, const std::string& link);

}  // namespace boxlab::net
