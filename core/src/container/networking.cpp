// A container's network, Docker's way.
//
// --network none leaves the container its own network namespace with only lo. host gives it
// none of its own: it shares the host's. bridge (the default) and a user network NAME plug it
// into a bridge: a veth pair is a virtual cable whose one end stays on the host, attached to
// the bridge, and whose other end is moved into the container's namespace and renamed eth0,
// with an address from the network's IPAM and a default route via the bridge's own address.
// The NAT table lets the subnet out (masquerade) and brings published ports in (DNAT).
//
// All of this happens at each start, between clone and exec (the namespace must exist, the
// command must not run yet), and is undone when the container ends: the kernel deletes the
// veth pair with the namespace, the guard releases the address and the port rules.
//
// Names: Docker's embedded DNS server answers for the containers of a user network (not of the
// default bridge). boxlab writes the same answers into files instead: every container of a
// user network finds the others, by name and --network-alias, in its /etc/hosts, which is a
// file of the container's directory bind-mounted into it, rewritten in place (a rename would
// give a new inode that the bind mount does not see) as containers come and go.
//
// Interface: plan_network, ContainerNetwork::{connect,~ContainerNetwork}, sweep_networks
#include "boxlab/container/networking.hpp"

#include <fcntl.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "boxlab/container/container_store.hpp"
#include "boxlab/net/address.hpp"
#include "boxlab/net/bridge.hpp"
#include "boxlab/net/ipam.hpp"
#include "boxlab/net/link.hpp"
#include "boxlab/net/port_spec.hpp"
#include "boxlab/net/route.hpp"
#include "boxlab/net/veth.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::container {
namespace {

constexpr const char* kLocalhostLines = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

bool uses_bridge(const NetworkRequest& r) { return !r.mode.empty() && r.mode != "none" && r.mode != "host"; }

// Docker's /etc/resolv.conf: the host's, without loopback nameservers (they would be the
// container's own lo), and Google's when none is left.
std::string resolv_conf_for_container() {
  std::string host;
  try {
    host = sys::read_file("/etc/resolv.conf");
  } catch (const Error&) {
  }
  std::istringstream in(host);
  std::string line, out;
  bool has_nameserver = false;
  while (std::getline(in, line)) {
    if (line.rfind("nameserver", 0) == 0) {
      if (line.find(" 127.") != std::string::npos || line.find(" ::1") != std::string::npos) continue;
      has_nameserver = true;
    }
    out += line + "\n";
  }
  if (!has_nameserver) out += "nameserver 8.8.8.8\nnameserver 8.8.4.4\n";
  return out;
}

// Rewrite @p path in place: it is bind-mounted into a container, which sees this inode only.
void overwrite(const std::string& path, const std::string& text) {
  sys::UniqueFd fd = sys::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  sys::write_all(fd.get(), text);
}

std::string hosts_path(const std::string& container_dir) { return container_dir + "/hosts"; }

// Only one runtime at a time edits the hosts files of a state root.
sys::UniqueFd lock_hosts(const NetworkPaths& paths) {
  sys::mkdir_all(paths.networks, 0700);
  sys::UniqueFd fd = sys::open(paths.networks + "/hosts.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  sys::lock_exclusive(fd.get());
  return fd;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// The running containers of @p network, other than @p self.
std::vector<Container> peers_on(const NetworkPaths& paths, const std::string& network, const std::string& self) {
  std::vector<Container> out;
  for (auto& c : ContainerStore(paths.containers).list())
    if (c.config.id != self && c.state.endpoint.network == network && c.state.status == "running" && c.process_alive())
      out.push_back(std::move(c));
  return out;
}

std::string peer_line(const Container& c) {
  std::vector<std::string> names{c.config.name};
  names.insert(names.end(), c.config.network.aliases.begin(), c.config.network.aliases.end());
  names.push_back(c.config.id.substr(0, 12));
  return c.state.endpoint.ip_address + "\t" + join(names) + "\n";
}

void remove_line(const std::string& path, const std::string& line) {
  std::string text;
  try {
    text = sys::read_file(path);
  } catch (const Error&) {
    return;  // that container is gone
  }
  for (size_t at; (at = text.find(line)) != std::string::npos;) text.erase(at, line.size());
  overwrite(path, text);
}

// The bridge with its address (the gateway) and up; created on first use.
void ensure_bridge_ready(net::NetlinkSocket& nl, const net::Network& n) {
  net::ensure_bridge(nl, n.bridge);
  net::InterfaceAddress gateway{n.subnet.gateway(), n.subnet.prefix()};
  auto has = net::addresses_ipv4(nl, n.bridge);
  if (std::find(has.begin(), has.end(), gateway) == has.end()) net::add_address(nl, n.bridge, gateway);
  net::set_up(nl, n.bridge);
}

std::vector<net::PortMapping> mappings_of(const NetworkRequest& r) {
  std::vector<net::PortMapping> all;
  for (const auto& spec : r.publish) {
    auto some = net::parse_port_spec(spec);
    all.insert(all.end(), some.begin(), some.end());
  }
  if (r.publish_all) {
    auto exposed = net::exposed_port_mappings(r.exposed);
    all.insert(all.end(), exposed.begin(), exposed.end());
  }
  return all;
}

net::Network network_of(const NetworkRequest& r, const NetworkPaths& paths) {
  net::NetworkStore store(paths.networks, paths.default_bridge);
  if (r.mode != net::kDefaultNetwork) return store.find(r.mode);
  net::NetlinkSocket nl;
  return store.ensure_default(net::routes_ipv4(nl));
}

}  // namespace

void plan_network(Spec& spec, const NetworkRequest& request, const NetworkPaths& paths, const std::string& container_dir) {
  if (request.mode.empty()) return;
  mappings_of(request);  // a bad -p fails here, before anything exists
  if (uses_bridge(request) && request.mode != net::kDefaultNetwork) try {
      net::NetworkStore(paths.networks, paths.default_bridge).find(request.mode);
    } catch (const Error& e) {
      throw Error(e.what(), kExitRuntimeError);  // docker run's code for a daemon error
    }
  if (!request.aliases.empty() && (!uses_bridge(request) || request.mode == net::kDefaultNetwork))
    throw Error("network-scoped alias is supported only for containers in user defined networks");
  if (request.mode == "host") {  // the host's network, and its name with it
    std::erase_if(spec.linux.namespaces, [](const Namespace& n) { return n.kind == ns::Kind::net; });
    spec.hostname = sys::gethostname();
  }
  for (const char* file : {"hosts", "hostname", "resolv.conf"})
    spec.mounts.push_back({std::string("/etc/") + file, "bind", container_dir + "/" + file, {"rbind"}});
}

void write_network_files(const NetworkRequest& request, const std::string& container_dir, const std::string& hostname) {
  if (request.mode.empty()) return;
  sys::mkdir_all(container_dir, 0700);
  bool host = request.mode == "host";
  overwrite(container_dir + "/hostname", (host ? sys::gethostname() : hostname) + "\n");
  overwrite(container_dir + "/resolv.conf", host ? sys::read_file("/etc/resolv.conf") : resolv_conf_for_container());
  overwrite(hosts_path(container_dir), host ? sys::read_file("/etc/hosts") : kLocalhostLines);
}

std::unique_ptr<ContainerNetwork> ContainerNetwork::connect(const NetworkRequest& request, const NetworkPaths& paths,
                                                            const std::string& id, const std::string& name,
                                                            const std::string& container_dir, pid_t pid) {
  std::unique_ptr<ContainerNetwork> cn(new ContainerNetwork);
  if (request.mode == "none") {  // lo only, but up, as Docker leaves it
    sys::UniqueFd netns = sys::open("/proc/" + std::to_string(pid) + "/ns/net", O_RDONLY | O_CLOEXEC);
    net::NetlinkSocket inside = net::NetlinkSocket::in_netns(netns.get());
    net::set_up(inside, "lo");
  }
  if (!uses_bridge(request)) return cn;
  cn->paths_ = paths;
  cn->id_ = id;
  net::Network n = network_of(request, paths);
  cn->network_ = n;
  cn->subnet_ = n.subnet;
  cn->endpoint_.network = n.name;
  cn->resolves_names_ = n.resolves_names();

  net::NetlinkSocket nl;
  ensure_bridge_ready(nl, n);
  net::NatTable nat;
  {
    sys::UniqueFd held = nat.lock();  // another state root may be deleting the table (NatTable::lock)
    nat.ensure();
    nat.add_network({n.id, n.subnet.to_string(), n.bridge});  // owned by the id: names repeat across state roots
  }

  net::Ipam ipam(net::NetworkStore(paths.networks).ipam_dir(), n.subnet);
  net::Ipv4Address address = ipam.allocate(id);
  cn->endpoint_.ip_address = address.to_string();  // from here on, the destructor releases it
  cn->endpoint_.prefix = n.subnet.prefix();
  cn->endpoint_.gateway = n.subnet.gateway().to_string();

  // The cable: host end on the bridge, the other end into the namespace as eth0.
  // LAB 08 BEGIN: create the veth pair (veth_names), attach the host end to n.bridge, move the peer into /proc/PID/ns/net and configure it there (eth0, address, lo, default route)
  net::VethNames names = net::veth_names(id);
  net::VethPair veth = net::VethPair::create(names.host, names.peer);
  cn->host_veth_ = names.host;
  net::attach_to_bridge(nl, names.host, n.bridge);
  sys::UniqueFd netns = sys::open("/proc/" + std::to_string(pid) + "/ns/net", O_RDONLY | O_CLOEXEC);
  net::move_to_netns(nl, names.peer, netns.get());
  net::NetlinkSocket inside = net::NetlinkSocket::in_netns(netns.get());
  net::configure_container_end(inside, names.peer, {address, n.subnet.prefix()}, n.subnet.gateway());
  veth.release();  // it dies with the namespace; the destructor deletes it if it did not
  // LAB 08 END

  if (auto mappings = mappings_of(request); !mappings.empty()) {
    cn->ports_ = nat.publish(id, cn->endpoint_.ip_address, mappings);
    for (const auto& f : cn->ports_.forwards()) cn->endpoint_.ports.push_back(f.describe());
  }

  // Names: this container in its own hosts file; on a user network, the others too, and it in theirs.
  std::vector<std::string> own_names{id.substr(0, 12), name};
  own_names.insert(own_names.end(), request.aliases.begin(), request.aliases.end());
  std::string hosts = std::string(kLocalhostLines) + cn->endpoint_.ip_address + "\t" + join(own_names) + "\n";
  if (cn->resolves_names_) {
    sys::UniqueFd held = lock_hosts(paths);
    std::vector<std::string> others{name};
    others.insert(others.end(), request.aliases.begin(), request.aliases.end());
    others.push_back(id.substr(0, 12));
    cn->hosts_line_ = cn->endpoint_.ip_address + "\t" + join(others) + "\n";
    // LAB 08 BEGIN: for every running peer on the network: its line (peer_line) into `hosts`, and our hosts_line_ appended to its hosts file (in place: it is bind-mounted)
    for (const auto& peer : peers_on(paths, n.name, id)) {
      hosts += peer_line(peer);
      sys::UniqueFd fd = sys::open(hosts_path(peer.dir), O_WRONLY | O_APPEND | O_CLOEXEC);
      sys::write_all(fd.get(), cn->hosts_line_);
    }
    // LAB 08 END
  }
  overwrite(hosts_path(container_dir), hosts);
  return cn;
}

ContainerNetwork::~ContainerNetwork() { disconnect(); }

void ContainerNetwork::disconnect() noexcept {
  // A connect that failed before it had an address (IPAM full, the veth refused) still made the
  // bridge and its NAT rules: those go below, with a private root's default network.
  if (!endpoint_.ip_address.empty()) release_endpoint();
  remove_private_default_network();
}

void ContainerNetwork::release_endpoint() noexcept {
  try {
    if (resolves_names_ && !hosts_line_.empty()) {
      sys::UniqueFd held = lock_hosts(paths_);
      for (const auto& peer : peers_on(paths_, endpoint_.network, id_)) remove_line(hosts_path(peer.dir), hosts_line_);
    }
  } catch (const Error&) {
  }
  ports_ = net::PublishedPorts();  // removes the rules
  try {
    net::Ipam(net::NetworkStore(paths_.networks).ipam_dir(), subnet_).release(id_);
  } catch (const Error&) {
  }
  try {
    net::NetlinkSocket nl;
    if (!host_veth_.empty()) net::delete_link(nl, host_veth_);
  } catch (const Error&) {
  }
  endpoint_.ip_address.clear();
}

// The default network of the machine's state root stays, like docker0. Any other state root's
// (a test's, a lesson's) goes with its last container, so that it leaves no bridge behind.
void ContainerNetwork::remove_private_default_network() noexcept {
  if (network_.name != net::kDefaultNetwork || network_.bridge == net::kDefaultBridge) return;
  try {
    sys::UniqueFd held = lock_hosts(paths_);
    if (!peers_on(paths_, network_.name, id_).empty()) return;
    net::NatTable nat;
    sys::UniqueFd nat_held = nat.lock();
    if (nat.exists()) {
      nat.remove_rules_of(network_.id);
      nat.delete_if_unused();
    }
    net::NetlinkSocket nl;
    net::delete_link(nl, network_.bridge);
    net::NetworkStore(paths_.networks, paths_.default_bridge).remove(network_.id);
  } catch (const Error&) {
  }
}

net::Network create_network(const NetworkPaths& paths, const std::string& name, const std::string& subnet,
                            const std::map<std::string, std::string>& labels) {
  net::NetlinkSocket nl;
  return net::NetworkStore(paths.networks, paths.default_bridge).create(name, subnet, net::routes_ipv4(nl), labels);
}

std::vector<std::string> containers_on(const NetworkPaths& paths, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& c : ContainerStore(paths.containers).list())
    if (c.config.network.mode == name || c.state.endpoint.network == name) out.push_back(c.config.name);
  return out;
}

void remove_network(const NetworkPaths& paths, const std::string& ref) {
  net::NetworkStore store(paths.networks, paths.default_bridge);
  net::Network n = store.find(ref);
  if (n.name == net::kDefaultNetwork) throw Error(n.name + " is a pre-defined network and cannot be removed", 1);
  if (auto users = containers_on(paths, n.name); !users.empty())
    throw Error("error while removing network: network " + n.name + " id " + n.id + " has active endpoints (" +
                    join(users) + ")", 1);
  net::NatTable nat;
  sys::UniqueFd nat_held = nat.lock();
  if (nat.exists()) {
    nat.remove_rules_of(n.id);
    nat.delete_if_unused();
  }
  net::NetlinkSocket nl;
  net::delete_link(nl, n.bridge);
  std::error_code ignored;
  std::filesystem::remove(net::Ipam(store.ipam_dir(), n.subnet).path(), ignored);
  store.remove(n.id);
}

std::vector<std::string> prune_networks(const NetworkPaths& paths) {
  std::vector<std::string> removed;
  for (const auto& n : net::NetworkStore(paths.networks, paths.default_bridge).list()) {
    if (n.name == net::kDefaultNetwork || !containers_on(paths, n.name).empty()) continue;
    remove_network(paths, n.id);
    removed.push_back(n.name);
  }
  return removed;
}

void sweep_networks(const NetworkPaths& paths) {
  std::vector<Container> dead;
  for (auto& c : ContainerStore(paths.containers).list())
    if (!c.state.endpoint.ip_address.empty() && !c.monitor_alive()) dead.push_back(std::move(c));
  if (dead.empty()) return;
  net::NetworkStore store(paths.networks, paths.default_bridge);
  net::NatTable nat;
  net::NetlinkSocket nl;
  ContainerStore containers(paths.containers);
  for (auto& c : dead) {
    // Its name must not go on resolving in its peers: the address goes back to the pool.
    {
      sys::UniqueFd held = lock_hosts(paths);
      std::string line = peer_line(c);
      for (const auto& peer : peers_on(paths, c.state.endpoint.network, c.config.id)) remove_line(hosts_path(peer.dir), line);
    }
    for (const auto& n : store.list())
      if (n.name == c.state.endpoint.network) net::Ipam(store.ipam_dir(), n.subnet).release(c.config.id);
    if (nat.exists()) nat.remove_rules_of(c.config.id);
    net::delete_link(nl, net::veth_names(c.config.id).host);
    c.state.endpoint = {};
    containers.save_state(c.config.id, c.state);
  }
}

}  // namespace boxlab::container
