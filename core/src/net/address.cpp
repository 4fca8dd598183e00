// Addresses: what a link answers to, and the route that comes with it.
//
// An address belongs to a link, not to the host as a whole, and is sent to the kernel as
// RTM_NEWADDR with the link's index, the address (IFA_LOCAL) and its prefix length
// (rtnetlink(7)). The prefix is what makes 172.18.0.1/16 more than an address: from it the
// kernel derives the connected route 172.18.0.0/16 dev LINK, so packets to any other address of
// the subnet leave by that link. The broadcast address (IFA_BROADCAST) is not derived by the
// kernel; `ip addr add ... brd +` computes it in user space, and so do we.
//
// Interface: add_address, addresses_ipv4
#include "boxlab/net/address.hpp"

#include "boxlab/net/link.hpp"
#include "libnl.hpp"

namespace boxlab::net {

void add_address(NetlinkSocket& nl, const std::string& link, const InterfaceAddress& address) {
  std::string what = "netlink: add address " + address.to_string() + " to link " + link;
  libnl::Addr addr(rtnl_addr_alloc());
  if (!addr) throw Error(ENOMEM, what);
  rtnl_addr_set_ifindex(addr.get(), ifindex(nl, link));
  rtnl_addr_set_family(addr.get(), AF_INET);
  check_netlink(rtnl_addr_set_local(addr.get(), libnl::to_nl_addr(address.address, address.prefix).get()), what);
  rtnl_addr_set_prefixlen(addr.get(), address.prefix);
  if (address.prefix <= 30) {
    Ipv4Address broadcast = address.subnet().broadcast();
    check_netlink(rtnl_addr_set_broadcast(addr.get(), libnl::to_nl_addr(broadcast, 32).get()), what);
  }
  check_netlink(rtnl_addr_add(nl.get(), addr.get(), 0), what);
}

std::vector<InterfaceAddress> addresses_ipv4(NetlinkSocket& nl, const std::string& link) {
  int index = ifindex(nl, link);
  libnl::Cache cache = libnl::fill_cache([&](nl_cache** out) { return rtnl_addr_alloc_cache(nl.get(), out); },
                                         "netlink: list addresses");
  std::vector<InterfaceAddress> out;
  libnl::for_each<rtnl_addr>(cache.get(), [&](rtnl_addr* addr) {
    if (rtnl_addr_get_family(addr) != AF_INET || rtnl_addr_get_ifindex(addr) != index) return;
    out.push_back({libnl::from_nl_addr(rtnl_addr_get_local(addr)), rtnl_addr_get_prefixlen(addr)});
  });
  return out;
}

}  // namespace boxlab::net
