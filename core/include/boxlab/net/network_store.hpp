/**
 * @file network_store.hpp
 * @brief Docker's networks: a name, a bridge and a subnet, recorded under the state root.
 */
#pragma once

#include <map>
#include <string>
#include <vector>

#include "boxlab/net/subnet.hpp"

namespace boxlab::net {

/// The default network's name and bridge (Docker: "bridge" and docker0).
inline constexpr const char* kDefaultNetwork = "bridge";
/// The bridge of the default network.
inline constexpr const char* kDefaultBridge = "boxlab0";

/// One bridge network (`docker network create NAME`), or the default one.
struct Network {
  std::string id;                             ///< 64 hex digits
  std::string name;                           ///< unique; "bridge" is the default network
  std::string bridge;                         ///< the host's bridge link: boxlab0, or boxlab-<8 hex>
  Subnet subnet{Ipv4Address{0}, 32};          ///< the containers' addresses
  std::string created;                        ///< RFC 3339
  std::map<std::string, std::string> labels;  ///< --label

  /// Docker resolves container names only on user-defined networks, not on the default one.
  bool resolves_names() const { return name != kDefaultNetwork; }
};

/// The networks of a state root, one JSON file each under @p dir, plus their IPAM files.
class NetworkStore {
 public:
  /// Networks live in @p dir (created when missing). The default network's bridge is
  /// @p default_bridge: boxlab0 for the machine's state root; another state root (a test's)
  /// passes its own name, so that two roots never share one bridge with two IPAMs.
  explicit NetworkStore(std::string dir, std::string default_bridge = kDefaultBridge);

  /**
   * @brief Create network @p name with @p subnet ("" : the first free one of Docker's pools
   *        that overlaps neither another network nor one of @p host_routes).
   *
   * Throws "network with name NAME already exists" and, for a subnet that overlaps another
   * network's, "Pool overlaps with other one on this address space", as Docker does.
   */
  Network create(const std::string& name, const std::string& subnet, const std::vector<Subnet>& host_routes,
                 const std::map<std::string, std::string>& labels = {}) const;
  /// The default network "bridge", created on first use.
  Network ensure_default(const std::vector<Subnet>& host_routes) const;
  /// Find by name, id or unique id prefix; throws "network NAME not found" (Docker's words).
  Network find(const std::string& ref) const;
  /// Every network, by name.
  std::vector<Network> list() const;
  /// Forget network @p id (its bridge and rules are the caller's to remove).
  void remove(const std::string& id) const;
  /// Where the IPAM files of the networks live.
  std::string ipam_dir() const { return dir_ + "/ipam"; }

 private:
  std::string dir_;
  std::string default_bridge_;
};

/// Network @p n as `docker network inspect` shows it (without its containers).
std::string to_json(const Network& n);

}  // namespace boxlab::net
