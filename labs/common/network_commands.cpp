// lab08's network commands: wiring CLI11 to core/container/networking and core/net, printing
// what docker prints.
#include "network_commands.hpp"

#include <cstdio>

#include "boxlab/container/container_store.hpp"
#include "boxlab/container/lifecycle.hpp"
#include "boxlab/container/networking.hpp"
#include "boxlab/net/netlink.hpp"
#include "boxlab/net/network_store.hpp"
#include "boxlab/net/route.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/text.hpp"
#include "cli.hpp"

namespace labcli {
namespace {

namespace container = boxlab::container;
namespace net = boxlab::net;

// docker network ls: the bridge networks, then the two that are not bridges.
std::string format_networks(const std::vector<net::Network>& networks, bool quiet) {
  std::vector<std::vector<std::string>> rows{{"NETWORK ID", "NAME", "DRIVER", "SCOPE"}};
  std::string ids;
  for (const auto& n : networks) {
    rows.push_back({n.id.substr(0, 12), n.name, "bridge", "local"});
    ids += n.id.substr(0, 12) + "\n";
  }
  if (quiet) return ids;
  rows.push_back({"host", "host", "host", "local"});
  rows.push_back({"none", "none", "null", "local"});
  return boxlab::sys::format_table(rows);
}

// connect/disconnect: a stopped container changes the network it will be started on; a
// running one would need its veth hot-plugged, which boxlab does not do.
void set_network(const container::StateRoot& root, const std::string& ref, const std::string& mode,
                 const std::vector<std::string>& aliases) {
  auto cs = container::Containers::of(root);
  container::Container c = cs.store.find(ref);
  if (container::is_running(c))
    throw boxlab::Error("container " + c.config.name + " is running: stop it to change its network (boxlab does not hot-plug)", 1);
  bool was_host = c.config.network.mode == "host", to_host = mode == "host";
  if (c.config.network.mode.empty() || was_host || to_host)
    throw boxlab::Error("container " + c.config.name + ": cannot change its network from " +
                        (c.config.network.mode.empty() ? "lo only" : c.config.network.mode) + " to " + mode + ": create it again", 1);
  c.config.network.mode = mode;
  c.config.network.aliases = aliases;
  cs.store.save_config(c);
}

}  // namespace

NetworkCommands::NetworkCommands(CLI::App& app) {
  network_ = app.add_subcommand("network", "Manage networks");
  network_->require_subcommand(1);
  create_ = network_->add_subcommand("create", "Create a bridge network");
  create_->add_option("--subnet", subnet_, "Subnet in CIDR form (default: the first free of Docker's pools)");
  create_->add_option("-d,--driver", driver_, "Driver (only bridge)");
  create_->add_option("--label", labels_, "Set metadata (KEY=value)")->allow_extra_args(false);
  create_->add_option("name", names_, "NETWORK")->required()->expected(1);
  ls_ = network_->add_subcommand("ls", "List networks");
  ls_->alias("list");
  ls_->add_flag("-q,--quiet", quiet_, "Only ids");
  inspect_ = network_->add_subcommand("inspect", "Show networks in JSON");
  inspect_->add_option("network", names_, "NETWORK...")->required();
  rm_ = network_->add_subcommand("rm", "Remove networks");
  rm_->alias("remove");
  rm_->add_option("network", names_, "NETWORK...")->required();
  prune_ = network_->add_subcommand("prune", "Remove every network no container uses");
  prune_->add_flag("-f,--force", force_, "Do not ask (boxlab never asks)");
  connect_ = network_->add_subcommand("connect", "Connect a stopped container to a network");
  connect_->add_option("--alias", aliases_, "Another name for the container on the network")->allow_extra_args(false);
  connect_->add_option("args", names_, "NETWORK CONTAINER")->required()->expected(2);
  disconnect_ = network_->add_subcommand("disconnect", "Disconnect a stopped container from its network");
  disconnect_->add_option("args", names_, "NETWORK CONTAINER")->required()->expected(2);
}

std::optional<int> NetworkCommands::run(const container::StateRoot& root) {
  if (!*network_) return std::nullopt;
  container::NetworkPaths paths = container::Containers::of(root).paths.network;
  net::NetworkStore store(paths.networks, paths.default_bridge);
  if (*create_) {
    try {
      if (driver_ != "bridge") throw boxlab::Error("plugin \"" + driver_ + "\" not found: boxlab has only the bridge driver");
      print(container::create_network(paths, names_.front(), subnet_, parse_labels(labels_)).id + "\n");
    } catch (const boxlab::Error& e) {
      throw boxlab::Error(e.what(), 1);  // docker network create: every refusal is a daemon error, exit 1
    }
    return 0;
  }
  // The default network is always listed, as Docker's; its bridge appears with its first container.
  if (*ls_ || *inspect_) {
    net::NetlinkSocket nl;
    store.ensure_default(net::routes_ipv4(nl));
  }
  if (*ls_) {
    print(format_networks(store.list(), quiet_));
  } else if (*inspect_) {
    std::string out = "[\n";
    for (size_t i = 0; i < names_.size(); ++i) out += (i ? ",\n" : "") + net::to_json(store.find(names_[i]));
    print(out + "\n]\n");
  } else if (*rm_) {
    for (const auto& name : names_) {
      container::remove_network(paths, name);
      print(name + "\n");
    }
  } else if (*prune_) {
    auto removed = container::prune_networks(paths);
    if (!removed.empty()) print("Deleted Networks:\n");
    for (const auto& name : removed) print(name + "\n");
  } else if (*connect_) {
    std::string network = names_[0] == "bridge" ? "bridge" : store.find(names_[0]).name;
    set_network(root, names_[1], network, aliases_);
  } else if (*disconnect_) {
    set_network(root, names_[1], "none", {});
  }
  return 0;
}

}  // namespace labcli
