// A start that fails half-way through the network leaves nothing: the bridge and the NAT rules
// of a private state root's default network go with the container that made them, even when
// the container never got an address (the handout's IPAM, not written yet, fails just so).
#include <filesystem>
#include <fstream>

#include "boxlab/container/lifecycle.hpp"
#include "boxlab/net/ipam.hpp"
#include "boxlab/net/nat.hpp"
#include "boxlab/net/netlink.hpp"
#include "boxlab/net/network_store.hpp"
#include "boxlab/net/route.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "root/image_world.hpp"
#include "root/no_leaks.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace net = boxlab::net;

TEST_CASE_METHOD(test::NoLeaks, "a start that fails before the container has an address removes a private default network",
                 "[root][net][lifecycle]") {
  test::ImageWorld world;
  const container::NetworkPaths& paths = world.containers.paths.network;
  net::NetworkStore store(paths.networks, paths.default_bridge);
  net::NetlinkSocket nl;
  net::Network bridge = store.ensure_default(net::routes_ipv4(nl));
  std::string ipam = net::Ipam(store.ipam_dir(), bridge.subnet).path();
  std::filesystem::create_directories(std::filesystem::path(ipam).parent_path());
  std::ofstream(ipam) << "{ not json";  // allocate() fails after the bridge and its rules exist

  container::CreateOptions options;
  options.request.command = {"true"};
  options.network.mode = "bridge";
  auto c = container::create_container(world.containers, world.busybox, "busybox", world.layers, options);
  CHECK_THROWS_WITH(container::monitor_container(world.containers.store, c.config.id, world.containers.paths),
                    test::contains("ipam: corrupt file"));

  CHECK_FALSE(boxlab::sys::exists("/sys/class/net/" + bridge.bridge));
  net::NatTable nat;
  if (nat.exists())
    for (const auto& rule : nat.rules()) CHECK(rule.owner != bridge.id);
  CHECK(store.list().empty());
}
