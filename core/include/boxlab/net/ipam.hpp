/**
 * @file ipam.hpp
 * @brief IP address management: which address of a network's subnet each container has, kept
 * in a small JSON file so that no address is ever handed out twice, even by two runtimes at
 * once; and choosing a subnet for a new network the way Docker does.
 *
 * The state of one subnet is `<dir>/<network>-<prefix>.json` (172.18.0.0/16 is
 * `172.18.0.0-16.json`):
 * @code
 * {"subnet": "172.18.0.0/16", "gateway": "172.18.0.1",
 *  "addresses": {"172.18.0.2": "4f1c…", "172.18.0.3": "9ab0…"}}
 * @endcode
 * Every change locks `<dir>/<network>-<prefix>.lock` (flock(2)), reads the file, changes it and
 * replaces it atomically.
 */
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "boxlab/net/subnet.hpp"

namespace boxlab::net {

/// One address handed out, and to whom.
struct Allocation {
  Ipv4Address address;  ///< the address
  std::string owner;    ///< who holds it (a container id)
  /// Same address and owner.
  bool operator==(const Allocation&) const = default;
};

/**
 * @brief The address allocator of one subnet, persisted under a directory.
 *
 * Hands out the lowest free host address, as Docker's default IPAM does (so a released address
 * is the next one given). Never hands out the network address, the broadcast address or the
 * gateway (host 1, the bridge's address). One address per owner: a container has one address
 * on each network it joins. The object holds no state of its own; every call reads the file
 * under the lock, so any number of objects and processes may share one directory.
 */
class Ipam {
 public:
  /// The allocator of @p subnet kept in @p dir (created if missing). Throws if @p subnet has
  /// no address left to give once the gateway is taken (a /31 or /32).
  Ipam(std::string dir, Subnet subnet);

  /// The subnet addresses come from.
  const Subnet& subnet() const noexcept { return subnet_; }
  /// The JSON file that holds the allocations.
  std::string path() const;

  /// Give @p owner the lowest free address. Throws `subnet … exhausted` when none is left, and
  /// when @p owner already has an address here.
  Ipv4Address allocate(const std::string& owner);
  /// Give @p owner exactly @p address (`docker run --ip`). Throws if it is outside the subnet,
  /// reserved (network, gateway, broadcast) or already held.
  Ipv4Address allocate_specific(const std::string& owner, Ipv4Address address);
  /// Free @p owner's address; false if it had none here.
  bool release(const std::string& owner);
  /// @p owner's address here, if it has one.
  std::optional<Ipv4Address> address_of(const std::string& owner) const;
  /// Everything handed out, lowest address first.
  std::vector<Allocation> allocations() const;

 private:
  std::string dir_;
  Subnet subnet_;
};

/// Free @p owner's addresses in every subnet kept in @p dir (when a container is removed);
/// returns how many were freed. A missing @p dir holds none.
int release_all_of(const std::string& dir, const std::string& owner);

/**
 * @brief The subnet for a new network, chosen as Docker does: the first of Docker's default
 * pools (172.17.0.0/16 … 172.31.0.0/16, then 192.168.0.0/20 … 192.168.240.0/20) that overlaps
 * none of @p taken (other networks' subnets) and none of @p host_routes (routes_ipv4(): what
 * the host already reaches some other way). A /0 in @p host_routes (a default route) is
 * ignored: it overlaps everything and says nothing. Throws if every pool is taken.
 */
Subnet pick_free_subnet(const std::vector<Subnet>& taken, const std::vector<Subnet>& host_routes);

}  // namespace boxlab::net
