// veth pairs: how a packet gets out of a network namespace.
//
// A new network namespace has only lo: no link leads out of it. A veth pair is a link with two
// ends (veth(4)); created on the host, one end is then moved into the container's namespace
// (RTM_NEWLINK with IFLA_NET_NS_FD, `ip link set PEER netns ...`) and the pair becomes a cable
// between the two namespaces. The host end is plugged into the bridge; the container's end is
// renamed eth0 and given the container's address. Docker's bridge driver does the same steps in
// the same order (libnetwork's drivers/bridge and osl/namespace_linux.go).
//
// The order inside the container matters:
//   1. rename the peer to eth0 while it is still down (an up link cannot be renamed, EBUSY);
//   2. add the address 172.18.0.2/16, which also adds the connected route 172.18.0.0/16 dev eth0;
//   3. bring lo and eth0 up (a fresh namespace's lo is down: even 127.0.0.1 is unreachable);
//   4. add "default via 172.18.0.1": the kernel accepts a gateway only when a route to it
//      already exists on a link that is up, which steps 2 and 3 provide.
//
// The pair is created on the host with a temporary peer name, so for a moment both ends are
// host links. If anything fails before the container runs, VethPair's destructor deletes the
// host end and the kernel deletes the peer with it, even from inside the container's namespace.
//
// Interface: veth_names, VethPair (create, host, peer, host_index, release),
//   configure_container_end
#include "boxlab/net/veth.hpp"

#include <netlink/route/link/veth.h>

#include <cstdio>
#include <utility>

#include "boxlab/net/address.hpp"
#include "boxlab/net/link.hpp"
#include "boxlab/net/route.hpp"
#include "libnl.hpp"

namespace boxlab::net {

VethNames veth_names(std::string_view id) {
  std::string host = "bxl" + std::string(id.substr(0, 11));
  return {host, host + "p"};
}

VethPair VethPair::create(const std::string& host, const std::string& peer) {
  check_link_name(host);
  check_link_name(peer);
  std::string what = "netlink: create veth pair " + host + " and " + peer;
  libnl::Link link(rtnl_link_veth_alloc());
  if (!link) throw Error(ENOMEM, what);
  libnl::Link other(rtnl_link_veth_get_peer(link.get()));  // a reference: put it too
  rtnl_link_set_name(link.get(), host.c_str());
  rtnl_link_set_name(other.get(), peer.c_str());
  NetlinkSocket nl;
  check_netlink(rtnl_link_add(nl.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL), what);
  int index = 0;
  try {
    index = ifindex(nl, host);
  } catch (...) {
    try { delete_link(nl, host); } catch (...) {}  // the first failure is the one to report
    throw;
  }
  return VethPair(std::move(nl), host, peer, index);
}

VethPair::VethPair(VethPair&& other) noexcept
    : nl_(std::move(other.nl_)), host_(std::move(other.host_)), peer_(std::move(other.peer_)),
      host_index_(std::exchange(other.host_index_, 0)) {}

VethPair::~VethPair() {
  if (host_index_ == 0) return;
  try {
    delete_link(nl_, host_index_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "warning: delete veth pair %s: %s\n", host_.c_str(), e.what());
  }
}

void configure_container_end(NetlinkSocket& container_nl, const std::string& peer, const InterfaceAddress& address,
                             Ipv4Address gateway) {
  with_context("set up the container's eth0", [&] {
    rename_link(container_nl, peer, "eth0");
    add_address(container_nl, "eth0", address);
    set_up(container_nl, "lo");
    set_up(container_nl, "eth0");
    add_default_route(container_nl, gateway);
  });
}

}  // namespace boxlab::net
