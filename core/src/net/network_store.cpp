// Networks: what `docker network create` records.
//
// A Docker bridge network is three things on the host: a bridge link the containers' veths
// are plugged into, a subnet whose first address is the bridge's own (the containers' default
// gateway), and NAT rules that let the subnet out. The store keeps the part that must outlive
// any process: the name, the subnet and the bridge's name, one JSON file per network, written
// atomically and changed under one lock, so two runtimes can never pick the same subnet. The
// default network "bridge" (bridge boxlab0, Docker's docker0) is created the first time a
// container needs it, on the first free /16 of Docker's pools.
//
// Interface: NetworkStore::{create,ensure_default,find,list,remove}, to_json
#include "boxlab/net/network_store.hpp"

#include <fcntl.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "boxlab/net/ipam.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/text.hpp"

namespace boxlab::net {
namespace {

using json = nlohmann::json;

Network from_json(const json& j) {
  Network n;
  n.id = j.at("Id").get<std::string>();
  n.name = j.at("Name").get<std::string>();
  n.bridge = j.at("Bridge").get<std::string>();
  n.subnet = Subnet::parse(j.at("Subnet").get<std::string>());
  n.created = j.value("Created", "");
  n.labels = j.value("Labels", std::map<std::string, std::string>{});
  return n;
}

json record_of(const Network& n) {
  return {{"Id", n.id}, {"Name", n.name}, {"Bridge", n.bridge}, {"Subnet", n.subnet.to_string()},
          {"Created", n.created}, {"Labels", n.labels}};
}

void check_name(const std::string& name) {
  bool ok = !name.empty() && std::isalnum(static_cast<unsigned char>(name[0])) &&
            std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; });
  if (!ok) throw Error("invalid network name \"" + name + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  if (name == "host" || name == "none")
    throw Error("operation is not permitted on predefined " + name + " network ");
}

// One lock for the whole store: create reads every subnet before it writes its own.
sys::UniqueFd lock_store(const std::string& dir) {
  sys::mkdir_all(dir, 0700);
  sys::UniqueFd fd = sys::open(dir + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  sys::lock_exclusive(fd.get());
  return fd;
}

Subnet choose_subnet(const std::string& wanted, const std::vector<Network>& others, const std::vector<Subnet>& host_routes) {
  std::vector<Subnet> taken;
  for (const auto& n : others) taken.push_back(n.subnet);
  if (wanted.empty()) return pick_free_subnet(taken, host_routes);
  Subnet subnet = Subnet::parse(wanted);
  if (subnet.host_count() < 2) throw Error("invalid subnet " + wanted + ": too small for a gateway and a container");
  for (const auto& t : taken)
    if (t.overlaps(subnet)) throw Error("Pool overlaps with other one on this address space", 1);
  return subnet;
}

Network create_locked(const std::string& dir, const std::string& default_bridge, const std::string& name, const std::string& wanted,
                      const std::vector<Subnet>& host_routes, const std::map<std::string, std::string>& labels,
                      const std::vector<Network>& existing) {
  for (const auto& n : existing)
    if (n.name == name) throw Error("network with name " + name + " already exists", 1);
  Network n;
  n.id = sys::random_hex(32);
  n.name = name;
  n.bridge = name == kDefaultNetwork ? default_bridge : "boxlab-" + n.id.substr(0, 8);
  n.subnet = choose_subnet(wanted, existing, host_routes);
  n.created = sys::now_rfc3339(true);
  n.labels = labels;
  sys::write_file_atomically(dir + "/" + n.id + ".json", record_of(n).dump(2) + "\n");
  return n;
}

}  // namespace

NetworkStore::NetworkStore(std::string dir, std::string default_bridge)
    : dir_(std::move(dir)), default_bridge_(std::move(default_bridge)) {}

Network NetworkStore::create(const std::string& name, const std::string& subnet, const std::vector<Subnet>& host_routes,
                             const std::map<std::string, std::string>& labels) const {
  check_name(name);
  sys::UniqueFd held = lock_store(dir_);
  return create_locked(dir_, default_bridge_, name, subnet, host_routes, labels, list());
}

Network NetworkStore::ensure_default(const std::vector<Subnet>& host_routes) const {
  sys::UniqueFd held = lock_store(dir_);
  auto all = list();
  for (const auto& n : all)
    if (n.name == kDefaultNetwork) return n;
  return create_locked(dir_, default_bridge_, kDefaultNetwork, "", host_routes, {}, all);
}

Network NetworkStore::find(const std::string& ref) const {
  std::vector<Network> matches;
  for (auto& n : list()) {
    if (n.name == ref || n.id == ref) return n;
    if (ref.size() >= 1 && n.id.rfind(ref, 0) == 0) matches.push_back(n);
  }
  if (matches.size() == 1) return matches.front();
  if (matches.size() > 1) throw Error("network " + ref + " is ambiguous (" + std::to_string(matches.size()) + " matches found)", 1);
  throw Error("network " + ref + " not found", 1);
}

std::vector<Network> NetworkStore::list() const {
  std::vector<Network> out;
  if (!sys::exists(dir_)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() != ".json") continue;
    try {
      out.push_back(from_json(json::parse(sys::read_file(entry.path()))));
    } catch (const std::exception& e) {
      throw Error("network record " + entry.path().string() + " is corrupt: " + e.what());
    }
  }
  std::sort(out.begin(), out.end(), [](const Network& a, const Network& b) { return a.name < b.name; });
  return out;
}

void NetworkStore::remove(const std::string& id) const {
  sys::UniqueFd held = lock_store(dir_);
  sys::unlink(dir_ + "/" + id + ".json");
}

std::string to_json(const Network& n) {
  json j{{"Name", n.name},
         {"Id", n.id},
         {"Created", n.created},
         {"Scope", "local"},
         {"Driver", "bridge"},
         {"EnableIPv6", false},
         {"IPAM", {{"Driver", "default"}, {"Config", json::array({{{"Subnet", n.subnet.to_string()}, {"Gateway", n.subnet.gateway().to_string()}}})}}},
         {"Internal", false},
         {"Options", {{"com.docker.network.bridge.name", n.bridge}}},
         {"Labels", n.labels}};
  return j.dump(4);
}

}  // namespace boxlab::net
