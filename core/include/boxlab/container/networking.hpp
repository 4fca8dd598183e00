/**
 * @file networking.hpp
 * @brief A container's network: --network none|host|bridge|NAME, -p/-P, --network-alias, and
 *        the /etc/hosts, /etc/hostname and /etc/resolv.conf it sees.
 */
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "boxlab/container/spec.hpp"
#include "boxlab/net/nat.hpp"
#include "boxlab/net/network_store.hpp"

namespace boxlab::container {

/// How a container asks to be connected (docker run's flags).
struct NetworkRequest {
  /// "" : no networking at all (lab 07: a network namespace with only lo, nothing written);
  /// "none", "host", "bridge" (the default network) or a user network's name.
  std::string mode;
  std::vector<std::string> aliases;  ///< --network-alias: more names on a user network
  std::vector<std::string> publish;  ///< -p specs as given ("8080:80")
  bool publish_all = false;          ///< -P: every exposed port on a free host port
  std::vector<std::string> exposed;  ///< the image's ExposedPorts keys ("80/tcp"), for -P
};

/// What a started container got on its network; recorded in its state.
struct Endpoint {
  std::string network;                 ///< the network's name
  std::string ip_address;              ///< its address ("172.18.0.2")
  int prefix = 0;                      ///< the subnet's prefix length
  std::string gateway;                 ///< the bridge's address
  std::vector<std::string> ports;      ///< published, as docker ps shows them ("0.0.0.0:8080->80/tcp")
};

/// Where the networking state of a state root lives.
struct NetworkPaths {
  std::string networks;    ///< the NetworkStore's directory
  std::string containers;  ///< the ContainerStore's directory (for the peers' hosts files)
  std::string default_bridge = net::kDefaultBridge;  ///< see NetworkStore
};

/**
 * @brief At create: check @p request (the network exists, -p specs parse) and set @p spec up
 *        for it: no network namespace for host; /etc/hosts, /etc/hostname and
 *        /etc/resolv.conf bind-mounted from files written into @p container_dir. Throws on bad
 *        input before anything is written.
 */
void plan_network(Spec& spec, const NetworkRequest& request, const NetworkPaths& paths, const std::string& container_dir);

/// At each start, before the container runs: write the files plan_network bind-mounts, in
/// @p container_dir (the host's own for --network host).
void write_network_files(const NetworkRequest& request, const std::string& container_dir, const std::string& hostname);

/**
 * @brief A started container's connection, owned while it runs: its address (IPAM), the veth
 *        whose other end is its eth0, its published ports (nft rules), and its line in the
 *        hosts files of the other containers of a user network. The destructor undoes all.
 */
class ContainerNetwork {
 public:
  /**
   * @brief Connect container @p id (named @p name, first process @p pid, not yet exec'd) as
   *        @p request says; write its hosts file in @p container_dir.
   */
  static std::unique_ptr<ContainerNetwork> connect(const NetworkRequest& request, const NetworkPaths& paths,
                                                   const std::string& id, const std::string& name,
                                                   const std::string& container_dir, pid_t pid);
  ~ContainerNetwork();
  ContainerNetwork(const ContainerNetwork&) = delete;
  ContainerNetwork& operator=(const ContainerNetwork&) = delete;

  /// What it got.
  const Endpoint& endpoint() const noexcept { return endpoint_; }

 private:
  ContainerNetwork() = default;
  void disconnect() noexcept;
  void release_endpoint() noexcept;
  void remove_private_default_network() noexcept;

  Endpoint endpoint_;
  NetworkPaths paths_;
  std::string id_;
  std::string hosts_line_;
  net::Subnet subnet_{net::Ipv4Address{0}, 32};
  std::string host_veth_;
  net::Network network_;
  net::PublishedPorts ports_;
  bool resolves_names_ = false;
};

/// `network create NAME [--subnet S]`: a new bridge network (its bridge appears at first use).
net::Network create_network(const NetworkPaths& paths, const std::string& name, const std::string& subnet,
                            const std::map<std::string, std::string>& labels = {});

/// `network rm REF`: refuses while a container is attached (Docker: "has active endpoints");
/// removes the network's NAT rules, its bridge, its addresses and its record.
void remove_network(const NetworkPaths& paths, const std::string& ref);

/// `network prune`: remove every user network no container uses; returns their names.
std::vector<std::string> prune_networks(const NetworkPaths& paths);

/// The names of the containers attached to network @p name (running, or created to use it).
std::vector<std::string> containers_on(const NetworkPaths& paths, const std::string& name);

/// Remove what containers of this state root left when their monitor was killed: a container
/// that is not running but still has an address recorded loses its address, its nft rules, its
/// host-side veth and its line in its peers' /etc/hosts. Other state roots' containers are
/// never touched.
void sweep_networks(const NetworkPaths& paths);

}  // namespace boxlab::container
