// Routes: the kernel's answer to "where does a packet for this address go?".
//
// The kernel keeps routes in tables; the one `ip route` shows is "main" (RT_TABLE_MAIN, 254).
// Each entry is a destination subnet and a next hop: a link (for a subnet the host is directly
// on, the connected routes that adding an address creates) or a gateway reached through one.
// A lookup picks the longest prefix that matches, so 0.0.0.0/0, the default route, is taken
// only when nothing more specific is.
//
// Docker reads the host's routes before it takes a subnet for a new network: a subnet that
// overlaps a route is already in use on this host (a VPN, the LAN, another bridge), and
// addresses from it would be ambiguous. The default route is left out of that check, since it
// overlaps everything (libnetwork's netutils.CheckRouteOverlaps skips it too).
//
// Inside a container the routes are two: the connected route of eth0's subnet and a default
// route via the gateway, the bridge's address on the host. RTM_NEWROUTE for the default route
// carries the destination 0.0.0.0/0, the gateway as a next hop (RTA_GATEWAY), scope universe,
// type unicast (rtnetlink(7)).
//
// Interface: routes_ipv4, default_gateway, add_default_route
#include "boxlab/net/route.hpp"

#include <linux/rtnetlink.h>

#include "libnl.hpp"

namespace boxlab::net {
namespace {

libnl::Cache main_table(NetlinkSocket& nl) {
  return libnl::fill_cache([&](nl_cache** out) { return rtnl_route_alloc_cache(nl.get(), AF_INET, 0, out); },
                           "netlink: list IPv4 routes");
}

// Call @p visit(route, prefix) for each IPv4 route of the main table.
template <typename Fn>
void for_each_main_route(nl_cache* cache, Fn&& visit) {
  libnl::for_each<rtnl_route>(cache, [&](rtnl_route* route) {
    if (rtnl_route_get_table(route) != RT_TABLE_MAIN || rtnl_route_get_family(route) != AF_INET) return;
    visit(route, static_cast<int>(nl_addr_get_prefixlen(rtnl_route_get_dst(route))));
  });
}

}  // namespace

std::vector<Subnet> routes_ipv4(NetlinkSocket& nl) {
  libnl::Cache cache = main_table(nl);
  std::vector<Subnet> out;
  for_each_main_route(cache.get(), [&](rtnl_route* route, int prefix) {
    if (prefix > 0) out.push_back(Subnet::containing(libnl::from_nl_addr(rtnl_route_get_dst(route)), prefix));
  });
  return out;
}

std::optional<Ipv4Address> default_gateway(NetlinkSocket& nl) {
  libnl::Cache cache = main_table(nl);
  std::optional<Ipv4Address> gateway;
  for_each_main_route(cache.get(), [&](rtnl_route* route, int prefix) {
    rtnl_nexthop* hop = rtnl_route_get_nnexthops(route) > 0 ? rtnl_route_nexthop_n(route, 0) : nullptr;
    if (prefix == 0 && hop && rtnl_route_nh_get_gateway(hop) && !gateway)
      gateway = libnl::from_nl_addr(rtnl_route_nh_get_gateway(hop));
  });
  return gateway;
}

void add_default_route(NetlinkSocket& nl, Ipv4Address gateway) {
  std::string what = "netlink: add default route via " + gateway.to_string();
  libnl::Route route(rtnl_route_alloc());
  if (!route) throw Error(ENOMEM, what);
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (!hop) throw Error(ENOMEM, what);
  rtnl_route_nh_set_gateway(hop, libnl::to_nl_addr(gateway, 32).get());
  rtnl_route_add_nexthop(route.get(), hop);  // the route owns the next hop from here
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  rtnl_route_set_protocol(route.get(), RTPROT_BOOT);  // what `ip route add` uses
  check_netlink(rtnl_route_set_dst(route.get(), libnl::to_nl_addr({0}, 0).get()), what);
  check_netlink(rtnl_route_add(nl.get(), route.get(), NLM_F_EXCL), what);
}

}  // namespace boxlab::net
