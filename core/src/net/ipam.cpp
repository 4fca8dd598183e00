// IPAM: handing out the addresses of a subnet, each to one container at a time.
//
// A network's subnet is a pool; each container joining it needs an address nobody else holds.
// Docker's default IPAM keeps a bitmap per subnet and gives the lowest free address; boxlab
// keeps the same knowledge as a JSON map from address to owner, so a student can read it with
// cat. Three addresses are never handed out: the network address and the broadcast address
// (no host may have them) and the gateway, host 1, which the bridge itself holds.
//
// Several runtimes may start containers at the same moment, each in its own process, so the
// file is changed only under an exclusive flock(2): lock, read, change, write, unlock. The lock
// is taken on a separate, never-replaced file (`….lock`), not on the JSON itself: the JSON is
// replaced by rename(2) on every write, and a lock held on the old inode would not stop a
// process that opens the new one. Writes go to a temporary file that is renamed over the old
// one (sys::write_file_atomically), so a crash leaves the old map or the new, never half a one.
//
// Choosing a subnet for a new network (pick_free_subnet) follows Docker's default address pools
// (libnetwork ipamutils: 172.17-31.0.0/16, then 192.168.0.0/16 cut into /20s) and skips any
// candidate that overlaps another network or a route of the host, as `docker network create`
// does without --subnet.
//
// Interface: Ipam (path, allocate, allocate_specific, release, address_of, allocations),
//   release_all_of, pick_free_subnet
#include "boxlab/net/ipam.hpp"

#include <fcntl.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::net {
namespace {

using nlohmann::json;
using Map = std::map<Ipv4Address, std::string>;  // address -> owner

std::string file_stem(const Subnet& subnet) {
  return subnet.network().to_string() + "-" + std::to_string(subnet.prefix());
}

// The address map in @p path for @p subnet; empty if the file does not exist yet.
Map load(const std::string& path, const Subnet& subnet) {
  if (!sys::exists(path)) return {};
  try {
    json j = json::parse(sys::read_file(path));
    if (Subnet::parse(j.at("subnet").get<std::string>()) != subnet)
      throw Error("it is for subnet " + j.at("subnet").get<std::string>() + ", not " + subnet.to_string());
    Map map;
    for (const auto& [address, owner] : j.at("addresses").items())
      map[Ipv4Address::parse(address)] = owner.get<std::string>();
    return map;
  } catch (const json::exception& e) {
    throw Error("ipam: corrupt file " + path + " (" + e.what() + ")");
  } catch (Error& e) {
    throw e.add_context("ipam: corrupt file " + path);
  }
}

void save(const std::string& path, const Subnet& subnet, const Map& map) {
  json addresses = json::object();
  for (const auto& [address, owner] : map) addresses[address.to_string()] = owner;
  json j{{"subnet", subnet.to_string()}, {"gateway", subnet.gateway().to_string()}, {"addresses", addresses}};
  sys::write_file_atomically(path, j.dump(2) + "\n");
}

bool reserved(const Subnet& subnet, Ipv4Address address) {
  return address == subnet.network() || address == subnet.broadcast() || address == subnet.gateway();
}

void check_new_owner(const Map& map, const std::string& owner, const Subnet& subnet) {
  if (owner.empty()) throw Error("ipam: an address needs an owner");
  for (const auto& [address, holder] : map)
    if (holder == owner)
      throw Error("ipam: " + owner + " already has address " + address.to_string() + " in " + subnet.to_string());
}

// Docker's default pools, in the order it tries them.
std::vector<Subnet> default_pools() {
  std::vector<Subnet> pools;
  for (uint32_t second = 17; second <= 31; ++second)  // 172.17.0.0/16 ... 172.31.0.0/16
    pools.emplace_back(Ipv4Address{(172u << 24) | (second << 16)}, 16);
  for (uint32_t third = 0; third < 256; third += 16)  // 192.168.0.0/20 ... 192.168.240.0/20
    pools.emplace_back(Ipv4Address{(192u << 24) | (168u << 16) | (third << 8)}, 20);
  return pools;
}

bool overlaps_any(const Subnet& candidate, const std::vector<Subnet>& others) {
  return std::any_of(others.begin(), others.end(), [&](const Subnet& other) {
    return other.prefix() > 0 && candidate.overlaps(other);  // a /0 is a default route
  });
}

// Run @p change on the map of @p subnet under its lock; save the map if @p change returns true.
template <typename Fn>
void transaction(const std::string& dir, const Subnet& subnet, Fn&& change) {
  std::string stem = dir + "/" + file_stem(subnet);
  sys::UniqueFd lock = sys::open(stem + ".lock", O_RDWR | O_CREAT, 0644);
  sys::lock_exclusive(lock.get());  // released when `lock` closes
  Map map = load(stem + ".json", subnet);
  if (change(map)) save(stem + ".json", subnet, map);
}

}  // namespace

Ipam::Ipam(std::string dir, Subnet subnet) : dir_(std::move(dir)), subnet_(subnet) {
  if (subnet_.host_count() < 2)
    throw Error("ipam: subnet " + subnet_.to_string() + " is too small: it has no address besides the gateway");
  sys::mkdir_all(dir_, 0755);
}

std::string Ipam::path() const { return dir_ + "/" + file_stem(subnet_) + ".json"; }

Ipv4Address Ipam::allocate(const std::string& owner) {
  Ipv4Address given;
  transaction(dir_, subnet_, [&](Map& map) -> bool {
    check_new_owner(map, owner, subnet_);
    // LAB 08 BEGIN: give @p owner the lowest free host address (host 1 is the gateway; the map holds the taken ones) and return true
    for (uint64_t n = 2; n <= subnet_.host_count(); ++n) {  // host 1 is the gateway
      Ipv4Address candidate = subnet_.host(n);
      if (map.count(candidate)) continue;
      map[candidate] = owner;
      given = candidate;
      return true;
    }
    // LAB 08 END
    std::string count = std::to_string(subnet_.host_count() - 1);
    throw Error::reported(ENOSPC, "ipam: subnet " + subnet_.to_string() + " exhausted: all " + count +
                                      " addresses are in use", kExitRuntimeError);
  });
  return given;
}

Ipv4Address Ipam::allocate_specific(const std::string& owner, Ipv4Address address) {
  std::string what = "ipam: address " + address.to_string();
  if (!subnet_.contains(address)) throw Error(what + " is not in subnet " + subnet_.to_string());
  if (reserved(subnet_, address))
    throw Error(what + " is reserved in " + subnet_.to_string() + " (network, gateway or broadcast)");
  transaction(dir_, subnet_, [&](Map& map) {
    check_new_owner(map, owner, subnet_);
    if (auto it = map.find(address); it != map.end()) throw Error(what + " is already in use by " + it->second);
    map[address] = owner;
    return true;
  });
  return address;
}

bool Ipam::release(const std::string& owner) {
  bool freed = false;
  transaction(dir_, subnet_, [&](Map& map) {
    freed = std::erase_if(map, [&](const auto& entry) { return entry.second == owner; }) > 0;
    return freed;
  });
  return freed;
}

std::optional<Ipv4Address> Ipam::address_of(const std::string& owner) const {
  for (const Allocation& a : allocations())
    if (a.owner == owner) return a.address;
  return std::nullopt;
}

std::vector<Allocation> Ipam::allocations() const {
  std::vector<Allocation> out;
  transaction(dir_, subnet_, [&](Map& map) {
    for (const auto& [address, owner] : map) out.push_back({address, owner});
    return false;
  });
  return out;
}

int release_all_of(const std::string& dir, const std::string& owner) {
  if (!sys::exists(dir)) return 0;
  int freed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::string stem = entry.path().stem();
    std::replace(stem.begin(), stem.end(), '-', '/');  // "172.18.0.0-16" -> "172.18.0.0/16"
    Subnet subnet = with_context("ipam: file " + entry.path().string(), [&] { return Subnet::parse(stem); });
    freed += Ipam(dir, subnet).release(owner) ? 1 : 0;
  }
  return freed;
}

Subnet pick_free_subnet(const std::vector<Subnet>& taken, const std::vector<Subnet>& host_routes) {
  for (const Subnet& candidate : default_pools())
    if (!overlaps_any(candidate, taken) && !overlaps_any(candidate, host_routes)) return candidate;
  throw Error("no free subnet: every default address pool (172.17.0.0/16 to 172.31.0.0/16, "
              "192.168.0.0/20 to 192.168.240.0/20) overlaps another network or a route of this host");
}

}  // namespace boxlab::net
