// Bridges: a switch made of software, with one port per container.
//
// A bridge network in Docker is three things: a bridge link (docker0), the gateway address on
// it (172.17.0.1/16), and for each container a veth pair whose host end is a port of the bridge
// and whose other end is the container's eth0. A frame the container sends leaves by eth0,
// comes out of the host end, and the bridge forwards it: to another port (another container on
// the same network) or, when it is addressed to the bridge's own MAC, up to the host's IP stack
// (the container talking to its gateway, and through it, with NAT, to the world).
//
// A port is attached by setting its "master" (IFLA_MASTER) to the bridge's ifindex
// (rtnetlink(7)); the kernel then lists the bridge as the master of the port, which is also how
// bridge_ports() finds them. With STP off (a new bridge's default) a port forwards as soon as
// it is up, with no listening/learning delay.
//
// Interface: ensure_bridge, attach_to_bridge, bridge_ports
#include "boxlab/net/bridge.hpp"

#include <netlink/route/link/bridge.h>

#include <algorithm>

#include "boxlab/net/link.hpp"
#include "libnl.hpp"

namespace boxlab::net {
namespace {

// `ip link add NAME type bridge`. Like rtnl_link_bridge_add() but with NLM_F_EXCL: without it,
// RTM_NEWLINK for a name that exists changes that link instead of failing. EEXIST is fine here:
// another runtime made it first, and ensure_bridge() checks what it is.
void create_bridge(NetlinkSocket& nl, const std::string& name) {
  libnl::Link bridge(rtnl_link_bridge_alloc());
  if (!bridge) throw Error(ENOMEM, "netlink: allocate a bridge object");
  rtnl_link_set_name(bridge.get(), name.c_str());
  int result = rtnl_link_add(nl.get(), bridge.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (result != -NLE_EXIST) check_netlink(result, "netlink: create bridge " + name);
}

}  // namespace

int ensure_bridge(NetlinkSocket& nl, const std::string& name) {
  if (!link_exists(nl, name)) create_bridge(nl, name);
  std::string kind = link_kind(nl, name);
  if (kind != "bridge") {
    std::string is = kind.empty() ? "not a bridge" : "a " + kind + ", not a bridge";
    throw Error::reported(EEXIST, "link " + name + " exists and is " + is, kExitRuntimeError);
  }
  return ifindex(nl, name);
}

void attach_to_bridge(NetlinkSocket& nl, const std::string& link, const std::string& bridge) {
  with_context("attach " + link + " to bridge " + bridge, [&] {
    set_master(nl, link, ifindex(nl, bridge));
    set_up(nl, link);
  });
}

std::vector<std::string> bridge_ports(NetlinkSocket& nl, const std::string& bridge) {
  int master = ifindex(nl, bridge);
  libnl::Cache cache = libnl::fill_cache(
      [&](nl_cache** out) { return rtnl_link_alloc_cache(nl.get(), AF_UNSPEC, out); }, "netlink: list links");
  std::vector<std::string> ports;
  libnl::for_each<rtnl_link>(cache.get(), [&](rtnl_link* link) {
    if (rtnl_link_get_master(link) == master) ports.emplace_back(rtnl_link_get_name(link));
  });
  std::sort(ports.begin(), ports.end());
  return ports;
}

}  // namespace boxlab::net
