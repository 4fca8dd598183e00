/**
 * @file bridge.hpp
 * @brief Linux bridges: the virtual switch a Docker network is (`docker0`, `boxlab0`).
 *
 * A bridge is a link that forwards Ethernet frames between the links attached to it (its
 * ports), learning which MAC address lives behind which port, like a hardware switch. Docker
 * gives each bridge network one bridge, with the network's gateway address on it, and plugs the
 * host end of every container's veth pair into it.
 */
#pragma once

#include <string>
#include <vector>

#include "boxlab/net/netlink.hpp"

namespace boxlab::net {

/// Create bridge @p name unless it exists (`ip link add NAME type bridge`); return its ifindex.
/// Idempotent; throws if a link of that name exists and is not a bridge.
int ensure_bridge(NetlinkSocket& nl, const std::string& name);

/// Attach link @p link to bridge @p bridge as a port (`ip link set LINK master BRIDGE`), then
/// bring it up.
void attach_to_bridge(NetlinkSocket& nl, const std::string& link, const std::string& bridge);

/// The names of the links attached to bridge @p bridge, sorted: what a sweep looks through for
/// the host ends of veth pairs a dead runtime left behind.
std::vector<std::string> bridge_ports(NetlinkSocket& nl, const std::string& bridge);

}  // namespace boxlab::net
