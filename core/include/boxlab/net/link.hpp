/**
 * @file link.hpp
 * @brief Network links (interfaces) by name: look up, bring up, rename, move to another network
 * namespace, delete, list. What `ip link` does, through route netlink.
 *
 * Every function acts in the network namespace of the socket it is given (netlink.hpp): pass
 * a NetlinkSocket opened in a container's namespace to act on the container's links.
 */
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "boxlab/net/netlink.hpp"

namespace boxlab::net {

/// The longest link name the kernel takes: IFNAMSIZ (16) less the terminating NUL.
inline constexpr size_t kMaxLinkName = 15;

/// Throw boxlab::Error `invalid link name "…"` unless @p name is 1..15 characters with no '/',
/// ':' or white space and is not "." or ".." (the kernel's dev_valid_name()).
void check_link_name(std::string_view name);

/// True if a link named @p name exists.
bool link_exists(NetlinkSocket& nl, const std::string& name);

/// The interface index of link @p name; throws `no link named "…"` (ENODEV) if there is none.
int ifindex(NetlinkSocket& nl, const std::string& name);

/// The kind of link @p name, as `ip -d link` shows it: "bridge", "veth", or "" for a link with
/// no kind (a physical device, lo).
std::string link_kind(NetlinkSocket& nl, const std::string& name);

/// True if link @p name is administratively up (IFF_UP).
bool is_up(NetlinkSocket& nl, const std::string& name);

/// Bring link @p name up: `ip link set NAME up`.
void set_up(NetlinkSocket& nl, const std::string& name);

/// Make the link with index @p master (a bridge) the master of link @p name:
/// `ip link set NAME master BRIDGE`.
void set_master(NetlinkSocket& nl, const std::string& name, int master);

/// Rename link @p from to @p to: `ip link set FROM name TO`. The link must be down.
void rename_link(NetlinkSocket& nl, const std::string& from, const std::string& to);

/// Move link @p name into the network namespace @p netns_fd refers to:
/// `ip link set NAME netns ...`. It keeps its name there and disappears from here.
void move_to_netns(NetlinkSocket& nl, const std::string& name, int netns_fd);

/// Delete link @p name: `ip link del NAME`. Returns false if there was no such link.
bool delete_link(NetlinkSocket& nl, const std::string& name);

/// Delete the link with interface index @p index; false if there was none.
bool delete_link(NetlinkSocket& nl, int index);

/// The names of all links, sorted.
std::vector<std::string> link_names(NetlinkSocket& nl);

}  // namespace boxlab::net
