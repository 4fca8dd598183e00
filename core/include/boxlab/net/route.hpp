/**
 * @file route.hpp
 * @brief IPv4 routes of the main table: read them (`ip route`), find and add the default route.
 *
 * A route says where packets for a destination subnet go: out of a link directly (a connected
 * route, made by adding an address) or to a gateway. The default route, 0.0.0.0/0, matches
 * whatever no longer prefix matches; in a container it points at the bridge's address.
 */
#pragma once

#include <optional>
#include <vector>

#include "boxlab/net/netlink.hpp"
#include "boxlab/net/subnet.hpp"

namespace boxlab::net {

/// The destinations of the IPv4 routes in the main table, default route left out: the
/// subnets a new network must not overlap (the host already sends them somewhere).
std::vector<Subnet> routes_ipv4(NetlinkSocket& nl);

/// The gateway of the default route of the main table, if there is one with a gateway.
std::optional<Ipv4Address> default_gateway(NetlinkSocket& nl);

/// Add the default route via @p gateway: `ip route add default via GATEWAY`. The gateway must
/// be reachable on a link that is up (a connected route covers it), or the kernel refuses.
void add_default_route(NetlinkSocket& nl, Ipv4Address gateway);

}  // namespace boxlab::net
