/**
 * @file veth.hpp
 * @brief veth pairs, the cable between a container and its bridge: create one, guard it, and
 * set up the container's end (eth0, its address, lo, the default route).
 *
 * A veth pair is two links joined back to back: a frame sent into one comes out of the other
 * (veth(4)). One end stays on the host, plugged into the bridge; the other is moved into the
 * container's network namespace and renamed eth0. Deleting either end deletes both.
 */
#pragma once

#include <string>
#include <string_view>

#include "boxlab/net/netlink.hpp"
#include "boxlab/net/subnet.hpp"

namespace boxlab::net {

/// The names of a container's veth pair on the host.
struct VethNames {
  std::string host;  ///< the end that stays on the host: "bxl" + the id's first 11 characters
  std::string peer;  ///< the container's end while it is still on the host: host + "p"
};

/// The veth names for container @p id (a hex id; ids sharing their first 11 characters would
/// collide, which a sha256 id makes vanishingly rare). Both fit in 15 characters.
VethNames veth_names(std::string_view id);

/**
 * @brief A veth pair created on the host, deleted again unless released.
 *
 * The guard deletes the host end by its interface index (not its name, which another program
 * could take once ours is gone); the kernel deletes the peer with it, wherever the peer is by
 * then. It keeps its own netlink socket, opened in the namespace it was created in, so it
 * deletes in the right namespace whatever the caller's socket is by then.
 */
class VethPair {
 public:
  /// `ip link add HOST type veth peer name PEER`; both ends start down.
  static VethPair create(const std::string& host, const std::string& peer);
  /// Take over @p other's pair; @p other then guards nothing.
  VethPair(VethPair&& other) noexcept;
  VethPair& operator=(VethPair&&) = delete;
  /// Delete the pair unless released; failures are reported on stderr, never thrown.
  ~VethPair();

  /// The host end's name.
  const std::string& host() const noexcept { return host_; }
  /// The peer's name as created (it keeps it when moved, until renamed).
  const std::string& peer() const noexcept { return peer_; }
  /// The host end's interface index.
  int host_index() const noexcept { return host_index_; }
  /// Keep the pair: the container is running and its state records the host end.
  void release() noexcept { host_index_ = 0; }

 private:
  VethPair(NetlinkSocket nl, std::string host, std::string peer, int host_index)
      : nl_(std::move(nl)), host_(std::move(host)), peer_(std::move(peer)), host_index_(host_index) {}
  NetlinkSocket nl_;
  std::string host_;
  std::string peer_;
  int host_index_ = 0;  // 0: nothing to delete
};

/**
 * @brief Set up a container's end of a veth pair, through @p container_nl, a socket opened in
 * the container's network namespace after the peer was moved there: rename @p peer to eth0,
 * give it @p address, bring lo and eth0 up, add the default route via @p gateway.
 */
void configure_container_end(NetlinkSocket& container_nl, const std::string& peer, const InterfaceAddress& address,
                             Ipv4Address gateway);

}  // namespace boxlab::net
