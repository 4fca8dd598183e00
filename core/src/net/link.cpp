// Links: the kernel's network interfaces, and the messages that change them.
//
// A link (net_device) is anything packets can leave by: a physical NIC, lo, a bridge, one end
// of a veth pair. Each has a name (at most 15 bytes, unique in its network namespace) and an
// interface index (a number that is what the kernel really goes by: addresses, routes and
// bridge ports refer to links by index). rtnetlink(7) has three messages for them:
//   RTM_GETLINK  read one (by name or index) or dump all
//   RTM_NEWLINK  create one (with NLM_F_CREATE) or change one (flags, name, master, netns)
//   RTM_DELLINK  delete one
// libnl's pattern for a change (rtnl_link_change(3)) is to fetch the link as it is, fill an
// empty link object with only what should change, and send the difference, so nothing else is
// touched by accident.
//
// A link may only be renamed while it is down (the kernel answers EBUSY otherwise), which is
// why a container's peer is renamed to eth0 before it is brought up.
//
// Interface: check_link_name, link_exists, ifindex, link_kind, is_up, set_up, set_master,
//   rename_link, move_to_netns, delete_link (by name or index), link_names
#include "boxlab/net/link.hpp"

#include <net/if.h>

#include <algorithm>
#include <cerrno>

#include "libnl.hpp"

namespace boxlab::net {
namespace {

// The link called @p name as the kernel has it now; empty if there is none.
libnl::Link find(NetlinkSocket& nl, const std::string& name) {
  check_link_name(name);
  rtnl_link* raw = nullptr;
  int result = rtnl_link_get_kernel(nl.get(), 0, name.c_str(), &raw);
  if (result == -NLE_OBJ_NOTFOUND || result == -NLE_NODEV) return {};
  check_netlink(result, "netlink: get link " + name);
  return libnl::Link(raw);
}

libnl::Link get(NetlinkSocket& nl, const std::string& name) {
  libnl::Link link = find(nl, name);
  if (!link) throw Error::reported(ENODEV, "no link named \"" + name + "\"", kExitRuntimeError);
  return link;
}

// Send the changes in @p changes to link @p name; @p what says what for the error message.
void change(NetlinkSocket& nl, const std::string& name, rtnl_link* changes, const std::string& what) {
  libnl::Link link = get(nl, name);
  check_netlink(rtnl_link_change(nl.get(), link.get(), changes, 0), "netlink: " + what);
}

}  // namespace

void check_link_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxLinkName && name != "." && name != ".." &&
            name.find_first_of("/: \t\n") == std::string_view::npos;
  if (!ok)
    throw Error::reported(EINVAL, "invalid link name \"" + std::string(name) +
                                      "\": 1 to 15 characters, no '/', ':' or spaces", kExitRuntimeError);
}

bool link_exists(NetlinkSocket& nl, const std::string& name) { return find(nl, name) != nullptr; }

int ifindex(NetlinkSocket& nl, const std::string& name) { return rtnl_link_get_ifindex(get(nl, name).get()); }

std::string link_kind(NetlinkSocket& nl, const std::string& name) {
  libnl::Link link = get(nl, name);  // the kind's text lives inside the link object
  const char* kind = rtnl_link_get_type(link.get());
  return kind ? kind : "";
}

bool is_up(NetlinkSocket& nl, const std::string& name) { return rtnl_link_get_flags(get(nl, name).get()) & IFF_UP; }

void set_up(NetlinkSocket& nl, const std::string& name) {
  libnl::Link changes = libnl::alloc_link();
  rtnl_link_set_flags(changes.get(), IFF_UP);
  change(nl, name, changes.get(), "set link " + name + " up");
}

void set_master(NetlinkSocket& nl, const std::string& name, int master) {
  libnl::Link changes = libnl::alloc_link();
  rtnl_link_set_master(changes.get(), master);  // IFLA_MASTER
  change(nl, name, changes.get(), "set the master of link " + name + " to index " + std::to_string(master));
}

void rename_link(NetlinkSocket& nl, const std::string& from, const std::string& to) {
  check_link_name(to);
  libnl::Link changes = libnl::alloc_link();
  rtnl_link_set_name(changes.get(), to.c_str());
  change(nl, from, changes.get(), "rename link " + from + " to " + to);
}

void move_to_netns(NetlinkSocket& nl, const std::string& name, int netns_fd) {
  libnl::Link changes = libnl::alloc_link();
  rtnl_link_set_ns_fd(changes.get(), netns_fd);  // IFLA_NET_NS_FD
  change(nl, name, changes.get(), "move link " + name + " to network namespace fd " + std::to_string(netns_fd));
}

bool delete_link(NetlinkSocket& nl, const std::string& name) {
  libnl::Link link = find(nl, name);
  if (!link) return false;
  return delete_link(nl, rtnl_link_get_ifindex(link.get()));
}

bool delete_link(NetlinkSocket& nl, int index) {
  libnl::Link link = libnl::alloc_link();
  rtnl_link_set_ifindex(link.get(), index);
  int result = rtnl_link_delete(nl.get(), link.get());
  if (result == -NLE_OBJ_NOTFOUND || result == -NLE_NODEV) return false;
  check_netlink(result, "netlink: delete link with index " + std::to_string(index));
  return true;
}

std::vector<std::string> link_names(NetlinkSocket& nl) {
  libnl::Cache cache = libnl::fill_cache(
      [&](nl_cache** out) { return rtnl_link_alloc_cache(nl.get(), AF_UNSPEC, out); }, "netlink: list links");
  std::vector<std::string> names;
  libnl::for_each<rtnl_link>(cache.get(), [&](rtnl_link* link) { names.emplace_back(rtnl_link_get_name(link)); });
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace boxlab::net
